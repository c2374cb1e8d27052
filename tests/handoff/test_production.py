"""Two Rasa replicas as in production: PostgreSQL tracker store, Redis locks, desk database on PostgreSQL.

Uses the services this machine runs (PostgreSQL on 127.0.0.1:5432, database ``test``; Redis on
127.0.0.1:6379, db 1) and ``endpoints.production.yml``, like ``tests/test_tracker_store.py``.
"""

from __future__ import annotations

import asyncio
import uuid
from pathlib import Path

import pytest
from rasa.core.channels.channel import CollectingOutputChannel, UserMessage
from rasa.core.lock_store import LockStore
from rasa.core.tracker_store import TrackerStore
from rasa.core.utils import AvailableEndpoints

from bot import desk_settings
from bot.channels.delivery import deliver
from bot.handoff import records
from bot.handoff.service import HandoffService
from bot.handoff.storage import DeskStorage
from tests import services
from tests.handoff_fakes import ScriptedAgent, ask_for_person, domain

POSTGRES = "postgresql://postgres@127.0.0.1:5432/test"
ANA = desk_settings.StaffMember(username="ana", name="Ana", password_hash="$2b$04$" + "a" * 53)
BEN = desk_settings.StaffMember(username="ben", name="Ben", password_hash="$2b$04$" + "a" * 53)


@pytest.fixture
def production(monkeypatch: pytest.MonkeyPatch, tmp_path: Path) -> AvailableEndpoints:
    return services.production_endpoints(
        monkeypatch,
        BRUJULA_ID_KEY="test-id-key",
        BRUJULA_STATE_DIR=str(tmp_path / "state"),
        BRUJULA_DESK_CONFIG=str(tmp_path / "none.yml"),
    )


def replica(endpoints: AvailableEndpoints) -> ScriptedAgent:
    agent = ScriptedAgent(TrackerStore.create(endpoints.tracker_store, domain()))
    agent.lock_store = LockStore.create(endpoints.lock_store)
    return agent


async def test_replicas_share_the_queue_one_take_wins_and_one_follow_up_goes_out(
    production: AvailableEndpoints,
) -> None:
    first, second = replica(production), replica(production)
    sender = f"webchat-prod-{uuid.uuid4().hex}"
    await ask_for_person(first, sender, hint="es")
    desk_a = HandoffService(lambda: first, DeskStorage(POSTGRES))
    desk_b = HandoffService(lambda: second, DeskStorage(POSTGRES))

    entries_b = {e.view.sender_id: e for e in await desk_b.entries()}
    assert sender in entries_b  # the other replica sees the request at once
    ref = entries_b[sender].ref

    results = await asyncio.gather(desk_a.take(ANA, ref), desk_b.take(BEN, ref), return_exceptions=True)
    refused = [r for r in results if isinstance(r, records.HandoffError)]
    assert len(refused) == 1 and refused[0].code == "taken"
    holder = (await records.retrieve_view(second, sender)).staff  # type: ignore[union-attr]
    assert holder in ("ana", "ben")

    assert (
        await deliver(second, UserMessage("¿Hola?", CollectingOutputChannel(), sender, input_channel="webchat"), second)
    ).replies == 0  # silent on every replica
    staff = ANA if holder == "ana" else BEN
    await desk_b.hand_back(staff, ref)
    assert sender not in {e.view.sender_id for e in await desk_a.entries()}
    assert any(
        row["action"] == "hand_back" and row["conversation"] == ref
        for row in desk_a.storage.audit_entries(limit=20, staff=holder)
    )
    await first.tracker_store.erase(sender)


async def test_replicas_checking_for_follow_ups_together_send_one(production: AvailableEndpoints) -> None:
    first, second = replica(production), replica(production)
    sender = f"webchat-prod-{uuid.uuid4().hex}"
    await deliver(
        first, UserMessage("/request_human", CollectingOutputChannel(), sender, input_channel="webchat"), first
    )
    desk_a = HandoffService(lambda: first, DeskStorage(POSTGRES))
    desk_b = HandoffService(lambda: second, DeskStorage(POSTGRES))
    await desk_a.entries()
    await desk_b.entries()
    view = await records.retrieve_view(first, sender)
    assert view is not None and view.requested_at is not None
    later = view.requested_at + 24 * 3600
    await asyncio.gather(desk_a.check_followups(now=later), desk_b.check_followups(now=later))
    tracker = await first.tracker_store.retrieve(sender)
    assert tracker is not None
    assert [i.kind for i in records.history(tracker.events)].count("handoff_followup") == 1
    await first.tracker_store.erase(sender)
