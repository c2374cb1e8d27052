"""A small Rasa agent for the hand-off tests: real tracker store, real lock store, real dialogue logic.

:class:`ScriptedAgent` stands in for ``rasa.core.agent.Agent`` where the channels and the desk touch
it (``tracker_store``, ``lock_store``, ``handle_message``, ``log_message``). Instead of NLU it reads
the intent from ``/intent`` payloads or a few words, then runs the same :mod:`bot.conversation` functions
the Rasa actions run, so what users are told about the hand-off is the real text.
"""

from __future__ import annotations

import re
import time
import uuid
from pathlib import Path
from typing import Any

from rasa.core.channels.channel import CollectingOutputChannel, UserMessage
from rasa.core.lock_store import InMemoryLockStore
from rasa.shared.core.domain import Domain
from rasa.shared.core.events import ActionExecuted, BotUttered, SlotSet, UserUttered
from sanic import Sanic

from bot import content, language
from bot.channels.delivery import deliver
from bot.conversation import menus, navigation, safety
from bot.conversation.dialogue import Dialogue, Reply, Turn
from bot.conversation.vocabulary import EMERGENCY_TOPICS
from bot.tracker_store import PrivacyTrackerStore

ROOT = Path(__file__).resolve().parent.parent
_domain: Domain | None = None


def domain() -> Domain:
    global _domain
    if _domain is None:
        _domain = Domain.load(str(ROOT / "domain.yml"))
    return _domain


def make_store(db: Path | None = None) -> PrivacyTrackerStore:
    backend: dict[str, Any] = (
        {"type": "in_memory"} if db is None else {"type": "sql", "dialect": "sqlite", "db": str(db)}
    )
    return PrivacyTrackerStore(domain(), backend=backend)


INTENT_WORDS = {
    "moun": "request_human",
    "persona": "request_human",
    "person": "request_human",
    "pessoa": "request_human",
    "personne": "request_human",
    "bonjou": "greet",
    "hola": "greet",
}


def intent_of(text: str) -> str:
    if text.startswith("/"):
        return text[1:].split("{", 1)[0].strip()
    for word in text.lower().split():
        if word in INTENT_WORDS:
            return INTENT_WORDS[word]
    return "nlu_fallback"


def respond(intent: str, turn: Turn) -> Reply:
    d = Dialogue(turn, content.current())
    if intent == "request_human":
        safety.request_human(d)
    elif intent in EMERGENCY_TOPICS:
        safety.emergency(d, intent)
    elif intent == "greet":
        menus.greet(d)
    else:
        navigation.fallback(d)
    return d.reply()


class ScriptedAgent:
    """The parts of Rasa's Agent the channels and the desk use, backed by a real tracker store."""

    def __init__(self, store: PrivacyTrackerStore | None = None, broken: bool = False) -> None:
        self.tracker_store = store or make_store()
        self.lock_store = InMemoryLockStore()
        self.broken = broken  # like an action server that is down: no reply at all
        self.handled: list[str] = []

    def _user_event(self, message: UserMessage) -> UserUttered:
        intent = intent_of(message.text or "")
        parse_data: dict[str, Any] = {
            "intent": {"name": intent, "confidence": 1.0},
            "entities": [],
            "text": message.text,
        }
        if not (message.text or "").startswith("/"):  # Rasa keeps no detected language for "/intent" payloads
            parse_data["language"] = language.detect(message.text or "").as_parse_result()
        return UserUttered(
            message.text,
            intent={"name": intent, "confidence": 1.0},
            parse_data=parse_data,
            input_channel=message.input_channel,
            metadata=message.metadata,
        )

    async def log_message(self, message: UserMessage) -> Any:
        tracker = await self.tracker_store.get_or_create_tracker(message.sender_id)
        tracker.update(self._user_event(message))
        await self.tracker_store.save(tracker)
        return tracker

    async def handle_message(self, message: UserMessage) -> None:
        async with self.lock_store.lock(message.sender_id):
            self.handled.append(message.text or "")
            tracker = await self.tracker_store.get_or_create_tracker(message.sender_id)
            user = self._user_event(message)
            tracker.update(user)
            if self.broken:
                await self.tracker_store.save(tracker)
                raise RuntimeError("action server unreachable")
            # Like Rasa's RegexMessageHandler, "/intent" payloads carry no detected language.
            detection = None if (message.text or "").startswith("/") else language.detect(message.text or "")
            turn = Turn(
                intent=intent_of(message.text or ""),
                text=message.text or "",
                detection=detection,
                slots=tracker.current_slot_values(),
                language_hint=(message.metadata or {}).get("language_hint"),
            )
            reply = respond(turn.intent, turn)
            tracker.update(ActionExecuted("action_scripted"))
            for name, value in reply.slots.items():
                tracker.update(SlotSet(name, value))
            for bot_message in reply.messages:
                data = bot_message.as_dict()
                tracker.update(BotUttered(data["text"], {"buttons": data.get("buttons")}))
                await message.output_channel.send_response(message.sender_id, data)
            tracker.update(ActionExecuted("action_listen"))
            await self.tracker_store.save(tracker)

    async def __call__(self, message: UserMessage) -> None:  # as Rasa's `on_new_message`
        await self.handle_message(message)


async def ask_for_person(
    agent: ScriptedAgent, sender_id: str, channel: str = "webchat", text: str = "/request_human", hint: str = "ht"
) -> list[str]:
    """``sender_id`` asks for a person through ``deliver``; the texts the bot answered."""
    output = CollectingOutputChannel()
    await deliver(
        agent, UserMessage(text, output, sender_id, input_channel=channel, metadata={"language_hint": hint}), agent
    )
    return [m.get("text", "") for m in output.messages]


def make_app(agent: Any, *channels: Any) -> Sanic:
    """A Sanic app with ``channels`` mounted exactly as ``rasa run`` mounts them."""
    from rasa.core.channels.channel import register

    app = Sanic(f"brujula_test_{uuid.uuid4().hex[:12]}")
    app.ctx.agent = agent
    register(list(channels), app, route="/webhooks/")
    return app


def stamp() -> float:
    return time.time()


def csrf_token(page: str) -> str:
    """The CSRF token of a desk page's form."""
    found = re.search(r'name="csrf_token" value="([^"]+)"', page)
    assert found is not None, "the page has no CSRF token"
    return found.group(1)
