"""A tracker store that can forget a person completely.

It wraps one of Rasa's own stores (SQL for SQLite or PostgreSQL, in-memory, Redis) and delegates to
it. When an action has set the ``erase_requested`` slot (the user confirmed "delete my data"), the
save that ends that turn deletes every stored event of the conversation instead of writing, and runs
the registered erase hooks. Erasing at save time, inside the Rasa server, means the turn's own
events cannot be written back afterwards.
"""

from __future__ import annotations

import asyncio
import logging
import random
import time
from collections import OrderedDict
from collections.abc import Awaitable, Callable, Coroutine, Iterable
from typing import Any, Text, TypeVar, cast

from rasa.core.brokers.broker import EventBroker
from rasa.core.tracker_store import (
    InMemoryTrackerStore,
    RedisTrackerStore,
    SQLTrackerStore,
    TrackerStore,
    create_tracker_store,
)
from rasa.shared.core.domain import Domain
from rasa.shared.core.events import SlotSet, UserUttered
from rasa.shared.core.trackers import DialogueStateTracker
from rasa.utils.endpoints import EndpointConfig

from bot import action_client, inprocess_actions, rasa_speedups, sql_settings, trackers
from bot.conversation.vocabulary import CHECK_OFFER, Slot
from bot.personal_data import run_erase_hooks

logger = logging.getLogger(__name__)

T = TypeVar("T")

# Every Rasa server loads this module (endpoints.yml names it): also make its action-server calls
# survive a connection closed before the request was sent (see bot.action_client).
action_client.install()

# Back-off between tries of a failed read or save: about 4 s in all, longer than a PostgreSQL restart
# (about 2.5 s) or a Redis fail-over, short enough for a messenger user waiting for the answer.
RETRY_DELAYS: tuple[float, ...] = (0.2, 0.5, 1.0, 2.0)


class TrackerNotSavedError(RuntimeError):
    """The conversation could not be stored even after retries: the person must be told to resend."""


async def with_store_retries(
    attempt: Callable[[], Awaitable[T]], what: str, delays: tuple[float, ...] | None = None
) -> T:
    """Run ``attempt``; on any error try again after each of ``delays`` (with jitter), then raise."""
    delays = RETRY_DELAYS if delays is None else delays
    for number in range(len(delays) + 1):
        try:
            return await attempt()
        except Exception as error:
            if number == len(delays):
                raise
            delay = delays[number] * (1 + random.random() / 4)  # jitter: replicas do not retry in lockstep
            logger.warning(
                "Tracker store: %s failed (%s), try %d of %d in %.1fs",
                what,
                type(error).__name__,
                number + 2,
                len(delays) + 1,
                delay,
            )
            await asyncio.sleep(delay)
    raise AssertionError("unreachable")


def run_to_completion(coroutine: Coroutine[Any, Any, T]) -> T:
    """Run, in this thread, a coroutine that never waits on an event loop; its result.

    Rasa's SQL store has ``async`` methods that block on the database and, without an event broker, never
    await anything that waits: this runs one of them in a worker thread (:meth:`PrivacyTrackerStore._sql`).
    """
    try:
        coroutine.send(None)
    except StopIteration as done:
        return cast(T, done.value)
    coroutine.close()
    raise RuntimeError("a tracker-store call waited on the event loop outside it")


def erase_requested(tracker: DialogueStateTracker) -> bool:
    """True when the latest turn asked to erase the conversation."""
    for event in reversed(tracker.events):
        if isinstance(event, SlotSet) and event.key == Slot.ERASE_REQUESTED:
            return bool(event.value)
        if getattr(event, "type_name", None) == "user":
            return False
    return False


OFFER_TEXT_REMOVED = "[offer checked: text not kept]"


def redact_offer_texts(tracker: DialogueStateTracker) -> None:
    """Blank the text of the latest user message when it was an offer to check.

    A pasted offer can name the person, their recruiter and their plans: only the warning signs found
    (the ``offer_flags`` slot) are kept. The turn's events are still unsaved here, so nothing of the
    text reaches the store.
    """
    checked = False
    for event in reversed(tracker.events):
        if isinstance(event, SlotSet) and event.key == Slot.OFFER_FLAGS:
            checked = True
        if isinstance(event, UserUttered):
            if checked or (event.intent or {}).get("name") == CHECK_OFFER:
                event.text = OFFER_TEXT_REMOVED
                event.parse_data["text"] = OFFER_TEXT_REMOVED
                event.parse_data["entities"] = []
                event.entities = []
            return


