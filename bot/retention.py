"""Retention: delete conversations nobody wrote to for a while (``python -m bot.privacy purge``).

A conversation whose newest event is older than ``--older-than`` days (default 180) is deleted
completely: its tracker events (hand-off records included: they are events), the address kept to
reach the person (contact store) and its desk id (the desk's audit rows stay, linked to nobody).

Safe to run from cron on every replica at the same time: each batch re-checks, inside its DELETE,
that the conversation has no newer event (a person writing again at that instant keeps everything),
and deleting what another replica already deleted deletes nothing. Works on the SQL tracker stores
(SQLite for ``make run``, PostgreSQL in production).
"""

from __future__ import annotations

import argparse
import logging
import sys
import time
from dataclasses import dataclass
from typing import Any

import sqlalchemy as sa

from bot import contacts, desk_settings, paths
from bot.handoff.storage import shared_storage
from bot.tracker_store import PrivacyTrackerStore

logger = logging.getLogger(__name__)

DEFAULT_DAYS = 180
BATCH = 500


@dataclass
class PurgeReport:
    conversations: int = 0
    events: int = 0
    contacts: int = 0
    desk_ids: int = 0


def sql_backend(endpoints: str) -> Any:
    """The SQL tracker store behind ``endpoints`` (Rasa expands the ``${VAR}`` in it)."""
    from rasa.core.tracker_store import SQLTrackerStore, TrackerStore
    from rasa.core.utils import AvailableEndpoints

    config = AvailableEndpoints.read_endpoints(endpoints).tracker_store
    store = TrackerStore.create(config)
    backend = store.backend if isinstance(store, PrivacyTrackerStore) else store
    if not isinstance(backend, SQLTrackerStore):
        raise SystemExit(f"purge works on SQL tracker stores; {endpoints} uses {backend.__class__.__name__}")
    return backend


def purge(
    backend: Any,
    days: float,
    batch: int = BATCH,
    now: float | None = None,
    contact_store: contacts.ContactStore | None = None,
    desk_url: str | None = None,
) -> PurgeReport:
    """Delete every conversation whose last event is older than ``days``; batched, idempotent."""
    cutoff = (time.time() if now is None else now) - days * 86400
    events = backend.SQLEvent.__table__
    report = PurgeReport()
    desk = shared_storage(desk_url or desk_settings.database_url())
    while True:
        with backend.engine.begin() as conn:
            senders: list[str] = [
                row[0]
                for row in conn.execute(
                    sa.select(events.c.sender_id)
                    .group_by(events.c.sender_id)
                    .having(sa.func.max(events.c.timestamp) < cutoff)
                    .limit(batch)
                )
            ]
            if not senders:
                break
            recent = sa.select(events.c.sender_id).where(events.c.sender_id.in_(senders), events.c.timestamp >= cutoff)
            deleted = conn.execute(
                events.delete().where(events.c.sender_id.in_(senders), events.c.sender_id.not_in(recent))
            ).rowcount
            still_there = {
                row[0]
                for row in conn.execute(sa.select(events.c.sender_id).where(events.c.sender_id.in_(senders)).distinct())
            }
        gone = [sender for sender in senders if sender not in still_there]
        report.conversations += len(gone)
        report.events += int(deleted or 0)
        if contact_store is not None:
            report.contacts += contact_store.erase_many(gone)
        report.desk_ids += desk.forget_refs(gone)
        if len(senders) < batch:
            break
    if contact_store is not None:  # addresses of people with no conversation left at all
        report.contacts += contact_store.purge_before(cutoff)
    return report


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(
        prog="python -m bot.privacy", description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter
    )
    commands = parser.add_subparsers(dest="command", required=True)
    run = commands.add_parser("purge", help="delete conversations whose last message is older than DAYS")
    run.add_argument("--older-than", type=float, default=DEFAULT_DAYS, metavar="DAYS")
    run.add_argument(
        "--endpoints",
        default=str(paths.ROOT / "endpoints.yml"),
        help="the endpoints file the bot runs with (endpoints.production.yml in production)",
    )
    run.add_argument("--batch", type=int, default=BATCH)
    args = parser.parse_args(argv)
    if args.older_than < 1:
        parser.error("--older-than must be at least 1 day")
    logging.basicConfig(level=logging.INFO, format="%(asctime)s %(levelname)s %(message)s")
    report = purge(sql_backend(args.endpoints), args.older_than, args.batch, contact_store=contacts.ContactStore())
    print(
        f"purged {report.conversations} conversation(s) older than {args.older_than:g} days: "
        f"{report.events} event(s), {report.contacts} address(es), {report.desk_ids} desk id(s)"
    )
    return 0


if __name__ == "__main__":
    sys.exit(main())
