"""Rasa's calls to the action server, tried again when the request never reached it.

Under load (measured with ``make load``: 40 of 500 steady messages on a 2-core machine), a fresh
connection to the action server is sometimes closed while Rasa is still writing the request
("Cannot write to closing transport", "Can not write request body"): the action never ran, and the
person got the technical-problem answer. Such a request is safe to send again; one that reached the
action server (a timeout, a response error) is not retried, so no action runs twice.

:func:`install` wraps ``EndpointConfig.request`` once per process; ``bot.tracker_store`` (which
every Rasa server loads through its endpoints file) calls it.
"""

from __future__ import annotations

import asyncio
import functools
import logging
from typing import Any

logger = logging.getLogger(__name__)

DELAYS = (0.1, 0.3, 0.6)
_NOT_SENT = ("Cannot write to closing transport", "Can not write request body", "Cannot connect to host")
_installed = False


def _never_sent(error: BaseException) -> bool:
    import aiohttp

    if isinstance(error, aiohttp.ClientConnectorError):  # refused: nothing was sent
        return True
    return isinstance(error, aiohttp.ClientOSError | ConnectionResetError) and any(
        text in str(error) for text in _NOT_SENT
    )


def install() -> None:
    """Retry action-server requests that failed before being sent (idempotent)."""
    global _installed
    if _installed:
        return
    from rasa.utils.endpoints import EndpointConfig

    original = EndpointConfig.request

    @functools.wraps(original)
    async def request(self: Any, *args: Any, **kwargs: Any) -> Any:
        for attempt in range(len(DELAYS) + 1):
            try:
                return await original(self, *args, **kwargs)
            except Exception as error:
                if attempt == len(DELAYS) or not _never_sent(error):
                    raise
                logger.warning(
                    "Request to %s not sent (%s), try %d of %d", self.url, error, attempt + 2, len(DELAYS) + 1
                )
                await asyncio.sleep(DELAYS[attempt])
        raise AssertionError("unreachable")

    EndpointConfig.request = request
    _installed = True
