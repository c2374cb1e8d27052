"""A tracker store that can forget a person completely.

It wraps one of Rasa's own stores (SQL for SQLite or PostgreSQL, in-memory, Redis) and delegates to
it. When an action has set the ``erase_requested`` slot (the user confirmed "delete my data"), the
save that ends that turn deletes every stored event of the conversation instead of writing, and runs
the registered erase hooks. Erasing at save time, inside the Rasa server, means the turn's own
events cannot be written back afterwards.
"""

from __future__ import annotations

import logging
from collections import OrderedDict
from typing import Any, Dict, Iterable, Optional, Text

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

from bot import inprocess_actions, rasa_speedups, sql_settings, trackers
from bot.conversation.vocabulary import CHECK_OFFER, Slot
from bot.privacy import run_erase_hooks

logger = logging.getLogger(__name__)


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
        domain: Optional[Domain] = None,
        host: Optional[Text] = None,
        event_broker: Optional[EventBroker] = None,
        backend: Optional[Dict[Text, Any]] = None,
        **kwargs: Any,
    ) -> None:
        super().__init__(domain, event_broker, **kwargs)
        backend = dict(backend or {"type": "in_memory"})
        store_type = backend.pop("type", "in_memory")
        durable_commits = bool(backend.pop("durable_commits", False))  # PostgreSQL: wait for every flush
        url = backend.pop("url", host)
        if store_type == "in_memory":
            self.backend: TrackerStore = InMemoryTrackerStore(domain, event_broker=event_broker)
        else:
            config = EndpointConfig(url=url, type=store_type, **backend)
            self.backend = create_tracker_store(config, domain, event_broker)
        if isinstance(self.backend, SQLTrackerStore):
            sql_settings.keep_connections(self.backend)  # SQLite file: WAL, synchronous=NORMAL, pooled
            if not durable_commits:
                sql_settings.tune_postgres(self.backend)  # PostgreSQL: synchronous_commit=off
        rasa_speedups.apply()
        inprocess_actions.route_remote_actions()  # action_endpoint url "inprocess:actions" works everywhere
        # sender -> (tracker as last saved here, domain): the next message need not replay every event
        self._saved: OrderedDict[str, tuple[DialogueStateTracker, Domain]] = OrderedDict()
        logger.info("Tracker store: %s behind PrivacyTrackerStore", self.backend.__class__.__name__)

    @property
    def domain(self) -> Domain:
        return self.backend.domain

    @domain.setter
    def domain(self, domain: Optional[Domain]) -> None:
        self.backend.domain = domain or Domain.empty()

    async def save(self, tracker: DialogueStateTracker) -> None:
        self._saved.pop(tracker.sender_id, None)
        if erase_requested(tracker):
            await self.erase(tracker.sender_id)
            trackers.note_saved(tracker, erased=True)
            return
        redact_offer_texts(tracker)
        await self.backend.save(tracker)
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

    async def retrieve(self, sender_id: Text) -> Optional[DialogueStateTracker]:
        """The conversation, read from the backend unless an up-to-date tracker is already in hand.

        In hand: the tracker the delivery read for this message (:func:`bot.trackers.share_read`), or
        the one this process saved last for the conversation. Either is handed to one caller only, and
        only after one aggregate query shows that nothing was stored since.
        """
        prefetched = trackers.take_prefetched(sender_id)  # read moments ago for this message (delivery)
        if prefetched is not None and self._unchanged_since_read(prefetched):
            return prefetched
        remembered, domain = self._saved.pop(sender_id, (None, None))
        if remembered is not None and domain is self.domain and self._unchanged_since_read(remembered):
            return remembered
        return await self.backend.retrieve(sender_id)

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
            with backend.session_scope() as session:
                query = backend._event_query(session, tracker.sender_id, fetch_events_from_all_sessions=False)
                count, latest = query.order_by(None).with_entities(
                    sa.func.count(backend.SQLEvent.id), sa.func.max(backend.SQLEvent.timestamp)).one()
        except Exception:  # let the normal read happen (and fail or succeed on its own)
            logger.exception("Could not check the conversation before reusing it")
            return False
        return bool(count == len(tracker.events) and latest == max(event.timestamp for event in tracker.events))

    async def retrieve_full_tracker(self, conversation_id: Text) -> Optional[DialogueStateTracker]:
        return await self.backend.retrieve_full_tracker(conversation_id)

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
        logger.info("Erased a conversation on the user's request")
