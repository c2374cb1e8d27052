"""Pseudonymous sender ids, the erase-everything hooks, and the retention command.

``python -m bot.privacy purge --older-than DAYS`` deletes conversations silent for DAYS (default 180):
see :mod:`bot.retention`.

A phone number or Telegram id never reaches the tracker store or a log: channels pass Rasa a keyed
hash of it (HMAC-SHA256). The key comes from ``BRUJULA_ID_KEY``; for the local embedded mode a
random key is created once in the state folder, readable by its owner only.
"""

from __future__ import annotations

import hashlib
import hmac
import logging
import os
import re
import secrets
import time
from collections.abc import Awaitable, Callable
from typing import Any

from bot import paths

logger = logging.getLogger(__name__)

ID_KEY_ENV = "BRUJULA_ID_KEY"

EraseHook = Callable[[str], Awaitable[None]]
_erase_hooks: list[EraseHook] = []


def _key() -> bytes:
    configured = os.environ.get(ID_KEY_ENV)
    if configured:
        return configured.encode()
    return paths.local_secret("id_key", lambda: secrets.token_hex(32), ID_KEY_ENV).encode()


def pseudonymize(channel: str, raw_id: str) -> str:
    """The sender id Rasa sees for ``raw_id`` on ``channel``: stable, not reversible without the key."""
    digest = hmac.new(_key(), f"{channel}:{raw_id}".encode(), hashlib.sha256).hexdigest()
    return f"{channel}-{digest[:32]}"


# Pseudonymous sender ids ("whatsapp-<32 hex>") and desk ids (32 hex) are stable for a person: in a log
# line (which no erase can reach) they would link a returning person to their old trail. Log lines carry a
# token instead, keyed with a random value that changes every day and per process: it still follows
# one conversation through a few minutes of logs, and links nothing after that.
_LINKABLE = re.compile(r"\b(?:[a-z]+-)?[0-9a-f]{32}\b")
_TOKEN_PERIOD = 24 * 3600
_token_key: tuple[int, bytes] = (-1, b"")


def log_token(value: str) -> str:
    """A short token for ``value`` that cannot be linked to it after the day (or the process) ends."""
    global _token_key
    period = int(time.time() // _TOKEN_PERIOD)
    if _token_key[0] != period:
        _token_key = (period, secrets.token_bytes(32))
    return "id~" + hmac.new(_token_key[1], value.encode(), hashlib.sha256).hexdigest()[:10]


def scrub(text: str) -> str:
    """``text`` with every sender id and desk id replaced by its :func:`log_token`."""
    return _LINKABLE.sub(lambda m: log_token(m.group()), text)


def _scrub_value(value: Any) -> Any:
    return scrub(value) if isinstance(value, str) else value


_base_factory = logging.getLogRecordFactory()


def _scrubbing_factory(*args: Any, **kwargs: Any) -> logging.LogRecord:
    record = _base_factory(*args, **kwargs)
    if isinstance(record.msg, str):
        record.msg = scrub(record.msg)
    if isinstance(record.args, tuple):
        record.args = tuple(_scrub_value(a) for a in record.args)
    elif isinstance(record.args, dict):
        record.args = {k: _scrub_value(v) for k, v in record.args.items()}
    return record


def install_log_scrubber() -> None:
    """Scrub ids from every log record of the process (Rasa's own included); idempotent."""
    if logging.getLogRecordFactory() is not _scrubbing_factory:
        logging.setLogRecordFactory(_scrubbing_factory)


install_log_scrubber()


def register_erase_hook(hook: EraseHook) -> None:
    """Run ``hook(sender_id)`` whenever a person's data is erased (hand-off queue, contact store...)."""
    if hook not in _erase_hooks:
        _erase_hooks.append(hook)


async def run_erase_hooks(sender_id: str) -> None:
    for hook in list(_erase_hooks):
        try:
            await hook(sender_id)
        except Exception:  # one failing store must not stop the others from erasing
            logger.exception("An erase hook failed for a conversation; the others still ran")
