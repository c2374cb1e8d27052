"""The SQLite tracker store runs in WAL mode with synchronous=NORMAL, and still keeps every turn."""

from __future__ import annotations

import sqlite3
from pathlib import Path

from rasa.shared.core.domain import Domain
from rasa.shared.core.events import SlotSet, UserUttered
from rasa.shared.core.trackers import DialogueStateTracker

from bot.tracker_store import PrivacyTrackerStore

DOMAIN = Domain.from_dict({"slots": {"language": {"type": "text", "mappings": [{"type": "custom"}]}}})


def store_at(db: Path) -> PrivacyTrackerStore:
    return PrivacyTrackerStore(DOMAIN, backend={"type": "sql", "dialect": "sqlite", "db": str(db)})


async def test_sqlite_tracker_store_uses_the_write_ahead_log_and_keeps_every_turn(tmp_path: Path) -> None:
    db = tmp_path / "trackers.db"
    store = store_at(db)
    with store.backend.engine.connect() as connection:
        assert connection.exec_driver_sql("PRAGMA journal_mode").scalar() == "wal"
        assert connection.exec_driver_sql("PRAGMA synchronous").scalar() == 1  # NORMAL

    tracker = DialogueStateTracker("wal-user", DOMAIN.slots)
    tracker.update(UserUttered("hola"))
    tracker.update(SlotSet("language", "es"))
    await store.save(tracker)
    tracker.update(UserUttered("gracias"))
    await store.save(tracker)

    again = await store_at(db).retrieve("wal-user")  # a new process would read the same
    assert again is not None
    assert again.get_slot("language") == "es"
    assert [e.text for e in again.events if isinstance(e, UserUttered)] == ["hola", "gracias"]
    with sqlite3.connect(db) as other_reader:  # another program (desk, make gaps) reads it too
        assert other_reader.execute("select count(*) from events where sender_id = 'wal-user'").fetchone()[0] == 3


def test_postgres_and_other_engines_are_left_alone() -> None:
    from sqlalchemy import create_engine

    from bot.sql_settings import tune_sqlite

    class NotSqlite:
        class dialect:  # noqa: N801 - shaped like an engine
            name = "postgresql"

    assert not tune_sqlite(NotSqlite())
    assert tune_sqlite(create_engine("sqlite://"))


async def test_connections_stay_open_between_turns(tmp_path: Path) -> None:
    from sqlalchemy.pool import QueuePool

    store = store_at(tmp_path / "trackers.db")
    assert isinstance(store.backend.engine.pool, QueuePool)
    tracker = DialogueStateTracker("pooled-user", DOMAIN.slots)
    tracker.update(UserUttered("hola"))
    await store.save(tracker)
    assert (tmp_path / "trackers.db-wal").exists()  # the log stays: no checkpoint each time a session ends


def test_in_memory_sqlite_is_left_as_rasa_made_it() -> None:
    from sqlalchemy import create_engine

    from bot.sql_settings import keep_connections

    class Store:
        engine = create_engine("sqlite://")

    assert not keep_connections(Store())


POSTGRES = {
    "type": "sql",
    "dialect": "postgresql",
    "url": "127.0.0.1",
    "port": 5432,
    "db": "test",
    "username": "postgres",
}


async def test_postgres_commits_are_durable_unless_an_operator_trades_them_for_speed(tmp_path: Path) -> None:
    store = PrivacyTrackerStore(DOMAIN, backend={**POSTGRES, "durable_commits": False})
    with store.backend.engine.connect() as connection:
        assert connection.exec_driver_sql("SHOW synchronous_commit").scalar() == "off"
    tracker = DialogueStateTracker(f"pg-user-{tmp_path.name}", DOMAIN.slots)
    tracker.update(UserUttered("hola"))
    tracker.update(SlotSet("language", "es"))
    await store.save(tracker)
    again = await store_at_postgres().retrieve(tracker.sender_id)  # another replica reads it
    assert again is not None and again.get_slot("language") == "es"
    await store.erase(tracker.sender_id)

    durable = PrivacyTrackerStore(DOMAIN, backend=dict(POSTGRES))  # the default: answered turns survive a crash
    with durable.backend.engine.connect() as connection:
        assert connection.exec_driver_sql("SHOW synchronous_commit").scalar() == "on"


def store_at_postgres() -> PrivacyTrackerStore:
    return PrivacyTrackerStore(DOMAIN, backend=dict(POSTGRES))
