"""What every Brújula channel shares: hand a message to Rasa and make sure the user hears back.

:func:`deliver` is the one way a channel passes a user message on. It

* keeps the bot quiet while a person holds the conversation (slot ``handoff`` is ``active``): the
  message is only recorded in the tracker, where the desk console reads it;
* otherwise lets Rasa answer, and if Rasa produced nothing (action server down, an exception),
  sends a short "technical problem" message with emergency numbers, in the user's language.
"""

from __future__ import annotations

import logging
from typing import Any, Awaitable, Callable, Dict, Optional, Text

from rasa.core.channels.channel import OutputChannel, UserMessage

from bot import content, language

logger = logging.getLogger(__name__)

HANDOFF_ACTIVE = "active"

_LAST_RESORT = (
    "Brújula: technical problem, try again in a few minutes / problema técnico, intenta de nuevo en unos minutos "
    "/ problema técnico, tente de novo / problème technique, réessayez / pwoblèm teknik, eseye ankò. "
    "Emergency/emergencia: 911 · 123 (CO) · 190 (BR) · 105 (PE) · 133 (CL)"
)


class CountingOutputChannel(OutputChannel):
    """Wraps a channel's output and counts what the bot sends through it."""

    def __init__(self, inner: OutputChannel) -> None:
        self.inner = inner
        self.sent = 0

    @classmethod
    def name(cls) -> Text:
        return "counting"

    def __getattr__(self, item: str) -> Any:  # e.g. CollectingOutputChannel.messages
        return getattr(self.inner, item)

    async def send_response(self, recipient_id: Text, message: Dict[Text, Any]) -> None:
        self.sent += 1
        await self.inner.send_response(recipient_id, message)

    async def send_text_message(self, recipient_id: Text, text: Text, **kwargs: Any) -> None:
        self.sent += 1
        await self.inner.send_text_message(recipient_id, text, **kwargs)


def technical_problem_text(text: str, hint: Optional[str] = None) -> str:
    """The "technical problem" message in the language of ``text`` (or the channel's hint)."""
    try:
        snapshot = content.current()
    except Exception:  # content itself unreadable: still say something useful
        return _LAST_RESORT
    detection = language.detect(text or "")
    return snapshot.text("technical_problem", language.reply_language(None, detection, hint))


async def handoff_active(agent: Any, sender_id: str) -> bool:
    """True when a person holds this conversation (read from the tracker store, so it survives restarts)."""
    if agent is None or getattr(agent, "tracker_store", None) is None:
        return False
    tracker = await agent.tracker_store.retrieve(sender_id)
    return bool(tracker and tracker.get_slot("handoff") == HANDOFF_ACTIVE)


async def deliver(
    on_new_message: Callable[[UserMessage], Awaitable[Any]],
    message: UserMessage,
    agent: Any = None,
) -> int:
    """Pass ``message`` to Rasa (or to the person holding the conversation); return how many replies went out."""
    metadata = message.metadata or {}
    if await handoff_active(agent, message.sender_id):
        # log_message takes no lock itself: hold the conversation's lock so a desk action at the
        # same instant cannot make the SQL store drop one of the two events.
        async with agent.lock_store.lock(message.sender_id):
            await agent.log_message(message)
        return 0
    output = CountingOutputChannel(message.output_channel)
    wrapped = UserMessage(
        text=message.text,
        output_channel=output,
        sender_id=message.sender_id,
        input_channel=message.input_channel,
        message_id=message.message_id,
        metadata=message.metadata,
    )
    try:
        await on_new_message(wrapped)
    except Exception:
        logger.exception("Rasa failed on a message from channel %s", message.input_channel)
    if output.sent == 0:
        text = technical_problem_text(message.text or "", metadata.get("language_hint"))
        logger.error("No reply produced for a message on %s: sent the technical-problem message",
                     message.input_channel)
        try:
            await message.output_channel.send_text_message(message.sender_id, text)
        except Exception:
            logger.exception("Could not even send the technical-problem message on %s", message.input_channel)
        return 1
    return output.sent
