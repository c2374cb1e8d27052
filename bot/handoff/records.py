"""Hand-off records kept in the tracker store (state, history, desk events): nothing about it lives anywhere else.

The dialogue sets the slots ``handoff`` (``requested``), ``handoff_reason`` and ``handoff_requested_at``.
The desk moves the conversation on by appending events to the same tracker, under Rasa's lock for
that conversation (shared across replicas when the lock store is Redis):

* taking it: ``SlotSet("handoff", "active")`` whose metadata names the staff member, and a
  ``BotUttered`` telling the user a person has joined;
* a staff reply: a ``BotUttered`` with ``metadata["brujula_desk"]["kind"] == "staff_reply"``;
* handing it back: the hand-off slots cleared, a ``BotUttered`` saying so, and ``action_listen``;
* the follow-up when nobody took it in time: a ``BotUttered`` of kind ``handoff_followup``.

So the state survives restarts, several replicas see the same thing, and erasing a conversation
erases its hand-off with it.
"""

from __future__ import annotations

import json
import time
import uuid
from collections.abc import Callable, Iterable, Sequence
from dataclasses import dataclass, field
from typing import Any

from rasa.shared.core.events import ActionExecuted, BotUttered, Event, SlotSet, UserUttered
from rasa.shared.core.trackers import DialogueStateTracker

from bot import trackers
from bot.conversation import reply_language
from bot.conversation.vocabulary import HANDOFF_OPEN_STATES, URGENT_REASONS, Handoff, Meta, Slot

REQUESTED, ACTIVE = Handoff.REQUESTED, Handoff.ACTIVE
OPEN_STATES = HANDOFF_OPEN_STATES
META = Meta.DESK  # key of our entry in an event's metadata

# Messages that reach the user outside the normal question -> answer flow (the web chat polls for them,
# WhatsApp and Telegram get them proactively, the REST channel returns them with the next answer).
PUSHED_KINDS = ("handoff_taken", "staff_reply", "handoff_returned", "handoff_released", "handoff_followup")


class HandoffError(Exception):
    """A desk action that does not fit the conversation's current state (shown to staff as a 409)."""

    def __init__(self, code: str, message: str) -> None:
        super().__init__(message)
        self.code = code


class ConversationGoneError(HandoffError):
    def __init__(self) -> None:
        super().__init__("not_found", "This conversation no longer exists (it may have been erased).")


@dataclass
class HistoryItem:
    """One message as staff and the web chat show it."""

    role: str  # "user", "bot", "staff", "desk" (a notice from the hand-off itself)
    text: str
    at: float
    id: str
    buttons: list[dict[str, str]] = field(default_factory=list)
    staff_name: str | None = None
    kind: str | None = None

    def as_dict(self) -> dict[str, Any]:
        data: dict[str, Any] = {"role": self.role, "text": self.text, "at": self.at, "id": self.id}
        if self.buttons:
            data["buttons"] = self.buttons
        if self.staff_name:
            data["staff_name"] = self.staff_name
        if self.kind:
            data["kind"] = self.kind
        return data


@dataclass
class ConversationView:
    """What the desk needs to know about one conversation, derived from its tracker."""

    sender_id: str
    status: str | None
    reason: str | None
    requested_at: float | None
    staff: str | None
    staff_name: str | None
    channel: str
    language: str | None
    followup_sent: bool
    history: list[HistoryItem]
    slots: dict[str, Any]

    @property
    def urgent(self) -> bool:
        return self.reason in URGENT_REASONS

    @property
    def open(self) -> bool:
        return self.status in OPEN_STATES

    def waited(self, now: float | None = None) -> float:
        return max(0.0, (now or time.time()) - self.requested_at) if self.requested_at else 0.0


def desk_meta(event: Event) -> dict[str, Any]:
    meta = getattr(event, "metadata", None) or {}
    value = meta.get(META)
    return value if isinstance(value, dict) else {}


def _user_text(event: UserUttered) -> str:
    meta = event.metadata or {}
    shown = meta.get(Meta.DISPLAY_TEXT)
    if isinstance(shown, str) and shown.strip():
        return shown.strip()[:500]
    text = event.text or ""
    if text.startswith("/share_location"):
        return "📍"
    if text.startswith("/"):
        return ""  # a button payload or the page's silent greeting: nothing a person typed
    return text


