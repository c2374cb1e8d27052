"""A shared location (WhatsApp or Telegram pin): the nearest places of the kind the user asked about."""

from __future__ import annotations

from typing import Any, Dict, List, Optional, Text

from rasa_sdk import Tracker
from rasa_sdk.events import EventType
from rasa_sdk.executor import CollectingDispatcher
from rasa_sdk.types import DomainDict

from actions.base import BrujulaAction, send, turn_from_tracker
from bot import content, places
from bot import dialogue as dlg

# How far back to look for what the user was asking about before sharing the location.
RECENT_EVENTS = 40


def recent_topic(tracker: Tracker, topics: tuple[str, ...] = dlg.TOPICS_BY_INTENT) -> Optional[str]:
    """The last topic the user asked about in this conversation (by intent), if any."""
    looked_at = 0
    for event in reversed(tracker.events or []):
        if event.get("event") != "user":
            continue
        looked_at += 1
        if looked_at > RECENT_EVENTS:
            break
        intent = ((event.get("parse_data") or {}).get("intent") or {}).get("name")
        if intent in topics:
            return str(intent)
    return None


class ActionShareLocation(BrujulaAction):
    """``/share_location{"lat": 4.61, "lon": -74.08}``: answer with the 3 nearest places.

    The kind of place follows the conversation: the question waiting for a location (slot
    ``pending_topic``), else the last topic asked, else shelters and aid points. If the bot had asked
    "which country are you in?", the location answers that too, and the pending topic is answered.
    """

    action_name = "action_share_location"
    resumes_pending_topic = False

    async def run(
        self, dispatcher: CollectingDispatcher, tracker: Tracker, domain: DomainDict
    ) -> List[EventType]:
        turn = turn_from_tracker(tracker)
        dialogue = dlg.Dialogue(turn, content.current())
        latest: Dict[Text, Any] = tracker.latest_message or {}
        metadata = latest.get("metadata") if isinstance(latest.get("metadata"), dict) else None
        location = places.read_location(turn.entities, metadata)
        pending = dialogue.slot(dlg.PENDING_TOPIC)
        topic = pending or recent_topic(tracker)
        if location is not None:
            places.remember_area(dialogue, *location)
            if pending and dialogue.slot(dlg.COUNTRY):
                dialogue.set(dlg.PENDING_TOPIC, None)
                dlg.run_topic(dialogue, pending)  # the answer first, then the places near the pin
        places.answer_location(dialogue, location, topic)
        return send(dispatcher, dialogue)
