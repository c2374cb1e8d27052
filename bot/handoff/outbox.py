"""Messages Brújula sends without the person having just written (the help desk's replies).

Each channel registers ``async send_proactive(sender_id, texts, language) -> bool``; callers use :func:`send`::

    from bot.handoff import outbox
    delivered = await outbox.send(outbox.channel_from_sender_id(sender_id), sender_id, ["Bonjou, se Ana..."], "ht")

``language`` is the conversation's language: WhatsApp needs it outside the 24-hour window, where only an
approved template (one per language) may be sent.

A channel that is not registered yet is imported on first use (``bot.channels.<name>``), so the
sender works in any process that has the channel's configuration in its environment.
"""

from __future__ import annotations

import importlib
import logging
from collections.abc import Awaitable, Callable

logger = logging.getLogger(__name__)

ProactiveSender = Callable[[str, list[str], str | None], Awaitable[bool]]  # (sender_id, texts, language)
_senders: dict[str, ProactiveSender] = {}
_MODULES = {"whatsapp": "bot.channels.whatsapp", "telegram": "bot.channels.telegram"}


def register(name: str, sender: ProactiveSender) -> None:
    """Make ``sender`` the way to reach people on channel ``name``."""
    _senders[name] = sender


def channel_from_sender_id(sender_id: str) -> str | None:
    """The channel a pseudonymous sender id belongs to ("whatsapp-3f2a..." -> "whatsapp")."""
    prefix = sender_id.split("-", 1)[0]
    return prefix if prefix in _MODULES or prefix in _senders else None


async def send(channel: str | None, sender_id: str, texts: list[str], language: str | None = None) -> bool:
    """Send ``texts`` to the person behind ``sender_id`` on ``channel``; False if that is not possible.

    ``language`` (the conversation's, "ht"...) picks the WhatsApp template when the 24-hour window is closed.

    Never raises: a failure is logged (with the pseudonymous id only) and reported as False.
    """
    channel = channel or channel_from_sender_id(sender_id)
    if channel is None:
        logger.error("No channel can reach %s: not a WhatsApp or Telegram conversation", sender_id)
        return False
    sender = _senders.get(channel)
    if sender is None and channel in _MODULES:
        try:
            importlib.import_module(_MODULES[channel])  # registers itself on import
        except Exception:
            logger.exception("Could not load the %s channel", channel)
        sender = _senders.get(channel)
    if sender is None:
        logger.error("No proactive sender registered for channel %r", channel)
        return False
    texts = [text for text in texts if text and text.strip()]
    if not texts:
        return False
    try:
        return bool(await sender(sender_id, texts, language))
    except Exception:
        logger.exception("Proactive message on %s to %s failed", channel, sender_id)
        return False
