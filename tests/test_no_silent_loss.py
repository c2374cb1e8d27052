"""A database blip never loses a message silently (issue 12, defect 3), against the real PostgreSQL.

Each test gets its own database; an outage is made by refusing connections to it and ending the open
ones, which is what a PostgreSQL restart does to the bot.
"""

from __future__ import annotations

import uuid
from collections.abc import Iterator
from typing import Any, Text

import pytest
from rasa.core.channels.channel import CollectingOutputChannel, UserMessage
from rasa.core.tracker_store import FailSafeTrackerStore

from bot import content, tracker_store
from bot.channels.delivery import deliver
from bot.handoff.storage import DeskStorage
from bot.tracker_store import PrivacyTrackerStore
from tests import services
from tests.handoff_fakes import ScriptedAgent, domain


@pytest.fixture
def database() -> Iterator[str]:
    with services.postgres_database() as url:
        yield url


def pg_store(url: str) -> PrivacyTrackerStore:
    return PrivacyTrackerStore(domain(), backend=services.tracker_backend(url))


def rasa_like_agent(url: str) -> ScriptedAgent:
    """Rasa wraps every tracker store in its fail-safe store; so do we, to meet what production meets."""
    agent = ScriptedAgent(pg_store(url))
    agent.tracker_store = FailSafeTrackerStore(agent.tracker_store)
    return agent


async def stored_user_texts(url: str, sender: str) -> list[str]:
    tracker = await pg_store(url).retrieve(sender)
    return [e.text for e in tracker.events if e.type_name == "user"] if tracker else []


def resend_text(language: str) -> str:
    return content.current().text("message_not_saved", language)


def message(text: str, sender: str, output: Any = None) -> UserMessage:
    return UserMessage(
        text, output or CollectingOutputChannel(), sender, input_channel="webchat", metadata={"language_hint": "es"}
    )


async def test_a_turn_during_a_database_restart_is_retried_and_stored(database: str) -> None:
    agent = rasa_like_agent(database)
    sender = f"webchat-{uuid.uuid4().hex}"
    await deliver(agent, message("hola", sender), agent)
    services.blip(database, 1.0)  # like `pg_ctlcluster restart`: every connection ends, back in a second
    output = CollectingOutputChannel()
    delivered = await deliver(agent, message("necesito una persona", sender, output), agent)
    assert not delivered.not_saved
    assert resend_text("es") not in [m.get("text") for m in output.messages]
    assert await stored_user_texts(database, sender) == ["hola", "necesito una persona"]


class CutOffAfterAnswer(CollectingOutputChannel):
    """The database goes away after the bot has answered but before the turn is saved."""

    def __init__(self, url: str) -> None:
        super().__init__()
        self.url = url

    async def send_response(self, recipient_id: Text, message: dict[Text, Any]) -> None:
        services.cut_off(self.url)
        await super().send_response(recipient_id, message)


async def test_a_turn_that_cannot_be_saved_is_not_answered_as_if_stored(
    database: str, monkeypatch: pytest.MonkeyPatch
) -> None:
    monkeypatch.setattr(tracker_store, "RETRY_DELAYS", (0.05, 0.1))
    agent = rasa_like_agent(database)
    sender = f"webchat-{uuid.uuid4().hex}"
    await deliver(agent, message("hola", sender), agent)
    output = CutOffAfterAnswer(database)
    delivered = await deliver(agent, message("bonjou", sender, output), agent)
    assert delivered.not_saved
    # The answer produced for the unsaved turn is dropped; the person is asked to send it again.
    assert [m.get("text") for m in output.messages] == [resend_text("es")]
    services.restore(database)
    assert await stored_user_texts(database, sender) == ["hola"]
    # Rasa's fail-safe store did not keep it in memory either: the next read is the database's.
    tracker = await agent.tracker_store.retrieve(sender)
    assert tracker is not None
    assert [e.text for e in tracker.events if e.type_name == "user"] == ["hola"]


async def test_the_bot_never_answers_over_staff_when_the_handoff_state_cannot_be_read(
    database: str, monkeypatch: pytest.MonkeyPatch
) -> None:
    monkeypatch.setattr(tracker_store, "RETRY_DELAYS", (0.05, 0.1))
    agent = rasa_like_agent(database)
    sender = f"webchat-{uuid.uuid4().hex}"
    await deliver(agent, message("/request_human", sender), agent)
    handled = len(agent.handled)
    services.cut_off(database)
    output = CollectingOutputChannel()
    delivered = await deliver(agent, message("¿hay alguien?", sender, output), agent)
    assert delivered.not_saved
    assert len(agent.handled) == handled  # the bot's dialogue never ran
    assert [m.get("text") for m in output.messages] == [resend_text("es")]


def test_the_first_desk_login_after_a_database_restart_works(database: str) -> None:
    storage = DeskStorage(database)
    storage.create_session("ana")  # a pooled connection now exists
    services.blip(database, 0.0).join()  # every connection is ended, the database is back at once
    assert storage.begin_login_attempt({"ip:203.0.113.9|user:ana": 5}, 900) == 0.0
    assert storage.create_session("ana").username == "ana"


def test_replicas_starting_together_on_a_fresh_database_all_start(database: str) -> None:
    """Two replicas of a new deployment create the desk and tracker tables at the same instant."""
    import threading

    errors: list[BaseException] = []

    def start_replica() -> None:
        try:
            DeskStorage(database)
            pg_store(database)
        except BaseException as error:  # noqa: BLE001 - reported by the assertion below
            errors.append(error)

    threads = [threading.Thread(target=start_replica) for _ in range(4)]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join()
    assert errors == []
