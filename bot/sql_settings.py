"""SQL settings for the tracker store: SQLite's write-ahead log, PostgreSQL's round trips.

With SQLite's defaults (rollback journal, ``synchronous=FULL``) every saved turn waits for two or more
``fsync`` calls, the largest single cost of a turn on a busy disk (docs/PERFORMANCE.md). In WAL mode with
``synchronous=NORMAL`` a commit is one append to the log and the database is still never corrupted: a
crash of the bot loses nothing, and a power cut can lose at most the last turns saved before it.
Readers (the desk console, ``make gaps``) no longer wait for a writer either. PostgreSQL is left alone.

Rasa opens SQLite files with SQLAlchemy's ``NullPool``: a new connection for every session, closed at its
end. In WAL mode closing the last connection checkpoints the log into the database (with an ``fsync``),
so the store keeps a small pool of open connections instead (:func:`keep_connections`).

On PostgreSQL every statement is a network round trip, and so is every ``BEGIN``, ``ROLLBACK`` and the
``SELECT 1`` of SQLAlchemy's ``pool_pre_ping``: before these settings a turn cost about 14 of them, of
which only 5 carried the turn (docs/PERFORMANCE.md). :func:`check_connections` replaces the pre-ping by a
look at the socket, and :func:`read_session` runs single-statement reads without a transaction.
"""

from __future__ import annotations

import contextlib
import logging
import select
import time
from collections.abc import Iterator
from typing import Any

logger = logging.getLogger(__name__)

PRAGMAS = ("PRAGMA journal_mode=WAL", "PRAGMA synchronous=NORMAL")

# A pooled connection idle longer than this gets a real ``SELECT 1`` before use: a peer that vanished
# without closing the socket (a network cut, not a restart) shows nothing on it. Under load, never paid.
IDLE_PING_SECONDS = 30.0
_LAST_USED = "brujula_last_used"  # key in a pooled connection's info: monotonic time it was last returned


def _set_pragmas(connection: Any, _record: Any) -> None:
    cursor = connection.cursor()
    try:
        for pragma in PRAGMAS:
            cursor.execute(pragma)
    finally:
        cursor.close()


def tune_sqlite(engine: Any) -> bool:
    """Apply :data:`PRAGMAS` to every new connection of ``engine`` if it is SQLite; True if it was."""
    from sqlalchemy import event

    if getattr(getattr(engine, "dialect", None), "name", None) != "sqlite":
        return False
    if not event.contains(engine, "connect", _set_pragmas):
        event.listen(engine, "connect", _set_pragmas)
    with engine.connect():  # WAL is a property of the file: switch it now, not at the first turn
        pass
    return True


def keep_connections(store: Any) -> bool:
    """Give a SQL tracker store on a SQLite *file* a pool of open, tuned connections; True if it did.

    ``store`` is Rasa's ``SQLTrackerStore`` (its ``engine`` and ``sessionmaker`` are replaced). In-memory
    SQLite and other databases are left as Rasa made them.
    """
    import sqlalchemy as sa
    from sqlalchemy.pool import QueuePool

    engine: Any = getattr(store, "engine", None)
    if engine is None or getattr(getattr(engine, "dialect", None), "name", None) != "sqlite":
        return False
    if engine.url.database in (None, "", ":memory:"):
        return False
    # check_same_thread off: the pool hands a connection to one user at a time, whichever thread it is on
    pooled = sa.create_engine(
        engine.url, poolclass=QueuePool, pool_size=4, max_overflow=8, connect_args={"check_same_thread": False}
    )
    tune_sqlite(pooled)
    store.engine = pooled
    store.sessionmaker = sa.orm.session.sessionmaker(bind=pooled)
    engine.dispose()
    return True


def _no_commit_wait(connection: Any, _record: Any) -> None:
    cursor = connection.cursor()
    try:
        cursor.execute("SET synchronous_commit TO off")
    finally:
        cursor.close()
    connection.commit()