def conversation_channel(sender_id: str, tracker: DialogueStateTracker | None = None) -> str:
    """The channel the person writes on: the latest message's, else the sender id's prefix."""
    if tracker is not None:
        for event in reversed(tracker.events):
            if isinstance(event, UserUttered) and event.input_channel:
                return str(event.input_channel)
    return sender_id.split("-", 1)[0] if "-" in sender_id else "unknown"


def button_fields(buttons: Iterable[Any]) -> list[dict[str, str]]:
    """Buttons as the web chat and the desk show them: ``title`` and ``payload`` as text, nothing else."""
    return [
        {"title": str(b.get("title", "")), "payload": str(b.get("payload", ""))}
        for b in buttons or []
        if isinstance(b, dict)
    ]


def _history_item(event: Event, index: int) -> HistoryItem | None:
    """The message ``event`` (the ``index``-th of its tracker) as shown, or None if it shows nothing."""
    stamp = float(event.timestamp or 0.0)
    if isinstance(event, UserUttered):
        text = _user_text(event)
        return HistoryItem("user", text, stamp, f"u{index}-{int(stamp * 1000)}") if text else None
    if isinstance(event, BotUttered):
        meta = desk_meta(event)
        kind = meta.get("kind")
        role = "staff" if kind == "staff_reply" else "desk" if kind else "bot"
        return HistoryItem(
            role,
            event.text or "",
            stamp,
            str(meta.get("id") or f"b{index}-{int(stamp * 1000)}"),
            buttons=button_fields((event.data or {}).get("buttons") or []),
            staff_name=meta.get("staff_name"),
            kind=kind,
        )
    return None


def history(events: Sequence[Event], limit: int = 60) -> list[HistoryItem]:
    """The last ``limit`` messages, oldest first (read from the end: a long conversation costs no more)."""
    items: list[HistoryItem] = []
    last = len(events) - 1
    for offset, event in enumerate(reversed(events)):  # tracker.events is a deque: no indexing
        if len(items) >= limit:
            break
        item = _history_item(event, last - offset)
        if item is not None:
            items.append(item)
    items.reverse()
    return items


def read_view(tracker: DialogueStateTracker, history_limit: int = 60) -> ConversationView:
    slots = tracker.current_slot_values()
    status = slots.get(Slot.HANDOFF)
    staff = staff_name = None
    followup_sent = False
    for event in reversed(tracker.events):
        if isinstance(event, SlotSet) and event.key == Slot.HANDOFF:
            meta = desk_meta(event)
            if event.value == ACTIVE and staff is None:
                staff, staff_name = meta.get("staff"), meta.get("staff_name")
            if event.value == REQUESTED and not meta:
                break  # the request itself (set by the dialogue): older events belong to an earlier hand-off
        if isinstance(event, BotUttered) and desk_meta(event).get("kind") == "handoff_followup":
            followup_sent = True
    language = reply_language.for_conversation(tracker.events, slots.get(Slot.LANGUAGE))
    requested_at = slots.get(Slot.HANDOFF_REQUESTED_AT)
    return ConversationView(
        sender_id=tracker.sender_id,
        status=status if status in OPEN_STATES else None,
        reason=slots.get(Slot.HANDOFF_REASON),
        requested_at=float(requested_at) if isinstance(requested_at, int | float) else None,
        staff=staff if status == ACTIVE else None,
        staff_name=staff_name if status == ACTIVE else None,
        channel=conversation_channel(tracker.sender_id, tracker),
        language=language,
        followup_sent=followup_sent,
        history=history(tracker.events, history_limit),
        slots=slots,
    )


def is_pushed(event: Event) -> bool:
    """A hand-off message that reaches the user outside the question -> answer flow (see PUSHED_KINDS)."""
    return isinstance(event, BotUttered) and desk_meta(event).get("kind") in PUSHED_KINDS


def pushed_since(tracker: DialogueStateTracker, after: float) -> list[HistoryItem]:
    """Hand-off messages (staff replies, notices) written after ``after`` (a Unix time), oldest first.

    Every event is looked at (replicas' clocks may disagree, so the order of timestamps is not trusted
    to stop early), but only the hand-off messages become history items.
    """
    items: list[HistoryItem] = []
    for index, event in enumerate(tracker.events):
        if is_pushed(event) and float(event.timestamp or 0.0) > after:
            item = _history_item(event, index)
            if item is not None:
                items.append(item)
    return items


