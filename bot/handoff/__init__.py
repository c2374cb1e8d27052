"""Hand-off to a person: the queue, the desk console at ``/desk``, and what users are told meanwhile.

* :mod:`bot.desk_settings`: opening hours, expected wait, follow-up delay, staff accounts (bcrypt);
* :mod:`bot.conversation.safety`: the sentences users hear about the desk (from ``content/ui.yml``);
* :mod:`bot.handoff.records`: hand-off state read from and written to the tracker store;
* :mod:`bot.handoff.queue`: the conversations waiting for, or held by, a person;
* :mod:`bot.handoff.service`: take, reply, hand back, return to the queue, the follow-up;
* :mod:`bot.handoff.storage`: staff sessions, login rate limit and audit log (SQL);
* :mod:`bot.handoff.desk`: the Rasa input channel that serves the console (``DeskInput``).

This package imports nothing heavy on its own: :mod:`bot.conversation` uses :mod:`bot.conversation.safety`.
"""