def tune_postgres(store: Any) -> bool:
    """``synchronous_commit=off`` for a tracker store on PostgreSQL; True if it applied.

    The driver is synchronous, so while PostgreSQL flushes its log for a commit the whole Rasa server
    waits. With this setting a commit returns once written; PostgreSQL flushes within a fraction of a
    second. As with SQLite's ``synchronous=NORMAL``: a crash of the bot loses nothing, a crash of the
    database server can lose the last turns (at most about 0.6 s of them), and nothing is ever
    corrupted. Opt-in: ``durable_commits: false`` in the backend's settings (the default keeps PostgreSQL's
    durable commits, so an answered turn survives a database crash).
    """
    from sqlalchemy import event

    engine: Any = getattr(store, "engine", None)
    if engine is None or getattr(getattr(engine, "dialect", None), "name", None) != "postgresql":
        return False
    if not event.contains(engine, "connect", _no_commit_wait):
        event.listen(engine, "connect", _no_commit_wait)
    engine.dispose()  # connections opened before the listener get the setting when reopened
    return True


def _socket_closed_or_spoken(dbapi_connection: Any) -> bool:
    """True when the server ended ``dbapi_connection`` (or said anything on it) while it sat in the pool.

    An idle connection outside a transaction receives nothing unless the server ends it: a restart or
    ``pg_terminate_backend`` sends a FATAL notice and closes the socket, which makes it readable. We never
    ``LISTEN``, so anything readable means the connection is gone (at worst a live one is replaced).
    """
    if dbapi_connection.closed:
        return True
    readable, _, _ = select.select([dbapi_connection.fileno()], [], [], 0)
    return bool(readable)


def _note_use(_dbapi_connection: Any, record: Any, *_args: Any) -> None:
    record.info[_LAST_USED] = time.monotonic()


def check_connections(engine: Any) -> bool:
    """Test every PostgreSQL connection before use, without a round trip when it was in use recently.

    Rasa creates its engine without a connection check, so after a database restart every pooled
    connection would fail once. ``pool_pre_ping`` fixes that with a ``SELECT 1`` round trip at every
    checkout (three per turn). Here a checkout looks at the socket instead (:func:`_socket_closed_or_spoken`)
    and pings only a connection idle for more than :data:`IDLE_PING_SECONDS`. A connection found dead
    invalidates the whole pool (a restart ends them all) and the pool connects again, as with the pre-ping.
    Other database servers get the pre-ping, SQLite nothing. True if the socket check applied.
    """
    from sqlalchemy import event, exc

    name = getattr(getattr(engine, "dialect", None), "name", None)
    if name != "postgresql":
        if name not in (None, "sqlite"):
            engine.pool._pre_ping = True  # what create_engine(pool_pre_ping=True) sets
        return False
    dialect = engine.dialect

    def check_out(dbapi_connection: Any, record: Any, _proxy: Any) -> None:
        if _socket_closed_or_spoken(dbapi_connection):
            raise exc.InvalidatePoolError("PostgreSQL ended this connection")
        if time.monotonic() - record.info.get(_LAST_USED, 0.0) > IDLE_PING_SECONDS:
            try:
                answered = dialect.do_ping(dbapi_connection)  # False when the connection is gone
            except Exception as error:
                raise exc.InvalidatePoolError("PostgreSQL connection did not answer") from error
            if not answered:
                raise exc.InvalidatePoolError("PostgreSQL connection did not answer")

    if not event.contains(engine, "checkout", _note_use):  # idempotent: one set of listeners per engine
        event.listen(engine, "connect", _note_use)
        event.listen(engine, "checkin", _note_use)
        event.listen(engine, "checkout", check_out)
        event.listen(engine, "checkout", _note_use)
    return True


@contextlib.contextmanager
def read_session(store: Any) -> Iterator[Any]:
    """An ORM session of ``store`` (Rasa's ``SQLTrackerStore``) for reads of one statement each.

    On PostgreSQL it runs in psycopg2's autocommit mode: one statement is consistent on its own, and no
    ``BEGIN`` goes before it and no ``ROLLBACK`` after, two round trips of three. The flag is set on the
    driver's connection directly, as SQLAlchemy's own ping does: its ``isolation_level="AUTOCOMMIT"``
    option would send a ``SET default_transaction_isolation`` when the connection goes back to the pool.
    Other databases get the store's usual session.
    """
    from sqlalchemy.orm import Session

    if store.engine.dialect.name != "postgresql":
        with store.session_scope() as session:
            yield session
        return
    with store.engine.connect() as connection:
        dbapi_connection = connection.connection.dbapi_connection
        dbapi_connection.autocommit = True
        session = Session(bind=connection)
        try:
            yield session
        finally:
            session.close()
            if not dbapi_connection.closed:  # a connection the server ended is discarded anyway
                dbapi_connection.autocommit = False
