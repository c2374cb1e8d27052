"""A conversation lock store that stays correct with several Rasa replicas sharing one Redis.

Rasa Open Source's ``RedisLockStore`` issues tickets with a plain read-modify-write of one JSON value
(get the lock, append a ticket, set it back). Two replicas that receive messages of the same person at
the same moment can both read the same lock and hand out the same ticket number, so both process at
once and one tracker save overwrites the other: a message is lost (RasaHQ/rasa#11256).

Here every change is one atomic Redis operation:

- tickets live in a sorted set per conversation (member = ticket number, score = expiry time);
- a ticket number comes from ``INCR`` inside a Lua script that also drops expired tickets, so no two
  callers can ever get the same number;
- releasing a ticket removes exactly that member (compare-and-delete), and the counter is dropped in the
  same script only when nobody else holds or waits for a ticket.

The conversation is served in ticket order: the holder of the lowest live ticket goes first.
"""

from __future__ import annotations

import logging
import time
from collections import deque
from typing import Any

import redis  # type: ignore[import-untyped]  # redis 4.6 ships no stubs; types-redis would pin another version
from rasa.core.lock import Ticket, TicketLock
from rasa.core.lock_store import LockError, LockStore
from rasa.utils.endpoints import EndpointConfig

logger = logging.getLogger(__name__)

DEFAULT_KEY_PREFIX = "brujula"

# KEYS[1] tickets (sorted set), KEYS[2] counter; ARGV[1] now, ARGV[2] lifetime in seconds.
_ISSUE = """
redis.call('ZREMRANGEBYSCORE', KEYS[1], '-inf', ARGV[1])
local number = redis.call('INCR', KEYS[2])
local expires = tonumber(ARGV[1]) + tonumber(ARGV[2])
redis.call('ZADD', KEYS[1], expires, number)
local ttl = math.ceil(tonumber(ARGV[2]) * 1000) + 60000
redis.call('PEXPIRE', KEYS[1], ttl)
redis.call('PEXPIRE', KEYS[2], ttl)
return number
"""
# KEYS[1] tickets, KEYS[2] counter; ARGV[1] ticket number, ARGV[2] now.
_RELEASE = """
redis.call('ZREM', KEYS[1], ARGV[1])
redis.call('ZREMRANGEBYSCORE', KEYS[1], '-inf', ARGV[2])
if redis.call('ZCARD', KEYS[1]) == 0 then
  redis.call('DEL', KEYS[1], KEYS[2])
  return 1
end
return 0
"""


class AtomicRedisLockStore(LockStore):
    """Ticket locks in Redis with atomic issue and release (``type: bot.lock_store.AtomicRedisLockStore``)."""

    def __init__(
        self,
        endpoint_config: EndpointConfig | None = None,
        *,
        host: str = "localhost",
        port: int = 6379,
        db: int = 0,
        password: str | None = None,
        use_ssl: bool = False,
        key_prefix: str | None = None,
        socket_timeout: float = 10,
    ) -> None:
        if endpoint_config is not None:
            kwargs: dict[str, Any] = endpoint_config.kwargs
            host = endpoint_config.url or host
            port = int(kwargs.get("port", port))
            db = int(kwargs.get("db", db))
            password = kwargs.get("password", password)
            use_ssl = bool(kwargs.get("use_ssl", use_ssl))
            key_prefix = kwargs.get("key_prefix", key_prefix)
            socket_timeout = float(kwargs.get("socket_timeout", socket_timeout))
        self.red = redis.StrictRedis(
            host=host,
            port=port,
            db=db,
            password=password or None,
            ssl=use_ssl,
            socket_timeout=socket_timeout,
            health_check_interval=30,
        )
        self.key_prefix = f"{key_prefix or DEFAULT_KEY_PREFIX}:lock:"
        self._issue = self.red.register_script(_ISSUE)
        self._release = self.red.register_script(_RELEASE)

    def _keys(self, conversation_id: str) -> list[str]:
        base = self.key_prefix + conversation_id
        return [base + ":tickets", base + ":counter"]

    def issue_ticket(self, conversation_id: str, lock_lifetime: float = 60) -> int:
        """A new ticket number for ``conversation_id``, unique across every replica."""
        try:
            return int(self._issue(keys=self._keys(conversation_id), args=[time.time(), lock_lifetime]))
        except redis.RedisError as error:
            raise LockError(f"Error while acquiring lock. Error:\n{error}") from error

    def get_lock(self, conversation_id: str) -> TicketLock | None:
        """The live tickets of ``conversation_id`` as Rasa's ``TicketLock`` (None when nobody holds one)."""
        tickets_key = self._keys(conversation_id)[0]
        entries = self.red.zrangebyscore(tickets_key, time.time(), "+inf", withscores=True)
        if not entries:
            return None
        tickets = sorted((Ticket(int(member), float(score)) for member, score in entries), key=lambda t: t.number)
        return TicketLock(conversation_id, deque(tickets))

    def update_lock(self, conversation_id: str) -> None:
        """Drop expired tickets (a replica that died while holding the lock frees it after its lifetime)."""
        self.red.zremrangebyscore(self._keys(conversation_id)[0], "-inf", time.time())

    def save_lock(self, lock: TicketLock) -> None:
        # Nothing to save: every change is made by an atomic command above. Rasa's base class calls this
        # only from the methods overridden here.
        return None

    def delete_lock(self, conversation_id: str) -> None:
        deleted = self.red.delete(*self._keys(conversation_id))
        self._log_deletion(conversation_id, bool(deleted))

    def finish_serving(self, conversation_id: str, ticket_number: int) -> None:
        self._release(keys=self._keys(conversation_id), args=[ticket_number, time.time()])

    def cleanup(self, conversation_id: str, ticket_number: int) -> None:
        """Release ``ticket_number``; the lock's keys go away with the last ticket, in the same step."""
        try:
            self.finish_serving(conversation_id, ticket_number)
        except redis.RedisError:
            # The ticket expires by itself after its lifetime: log and let the reply go out.
            logger.exception("could not release the lock of a conversation; it expires on its own")

    def is_someone_waiting(self, conversation_id: str) -> bool:
        return bool(self.red.zcount(self._keys(conversation_id)[0], time.time(), "+inf"))
