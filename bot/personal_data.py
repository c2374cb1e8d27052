"""Pseudonymous sender ids and the erase-everything hooks.

A phone number or Telegram id never reaches the tracker store or a log: channels pass Rasa a keyed
hash of it (HMAC-SHA256). The key comes from ``BRUJULA_ID_KEY``; for the local embedded mode a
random key is created once in the state folder, readable by its owner only.
"""

from __future__ import annotations

import hashlib
import hmac
import logging
import os
import secrets
from collections.abc import Awaitable, Callable

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
