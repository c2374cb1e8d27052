"""What staff can do with a conversation, and the follow-up nobody has to remember to send.

Every action goes through :func:`bot.handoff.records.mutate` (the tracker store, under the
conversation's lock), is written to the audit log, and then reaches the person on their own channel:

* web chat: the page polls the conversation and shows the message within seconds;
* WhatsApp / Telegram: :func:`bot.handoff.outbox.send` (the WhatsApp sender keeps to the 24-hour
  window and otherwise sends the approved template in the person's language);
* REST: the message is returned with the answer to the person's next message;
* anything else: it stays in the history, and staff are told it could not be delivered.

The message is saved before it is sent, so a failed delivery never loses what staff wrote.
"""

from __future__ import annotations

import asyncio
import contextlib
import logging
import time
from collections.abc import Callable
from dataclasses import dataclass
from typing import Any

from bot import content as content_module
from bot import desk_settings, trackers
from bot.content import Content
from bot.conversation import safety
from bot.handoff import outbox, records
from bot.handoff.queue import HandoffQueue, QueueEntry
from bot.handoff.storage import DeskStorage

logger = logging.getLogger(__name__)

MAX_REPLY_CHARS = 3000
POLLED_CHANNELS = ("webchat",)  # the page fetches new messages itself
NEXT_MESSAGE_CHANNELS = ("rest",)  # delivered with the answer to the next message
SYSTEM = "system"


@dataclass(frozen=True)
class Delivery:
    """How a message from the desk reached (or did not reach) the person."""

    status: str  # "sent" | "in_chat" | "next_message" | "failed"
    channel: str

    @property
    def ok(self) -> bool:
        return self.status in ("sent", "in_chat", "next_message")

    def as_dict(self) -> dict:
        return {"status": self.status, "channel": self.channel, "ok": self.ok}


async def push(channel: str, sender_id: str, texts: list[str], language: str | None = None) -> Delivery:
    """Send ``texts`` to the person on ``channel`` outside a normal answer.

    ``language`` is the conversation's: outside WhatsApp's 24-hour window it picks the template.
    :func:`bot.handoff.outbox.send` never raises, so a broken sender cannot undo the staff action.
    """
    if channel in POLLED_CHANNELS:
        return Delivery("in_chat", channel)
    if channel in NEXT_MESSAGE_CHANNELS:
        return Delivery("next_message", channel)
    sent = await outbox.send(channel, sender_id, texts, language)
    return Delivery("sent" if sent else "failed", channel)


def _must_be_open(view: records.ConversationView) -> None:
    if view.status not in records.OPEN_STATES:
        raise records.HandoffError("not_waiting", "This conversation is already with the bot.")


def _must_be_held(view: records.ConversationView) -> None:
    if view.status != records.ACTIVE:
        raise records.HandoffError("not_taken", "Only a conversation someone holds can be returned to the queue.")


