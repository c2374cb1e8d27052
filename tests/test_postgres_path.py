"""PostgreSQL: the round trips one turn costs, connections the server ended are still replaced, and the
blocking driver runs off the event loop.

Each test gets its own database on the real PostgreSQL (``tests/services.py``). Round trips are counted
on the client: every statement, the ``BEGIN`` psycopg2 sends before a statement outside a transaction,
each ``COMMIT`` and ``ROLLBACK`` that reaches the server, and SQLAlchemy's ``SELECT 1`` ping.
"""

from __future__ import annotations

import asyncio
import json
import threading
import time
import uuid
from collections.abc import Callable, Iterator
from typing import Any

import psycopg2.extensions
import pytest
import sqlalchemy as sa
from rasa.shared.core.events import ActionExecuted, BotUttered, SlotSet, UserUttered
from rasa.shared.core.trackers import DialogueStateTracker

from bot import sql_settings, tracker_store
from bot.tracker_store import PrivacyTrackerStore, run_to_completion
from tests import services
from tests.test_sql_settings import DOMAIN, store_at

IDLE = psycopg2.extensions.TRANSACTION_STATUS_IDLE


@pytest.fixture
def database() -> Iterator[str]:
    with services.postgres_database() as url:
        yield url


def pg_store(url: str) -> PrivacyTrackerStore:
    return PrivacyTrackerStore(DOMAIN, backend=services.tracker_backend(url))


class RoundTrips:
    """What ``engine`` sends to the server, one entry per round trip (the first word of each statement)."""

    def __init__(self, engine: Any, monkeypatch: pytest.MonkeyPatch) -> None:
        self.sent: list[str] = []
        sa.event.listen(engine, "before_cursor_execute", self._execute)
        sa.event.listen(engine, "commit", self._ending("COMMIT"))
        sa.event.listen(engine, "rollback", self._ending("ROLLBACK"))
        sa.event.listen(engine, "reset", lambda dbapi_connection, _record: self._end(dbapi_connection, "ROLLBACK"))
        ping = engine.dialect.do_ping

        def counted_ping(dbapi_connection: Any) -> Any:
            self.sent.append("PING")
            return ping(dbapi_connection)

        monkeypatch.setattr(engine.dialect, "do_ping", counted_ping)

    def _execute(self, _conn: Any, cursor: Any, statement: str, *_args: Any) -> None:
        dbapi_connection = cursor.connection
        if not dbapi_connection.autocommit and dbapi_connection.get_transaction_status() == IDLE:
            self.sent.append("BEGIN")  # psycopg2 opens the transaction with its own round trip
        self.sent.append(statement.split()[0])

    def _ending(self, word: str) -> Callable[[Any], None]:
        return lambda conn: self._end(conn.connection.dbapi_connection, word)

    def _end(self, dbapi_connection: Any, word: str) -> None:
        if not dbapi_connection.closed and dbapi_connection.get_transaction_status() != IDLE:
            self.sent.append(word)  # psycopg2 sends nothing when no transaction is open

    def take(self) -> list[str]:
        sent, self.sent = self.sent, []
        return sent


def a_turn(tracker: DialogueStateTracker, text: str) -> None:
    tracker.update(UserUttered(text, intent={"name": "greet", "confidence": 1.0}))
    tracker.update(SlotSet("language", "es"))
    tracker.update(ActionExecuted("utter_greet"))
    tracker.update(BotUttered("¡Hola!"))
    tracker.update(ActionExecuted("action_listen"))


async def a_saved_conversation(url: str) -> tuple[PrivacyTrackerStore, str, DialogueStateTracker]:
    """A new conversation with one turn, saved: the store, the sender id and the tracker."""
    store = pg_store(url)
    sender = f"pg-{uuid.uuid4().hex}"
    tracker = DialogueStateTracker(sender, DOMAIN.slots)
    a_turn(tracker, "hola")
    await store.save(tracker)
    return store, sender, tracker


def stored_rows(url: str, sender: str) -> list[tuple[Any, ...]]:
    engine = sa.create_engine(url)
    try:
        with engine.connect() as connection:
            query = sa.text(
                "SELECT type_name, timestamp, intent_name, action_name, data FROM events "
                "WHERE sender_id = :sender ORDER BY id"
            )
            return [tuple(row) for row in connection.execute(query, {"sender": sender})]
    finally:
        engine.dispose()


