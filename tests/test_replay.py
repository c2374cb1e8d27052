"""A webhook delivered twice is answered once, across replicas and restarts (issue 12, replay memory).

Two WhatsApp channel instances stand for two Rasa replicas; they share the real Redis that .ci/run starts
(db 12), as production does. Locally (no Redis configured) the memory is SQLite in the state folder.
"""

from __future__ import annotations

import uuid
from collections.abc import AsyncIterator
from typing import Any

import pytest
from cryptography.fernet import Fernet, MultiFernet

from bot import replay
from bot.contacts import ContactStore
from tests import services
from tests.channels.test_telegram import Harness as TelegramHarness
from tests.channels.test_telegram import message_update
from tests.channels.test_whatsapp import Harness
from tests.fakes import FakeTelegram, FakeTwilio, StubRasa
from tests.fakes.rasa import intro_and_menu

REDIS_DB = 12


@pytest.fixture(autouse=True)
def _keys(monkeypatch: pytest.MonkeyPatch, tmp_path: Any) -> None:
    monkeypatch.setenv("BRUJULA_ID_KEY", "test-id-key")
    monkeypatch.setenv("BRUJULA_STATE_DIR", str(tmp_path / "state"))


@pytest.fixture
def shared_redis(monkeypatch: pytest.MonkeyPatch) -> Any:
    client = services.redis_db(REDIS_DB)
    monkeypatch.setenv("BRUJULA_REDIS_HOST", "127.0.0.1")  # what production sets for the lock store
    monkeypatch.setenv("BRUJULA_REDIS_PORT", "6379")
    monkeypatch.setenv("BRUJULA_REDIS_DB", str(REDIS_DB))
    yield client
    client.flushdb()


@pytest.fixture
async def twilio() -> AsyncIterator[FakeTwilio]:
    async with FakeTwilio() as fake:
        yield fake


def contacts(tmp_path: Any) -> ContactStore:
    return ContactStore(f"sqlite:///{tmp_path / 'contacts.db'}", MultiFernet([Fernet(Fernet.generate_key())]))


async def test_the_same_message_sid_on_two_replicas_is_answered_once(
    twilio: FakeTwilio, tmp_path: Any, shared_redis: Any
) -> None:
    store = contacts(tmp_path)
    first = Harness(twilio, store, StubRasa(intro_and_menu))
    second = Harness(twilio, store, StubRasa(intro_and_menu))
    params = first.message("hola")
    assert (await first.post(params)).status == 200
    assert (await second.post(params)).status == 200  # Twilio retried; the balancer picked the other replica
    assert len(first.rasa.received) + len(second.rasa.received) == 1
    assert len(twilio.messages) == 1
    assert shared_redis.ttl(f"{replay.KEY_PREFIX}whatsapp:{params['MessageSid']}") > 3600


async def test_the_same_message_sid_after_a_restart_is_answered_once(
    twilio: FakeTwilio, tmp_path: Any, shared_redis: Any
) -> None:
    store = contacts(tmp_path)
    before = Harness(twilio, store, StubRasa(intro_and_menu))
    params = before.message("hola")
    await before.post(params)
    after_restart = Harness(twilio, store, StubRasa(intro_and_menu))  # a new process: nothing in memory
    await after_restart.post(params)
    await after_restart.post(after_restart.message("hola otra vez"))  # a new message is still answered
    assert [m.text for m in after_restart.rasa.received] == ["hola otra vez"]
    assert len(twilio.messages) == 2


async def test_locally_the_memory_is_sqlite_and_survives_a_restart(
    twilio: FakeTwilio, tmp_path: Any, monkeypatch: pytest.MonkeyPatch
) -> None:
    monkeypatch.delenv("BRUJULA_REDIS_HOST", raising=False)
    monkeypatch.delenv("BRUJULA_REPLAY_URL", raising=False)
    assert isinstance(replay.from_environment(), replay.SQLiteReplayMemory)
    store = contacts(tmp_path)
    params = Harness.message("hola")
    await Harness(twilio, store, StubRasa(intro_and_menu)).post(params)
    again = Harness(twilio, store, StubRasa(intro_and_menu))
    await again.post(params)
    assert again.rasa.received == [] and len(twilio.messages) == 1


async def test_a_telegram_update_id_seen_by_another_replica_is_answered_once(tmp_path: Any, shared_redis: Any) -> None:
    update = message_update(text="hola")
    update["update_id"] = 900_000_000 + uuid.uuid4().int % 1_000_000
    store = contacts(tmp_path)
    async with FakeTelegram() as telegram:
        first = TelegramHarness(telegram, store, StubRasa(intro_and_menu))
        second = TelegramHarness(telegram, store, StubRasa(intro_and_menu))
        await first.post(update)
        await second.post(update)
        assert len(first.rasa.received) + len(second.rasa.received) == 1
        assert len(telegram.sent()) == 1


def test_an_expired_key_is_new_again(tmp_path: Any) -> None:
    memory = replay.SQLiteReplayMemory(tmp_path / "replay.db", ttl=-1)  # already expired when written
    assert memory.first_time_sync("whatsapp:SM1")
    assert memory.first_time_sync("whatsapp:SM1")
    lasting = replay.SQLiteReplayMemory(tmp_path / "replay2.db", ttl=60)
    assert lasting.first_time_sync("telegram:1") and not lasting.first_time_sync("telegram:1")
