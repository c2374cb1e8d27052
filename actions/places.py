"""A shared location (WhatsApp or Telegram pin): the nearest places of the kind the user asked about."""

from __future__ import annotations

from actions.base import BrujulaAction
from bot import dialogue as dlg
from bot import places


class ActionShareLocation(BrujulaAction):
    """``/share_location{"lat": 4.61, "lon": -74.08}``: answer with the 3 nearest places.

    The kind of place follows the conversation: the question waiting for a location (slot
    ``pending_topic``), else the last topic asked (slot ``last_topic``), else shelters and aid points.
    If the bot had asked "which country are you in?", the location answers that too, and the pending
    topic is answered.
    """

    action_name = "action_share_location"
    resumes_pending_topic = False

    def respond(self, dialogue: dlg.Dialogue) -> None:
        location = places.read_location(dialogue.turn.entities, dialogue.turn.metadata)
        pending = dialogue.slot(dlg.PENDING_TOPIC)
        topic = pending or dialogue.slot(dlg.LAST_TOPIC)
        if location is not None:
            places.remember_area(dialogue, *location)
            if pending and dialogue.slot(dlg.COUNTRY):
                dialogue.set(dlg.PENDING_TOPIC, None)
                dlg.run_topic(dialogue, pending)  # the answer first, then the places near the pin
        places.answer_location(dialogue, location, topic)
