"""The real PostgreSQL and Redis that ``.ci/run`` starts, one fresh database per test.

A missing service fails the test (``pytest.fail``): these tests are the regression tests for
production faults and must never be skipped quietly.
"""

from __future__ import annotations

import contextlib
import threading
import uuid
from collections.abc import Iterator

import pytest
import redis  # type: ignore[import-untyped]  # redis 4.6 ships no stubs
import sqlalchemy as sa
from rasa.core.utils import AvailableEndpoints

from bot.paths import ROOT

PG_ADMIN = "postgresql://postgres@127.0.0.1:5432/postgres"
REDIS_HOST, REDIS_PORT = "127.0.0.1", 6379
# What endpoints.production.yml reads from the environment, pointing at the services above.
PRODUCTION_ENV = {
    "BRUJULA_ACTION_URL": "http://127.0.0.1:5055/webhook",
    "BRUJULA_DB_HOST": "127.0.0.1",
    "BRUJULA_DB_PORT": "5432",
    "BRUJULA_DB_NAME": "test",
    "BRUJULA_DB_USER": "postgres",
    "BRUJULA_DB_PASSWORD": "",
    "BRUJULA_REDIS_HOST": REDIS_HOST,
    "BRUJULA_REDIS_PORT": str(REDIS_PORT),
    "BRUJULA_REDIS_DB": "1",
}


def production_endpoints(monkeypatch: pytest.MonkeyPatch, **extra: str) -> AvailableEndpoints:
    """endpoints.production.yml read with :data:`PRODUCTION_ENV` (plus ``extra``) in the environment."""
    for key, value in {**PRODUCTION_ENV, **extra}.items():
        monkeypatch.setenv(key, value)
    return AvailableEndpoints.read_endpoints(str(ROOT / "endpoints.production.yml"))


def _admin() -> sa.engine.Engine:
    return sa.create_engine(PG_ADMIN, isolation_level="AUTOCOMMIT", future=True)


@contextlib.contextmanager
def postgres_database() -> Iterator[str]:
    """A new, empty PostgreSQL database for one test; its URL. Dropped afterwards."""
    name = f"brujula_t_{uuid.uuid4().hex[:12]}"
    engine = _admin()
    try:
        with engine.connect() as conn:
            conn.execute(sa.text(f'CREATE DATABASE "{name}"'))
    except sa.exc.OperationalError as error:
        pytest.fail(f"PostgreSQL is not running on 127.0.0.1:5432 ({error}); start it as .ci/run does")
    try:
        yield f"postgresql://postgres@127.0.0.1:5432/{name}"
    finally:
        with engine.connect() as conn:
            conn.execute(sa.text(f'ALTER DATABASE "{name}" ALLOW_CONNECTIONS true'))
            conn.execute(sa.text(f'DROP DATABASE IF EXISTS "{name}" WITH (FORCE)'))
        engine.dispose()


def database_name(url: str) -> str:
    return url.rsplit("/", 1)[1]


def tracker_backend(url: str) -> dict[str, object]:
    """The tracker-store ``backend`` settings (as in endpoints.yml) for the test database at ``url``."""
    return {
        "type": "sql",
        "dialect": "postgresql",
        "url": "127.0.0.1",
        "port": 5432,
        "db": database_name(url),
        "username": "postgres",
    }


def cut_off(url: str) -> None:
    """A database outage: refuse new connections and end every open one (what a restart does)."""
    name = database_name(url)
    engine = _admin()
    with engine.connect() as conn:
        conn.execute(sa.text(f'ALTER DATABASE "{name}" ALLOW_CONNECTIONS false'))
        conn.execute(
            sa.text(
                "SELECT pg_terminate_backend(pid) FROM pg_stat_activity "
                "WHERE datname = :name AND pid <> pg_backend_pid()"
            ),
            {"name": name},
        )
    engine.dispose()


def restore(url: str) -> None:
    engine = _admin()
    with engine.connect() as conn:
        conn.execute(sa.text(f'ALTER DATABASE "{database_name(url)}" ALLOW_CONNECTIONS true'))
    engine.dispose()


def blip(url: str, seconds: float) -> threading.Thread:
    """Cut the database off now and bring it back after ``seconds`` (in a thread)."""
    cut_off(url)
    timer = threading.Timer(seconds, restore, args=(url,))
    timer.start()
    return timer


def redis_db(number: int) -> redis.StrictRedis:
    """Redis database ``number``, emptied; a failure if Redis is not running."""
    client = redis.StrictRedis(host=REDIS_HOST, port=REDIS_PORT, db=number)
    try:
        client.ping()
    except redis.ConnectionError as error:
        pytest.fail(f"Redis is not running on 127.0.0.1:6379 ({error}); start it as .ci/run does")
    client.flushdb()
    return client
