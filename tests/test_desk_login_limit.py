"""The desk's login limit (issue 12, defect 5), on the real PostgreSQL the production desk uses.

* counted before the password check: 40 simultaneous tries get at most ``login_max_failures`` checks;
* per (address, account) with a doubling wait: someone failing from another address cannot lock staff out.
"""

from __future__ import annotations

import asyncio
import time
from collections.abc import Iterator
from pathlib import Path
from typing import Any

import pytest

from bot import desk_settings
from bot.handoff.storage import DeskStorage
from tests import services
from tests.handoff.test_desk import PASSWORD, Desk, desk_env  # noqa: F401 - desk_env is the autouse fixture

WINDOW = 15 * 60


@pytest.fixture
def database() -> Iterator[str]:
    with services.postgres_database() as url:
        yield url


async def test_forty_parallel_tries_get_only_the_allowed_password_checks(
    desk_env: Path,  # noqa: F811 - the fixture imported from the desk tests
    database: str,
    monkeypatch: pytest.MonkeyPatch,
) -> None:
    desk = Desk(desk_env)
    desk.storage = desk.desk._storage = DeskStorage(database)  # production: the desk index on PostgreSQL
    checked: list[str] = []
    real_check = desk_settings.check_password

    def counting_check(member: Any, password: str) -> bool:
        checked.append(password)
        time.sleep(0.05)  # bcrypt takes time: every try is in flight at once
        return real_check(member, password)

    monkeypatch.setattr(desk_settings, "check_password", counting_check)
    responses = await asyncio.gather(*(desk.sign_in(password=f"guess-{n}") for n in range(40)))
    statuses = [r.status for r in responses]
    assert len(checked) <= 3  # login_max_failures: 3 in the test configuration
    assert statuses.count(401) == len(checked)
    assert statuses.count(429) == 40 - len(checked)
    assert (await desk.sign_in()).status == 429  # even the right password waits now


def test_failures_from_another_address_do_not_lock_staff_out(database: str) -> None:
    storage = DeskStorage(database)
    attacker = {"ip:198.51.100.7|user:ana": 3, "ip:198.51.100.7": 12}
    office = {"ip:203.0.113.20|user:ana": 3, "ip:203.0.113.20": 12}
    now = 1_000_000.0
    for _ in range(3):
        assert storage.begin_login_attempt(attacker, WINDOW, now=now) == 0
        storage.end_login_attempt(attacker, success=False, now=now)
    assert storage.begin_login_attempt(attacker, WINDOW, now=now + 1) > 0  # the attacker waits
    assert storage.begin_login_attempt(office, WINDOW, now=now + 1) == 0  # Ana signs in from the office
    storage.end_login_attempt(office, success=True, now=now + 1)


def test_each_failure_past_the_limit_doubles_the_wait(database: str) -> None:
    storage = DeskStorage(database)
    limits = {"ip:198.51.100.7|user:ana": 3}
    now = 2_000_000.0
    waits = []
    for _ in range(3):
        storage.begin_login_attempt(limits, WINDOW, now=now)
        storage.end_login_attempt(limits, success=False, now=now)
    for _ in range(3):
        wait = storage.begin_login_attempt(limits, WINDOW, now=now)
        waits.append(round(wait))
        now += wait  # the block ran out: one more try is allowed, and it fails again
        assert storage.begin_login_attempt(limits, WINDOW, now=now) == 0
        storage.end_login_attempt(limits, success=False, now=now)
    assert waits == [30, 60, 120]


def test_a_success_clears_the_count(database: str) -> None:
    storage = DeskStorage(database)
    limits = {"ip:203.0.113.20|user:ana": 3}
    for _ in range(2):
        storage.begin_login_attempt(limits, WINDOW, now=100.0)
        storage.end_login_attempt(limits, success=False, now=100.0)
    storage.begin_login_attempt(limits, WINDOW, now=101.0)
    storage.end_login_attempt(limits, success=True, now=101.0)
    for _ in range(3):
        assert storage.begin_login_attempt(limits, WINDOW, now=102.0) == 0
        storage.end_login_attempt(limits, success=False, now=102.0)
