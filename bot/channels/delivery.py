"""Delivering a user message: hand it to Rasa (or to the person holding the conversation), and make sure the
user hears back. Every channel goes through :func:`deliver`.

:func:`deliver`

* reads the conversation once (:func:`read_state`: hand-off state and language) and keeps the bot quiet
  while a person holds it (slot ``handoff`` is ``active``): the message is only recorded in the tracker,
  where the desk console reads it;
* otherwise lets Rasa answer, and if Rasa produced nothing (action server down, an exception), sends a
  short "technical problem" message with emergency numbers, in the user's language;
* never answers as if the message were stored when it is not: if the conversation cannot be read (the
  bot cannot know whether a staff member holds it) or the turn cannot be saved after the store's retries,
  the answer is replaced by "your message could not be saved, send it again" (with emergency numbers);
* returns a :class:`Delivered` with what the channel needs afterwards (state before and after the
  turn, desk messages waiting), so no channel reads the conversation again.
"""

from __future__ import annotations

import logging
from collections.abc import Awaitable, Callable
from dataclasses import dataclass, field
from typing import Any, Text

from rasa.core.channels.channel import OutputChannel, UserMessage

from bot import content, inprocess_actions, language, trackers
from bot.conversation import reply_language
from bot.conversation.vocabulary import Handoff, Meta, Slot
from bot.handoff import records

logger = logging.getLogger(__name__)

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

    async def send_response(self, recipient_id: Text, message: dict[Text, Any]) -> None:
        self.sent += 1
        await self.inner.send_response(recipient_id, message)

    async def send_text_message(self, recipient_id: Text, text: Text, **kwargs: Any) -> None:
        self.sent += 1
        await self.inner.send_text_message(recipient_id, text, **kwargs)


@dataclass(frozen=True)
class ConversationState:
    """The stored conversation as one read found it, before the new message is handled."""

    tracker: Any | None = None  # None: the model is loading, the store is down, or nobody wrote yet
    unreadable: bool = False  # the store failed: whether a person holds the conversation is unknown
    handoff: str | None = None
    language_slot: str | None = None
    language: str = language.DEFAULT_LANGUAGE  # the language to write to this person in

    @property
    def held_by_person(self) -> bool:
        return self.handoff == Handoff.ACTIVE


async def read_state(agent: Any, sender_id: str, hint: str | None = None) -> ConversationState:
    """Read the conversation once: hand-off state and language (``hint``: the channel's, for this message)."""
    try:
        tracker = await trackers.tracker_if_ready(agent, sender_id)
    except Exception:  # the store is down (after its retries): unknown state, the bot must not answer
        logger.exception("Could not read the conversation")
        return ConversationState(unreadable=True, language=reply_language.decide(None, None, hint))
    if tracker is None:
        return ConversationState(language=reply_language.decide(None, None, hint))
    slot = tracker.get_slot(Slot.LANGUAGE)
    return ConversationState(
        tracker=tracker,
        handoff=tracker.get_slot(Slot.HANDOFF),
        language_slot=slot,
        language=reply_language.for_conversation(getattr(tracker, "events", ()), slot, hint),
    )


@dataclass
class Delivered:
    """What :func:`deliver` did, and the conversation before and after, for the channel to use."""

    replies: int
    before: ConversationState
    saved: trackers.SavedTurn = field(default_factory=lambda: trackers.SavedTurn(""))
    not_saved: bool = False  # the person was told to send the message again

    @property
    def tracker_after(self) -> Any | None:
        """The conversation as the turn saved it (None if erased, or if the store did not report the save)."""
        return self.saved.tracker

    async def after(self, agent: Any) -> Any | None:
        """The conversation after the turn: as saved, else (a store that does not report saves) read again."""
        if self.saved.seen:
            return self.saved.tracker
        return await trackers.tracker_if_ready(agent, self.saved.sender_id)


def technical_problem_text(
    text: str, hint: str | None = None, slot_value: str | None = None, key: str = "technical_problem"
) -> str:
    """The "technical problem" message in the conversation's language, else that of ``text`` or the hint.

    ``key="message_not_saved"`` gives the variant that asks the person to send the message again.
    """
    try:
        snapshot = content.current()
    except Exception:  # content itself unreadable: still say something useful
        return _LAST_RESORT
    return snapshot.text(key, reply_language.for_conversation((), slot_value, hint, text=text or ""))


def _store_failure(error: BaseException | None) -> bool:
    """True when ``error`` (or what caused it) means the turn was not stored: tracker store or lock store down."""
    from sqlalchemy.exc import DBAPIError

    from bot.tracker_store import TrackerNotSavedError

    seen: set[int] = set()
    while error is not None and id(error) not in seen:
        seen.add(id(error))
        if isinstance(error, TrackerNotSavedError | DBAPIError):
            return True
        if type(error).__module__.startswith("redis"):  # the lock store (Redis) is down
            return True
        error = error.__cause__ or error.__context__
    return False


