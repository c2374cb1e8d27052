"""Shared fixtures: run a Brújula action on a message the way Rasa would hand it over."""

from __future__ import annotations

import asyncio
import os
import tempfile
from collections.abc import Sequence
from dataclasses import dataclass
from typing import Any

import pytest
from rasa_sdk import Tracker
from rasa_sdk.events import SlotSet
from rasa_sdk.executor import CollectingDispatcher

from bot import content, language
from bot.danger_words import HARM_NOW_KEY, URGENT_CARE_KEY, describes_harm_now, describes_urgent_care
from bot.input_check import BLOCKING_PROBLEMS, check_input
from bot.joined_requests import OTHER_REQUESTS_KEY
from bot.nlu.components import OPTION_PATTERN, _place_entities

# Tests must not write to the real log of unanswered questions (.state/gaps.jsonl).
os.environ.setdefault("BRUJULA_GAPS_FILE", os.path.join(tempfile.mkdtemp(prefix="brujula-gaps-"), "gaps.jsonl"))

SLOTS = (
    "language",
    "reply_language",
    "country",
    "city",
    "nationality",
    "menu",
    "pending_topic",
    "pending_confirmation",
    "also_asked",
    "fallback_count",
    "handoff",
    "handoff_reason",
    "handoff_requested_at",
    "erase_requested",
    "last_topic",
    "awaiting_offer",
    "offer_flags",
)


def parse(text: str, intent: str) -> dict[str, Any]:
    """The parse data Brújula's NLU components add for ``text`` (the intent is given by the test)."""
    checked = check_input(text)
    # country / nationality / city exactly as the NLU pipeline's gazetteer extractor labels them
    entities: list[dict[str, Any]] = _place_entities(checked.text, content.current(), "test")
    option = OPTION_PATTERN.match(text)
    if option:
        entities.append({"entity": "option", "value": str(int(option.group(1)))})
    detection = language.detect(checked.text)
    data: dict[str, Any] = {
        "intent": {"name": intent, "confidence": 1.0},
        "text": checked.text,
        "entities": entities,
        "language": detection.as_parse_result(),
    }
    if describes_harm_now(checked.text):
        data[HARM_NOW_KEY] = True
    if describes_urgent_care(checked.text):
        data[URGENT_CARE_KEY] = True
    problem = checked.problem.value or ("unsupported_language" if detection.unsupported_script else "")
    if problem:
        data["input_problem"] = problem
        if problem in BLOCKING_PROBLEMS:
            data["intent"] = {"name": "nlu_fallback", "confidence": 1.0}
    return data


@dataclass
class ActionResult:
    messages: list[dict[str, Any]]
    slots: dict[str, Any]
    events: list[dict[str, Any]]

    @property
    def texts(self) -> list[str]:
        return [m.get("text") or "" for m in self.messages]

    @property
    def all_text(self) -> str:
        return "\n".join(self.texts)

    @property
    def buttons(self) -> list[dict[str, Any]]:
        return [b for m in self.messages for b in m.get("buttons") or []]


class Conversation:
    """Runs actions turn after turn, carrying the slots over like the tracker would."""

    def __init__(self, **slots: Any) -> None:
        self.slots: dict[str, Any] = {name: None for name in SLOTS}
        self.slots.update(slots)
        self.user_events: list[dict[str, Any]] = []  # what the person said so far, as the tracker's events

    def say(
        self,
        action_cls: type[Any],
        text: str,
        intent: str,
        metadata: dict[str, Any] | None = None,
        ranking: dict[str, float] | None = None,
        other_requests: Sequence[str] = (),
    ) -> ActionResult:
        """Run ``action_cls`` on ``text`` classified as ``intent``.

        ``ranking``: the classifier's scores; ``other_requests``: the intents of the message's other parts.
        """
        latest = parse(text, intent)
        latest["metadata"] = metadata or {}
        if other_requests:
            latest[OTHER_REQUESTS_KEY] = list(other_requests)
        if ranking:
            ordered = sorted(ranking.items(), key=lambda pair: pair[1], reverse=True)
            latest["intent_ranking"] = [{"name": name, "confidence": score} for name, score in ordered]
            latest["intent"]["confidence"] = ranking.get(intent, ordered[0][1])
        self.user_events.append({"event": "user", "text": text, "parse_data": latest})
        events = list(self.user_events)
        tracker = Tracker("test-sender", dict(self.slots), latest, events, False, None, {}, "action_listen")
        dispatcher = CollectingDispatcher()
        events = asyncio.run(action_cls().run(dispatcher, tracker, {}))
        for event in events:
            if event.get("event") == "slot":
                self.slots[event["name"]] = event["value"]
        return ActionResult(dispatcher.messages, dict(self.slots), events)


@pytest.fixture
def conversation() -> Conversation:
    return Conversation()


__all__ = ["Conversation", "SlotSet", "parse"]
