"""Webhook replay memory shared by every replica and kept across restarts.

Twilio signatures carry no timestamp and both Twilio and Telegram re-send a webhook they think failed,
so the same ``MessageSid`` / ``update_id`` can reach any replica, also after a restart. Each channel asks
:meth:`ReplayMemory.first_time` before answering; the key is remembered for ``ttl`` seconds.

* Redis (production, the server the lock store uses): ``SET key 1 NX EX ttl``, atomic across replicas.
* SQLite (local ``make run``): a table in the state folder; ``INSERT`` on a primary key is atomic too.

Chosen by ``BRUJULA_REPLAY_URL`` (``redis://host:port/db`` or ``sqlite:///path``), else Redis when
``BRUJULA_REDIS_HOST`` is set (as ``endpoints.production.yml`` needs), else SQLite in the state folder.
If the memory cannot be reached the message is answered anyway: answering twice is better than never.
"""

from __future__ import annotations

import asyncio
import logging
import os
import sqlite3
import threading
import time
from collections.abc import Mapping
from pathlib import Path
from typing import Protocol

from bot import paths

logger = logging.getLogger(__name__)

DEFAULT_TTL_SECONDS = 48 * 3600  # Telegram keeps an unacknowledged update 24 h; Twilio retries for less
KEY_PREFIX = "brujula:replay:"


class ReplayMemory(Protocol):
    def first_time_sync(self, key: str) -> bool: ...


async def first_time(memory: ReplayMemory, key: str) -> bool:
    """True the first time ``key`` is seen by any replica within the TTL; True also if the memory is down."""
    try:
        return await asyncio.get_running_loop().run_in_executor(None, memory.first_time_sync, key)
    except Exception as error:  # a webhook answered twice beats one never answered
        logger.error(
            "Replay memory unavailable (%s): the message is answered without the duplicate check", type(error).__name__
        )
        return True


class RedisReplayMemory:
    def __init__(self, url: str, ttl: float = DEFAULT_TTL_SECONDS) -> None:
        import redis  # type: ignore[import-untyped]  # redis 4.6 ships no stubs

        self.client = redis.StrictRedis.from_url(url, socket_timeout=2, socket_connect_timeout=2)
        self.ttl = int(ttl)

    def first_time_sync(self, key: str) -> bool:
        return bool(self.client.set(KEY_PREFIX + key, b"1", nx=True, ex=max(1, self.ttl)))


class SQLiteReplayMemory:
    def __init__(self, path: Path, ttl: float = DEFAULT_TTL_SECONDS) -> None:
        self.path = path
        self.ttl = ttl
        self._lock = threading.Lock()
        path.parent.mkdir(parents=True, exist_ok=True)
        with self._connect() as conn:
            conn.execute("CREATE TABLE IF NOT EXISTS replay (key TEXT PRIMARY KEY, expires REAL NOT NULL)")

    def _connect(self) -> sqlite3.Connection:
        return sqlite3.connect(self.path, timeout=10, isolation_level=None)

    def first_time_sync(self, key: str) -> bool:
        now = time.time()
        with self._lock:
            conn = self._connect()
            try:
                conn.execute("BEGIN IMMEDIATE")  # one writer: the check and the insert cannot interleave
                if int(now) % 60 == 0:
                    conn.execute("DELETE FROM replay WHERE expires < ?", (now,))
                row = conn.execute("SELECT expires FROM replay WHERE key = ?", (key,)).fetchone()
                if row is not None and row[0] >= now:
                    conn.execute("COMMIT")
                    return False
                conn.execute("INSERT OR REPLACE INTO replay (key, expires) VALUES (?, ?)", (key, now + self.ttl))
                conn.execute("COMMIT")
                return True
            finally:
                conn.close()


def from_environment(environ: Mapping[str, str] | None = None) -> ReplayMemory:
    """The replay memory this deployment uses (see the module docstring)."""
    env = os.environ if environ is None else environ
    ttl = float(env.get("BRUJULA_REPLAY_TTL_SECONDS") or DEFAULT_TTL_SECONDS)
    url = env.get("BRUJULA_REPLAY_URL", "")
    if not url and env.get("BRUJULA_REDIS_HOST"):
        url = (
            f"redis://{env['BRUJULA_REDIS_HOST']}:{env.get('BRUJULA_REDIS_PORT') or 6379}"
            f"/{env.get('BRUJULA_REDIS_DB') or 0}"
        )
    if url.startswith(("redis://", "rediss://")):
        return RedisReplayMemory(url, ttl)
    if url.startswith("sqlite:///"):
        return SQLiteReplayMemory(Path(url[len("sqlite:///") :]), ttl)
    if url:
        raise ValueError("BRUJULA_REPLAY_URL must start with redis:// or sqlite:///")
    return SQLiteReplayMemory(paths.state_dir() / "replay.db", ttl)
