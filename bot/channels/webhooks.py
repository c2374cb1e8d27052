"""Plumbing the WhatsApp and Telegram webhooks share: body limits, replay memory, background work, retries.

Both platforms want a quick ``200``: the webhooks acknowledge at once and answer the user from a
background task (:class:`BackgroundTasks`), which the server drains before it stops.
"""

from __future__ import annotations

import asyncio
import logging
import random
from collections import OrderedDict
from typing import Any, Awaitable, Callable, Hashable, Optional, Set, TypeVar

from sanic.request import Request

logger = logging.getLogger(__name__)

# Twilio and Telegram requests are a few kilobytes; anything much larger is not from them.
MAX_BODY_BYTES = 128 * 1024

T = TypeVar("T")


def body_too_large(request: Request, limit: int = MAX_BODY_BYTES) -> bool:
    """True when the declared or actual body is over ``limit`` bytes."""
    declared = request.headers.get("content-length")
    if declared is not None:
        try:
            if int(declared) > limit:
                return True
        except ValueError:
            return True
    return len(request.body or b"") > limit


def media_type(request: Request) -> str:
    """The request's media type without parameters, lower-case ("application/json")."""
    return (request.headers.get("content-type") or "").split(";", 1)[0].strip().lower()


class RecentIds:
    """Remembers the last ``size`` ids seen, to drop a webhook delivered twice (retries, replays)."""

    def __init__(self, size: int = 10_000) -> None:
        self.size = size
        self._ids: OrderedDict[Hashable, None] = OrderedDict()

    def seen(self, key: Hashable) -> bool:
        """Record ``key``; True if it was already recorded."""
        if key in self._ids:
            self._ids.move_to_end(key)
            return True
        self._ids[key] = None
        if len(self._ids) > self.size:
            self._ids.popitem(last=False)
        return False

    def forget(self, key: Hashable) -> None:
        self._ids.pop(key, None)


class BackgroundTasks:
    """Runs the answer to a webhook after the webhook has been acknowledged.

    Keeps a reference to every task (so none is garbage-collected half-way), logs what escapes,
    and lets the server (or a test) wait until everything in flight is done.
    """

    def __init__(self, name: str) -> None:
        self.name = name
        self._tasks: Set[asyncio.Task] = set()

    def spawn(self, coroutine: Awaitable[Any]) -> asyncio.Task:
        task = asyncio.ensure_future(coroutine)
        self._tasks.add(task)
        task.add_done_callback(self._done)
        return task

    def _done(self, task: asyncio.Task) -> None:
        self._tasks.discard(task)
        if not task.cancelled() and task.exception() is not None:
            logger.error("%s: a message could not be handled", self.name, exc_info=task.exception())

    @property
    def pending(self) -> int:
        return len(self._tasks)

    async def drain(self, timeout: Optional[float] = None) -> bool:
        """Wait until no task is running (tasks spawned meanwhile included); False on timeout."""
        loop = asyncio.get_running_loop()
        deadline = None if timeout is None else loop.time() + timeout
        while self._tasks:
            remaining = None if deadline is None else deadline - loop.time()
            if remaining is not None and remaining <= 0:
                return False
            await asyncio.wait(set(self._tasks), timeout=remaining)
        return True


async def with_retries(
    attempt: Callable[[], Awaitable[T]],
    is_transient: Callable[[BaseException], Optional[float]],
    delays: tuple[float, ...],
    what: str,
) -> T:
    """Run ``attempt`` until it succeeds or fails for good.

    Args:
        attempt: makes one try.
        is_transient: for an exception, the seconds to wait before the next try if it is worth
            retrying (``0`` means "use the next back-off delay"), or ``None`` if it is final.
        delays: back-off before the 2nd, 3rd... try; ``len(delays) + 1`` tries at most.
        what: a description for the log (never a phone number or a message text).

    Raises:
        The last exception once tries are exhausted or an error is final.
    """
    for number in range(len(delays) + 1):
        try:
            return await attempt()
        except Exception as error:
            wait = is_transient(error)
            if wait is None or number == len(delays):
                raise
            delay = wait or delays[number] * (1 + random.random() / 4)  # jitter: do not retry in lockstep
            logger.warning("%s failed (%s), try %d of %d in %.1fs", what, type(error).__name__, number + 2,
                           len(delays) + 1, delay)
            await asyncio.sleep(delay)
    raise AssertionError("unreachable")
