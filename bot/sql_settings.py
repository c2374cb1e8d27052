"""SQLite settings for the tracker store: write-ahead log and ``synchronous=NORMAL``.

With SQLite's defaults (rollback journal, ``synchronous=FULL``) every saved turn waits for two or more
``fsync`` calls, the largest single cost of a turn on a busy disk (docs/PERFORMANCE.md). In WAL mode with
``synchronous=NORMAL`` a commit is one append to the log and the database is still never corrupted: a
crash of the bot loses nothing, and a power cut can lose at most the last turns saved before it.
Readers (the desk console, ``make gaps``) no longer wait for a writer either. PostgreSQL is left alone.

Rasa opens SQLite files with SQLAlchemy's ``NullPool``: a new connection for every session, closed at its
end. In WAL mode closing the last connection checkpoints the log into the database (with an ``fsync``),
so the store keeps a small pool of open connections instead (:func:`keep_connections`).
"""

from __future__ import annotations

import logging
from typing import Any

logger = logging.getLogger(__name__)

PRAGMAS = ("PRAGMA journal_mode=WAL", "PRAGMA synchronous=NORMAL")


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
