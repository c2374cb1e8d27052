"""The encrypted address book for later replies, on SQLite (embedded) and PostgreSQL (production)."""

from __future__ import annotations

import asyncio
import time
import uuid
from collections.abc import Iterator
from typing import Any

import pytest
from cryptography.fernet import Fernet, MultiFernet
from sqlalchemy import select
from sqlalchemy.exc import OperationalError

from bot import contacts
from bot.contacts import ContactStore, ContactStoreError, build_cipher, contacts_table

POSTGRES = "postgresql://postgres@127.0.0.1:5432/test"


def cipher(*keys: bytes) -> MultiFernet:
    return MultiFernet([Fernet(key) for key in keys or (Fernet.generate_key(),)])


@pytest.fixture(params=["sqlite", "postgresql"])
def store(request: pytest.FixtureRequest, tmp_path: Any) -> Iterator[ContactStore]:
    url = f"sqlite:///{tmp_path / 'contacts.db'}" if request.param == "sqlite" else POSTGRES
    store = ContactStore(url, cipher())
    yield store
    store.close()


def sender() -> str:
    return f"whatsapp-test{uuid.uuid4().hex}"


async def test_an_address_is_kept_encrypted_and_read_back(store: ContactStore) -> None:
    who = sender()
    assert await store.touch(who, "whatsapp", "whatsapp:+50937000000") == []
    contact = await store.lookup(who)
    assert contact is not None
    assert (contact.channel, contact.address, contact.waiting) == ("whatsapp", "whatsapp:+50937000000", 0)
    with store.engine.connect() as connection:
        stored = connection.execute(select(contacts_table.c.address).where(contacts_table.c.sender_id == who)).scalar()
    assert "50937000000" not in stored
    await store.erase(who)
    assert await store.lookup(who) is None


async def test_replies_wait_until_the_person_writes_after_the_window(store: ContactStore) -> None:
    who, day = sender(), 86400.0
    start = time.time() - 2 * day
    await store.touch(who, "whatsapp", "whatsapp:+573000000000", now=start, window_seconds=day)
    assert await store.add_pending(who, ["uno"]) == 0
    assert await store.add_pending(who, ["dos"]) == 1
    assert (await store.lookup(who)).waiting == 2  # type: ignore[union-attr]

    assert await store.touch(who, "whatsapp", "whatsapp:+573000000000", window_seconds=day) == ["uno", "dos"]
    assert await store.touch(who, "whatsapp", "whatsapp:+573000000000", window_seconds=day) == []
    assert (await store.lookup(who)).waiting == 0  # type: ignore[union-attr]
    await store.erase(who)


async def test_busy_conversations_do_not_write_on_every_message(
    store: ContactStore,
    monkeypatch: pytest.MonkeyPatch,
) -> None:
    who = sender()
    writes = 0
    original = store._touch

    def counting(*args: Any) -> Any:
        nonlocal writes
        writes += 1
        return original(*args)

    monkeypatch.setattr(store, "_touch", counting)
    for _ in range(20):
        await store.touch(who, "telegram", "123")
    assert writes == 1
    await store.touch(who, "telegram", "456")  # a changed address is written at once
    assert writes == 2 and (await store.lookup(who)).address == "456"  # type: ignore[union-attr]
    await store.erase(who)


async def test_concurrent_first_messages_from_the_same_person_do_not_fail(store: ContactStore) -> None:
    who = sender()
    other = ContactStore(store.url, store.cipher)  # a second worker process, in effect
    await asyncio.gather(*(s.touch(who, "telegram", "99") for s in (store, other) for _ in range(3)))
    assert (await store.lookup(who)).address == "99"  # type: ignore[union-attr]
    await store.erase(who)
    other.close()


async def test_keys_can_be_rotated_and_a_lost_key_fails_safely(tmp_path: Any) -> None:
    old, new = Fernet.generate_key(), Fernet.generate_key()
    url = f"sqlite:///{tmp_path / 'c.db'}"
    who = sender()
    await ContactStore(url, cipher(old)).touch(who, "telegram", "777")
    rotated = ContactStore(url, build_cipher(f"{new.decode()},{old.decode()}"))
    assert (await rotated.lookup(who)).address == "777"  # type: ignore[union-attr]
    assert await ContactStore(url, cipher(Fernet.generate_key())).lookup(who) is None


def test_a_bad_key_is_reported_clearly() -> None:
    with pytest.raises(ContactStoreError, match="not a valid Fernet key"):
        build_cipher("not-a-key")


async def test_people_silent_for_longer_than_the_retention_period_are_forgotten(store: ContactStore) -> None:
    old, recent = sender(), sender()
    await store.touch(old, "telegram", "1", now=time.time() - 400 * 86400)
    await store.touch(recent, "telegram", "2")
    assert await store.purge_inactive(365) >= 1
    assert await store.lookup(old) is None and await store.lookup(recent) is not None
    await store.erase(recent)


def test_production_defaults_to_the_tracker_database(monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.delenv("BRUJULA_CONTACTS_DB_URL", raising=False)
    for key, value in {
        "BRUJULA_DB_HOST": "db.internal",
        "BRUJULA_DB_PORT": "5432",
        "BRUJULA_DB_NAME": "brujula",
        "BRUJULA_DB_USER": "bot",
        "BRUJULA_DB_PASSWORD": "p@ss/word",
    }.items():
        monkeypatch.setenv(key, value)
    assert contacts.default_url() == "postgresql://bot:p%40ss%2Fword@db.internal:5432/brujula"


def test_new_key_command_prints_a_usable_key(capsys: pytest.CaptureFixture[str]) -> None:
    assert contacts.main(["new-key"]) == 0
    build_cipher(capsys.readouterr().out.strip())


async def test_an_unreachable_database_does_not_stop_the_channel_and_is_used_once_back(tmp_path: Any) -> None:
    missing_dir = tmp_path / "not-yet"
    store = ContactStore(f"sqlite:///{missing_dir / 'c.db'}", cipher())  # the folder does not exist yet
    who = sender()
    with pytest.raises(OperationalError):  # the channel logs it and answers the person anyway
        await store.touch(who, "telegram", "1")
    missing_dir.mkdir()
    await store.touch(who, "telegram", "1")
    assert (await store.lookup(who)).address == "1"  # type: ignore[union-attr]


def test_a_web_address_in_the_emergency_block_is_marked_as_a_site_not_a_phone() -> None:
    # a probe: "If you are in danger now, call: ☎️ https://familylinks.icrc.org"
    from bot import content
    from bot.content.provenance import number_line

    regional = content.current().emergency.regional
    lines = [number_line(item, "en") for item in regional if not item.number]
    assert lines and all(line.startswith("• 🌐 https://") for line in lines)
