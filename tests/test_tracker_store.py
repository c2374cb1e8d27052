"""Erasing a conversation on request, in the embedded (SQLite, in-memory) and production (PostgreSQL, Redis) stores."""

from __future__ import annotations

import uuid
from pathlib import Path

import pytest
from rasa.core.lock_store import LockStore
from rasa.core.tracker_store import TrackerStore
from rasa.core.utils import AvailableEndpoints
from rasa.shared.core.domain import Domain
from rasa.shared.core.events import ActionExecuted, BotUttered, SlotSet, UserUttered
from rasa.shared.core.trackers import DialogueStateTracker

from bot import personal_data
from bot.lock_store import AtomicRedisLockStore
from bot.paths import ROOT
from bot.tracker_store import PrivacyTrackerStore
from tests import services

DOMAIN = Domain.load(str(ROOT / "domain.yml"))


def conversation(sender: str, erase: bool = False) -> DialogueStateTracker:
    tracker = DialogueStateTracker(sender, DOMAIN.slots)
    tracker.update(UserUttered("soy venezolana y estoy en lima", {"name": "greet", "confidence": 1.0}))
    tracker.update(SlotSet("country", "PE"))
    tracker.update(BotUttered("Hola"))
    tracker.update(ActionExecuted("action_listen"))
    if erase:
        tracker.update(UserUttered("si", {"name": "affirm", "confidence": 1.0}))
        tracker.update(SlotSet("erase_requested", True))
    return tracker


async def assert_erases(store: PrivacyTrackerStore) -> None:
    sender = f"test-{uuid.uuid4().hex}"
    erased: list[str] = []

    async def hook(sender_id: str) -> None:
        erased.append(sender_id)

    personal_data.register_erase_hook(hook)
    await store.save(conversation(sender))
    kept = await store.retrieve(sender)
    assert kept is not None and kept.get_slot("country") == "PE"
    # A later turn in which the user confirmed "delete my data": nothing of it may remain.
    await store.save(conversation(sender, erase=True))
    assert await store.retrieve(sender) is None
    assert sender not in list(await store.keys())
    assert erased == [sender]
    # Talking again starts from zero.
    fresh = await store.get_or_create_tracker(sender)
    assert fresh.get_slot("country") is None


async def test_sqlite_store_forgets_a_conversation_on_request(tmp_path: Path) -> None:
    store = PrivacyTrackerStore(DOMAIN, backend={"type": "sql", "dialect": "sqlite", "db": str(tmp_path / "t.db")})
    await assert_erases(store)


async def test_in_memory_store_forgets_a_conversation_on_request() -> None:
    await assert_erases(PrivacyTrackerStore(DOMAIN))


async def test_other_conversations_are_untouched(tmp_path: Path) -> None:
    store = PrivacyTrackerStore(DOMAIN, backend={"type": "sql", "dialect": "sqlite", "db": str(tmp_path / "t.db")})
    await store.save(conversation("someone-else"))
    await store.save(conversation("me"))
    await store.save(conversation("me", erase=True))
    assert await store.retrieve("someone-else") is not None


@pytest.fixture
def production_env(monkeypatch: pytest.MonkeyPatch) -> AvailableEndpoints:
    return services.production_endpoints(monkeypatch)


async def test_production_store_is_postgresql_and_forgets_on_request(production_env: AvailableEndpoints) -> None:
    store = TrackerStore.create(production_env.tracker_store, DOMAIN)
    assert isinstance(store, PrivacyTrackerStore)
    assert store.backend.engine.dialect.name == "postgresql"
    await assert_erases(store)


async def test_production_lock_store_is_redis_and_serialises_a_conversation(production_env: AvailableEndpoints) -> None:
    lock_store = LockStore.create(production_env.lock_store)
    assert isinstance(lock_store, AtomicRedisLockStore)
    sender = f"test-{uuid.uuid4().hex}"
    async with lock_store.lock(sender):
        assert lock_store.get_lock(sender) is not None
    assert lock_store.get_lock(sender) is None
