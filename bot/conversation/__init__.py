"""The conversation's home: what the bot says and remembers, as plain Python (no Rasa, no network).

* :mod:`~bot.conversation.vocabulary`: slot names, hand-off states, topic groups, metadata keys;
* :mod:`~bot.conversation.dialogue`: one turn (:class:`Turn`) and the replies being built (:class:`Dialogue`);
* :mod:`~bot.conversation.reply_language`: the one rule for the language of a reply;
* :mod:`~bot.conversation.provenance`: the source / review / caution footer under an answer;
* :mod:`~bot.conversation.menus`, :mod:`~bot.conversation.navigation`, :mod:`~bot.conversation.topics`,
  :mod:`~bot.conversation.nearby`, :mod:`~bot.conversation.context`, :mod:`~bot.conversation.safety`,
  :mod:`~bot.conversation.privacy`, :mod:`~bot.conversation.offers`: the features, one concern each.

Dependencies point one way: channels, actions and the desk import this package; it imports only
``bot.content``, ``bot.places``, ``bot.language``, ``bot.text`` and the desk's settings.
"""
