"""What every Brújula action shares: reading the turn from the tracker and writing the reply."""

from __future__ import annotations

import logging
from abc import ABC, abstractmethod
from typing import Any, Text

from rasa_sdk import Action, Tracker
from rasa_sdk.events import EventType, SlotSet
from rasa_sdk.executor import CollectingDispatcher
from rasa_sdk.types import DomainDict

from bot import content
from bot.conversation.continuation import continue_thread
from bot.conversation.dialogue import Dialogue, Turn
from bot.conversation.navigation import resume_pending_topic
from bot.conversation.offers import resume_offer_check
from bot.conversation.safety import harm_first, keep_harm_in_view
from bot.conversation.vocabulary import Meta
from bot.danger_words import HARM_NOW_KEY, URGENT_CARE_KEY
from bot.input_check import InputProblem
from bot.joined_requests import OTHER_REQUESTS_KEY
from bot.language import Detection

logger = logging.getLogger(__name__)


def turn_from_tracker(tracker: Tracker) -> Turn:
    """The latest user message, as :mod:`bot.conversation` reads it."""
    latest: dict[Text, Any] = tracker.latest_message or {}
    metadata = latest.get("metadata") or {}
    intent = latest.get("intent") or {}
    ranking = latest.get("intent_ranking")
    confidence = intent.get("confidence")
    return Turn(
        intent=intent.get("name") or "",
        text=latest.get("text") or "",
        entities=latest.get("entities") or [],
        detection=Detection.from_parse_result(latest.get("language")),
        input_problem=latest.get("input_problem"),
        slots=tracker.current_slot_values(),
        language_hint=metadata.get(Meta.LANGUAGE_HINT) if isinstance(metadata, dict) else None,
        metadata=metadata if isinstance(metadata, dict) else {},
        confidence=float(confidence) if isinstance(confidence, int | float) else None,
        intent_ranking=[item for item in ranking if isinstance(item, dict)] if isinstance(ranking, list) else (),
        harm_now=latest.get(HARM_NOW_KEY) is True,
        urgent_care=latest.get(URGENT_CARE_KEY) is True,
        other_requests=[name for name in latest.get(OTHER_REQUESTS_KEY) or [] if isinstance(name, str)],
        previous_text=_previous_user_text(tracker),
    )


def _previous_user_text(tracker: Tracker) -> str:
    """The text of the user message before the latest one ("" when there is none)."""
    user_texts = (event.get("text") for event in reversed(tracker.events or []) if event.get("event") == "user")
    next(user_texts, None)  # the latest message itself
    return str(next(user_texts, None) or "")


def send(dispatcher: CollectingDispatcher, dialogue: Dialogue) -> list[EventType]:
    reply = dialogue.reply()
    for message in reply.messages:
        data = message.as_dict()
        custom = data.pop("custom", None)
        dispatcher.utter_message(**data, json_message=custom)
    return [SlotSet(name, value) for name, value in reply.slots.items()]


class BrujulaAction(Action, ABC):
    """Base class: builds a :class:`Dialogue` for the turn and lets the subclass fill it.

    Abstract, so the action server does not register the base class itself as an action.
    """

    action_name: str = ""
    # Menus and confirmations must not be hijacked by a pending "which country?" question.
    resumes_pending_topic = True

    def name(self) -> Text:
        return self.action_name

    @abstractmethod
    def respond(self, dialogue: Dialogue) -> None:
        """Add this action's messages and slot changes to ``dialogue``."""

    async def run(self, dispatcher: CollectingDispatcher, tracker: Tracker, domain: DomainDict) -> list[EventType]:
        dialogue = Dialogue(turn_from_tracker(tracker), content.current())
        if dialogue.turn.input_problem == InputProblem.TOO_LONG.value:
            dialogue.say(dialogue.text("too_long"))
        harm_first(dialogue)  # "he keeps my passport, can he?": the numbers and a person before the answer
        if resume_offer_check(dialogue):  # the offer the bot asked for, whatever the classifier made of it
            return send(dispatcher, dialogue)
        if continue_thread(dialogue):  # "help" after an emergency, "more" after an answer
            keep_harm_in_view(dialogue)
            return send(dispatcher, dialogue)
        if not (self.resumes_pending_topic and resume_pending_topic(dialogue)):
            self.respond(dialogue)
        keep_harm_in_view(dialogue)
        return send(dispatcher, dialogue)
