"""A shared location (WhatsApp or Telegram pin): the nearest places of the kind the user asked about."""

from __future__ import annotations

from actions.base import BrujulaAction
from bot.conversation import navigation, nearby
from bot.conversation.dialogue import Dialogue
from bot.conversation.vocabulary import Slot


class ActionShareLocation(BrujulaAction):
    """``/share_location{"lat": 4.61, "lon": -74.08}``: answer with the 3 nearest nearby.

    The kind of place follows the conversation: the question waiting for a location (slot
    ``pending_topic``), else the last topic asked (slot ``last_topic``), else shelters and aid points.
    If the bot had asked "which country are you in?", the location answers that too, and the pending
    topic is answered.
    """

    action_name = "action_share_location"
    resumes_pending_topic = False

    def respond(self, dialogue: Dialogue) -> None:
        location = nearby.read_location(dialogue.turn.entities, dialogue.turn.metadata)
        pending = dialogue.slot(Slot.PENDING_TOPIC)
        topic = pending or dialogue.slot(Slot.LAST_TOPIC)
        if location is not None:
            nearby.remember_area(dialogue, *location)
            if pending and dialogue.slot(Slot.COUNTRY):
                dialogue.set(Slot.PENDING_TOPIC, None)
                navigation.run_topic(dialogue, pending)  # the answer first, then the places near the pin
        nearby.answer_location(dialogue, location, topic)
