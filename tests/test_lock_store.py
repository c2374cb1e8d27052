"""The atomic Redis lock store, against the real Redis that .ci/run starts (127.0.0.1:6379)."""

from __future__ import annotations

import asyncio
import threading
import uuid

import pytest
import redis  # type: ignore[import-untyped]  # redis 4.6 ships no stubs
from rasa.utils.endpoints import EndpointConfig

from bot.lock_store import AtomicRedisLockStore

REDIS_DB = 13  # a database of its own, emptied by each test


@pytest.fixture()
def client() -> redis.StrictRedis:
    connection = redis.StrictRedis(host="127.0.0.1", port=6379, db=REDIS_DB)
    try:
        connection.ping()
    except redis.ConnectionError as error:  # .ci/run starts Redis; a missing one is a failure, not a skip
        pytest.fail(f"Redis is not running on 127.0.0.1:6379 ({error}); start it as .ci/run does")
    connection.flushdb()
    yield connection
    connection.flushdb()


def replica() -> AtomicRedisLockStore:
    """A lock store with its own connection, as each Rasa replica has."""
    return AtomicRedisLockStore(EndpointConfig(url="127.0.0.1", port=6379, db=REDIS_DB, key_prefix="test"))


def test_tickets_are_unique_across_replicas_issuing_at_once(client: redis.StrictRedis) -> None:
    stores = [replica() for _ in range(4)]
    issued: list[int] = []
    guard = threading.Lock()

    def issue(store: AtomicRedisLockStore) -> None:
        for _ in range(150):
            number = store.issue_ticket("burst")
            with guard:
                issued.append(number)

    threads = [threading.Thread(target=issue, args=(store,)) for store in stores]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join()
    assert len(issued) == 600
    assert len(set(issued)) == 600  # Rasa's RedisLockStore hands out duplicates here


def test_two_replicas_never_process_one_conversation_at_the_same_time(client: redis.StrictRedis) -> None:
    """Each 'message' does a read-modify-write on shared state inside the lock: none may be lost."""
    conversation = f"person-{uuid.uuid4().hex[:8]}"
    messages_per_replica = 15

    def run_replica() -> None:
        store = replica()
        shared = redis.StrictRedis(host="127.0.0.1", port=6379, db=REDIS_DB)

        async def one_message() -> None:
            async with store.lock(conversation, lock_lifetime=30, wait_time_in_seconds=0.005):
                count = int(shared.get("processed") or 0)
                await asyncio.sleep(0.002)  # the turn takes time: a second holder would overwrite it
                shared.set("processed", count + 1)

        async def burst() -> None:
            await asyncio.gather(*(one_message() for _ in range(messages_per_replica)))

        asyncio.run(burst())

    threads = [threading.Thread(target=run_replica) for _ in range(2)]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join()
    assert int(client.get("processed")) == 2 * messages_per_replica
    assert client.keys("test:lock:*") == []  # the last release removed the lock's keys


def test_a_ticket_of_a_dead_replica_expires_and_frees_the_conversation(client: redis.StrictRedis) -> None:
    store = replica()
    store.issue_ticket("stuck", lock_lifetime=0.2)  # issued, never released: the replica died

    async def next_message() -> bool:
        async with store.lock("stuck", lock_lifetime=5, wait_time_in_seconds=0.05):
            return True

    assert asyncio.run(asyncio.wait_for(next_message(), timeout=5))


def test_production_endpoints_use_the_atomic_store() -> None:
    from pathlib import Path

    import yaml

    endpoints = yaml.safe_load(Path("endpoints.production.yml").read_text())
    assert endpoints["lock_store"]["type"] == "bot.lock_store.AtomicRedisLockStore"
