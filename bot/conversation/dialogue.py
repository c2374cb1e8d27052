"""One turn of the conversation and the reply being built for it: the model every feature works on.

A :class:`Dialogue` is built from one user turn (:class:`Turn`: intent, entities, text, detected
language and the current slots). Feature functions (:mod:`bot.conversation.menus`,
:mod:`~bot.conversation.topics`, ...) add messages and slot changes to it; :meth:`Dialogue.reply`
returns them. Nothing here talks to Rasa or the network.
"""

from __future__ import annotations

from collections.abc import Mapping, Sequence
from dataclasses import dataclass, field
from datetime import date
from typing import Any

from bot import language as lang_id
from bot.content import Content
from bot.conversation import reply_language
from bot.conversation.vocabulary import REQUEST_HUMAN, Slot


@dataclass(frozen=True)
class Button:
    title: str
    payload: str


@dataclass
class BotMessage:
    text: str
    buttons: list[Button] = field(default_factory=list)
    # Channel-specific extras (e.g. {"location": {"lat", "lon", "label"}}): channels that can, use them.
    custom: dict[str, Any] | None = None

    def as_dict(self) -> dict[str, Any]:
        data: dict[str, Any] = {"text": self.text}
        if self.buttons:
            data["buttons"] = [{"title": b.title, "payload": b.payload} for b in self.buttons]
        if self.custom:
            data["custom"] = self.custom
        return data


@dataclass(frozen=True)
class Turn:
    """One user message as the NLU understood it, plus the conversation's slots."""

    intent: str
    text: str = ""
    entities: Sequence[Mapping[str, Any]] = ()
    detection: lang_id.Detection | None = None
    input_problem: str | None = None
    slots: Mapping[str, Any] = field(default_factory=dict)
    language_hint: str | None = None
    metadata: Mapping[str, Any] = field(default_factory=dict)
    confidence: float | None = None  # the classifier's confidence in ``intent`` (None: not known, e.g. a test)
    # every intent the classifier considered, best first: [{"name": ..., "confidence": ...}]
    intent_ranking: Sequence[Mapping[str, Any]] = ()
    # the message tells of harm being done to the writer now (papers kept, forced work, held): numbers first
    harm_now: bool = False
    # the message tells of a medical emergency now (chest pain, heavy bleeding): emergency numbers first
    urgent_care: bool = False
    # the intents of the other parts of a message that asks for two things ("a job and a doctor")
    other_requests: Sequence[str] = ()
    # the person's message before this one ("is it a scam?" right after an offer the bot took for a question)
    previous_text: str = ""

    def entity(self, name: str) -> Mapping[str, Any] | None:
        for entity in self.entities:
            if entity.get("entity") == name:
                return entity
        return None

    def entities_named(self, name: str) -> list[Mapping[str, Any]]:
        return [entity for entity in self.entities if entity.get("entity") == name]


@dataclass
class Reply:
    messages: list[BotMessage]
    slots: dict[str, Any]


class Dialogue:
    """Collects what the bot says for one turn, in the conversation language."""

    def __init__(self, turn: Turn, content: Content, today: date | None = None) -> None:
        self.turn, self.content = turn, content
        self.today = today or date.today()
        self.messages: list[BotMessage] = []
        self.slot_changes: dict[str, Any] = {}
        current = turn.slots.get(Slot.LANGUAGE)
        updated = lang_id.next_conversation_language(current, turn.detection)
        if updated != current:
            self.set(Slot.LANGUAGE, updated)
        previous = turn.slots.get(Slot.REPLY_LANGUAGE)
        self.language = reply_language.decide(updated, turn.detection, turn.language_hint, previous)
        if updated is None and self.language != previous:
            # the conversation's language is not known yet: a tapped number or an emoji goes on in this one
            self.set(Slot.REPLY_LANGUAGE, self.language)

    def slot(self, name: str) -> Any:
        return self.slot_changes.get(name, self.turn.slots.get(name))

    def set(self, name: str, value: Any) -> None:
        self.slot_changes[name] = value

    def text(self, key: str, **values: Any) -> str:
        return self.content.text(key, self.language, **values)

    def say(self, text: str, buttons: Sequence[Button] = (), custom: dict[str, Any] | None = None) -> None:
        self.messages.append(BotMessage(text, list(buttons), custom))

    def reply(self) -> Reply:
        return Reply(self.messages, self.slot_changes)

    def numbered(self, titles: Sequence[str], first: int = 1) -> list[Button]:
        return [Button(f"{number} · {title}", str(number)) for number, title in enumerate(titles, start=first)]

    def back_button(self) -> Button:
        return Button(f"0 · {self.text('back_to_menu')}", "0")

    def person_button(self) -> Button:
        """ "Talk to a person": queues the conversation for the desk."""
        return Button(self.text("topic_request_human"), "/" + REQUEST_HUMAN)