class HandoffService:
    def __init__(
        self,
        agent_getter: Callable[[], Any],
        storage: DeskStorage,
        settings_getter: Callable[[], desk_settings.DeskSettings] = desk_settings.load_settings,
        content_getter: Callable[[], Content] = content_module.current,
    ) -> None:
        self._agent_getter = agent_getter
        self.storage = storage
        self.settings_getter = settings_getter
        self.content_getter = content_getter
        self.queue = HandoffQueue(
            agent_getter,
            history_limit=settings_getter().history_events,
            ref_for=lambda sender_id: storage.run(storage.ref_for, sender_id),
        )
        self._monitor: asyncio.Task | None = None

    @property
    def agent(self) -> Any:
        return self._agent_getter()

    # -- reading --------------------------------------------------------------------------------
    async def entries(self) -> list[QueueEntry]:
        return await self.queue.entries()

    async def conversation(self, ref: str) -> QueueEntry | None:
        sender_id = await self.queue.resolve(ref)
        if sender_id is None:
            return None
        view = await records.retrieve_view(self.agent, sender_id, self.settings_getter().history_events)
        return QueueEntry(ref, view) if view is not None else None

    # -- helpers --------------------------------------------------------------------------------
    def _text(self, key: str, view: records.ConversationView, **values: Any) -> str:
        return self.content_getter().text(key, view.language or "es", **values)

    async def _sender(self, ref: str) -> str:
        sender_id = await self.queue.resolve(ref)
        if sender_id is None:
            raise records.HandoffError("not_found", "This conversation is not in the queue any more.")
        return sender_id

    async def _audit(self, staff: str, action: str, ref: str | None, ip: str | None = None, **detail: Any) -> None:
        try:
            await self.storage.run(self.storage.audit, staff, action, ref, detail or None, ip)
        except Exception:  # the action already happened: say loudly that its audit line is missing
            logger.exception("AUDIT WRITE FAILED: staff=%s action=%s conversation=%s", staff, action, ref)

    @staticmethod
    def _owned_by(view: records.ConversationView, username: str) -> bool:
        return view.staff in (None, username)

    # -- staff actions --------------------------------------------------------------------------
    async def take(
        self, staff: desk_settings.StaffMember, ref: str, ip: str | None = None
    ) -> tuple[records.ConversationView, Delivery]:
        sender_id = await self._sender(ref)
        notice: list[str] = []

        def build(view: records.ConversationView) -> list[Any]:
            if view.status == records.ACTIVE and view.staff == staff.username:
                return []  # a double click: already yours
            if view.status == records.ACTIVE:
                raise records.HandoffError("taken", "Someone else has already taken this conversation.")
            if view.status != records.REQUESTED:
                raise records.HandoffError("not_waiting", "This conversation is not waiting for a person any more.")
            notice.append(self._text("handoff_taken", view, name=staff.name))
            return records.take_events(staff.username, staff.name, notice[0])

        view = await records.mutate(self.agent, sender_id, build)
        delivery = (
            await push(view.channel, sender_id, notice, view.language) if notice else Delivery("in_chat", view.channel)
        )
        if notice:
            await self._audit(
                staff.username,
                "take",
                ref,
                ip,
                channel=view.channel,
                delivery=delivery.status,
                waited_seconds=int(view.waited()),
            )
        return view, delivery

    async def reply(
        self, staff: desk_settings.StaffMember, ref: str, text: str, ip: str | None = None
    ) -> tuple[records.ConversationView, Delivery]:
        text = (text or "").strip()
        if not text:
            raise records.HandoffError("empty", "Write a message first.")
        if len(text) > MAX_REPLY_CHARS:
            raise records.HandoffError("too_long", f"A reply can have at most {MAX_REPLY_CHARS} characters.")
        sender_id = await self._sender(ref)

        def build(view: records.ConversationView) -> list[Any]:
            if view.status != records.ACTIVE:
                raise records.HandoffError("not_taken", "Take the conversation before replying.")
            if not self._owned_by(view, staff.username):
                raise records.HandoffError("taken", "Someone else has taken this conversation.")
            return [records.staff_reply_event(staff.username, staff.name, text)]

        view = await records.mutate(self.agent, sender_id, build)
        delivery = await push(view.channel, sender_id, [text], view.language)
        await self._audit(
            staff.username, "reply", ref, ip, channel=view.channel, delivery=delivery.status, characters=len(text)
        )
        return view, delivery

    async def hand_back(
        self, staff: desk_settings.StaffMember, ref: str, ip: str | None = None
    ) -> tuple[records.ConversationView, Delivery]:
        """Give the conversation back to the bot (waiting or held by ``staff``)."""
        return await self._let_go(
            staff, ref, ip, _must_be_open, "handoff_returned", records.hand_back_events, "hand_back"
        )

    async def release(
        self, staff: desk_settings.StaffMember, ref: str, ip: str | None = None
    ) -> tuple[records.ConversationView, Delivery]:
        """Put a conversation back in the queue for a colleague (e.g. at the end of a shift)."""
        return await self._let_go(staff, ref, ip, _must_be_held, "handoff_released", records.release_events, "release")

    async def _let_go(
        self,
        staff: desk_settings.StaffMember,
        ref: str,
        ip: str | None,
        check: Callable[[records.ConversationView], None],
        notice_key: str,
        events: Callable[[str, str, str], list[Any]],
        action: str,
    ) -> tuple[records.ConversationView, Delivery]:
        """Stop holding a conversation (hand back to the bot, or return to the queue).

        Args:
            check: raises :class:`records.HandoffError` when the conversation's state does not allow it.
            notice_key: the ``content/ui.yml`` key of what the person is told.
            events: builds the tracker events from (staff username, staff name, notice).
            action: the audit log's name for it.
        """
        sender_id = await self._sender(ref)
        notice: list[str] = []

        def build(view: records.ConversationView) -> list[Any]:
            check(view)
            if view.status == records.ACTIVE and not self._owned_by(view, staff.username):
                raise records.HandoffError("taken", "Someone else has taken this conversation.")
            notice.append(self._text(notice_key, view, name=staff.name))
            return events(staff.username, staff.name, notice[0])

        view = await records.mutate(self.agent, sender_id, build)
        delivery = await push(view.channel, sender_id, notice, view.language)
        await self._audit(staff.username, action, ref, ip, channel=view.channel, delivery=delivery.status)
        return view, delivery

    async def record_view(self, staff: desk_settings.StaffMember, ref: str, ip: str | None = None) -> None:
        await self._audit(staff.username, "view", ref, ip)

    # -- follow-up ------------------------------------------------------------------------------
    def followup_text(self, view: records.ConversationView) -> str:
        """ "Nobody has answered yet" with the desk's hours and the emergency numbers, in the user's language."""
        return safety.followup_text(self.content_getter(), view.slots, view.language, self.settings_getter())

    async def check_followups(self, now: float | None = None) -> int:
        """Send the follow-up to every conversation nobody took within ``followup_after_minutes``."""
        now = now or time.time()
        limit = self.settings_getter().followup_after_minutes * 60
        sent = 0
        for entry in await self.queue.entries():
            view = entry.view
            if view.status != records.REQUESTED or view.followup_sent or view.waited(now) < limit:
                continue
            texts: list[str] = []

            def build(current: records.ConversationView, texts: list[str] = texts) -> list[Any]:
                if current.status != records.REQUESTED or current.followup_sent:
                    return []  # another replica was faster, or someone took it meanwhile
                texts.append(self.followup_text(current))
                return [records.followup_event(texts[0])]

            try:
                view = await records.mutate(self.agent, view.sender_id, build)
            except records.HandoffError:
                continue
            if not texts:
                continue
            delivery = await push(view.channel, view.sender_id, texts, view.language)
            await self._audit(
                SYSTEM,
                "followup",
                entry.ref,
                None,
                channel=view.channel,
                delivery=delivery.status,
                waited_seconds=int(view.waited(now)),
            )
            sent += 1
        return sent

    def start_monitor(self) -> None:
        interval = self.settings_getter().followup_check_seconds
        if interval <= 0 or (self._monitor is not None and not self._monitor.done()):
            return
        self._monitor = asyncio.get_running_loop().create_task(self._run_monitor(interval))

    async def stop_monitor(self) -> None:
        if self._monitor is not None:
            self._monitor.cancel()
            with contextlib.suppress(asyncio.CancelledError):
                await self._monitor
            self._monitor = None

    async def _run_monitor(self, interval: float) -> None:
        while True:
            await asyncio.sleep(interval)
            if trackers.store_of(self.agent) is None:
                continue  # the model is still loading
            try:
                await self.check_followups()
            except Exception:
                logger.exception("Hand-off follow-up check failed; trying again in %s s", interval)


__all__ = ["Delivery", "HandoffService", "push"]