def new_message_id() -> str:
    return uuid.uuid4().hex


def desk_message(text: str, kind: str, **meta: Any) -> BotUttered:
    """A message from the hand-off (staff reply or notice), marked so every channel can recognise it."""
    return BotUttered(text=text, metadata={META: {"kind": kind, "id": new_message_id(), **meta}})


def take_events(staff: str, staff_name: str, notice: str) -> list[Event]:
    mark = {META: {"kind": "take", "staff": staff, "staff_name": staff_name}}
    return [
        SlotSet(Slot.HANDOFF, ACTIVE, metadata=mark),
        desk_message(notice, "handoff_taken", staff=staff, staff_name=staff_name),
    ]


def release_events(staff: str, staff_name: str, notice: str) -> list[Event]:
    mark = {META: {"kind": "release", "staff": staff}}
    return [
        SlotSet(Slot.HANDOFF, REQUESTED, metadata=mark),
        desk_message(notice, "handoff_released", staff=staff, staff_name=staff_name),
    ]


def hand_back_events(staff: str, staff_name: str, notice: str) -> list[Event]:
    mark = {META: {"kind": "hand_back", "staff": staff}}
    return [
        SlotSet(Slot.HANDOFF, None, metadata=mark),
        SlotSet(Slot.HANDOFF_REASON, None, metadata=mark),
        SlotSet(Slot.HANDOFF_REQUESTED_AT, None, metadata=mark),
        SlotSet(Slot.FALLBACK_COUNT, 0, metadata=mark),  # a fresh start: three new misunderstandings before the next
        SlotSet(Slot.PENDING_CONFIRMATION, None, metadata=mark),
        desk_message(notice, "handoff_returned", staff=staff, staff_name=staff_name),
        ActionExecuted("action_listen"),  # the bot listens again, as after any turn
    ]


def staff_reply_event(staff: str, staff_name: str, text: str) -> BotUttered:
    return desk_message(text, "staff_reply", staff=staff, staff_name=staff_name)


def followup_event(text: str) -> BotUttered:
    return desk_message(text, "handoff_followup")


def unwrap_store(store: Any) -> Any:
    """The Rasa store that really holds the events (below FailSafeTrackerStore and PrivacyTrackerStore)."""
    seen = 0
    while seen < 5:
        inner = getattr(store, "_tracker_store", None) or getattr(store, "backend", None)
        if inner is None:
            return store
        store, seen = inner, seen + 1
    return store


Mutation = Callable[[ConversationView], Sequence[Event]]


async def mutate(agent: Any, sender_id: str, build: Mutation, history_limit: int = 60) -> ConversationView:
    """Append the events ``build(view)`` returns to the conversation, under its lock; return the new view.

    ``build`` may raise :class:`HandoffError` to refuse (nothing is written then).
    """
    async with _conversation_lock(agent, sender_id):
        tracker = await agent.tracker_store.retrieve(sender_id)
        if tracker is None:
            raise ConversationGoneError()
        events = build(read_view(tracker, history_limit))
        for event in events:
            tracker.update(event)
        await agent.tracker_store.save(tracker)
        return read_view(tracker, history_limit)


class _NoLock:
    async def __aenter__(self) -> None:
        return None

    async def __aexit__(self, *exc: Any) -> None:
        return None


def _conversation_lock(agent: Any, sender_id: str) -> Any:
    lock_store = getattr(agent, "lock_store", None)
    if lock_store is None:
        return _NoLock()
    return lock_store.lock(sender_id)


async def retrieve_view(agent: Any, sender_id: str, history_limit: int = 60) -> ConversationView | None:
    tracker = await trackers.tracker_if_ready(agent, sender_id)
    return read_view(tracker, history_limit) if tracker is not None else None


def slot_event_value(data: str) -> Any:
    """The value of a stored slot event (the JSON Rasa's SQL store keeps in ``events.data``)."""
    try:
        return json.loads(data).get("value")
    except (ValueError, AttributeError):
        return None


__all__ = ["ACTIVE", "REQUESTED", "ConversationView", "HandoffError", "mutate", "read_view"]
