"""The hand-off queue: every conversation whose tracker says ``handoff`` is ``requested`` or ``active``.

The tracker store is the only truth. To avoid reading every conversation on each refresh, a
per-process index remembers which conversations *may* be in the queue, and each listing checks
them against their trackers (so the index can never show a stale entry):

* SQL stores (SQLite, PostgreSQL): new ``handoff`` slot events are found incrementally by event id;
  the first listing after a start reads them once, so a restart loses nothing;
* the in-memory store: its conversations are scanned (it only exists in one process anyway);
* any other store (Redis...): every key is checked; fine for small deployments.

Erasing a conversation (``delete my data``) removes it from the index at once (erase hook); its
events are gone from the store anyway.
"""

from __future__ import annotations

import asyncio
import logging
import time
from collections.abc import Awaitable, Callable, Iterable
from dataclasses import dataclass
from typing import Any

from rasa.core.tracker_store import InMemoryTrackerStore, SQLTrackerStore

from bot import personal_data
from bot.conversation.vocabulary import Slot
from bot.handoff import records

logger = logging.getLogger(__name__)


def desk_ref(sender_id: str) -> str:
    """A keyed-hash desk id (only when no desk database gives random ones: see ``DeskStorage.ref_for``)."""
    return personal_data.pseudonymize("desk", sender_id).split("-", 1)[1]


def short_ref(ref: str) -> str:
    return ref[:8].upper()


@dataclass
class QueueEntry:
    ref: str
    view: records.ConversationView

    def as_dict(self, now: float | None = None, last: int = 3) -> dict[str, Any]:
        view = self.view
        return {
            "ref": self.ref,
            "short_id": short_ref(self.ref),
            "status": view.status,
            "reason": view.reason,
            "urgent": view.urgent,
            "channel": view.channel,
            "language": view.language,
            "waited_seconds": int(view.waited(now)),
            "requested_at": view.requested_at,
            "staff": view.staff,
            "staff_name": view.staff_name,
            "followup_sent": view.followup_sent,
            "last_messages": [item.as_dict() for item in view.history[-last:]],
        }


class HandoffQueue:
    """Lists the conversations waiting for, or held by, a person."""

    def __init__(
        self, agent_getter: Any, history_limit: int = 60, ref_for: Callable[[str], Awaitable[str]] | None = None
    ) -> None:
        self._agent_getter = agent_getter
        self._ref_for = ref_for  # the desk database's random ids, which "delete my data" rotates
        self.history_limit = history_limit
        self._candidates: set[str] = set()
        self._last_event_id = 0
        self._refs: dict[str, str] = {}
        self._lock = asyncio.Lock()
        self._warned_scan = False
        personal_data.register_erase_hook(self.forget)

    @property
    def agent(self) -> Any:
        return self._agent_getter()

    async def forget(self, sender_id: str) -> None:
        self._candidates.discard(sender_id)
        self._refs = {ref: sid for ref, sid in self._refs.items() if sid != sender_id}
        # SQLite gives a deleted row's id to the next row: scan again, or a request made right after
        # an erase would sort below the ids already read and never reach the queue.
        self._last_event_id = 0

    async def _discover(self) -> Iterable[str]:
        store = records.unwrap_store(self.agent.tracker_store)
        if isinstance(store, SQLTrackerStore):
            return self._discover_sql(store)  # quick, and synchronous like Rasa's own SQL store
        if isinstance(store, InMemoryTrackerStore):
            return list(store.store.keys())
        if not self._warned_scan:
            logger.warning(
                "Hand-off queue: %s has no index, every conversation is checked on each listing",
                store.__class__.__name__,
            )
            self._warned_scan = True
        return list(await store.keys())

    def _discover_sql(self, store: SQLTrackerStore) -> list[str]:
        found: list[str] = []
        event = store.SQLEvent
        with store.session_scope() as session:
            rows = (
                session.query(event.id, event.sender_id, event.data)
                .filter(event.type_name == "slot", event.action_name == Slot.HANDOFF, event.id > self._last_event_id)
                .order_by(event.id)
                .all()
            )
        for row_id, sender_id, data in rows:
            self._last_event_id = max(self._last_event_id, int(row_id))
            if records.slot_event_value(data) in records.OPEN_STATES:
                found.append(sender_id)
        return found

    async def entries(self) -> list[QueueEntry]:
        """Open conversations, urgent first, then the longest waiting."""
        async with self._lock:
            self._candidates.update(await self._discover())
            candidates = list(self._candidates)
        entries: list[QueueEntry] = []
        for sender_id in candidates:
            try:
                view = await records.retrieve_view(self.agent, sender_id, self.history_limit)
            except Exception:  # one unreadable conversation must not hide the others
                logger.exception("Hand-off queue: could not read a conversation")
                continue
            if view is None or not view.open:
                self._candidates.discard(sender_id)
                continue
            ref = await self._ref_for(sender_id) if self._ref_for else desk_ref(sender_id)
            self._refs = {r: s for r, s in self._refs.items() if s != sender_id}  # an id rotated by an erase
            self._refs[ref] = sender_id
            entries.append(QueueEntry(ref, view))
        now = time.time()
        entries.sort(key=lambda e: (not e.view.urgent, -e.view.waited(now)))
        return entries

    async def resolve(self, ref: str) -> str | None:
        """The sender id behind a desk reference, if that conversation is (or just was) in the queue."""
        if ref not in self._refs:
            await self.entries()
        return self._refs.get(ref)