async def test_a_turn_costs_five_round_trips_and_stores_every_event_as_rasa_does(
    database: str, monkeypatch: pytest.MonkeyPatch
) -> None:
    store, sender, tracker = await a_saved_conversation(database)
    trips = RoundTrips(store.backend.engine, monkeypatch)

    again = await store.retrieve(sender)  # the tracker this process saved, after the one-query check
    assert again is tracker
    assert trips.take() == ["SELECT"]  # no ping, no BEGIN, no ROLLBACK around the check

    a_turn(tracker, "otra vez")
    await store.save(tracker)
    # the save: how many events are stored, then the turn's five new events in one INSERT
    assert trips.take() == ["BEGIN", "SELECT", "INSERT", "COMMIT"]

    expected = [
        (
            event.type_name,
            event.timestamp,
            event.as_dict().get("parse_data", {}).get("intent", {}).get("name"),
            event.as_dict().get("name"),
            event.as_dict(),
        )
        for event in tracker.events
    ]
    rows = [(*row[:4], json.loads(row[4])) for row in stored_rows(database, sender)]
    assert rows == expected
    fresh = await pg_store(database).retrieve(sender)  # another replica reads the same conversation
    assert fresh is not None and list(fresh.events) == list(tracker.events)


def wait_until_ended(url: str) -> None:
    """Until PostgreSQL has no backend left on the database (``pg_terminate_backend`` is asynchronous)."""
    engine = sa.create_engine(services.PG_ADMIN)
    query = sa.text("SELECT count(*) FROM pg_stat_activity WHERE datname = :name")
    try:
        deadline = time.monotonic() + 10
        while time.monotonic() < deadline:
            with engine.connect() as connection:
                if connection.execute(query, {"name": services.database_name(url)}).scalar() == 0:
                    return
            time.sleep(0.05)
    finally:
        engine.dispose()
    raise AssertionError("the database's connections did not end")


async def test_connections_the_server_ended_are_replaced_before_use_without_a_ping(
    database: str, monkeypatch: pytest.MonkeyPatch
) -> None:
    monkeypatch.setattr(tracker_store, "RETRY_DELAYS", ())  # no retry may hide a failed statement
    store, sender, tracker = await a_saved_conversation(database)
    trips = RoundTrips(store.backend.engine, monkeypatch)

    services.blip(database, 0.0).join()  # what a restart does: every open connection is ended
    wait_until_ended(database)
    a_turn(tracker, "sigo aquí")
    await store.save(tracker)
    again = await store.backend.retrieve(sender)
    assert again is not None and list(again.events) == list(tracker.events)
    assert "PING" not in trips.take()


async def test_a_connection_idle_for_long_is_pinged_before_use(database: str, monkeypatch: pytest.MonkeyPatch) -> None:
    store, sender, tracker = await a_saved_conversation(database)
    trips = RoundTrips(store.backend.engine, monkeypatch)
    monkeypatch.setattr(sql_settings, "IDLE_PING_SECONDS", 0.0)  # every pooled connection counts as idle

    assert await store.retrieve(sender) is tracker
    assert trips.take() == ["PING", "SELECT"]

    # A peer gone without the socket showing it (a network cut): the ping finds out, the pool connects again.
    monkeypatch.setattr(tracker_store, "RETRY_DELAYS", ())
    monkeypatch.setattr(sql_settings, "_socket_closed_or_spoken", lambda _connection: False)
    services.blip(database, 0.0).join()
    wait_until_ended(database)
    again = await store.backend.retrieve(sender)
    assert again is not None and list(again.events) == list(tracker.events)
    assert trips.take()[:2] == ["PING", "PING"]  # the dead connection's, then the new one's


def record_threads(store: PrivacyTrackerStore, monkeypatch: pytest.MonkeyPatch) -> list[int]:
    """The thread each of the backend's saves and reads runs in."""
    threads: list[int] = []
    for name in ("save", "retrieve"):
        original = getattr(store.backend, name)

        async def recorded(*args: Any, original: Any = original) -> Any:
            threads.append(threading.get_ident())
            return await original(*args)

        monkeypatch.setattr(store.backend, name, recorded)
    return threads


async def test_postgresql_calls_run_in_a_worker_thread_and_sqlite_calls_on_the_event_loop(
    database: str, monkeypatch: pytest.MonkeyPatch, tmp_path: Any
) -> None:
    loop_thread = threading.get_ident()
    for store in (pg_store(database), store_at(tmp_path / "trackers.db")):
        threads = record_threads(store, monkeypatch)
        tracker = DialogueStateTracker(f"threads-{uuid.uuid4().hex}", DOMAIN.slots)
        a_turn(tracker, "hola")
        await store.save(tracker)
        again = await store.backend.retrieve(tracker.sender_id)  # the recorded read, on the loop
        assert again is not None and list(again.events) == list(tracker.events)
        assert await store.retrieve("nobody-" + uuid.uuid4().hex) is None
        postgres = store.backend.engine.dialect.name == "postgresql"
        assert [thread != loop_thread for thread in threads] == [postgres, False, postgres]


def test_a_backend_call_that_would_wait_on_the_event_loop_is_refused() -> None:
    async def waits() -> None:
        await asyncio.sleep(0)

    with pytest.raises(RuntimeError):
        run_to_completion(waits())