def _discard_replies(output: OutputChannel) -> None:
    """Drop the answers a turn collected but has not sent yet (they were produced for an unsaved turn)."""
    if hasattr(output, "take_parts"):  # WhatsApp, Telegram: sent together after the turn
        output.take_parts()
    elif isinstance(getattr(output, "messages", None), list):  # REST, web chat: returned after the turn
        output.messages.clear()


async def _ask_to_resend(message: UserMessage, state: ConversationState) -> None:
    metadata = message.metadata or {}
    text = technical_problem_text(
        message.text or "", metadata.get(Meta.LANGUAGE_HINT), state.language_slot, key="message_not_saved"
    )
    try:
        await message.output_channel.send_text_message(message.sender_id, text)
    except Exception:
        logger.exception("Could not send the 'send it again' message on %s", message.input_channel)


async def deliver(
    on_new_message: Callable[[UserMessage], Awaitable[Any]],
    message: UserMessage,
    agent: Any = None,
    state: ConversationState | None = None,
) -> Delivered:
    """Pass ``message`` to Rasa (or to the person holding the conversation).

    Args:
        state: the conversation as the channel already read it for this message (a photo's notice needs
            the language first); read here otherwise. Either way, once per message.
    """
    metadata = message.metadata or {}
    inprocess_actions.install(agent)  # endpoints.yml may ask for the actions to run in this process
    state = state or await read_state(agent, message.sender_id, metadata.get(Meta.LANGUAGE_HINT))
    # Rasa's own read of the conversation (also log_message's) reuses the tracker read above if still current
    with trackers.watch_saves(message.sender_id) as saved, trackers.share_read(message.sender_id, state.tracker):
        if state.unreadable:
            # A staff member may be holding this conversation: the bot must not answer over them.
            logger.error(
                "Conversation unreadable on %s: asked the person to send the message again", message.input_channel
            )
            await _ask_to_resend(message, state)
            return Delivered(1, state, saved, not_saved=True)
        if state.held_by_person:
            # log_message takes no lock itself: hold the conversation's lock so a desk action at the
            # same instant cannot make the SQL store drop one of the two events.
            try:
                async with agent.lock_store.lock(message.sender_id):
                    await agent.log_message(message)
            except Exception as error:
                if not _store_failure(error):
                    raise
                logger.exception("A message for a staff member could not be stored on %s", message.input_channel)
                await _ask_to_resend(message, state)
                return Delivered(1, state, saved, not_saved=True)
            return Delivered(0, state, saved)
        output = CountingOutputChannel(message.output_channel)
        wrapped = UserMessage(
            text=message.text,
            output_channel=output,
            sender_id=message.sender_id,
            input_channel=message.input_channel,
            message_id=message.message_id,
            metadata=message.metadata,
        )
        failure: BaseException | None = None
        try:
            await on_new_message(wrapped)
        except Exception as error:
            failure = error
            logger.exception("Rasa failed on a message from channel %s", message.input_channel)
    if saved.failed or _store_failure(failure):
        _discard_replies(message.output_channel)
        logger.error("A turn on %s was not stored: asked the person to send the message again", message.input_channel)
        await _ask_to_resend(message, state)
        return Delivered(1, state, saved, not_saved=True)
    if output.sent == 0:
        text = technical_problem_text(message.text or "", metadata.get(Meta.LANGUAGE_HINT), state.language_slot)
        logger.error("No reply produced for a message on %s: sent the technical-problem message", message.input_channel)
        try:
            await message.output_channel.send_text_message(message.sender_id, text)
        except Exception:
            logger.exception("Could not even send the technical-problem message on %s", message.input_channel)
        return Delivered(1, state, saved)
    return Delivered(output.sent, state, saved)


def pushed_before_this_message(tracker: Any, sender_id: str) -> list[dict[str, Any]]:
    """Desk messages written between the user's previous message and this one (REST cannot push them)."""
    if tracker is None:
        return []
    user_times: list[float] = []  # this message's time, then the previous message's
    for event in reversed(tracker.events):
        if getattr(event, "type_name", None) == "user":
            user_times.append(float(event.timestamp))
            if len(user_times) == 2:
                break
    if not user_times:
        return []
    end = user_times[0]
    start = user_times[1] if len(user_times) == 2 else 0.0
    return [
        {"recipient_id": sender_id, "text": item.text, "custom": {"from": item.role, "kind": item.kind}}
        for item in records.pushed_since(tracker, start)
        if item.at <= end
    ]