async def forget_desk_id(sender_id: str) -> None:
    """Rotate the person's desk id: the desk database forgets which conversation it belonged to."""
    from bot import desk_settings
    from bot.handoff.storage import shared_storage

    try:
        storage = shared_storage(desk_settings.database_url())
        await storage.run(storage.forget_refs, [sender_id])
    except Exception:  # logged loudly: the audit trail would stay linked to this person
        logger.exception("Could not unlink the desk id of an erased conversation")


class PrivacyTrackerStore(TrackerStore):
    """Delegates to ``backend`` (a tracker-store endpoint config) and erases on request.

    With a SQL backend it also keeps the last :attr:`REMEMBERED` trackers it saved, so that the next
    message of a conversation costs one aggregate query instead of reading and replaying every event
    (see :meth:`retrieve`; docs/PERFORMANCE.md).

    endpoints.yml::

        tracker_store:
          type: bot.tracker_store.PrivacyTrackerStore
          backend: {type: sql, dialect: sqlite, db: .state/trackers.db}
    """

    REMEMBERED = 256

    def __init__(
        self,
        domain: Domain | None = None,
        host: Text | None = None,
        event_broker: EventBroker | None = None,
        backend: dict[Text, Any] | None = None,
        **kwargs: Any,
    ) -> None:
        super().__init__(domain, event_broker, **kwargs)
        backend = dict(backend or {"type": "in_memory"})
        store_type = backend.pop("type", "in_memory")
        # PostgreSQL waits for every flush unless durable_commits: false (speed for the last ~0.6 s on a DB crash)
        durable_commits = bool(backend.pop("durable_commits", True))
        url = backend.pop("url", host)
        if store_type == "in_memory":
            self.backend: TrackerStore = InMemoryTrackerStore(domain, event_broker=event_broker)
        else:
            config = EndpointConfig(url=url, type=store_type, **backend)
            self.backend = self._create_backend(config, domain, event_broker)
        engine = getattr(self.backend, "engine", None)
        if isinstance(self.backend, SQLTrackerStore):
            # Rasa's engine has no connection check: after a database restart every pooled connection would
            # fail once. PostgreSQL: test each one before use, without a round trip when recently used.
            sql_settings.check_connections(self.backend.engine)
            sql_settings.keep_connections(self.backend)  # SQLite file: WAL, synchronous=NORMAL, pooled
            if not durable_commits:
                sql_settings.tune_postgres(self.backend)  # PostgreSQL: synchronous_commit=off (opt-in)
        # PostgreSQL: the driver blocks for every round trip. Off the event loop, the server goes on with
        # other conversations meanwhile (an event broker would need the loop: then calls stay on it).
        self._in_thread = bool(
            engine is not None and engine.dialect.name == "postgresql" and self.backend.event_broker is None
        )
        rasa_speedups.apply()
        inprocess_actions.route_remote_actions()  # action_endpoint url "inprocess:actions" works everywhere
        # sender -> (tracker as last saved here, domain): the next message need not replay every event
        self._saved: OrderedDict[str, tuple[DialogueStateTracker, Domain]] = OrderedDict()
        logger.info("Tracker store: %s behind PrivacyTrackerStore", self.backend.__class__.__name__)

    @staticmethod
    def _create_backend(
        config: EndpointConfig, domain: Domain | None, event_broker: EventBroker | None
    ) -> TrackerStore:
        """Rasa's store; tried again when another replica was creating the same tables at that instant."""
        from sqlalchemy.exc import IntegrityError, ProgrammingError

        for attempt in range(5):
            try:
                return create_tracker_store(config, domain, event_broker)
            except (IntegrityError, ProgrammingError):
                if attempt == 4:
                    raise
                time.sleep(0.2 * (attempt + 1))
        raise AssertionError("unreachable")

    @property
    def domain(self) -> Domain:
        return self.backend.domain

    @domain.setter
    def domain(self, domain: Domain | None) -> None:
        self.backend.domain = domain or Domain.empty()

    async def save(self, tracker: DialogueStateTracker) -> None:
        self._saved.pop(tracker.sender_id, None)
        if erase_requested(tracker):
            await self.erase(tracker.sender_id)
            trackers.note_saved(tracker, erased=True)
            return
        redact_offer_texts(tracker)
        try:
            await with_store_retries(lambda: self._sql(lambda: self.backend.save(tracker)), "save")
        except Exception as error:
            # Raised, not swallowed: the channel tells the person to send the message again (Rasa's
            # fail-safe store would keep the turn in this process's memory and answer as if stored).
            trackers.note_save_failed(tracker)
            logger.error(
                "Tracker store: a turn could not be saved after %d tries (%s)",
                len(RETRY_DELAYS) + 1,
                type(error).__name__,
            )
            raise TrackerNotSavedError("the conversation could not be stored") from error
        trackers.note_saved(tracker)  # the channel handling this turn reads the new state from here
        self._remember(tracker)

    def _remember(self, tracker: DialogueStateTracker) -> None:
        """Keep the tracker just saved for the conversation's next message (at most :attr:`REMEMBERED`)."""
        if not isinstance(self.backend, SQLTrackerStore):
            return
        self._saved[tracker.sender_id] = (tracker, self.domain)
        self._saved.move_to_end(tracker.sender_id)
        while len(self._saved) > self.REMEMBERED:
            self._saved.popitem(last=False)

    async def retrieve(self, sender_id: Text) -> DialogueStateTracker | None:
        """The conversation, read from the backend unless an up-to-date tracker is already in hand.

        In hand: the tracker the delivery read for this message (:func:`bot.trackers.share_read`), or
        the one this process saved last for the conversation. Either is handed to one caller only, and
        only after one aggregate query shows that nothing was stored since.
        """
        prefetched = trackers.take_prefetched(sender_id)  # read moments ago for this message (delivery)
        if prefetched is not None and await self._unchanged(prefetched):
            return prefetched
        remembered, domain = self._saved.pop(sender_id, (None, None))
        if remembered is not None and domain is self.domain and await self._unchanged(remembered):
            return remembered
        return await with_store_retries(lambda: self._sql(lambda: self.backend.retrieve(sender_id)), "read")

    async def _sql(self, call: Callable[[], Coroutine[Any, Any, T]]) -> T:
        """``call()``, a method of the backend: in a worker thread on PostgreSQL, else on the event loop."""
        if not self._in_thread:
            return await call()
        return await asyncio.to_thread(run_to_completion, call())

    async def _unchanged(self, tracker: DialogueStateTracker) -> bool:
        """:meth:`_unchanged_since_read`, in a worker thread on PostgreSQL."""
        if not self._in_thread:
            return self._unchanged_since_read(tracker)
        return await asyncio.to_thread(self._unchanged_since_read, tracker)

    def _unchanged_since_read(self, tracker: DialogueStateTracker) -> bool:
        """True when the stored session still has exactly the events ``tracker`` was built from.

        Events are only ever appended (or all deleted): the same count and the same latest timestamp
        mean nothing was stored since. One aggregate query instead of reading and replaying every event.
        """
        backend = self.backend
        if not isinstance(backend, SQLTrackerStore) or not tracker.events:
            return False
        import sqlalchemy as sa

        try:
            with sql_settings.read_session(backend) as session:  # PostgreSQL: no BEGIN/ROLLBACK round trips
                query = backend._event_query(session, tracker.sender_id, fetch_events_from_all_sessions=False)
                count, latest = (
                    query.order_by(None)
                    .with_entities(sa.func.count(backend.SQLEvent.id), sa.func.max(backend.SQLEvent.timestamp))
                    .one()
                )
        except Exception:  # let the normal read happen (and fail or succeed on its own)
            logger.exception("Could not check the conversation before reusing it")
            return False
        return bool(count == len(tracker.events) and latest == max(event.timestamp for event in tracker.events))

    async def retrieve_full_tracker(self, conversation_id: Text) -> DialogueStateTracker | None:
        return await with_store_retries(
            lambda: self._sql(lambda: self.backend.retrieve_full_tracker(conversation_id)), "read"
        )

    async def keys(self) -> Iterable[Text]:
        return await self.backend.keys()

    async def erase(self, sender_id: Text) -> None:
        """Delete every stored event of ``sender_id`` in the backend, then run the erase hooks."""
        self._saved.pop(sender_id, None)
        backend = self.backend
        if isinstance(backend, SQLTrackerStore):
            with backend.session_scope() as session:
                session.query(backend.SQLEvent).filter(backend.SQLEvent.sender_id == sender_id).delete()
                session.commit()
        elif isinstance(backend, InMemoryTrackerStore):
            backend.store.pop(sender_id, None)
        elif isinstance(backend, RedisTrackerStore):
            backend.red.delete(backend.key_prefix + sender_id)
        else:
            raise NotImplementedError(f"cannot erase from {backend.__class__.__name__}")
        await run_erase_hooks(sender_id)
        await forget_desk_id(sender_id)
        logger.info("Erased a conversation on the user's request")
