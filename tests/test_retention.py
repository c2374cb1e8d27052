"""Retention: ``python -m bot.privacy purge --older-than DAYS`` on SQLite and on the real PostgreSQL.

Conversations whose last event is older than DAYS go completely (events, address, desk id); a
conversation with one recent message stays whole; two replicas purging at once delete each thing once.
"""

from __future__ import annotations

import threading
import time
import uuid
from collections.abc import Iterator
from pathlib import Path
from typing import Any

import pytest
from cryptography.fernet import Fernet, MultiFernet
from rasa.shared.core.events import ActionExecuted, UserUttered
from rasa.shared.core.trackers import DialogueStateTracker

from bot import privacy, retention
from bot.contacts import ContactStore
from bot.handoff.storage import DeskStorage
from bot.tracker_store import PrivacyTrackerStore
from tests import services
from tests.handoff_fakes import domain

DAY = 86400.0
NOW = time.time()


@pytest.fixture(params=["sqlite", "postgresql"])
def backend_config(request: pytest.FixtureRequest, tmp_path: Path) -> Iterator[dict[str, Any]]:
    if request.param == "sqlite":
        yield {"type": "sql", "dialect": "sqlite", "db": str(tmp_path / "trackers.db")}
        return
    with services.postgres_database() as url:
        yield services.tracker_backend(url)


async def save_conversation(store: PrivacyTrackerStore, sender: str, *ages_in_days: float) -> None:
    tracker = DialogueStateTracker(sender, domain().slots)
    for age in ages_in_days:
        tracker.update(UserUttered("hola", timestamp=NOW - age * DAY))
        tracker.update(ActionExecuted("action_listen", timestamp=NOW - age * DAY + 1))
    await store.save(tracker)


async def stored_senders(store: PrivacyTrackerStore, senders: list[str]) -> list[str]:
    return [s for s in senders if await store.retrieve(s) is not None]


async def test_old_conversations_go_completely_and_recent_ones_stay(
    backend_config: dict[str, Any], tmp_path: Path
) -> None:
    store = PrivacyTrackerStore(domain(), backend=dict(backend_config))
    old = [f"whatsapp-old{n}-{uuid.uuid4().hex[:6]}" for n in range(5)]
    recent, mixed = f"webchat-new-{uuid.uuid4().hex[:6]}", f"telegram-mix-{uuid.uuid4().hex[:6]}"
    for sender in old:
        await save_conversation(store, sender, 400, 200)
    await save_conversation(store, recent, 3)
    await save_conversation(store, mixed, 300, 2)  # wrote again two days ago: everything stays
    addresses = ContactStore(f"sqlite:///{tmp_path / 'contacts.db'}", MultiFernet([Fernet(Fernet.generate_key())]))
    for sender in [*old, recent]:
        await addresses.touch(sender, "whatsapp", "+573001234567", now=NOW - 190 * DAY if sender in old else NOW)
    desk_url = f"sqlite:///{tmp_path / 'desk.db'}"
    desk = DeskStorage(desk_url)
    refs = {sender: desk.ref_for(sender) for sender in [*old, mixed]}

    report = retention.purge(store.backend, 180, batch=2, now=NOW, contact_store=addresses, desk_url=desk_url)

    assert report.conversations == 5 and report.events == 20
    assert await stored_senders(store, [*old, recent, mixed]) == [recent, mixed]
    mixed_tracker = await store.retrieve_full_tracker(mixed)
    assert mixed_tracker is not None
    assert len([e for e in mixed_tracker.events if e.type_name == "user"]) == 2  # nothing of it was cut
    assert [await addresses.lookup(s) for s in old] == [None] * 5 and await addresses.lookup(recent) is not None
    assert [desk.existing_ref(s) for s in old] == [None] * 5 and desk.existing_ref(mixed) == refs[mixed]
    again = retention.purge(store.backend, 180, now=NOW, contact_store=addresses, desk_url=desk_url)
    assert again.conversations == 0  # idempotent: a second run (another replica's cron) finds nothing


async def test_two_replicas_purging_at_once_delete_each_conversation_once(tmp_path: Path) -> None:
    with services.postgres_database() as url:
        config = services.tracker_backend(url)
        store = PrivacyTrackerStore(domain(), backend=dict(config))
        old = [f"whatsapp-{uuid.uuid4().hex}" for _ in range(40)]
        for sender in old:
            await save_conversation(store, sender, 365)
        replicas = [PrivacyTrackerStore(domain(), backend=dict(config)) for _ in range(2)]
        reports: list[retention.PurgeReport] = []
        errors: list[BaseException] = []

        def cron(replica: PrivacyTrackerStore) -> None:
            try:
                reports.append(
                    retention.purge(
                        replica.backend, 180, batch=7, now=NOW, desk_url=f"sqlite:///{tmp_path / 'desk.db'}"
                    )
                )
            except BaseException as error:  # noqa: BLE001 - reported by the assertion below
                errors.append(error)

        threads = [threading.Thread(target=cron, args=(replica,)) for replica in replicas]
        for thread in threads:
            thread.start()
        for thread in threads:
            thread.join()
        assert errors == []
        assert sum(r.events for r in reports) == 80  # each event deleted exactly once
        assert await stored_senders(store, old) == []


def test_the_command_line_purges_the_store_of_the_endpoints_file(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch, capsys: pytest.CaptureFixture[str]
) -> None:
    import asyncio

    monkeypatch.setenv("BRUJULA_STATE_DIR", str(tmp_path / "state"))
    monkeypatch.delenv("BRUJULA_DESK_DB_URL", raising=False)
    monkeypatch.delenv("BRUJULA_DB_HOST", raising=False)
    endpoints = tmp_path / "endpoints.yml"
    endpoints.write_text(
        "tracker_store:\n  type: bot.tracker_store.PrivacyTrackerStore\n  backend:\n"
        f"    type: sql\n    dialect: sqlite\n    db: {tmp_path / 'trackers.db'}\n",
        encoding="utf-8",
    )
    store = PrivacyTrackerStore(
        domain(), backend={"type": "sql", "dialect": "sqlite", "db": str(tmp_path / "trackers.db")}
    )
    asyncio.run(save_conversation(store, "webchat-ancient", 500))
    asyncio.run(save_conversation(store, "webchat-fresh", 1))
    assert privacy.main(["purge", "--older-than", "180", "--endpoints", str(endpoints)]) == 0
    assert "purged 1 conversation(s) older than 180 days" in capsys.readouterr().out
    assert asyncio.run(stored_senders(store, ["webchat-ancient", "webchat-fresh"])) == ["webchat-fresh"]
