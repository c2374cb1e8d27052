"""Reaching the stored conversation from outside Rasa's own turn handling (channels, the desk, the web chat).

* :func:`tracker_if_ready`: the conversation, or ``None`` while the model is still loading (no agent or no
  tracker store yet) or when the person has never written: the one place that check is written.
* :func:`watch_saves`: the tracker a turn saved, seen as Rasa saves it, so a channel that needs the state
  after the answer (hand-off requested? desk messages to return?) need not read the store again.
  :class:`bot.tracker_store.PrivacyTrackerStore` reports each save through :func:`note_saved`.
"""

from __future__ import annotations

import asyncio
import contextlib
import contextvars
from collections.abc import Iterator
from dataclasses import dataclass
from typing import Any

from rasa.core.tracker_store import FailSafeTrackerStore


def store_of(agent: Any) -> Any | None:
    """The agent's tracker store, or None while the model is loading."""
    return getattr(agent, "tracker_store", None) if agent is not None else None


async def tracker_if_ready(agent: Any, sender_id: str) -> Any | None:
    """The conversation of ``sender_id``; None if the agent is not ready or nothing is stored yet."""
    store = store_of(agent)
    if store is None:
        return None
    make_strict(agent)
    return await store.retrieve(sender_id)


@dataclass
class SavedTurn:
    """What the tracker store saved for one conversation while a turn was being handled."""

    sender_id: str
    tracker: Any | None = None
    erased: bool = False
    failed: bool = False  # the store refused the turn even after retries: it is not stored

    @property
    def seen(self) -> bool:
        return self.tracker is not None or self.erased


_watching: contextvars.ContextVar[SavedTurn | None] = contextvars.ContextVar("brujula_saved_turn", default=None)


@contextlib.contextmanager
def watch_saves(sender_id: str) -> Iterator[SavedTurn]:
    """Within the block (and the tasks it awaits), remember the last tracker saved for ``sender_id``."""
    saved = SavedTurn(sender_id)
    token = _watching.set(saved)
    try:
        yield saved
    finally:
        _watching.reset(token)


def note_saved(tracker: Any, erased: bool = False) -> None:
    """Called by the tracker store on every save (cheap when nobody is watching)."""
    saved = _watching.get()
    if saved is not None and getattr(tracker, "sender_id", None) == saved.sender_id:
        saved.tracker, saved.erased = (None, True) if erased else (tracker, False)
        saved.failed = False


def note_save_failed(tracker: Any) -> None:
    """Called by the tracker store when a turn could not be stored: the channel must not answer as if it was."""
    saved = _watching.get()
    if saved is not None and getattr(tracker, "sender_id", None) == saved.sender_id:
        saved.failed = True


def _reraise(error: Exception) -> None:
    raise error


def make_strict(agent: Any) -> None:
    """Let tracker-store errors reach the caller instead of Rasa's fail-safe wrapper.

    Rasa wraps every store in ``FailSafeTrackerStore``, which answers a failed read with an empty
    conversation and keeps a failed save in memory only: both would answer the person as if their
    message were stored (and a failed read would ignore a staff member holding the conversation).
    """
    store = store_of(agent)
    if isinstance(store, FailSafeTrackerStore) and getattr(store, "_on_tracker_store_error", None) is not _reraise:
        store._on_tracker_store_error = _reraise


@dataclass
class _Prefetched:
    sender_id: str
    tracker: Any
    task: Any  # only the task handling this message gets it (not tasks it starts, which copy the context)


_prefetched: contextvars.ContextVar[_Prefetched | None] = contextvars.ContextVar("brujula_prefetched", default=None)


@contextlib.contextmanager
def share_read(sender_id: str, tracker: Any | None) -> Iterator[None]:
    """Within the block, offer ``tracker`` (just read for this message) to Rasa's own read of the conversation.

    :class:`bot.tracker_store.PrivacyTrackerStore` hands it to Rasa once, and only after checking that
    nothing was stored for the conversation since it was read; otherwise Rasa reads the store as usual.
    The tracker is Rasa's from then on: the turn adds its events to it.
    """
    offered = _Prefetched(sender_id, tracker, _current_task()) if tracker is not None else None
    token = _prefetched.set(offered)
    try:
        yield
    finally:
        _prefetched.reset(token)


def take_prefetched(sender_id: str) -> Any | None:
    """The tracker offered by :func:`share_read` for ``sender_id``, once; None otherwise."""
    offered = _prefetched.get()
    if offered is None or offered.sender_id != sender_id or offered.tracker is None:
        return None
    if offered.task is not _current_task():
        return None
    tracker, offered.tracker = offered.tracker, None
    return tracker


def _current_task() -> Any | None:
    try:
        return asyncio.current_task()
    except RuntimeError:  # no running loop
        return None
