"""Hand-off state in the tracker store: the queue, restarts, replicas, erasure, the follow-up, what users hear."""

from __future__ import annotations

from datetime import datetime
from pathlib import Path
from typing import Any
from zoneinfo import ZoneInfo

import pytest
from rasa.core.channels.channel import CollectingOutputChannel, UserMessage
from rasa.shared.core.events import SlotSet

from bot import content, desk_settings
from bot.channels.delivery import deliver
from bot.conversation import navigation, safety
from bot.conversation.dialogue import Dialogue, Turn
from bot.handoff import outbox, records
from bot.handoff.service import HandoffService
from bot.handoff.storage import DeskStorage
from tests.handoff_fakes import ScriptedAgent, ask_for_person, make_store

ANA = desk_settings.StaffMember(username="ana", name="Ana", password_hash="$2b$04$" + "a" * 53)
HOURS = {
    "timezone": "America/Bogota",
    "week": {
        "mon": "08:00-17:00",
        "tue": "08:00-17:00",
        "wed": "08:00-17:00",
        "thu": "08:00-17:00",
        "fri": "08:00-17:00",
        "sat": "09:00-13:00",
    },
    "closed_on": ["2026-12-25"],
}
BOGOTA = ZoneInfo("America/Bogota")


@pytest.fixture(autouse=True)
def env(monkeypatch: pytest.MonkeyPatch, tmp_path: Path) -> None:
    monkeypatch.setenv("BRUJULA_ID_KEY", "test-id-key")
    monkeypatch.setenv("BRUJULA_STATE_DIR", str(tmp_path / "state"))
    config = tmp_path / "desk.yml"
    config.write_text("followup_after_minutes: 30\nfollowup_check_seconds: 0\n", encoding="utf-8")
    monkeypatch.setenv("BRUJULA_DESK_CONFIG", str(config))


def service_for(agent: ScriptedAgent, tmp_path: Path) -> HandoffService:
    return HandoffService(lambda: agent, DeskStorage(f"sqlite:///{tmp_path / 'desk.db'}"))


async def write(agent: ScriptedAgent, sender_id: str, text: str, channel: str = "webchat") -> int:
    message = UserMessage(text, CollectingOutputChannel(), sender_id, input_channel=channel)
    return (await deliver(agent, message, agent)).replies


# -- what users are told -------------------------------------------------------------------------
def test_opening_hours_read_naturally_in_each_language() -> None:
    hours = desk_settings.OpeningHours.parse_obj(HOURS)
    snapshot = content.current()
    assert safety.hours_summary(hours, snapshot, "es") == "lun–vie 08:00–17:00 · sáb 09:00–13:00"
    assert safety.hours_summary(hours, snapshot, "ht") == "lendi–vandredi 08:00–17:00 · samdi 09:00–13:00"


def test_while_the_desk_is_open_users_hear_the_configured_wait() -> None:
    settings = desk_settings.DeskSettings.parse_obj({"opening_hours": HOURS, "expected_wait_minutes": 20})
    tuesday_morning = datetime(2026, 11, 24, 10, 0, tzinfo=BOGOTA)
    text = safety.availability_text(content.current(), "ht", tuesday_morning, settings)
    assert text.startswith("Ekip resepsyon an ap travay kounye a; anjeneral ou ap tann anviwon 20 minit.")
    assert "lendi–vandredi 08:00–17:00" in text and "America/Bogota" in text


def test_when_the_desk_is_closed_users_hear_when_it_opens_again() -> None:
    settings = desk_settings.DeskSettings.parse_obj({"opening_hours": HOURS, "expected_wait_minutes": 20})
    saturday_night = datetime(2026, 11, 28, 20, 0, tzinfo=BOGOTA)
    text = safety.availability_text(content.current(), "es", saturday_night, settings)
    assert text.startswith("El equipo de atención está cerrado ahora. Vuelve a abrir: lun 08:00;")
    christmas_eve = datetime(2026, 12, 24, 18, 0, tzinfo=BOGOTA)  # the 25th is a holiday
    assert "Vuelve a abrir: sáb 09:00" in safety.availability_text(content.current(), "es", christmas_eve, settings)


def test_without_configured_hours_no_wait_or_hours_are_invented() -> None:
    settings = desk_settings.DeskSettings.parse_obj({})
    text = safety.availability_text(content.current(), "en", datetime(2026, 11, 24, 10, 0, tzinfo=BOGOTA), settings)
    assert text == "I don't have the help desk's opening hours, so I can't tell you how long the answer will take."


def test_asking_for_a_person_gives_the_wait_and_the_numbers_of_the_users_country() -> None:
    d = Dialogue(Turn(intent="request_human", slots={"language": "es", "country": "PE"}), content.current())
    safety.request_human(d)
    reply = d.reply()
    assert reply.messages[0].text.startswith("Anoté que quieres hablar con una persona.")
    assert "No tengo el horario del equipo" in reply.messages[0].text
    assert "105: Policía Nacional" in reply.messages[1].text
    assert reply.slots["handoff"] == "requested" and reply.slots["handoff_reason"] == "request"


@pytest.mark.parametrize("topic, reason", [("report_emergency", "emergency"), ("ask_missing_person", "missing_person")])
def test_emergencies_are_queued_and_the_user_is_told_so(topic: str, reason: str) -> None:
    d = Dialogue(Turn(intent=topic, slots={"language": "ht"}), content.current())
    safety.emergency(d, topic)
    reply = d.reply()
    assert reply.slots["handoff_reason"] == reason
    assert any(m.text.startswith("Mwen pase konvèsasyon sa a bay ekip resepsyon an") for m in reply.messages)


def test_three_misunderstandings_in_a_row_queue_the_conversation_and_say_so() -> None:
    slots: dict = {"language": "en"}
    texts: list[str] = []
    for _ in range(3):
        d = Dialogue(Turn(intent="nlu_fallback", text="blorp", slots=slots), content.current())
        navigation.fallback(d)
        slots.update(d.reply().slots)
        texts = [m.text for m in d.reply().messages]
    assert slots["handoff"] == "requested" and slots["handoff_reason"] == "fallbacks"
    assert any(t.startswith("I have passed this conversation to the help-desk team") for t in texts)


# -- configuration ---------------------------------------------------------------------------------
def test_a_broken_desk_file_names_the_file_and_field_and_the_last_good_version_stays(
    tmp_path: Path, monkeypatch: Any
) -> None:
    config = tmp_path / "desk2.yml"
    monkeypatch.setenv("BRUJULA_DESK_CONFIG", str(config))
    config.write_text("expected_wait_minutes: 25\n", encoding="utf-8")
    assert desk_settings.load_settings().expected_wait_minutes == 25
    config.write_text("opening_hours:\n  week:\n    mon: '8-17'\n", encoding="utf-8")
    with pytest.raises(desk_settings.SettingsError) as problem:
        desk_settings._read(config, desk_settings.DeskSettings)
    assert "desk2.yml" in str(problem.value) and "opening_hours.week" in str(problem.value)
    assert '"8-17" is not a time span' in str(problem.value)
    import os

    os.utime(config, (1, 1))  # a different mtime: the cache re-reads, refuses, keeps the last good one
    assert desk_settings.load_settings().expected_wait_minutes == 25


def test_staff_passwords_are_stored_as_bcrypt_hashes_and_checked(tmp_path: Path) -> None:
    path = tmp_path / "staff.yml"
    member = desk_settings.StaffMember(
        username="ana", name="Ana", password_hash=desk_settings.hash_password("a long passphrase", rounds=4)
    )
    desk_settings.save_staff_member(member, path)
    stored = path.read_text()
    assert "a long passphrase" not in stored and "$2b$04$" in stored
    assert oct(path.stat().st_mode)[-3:] == "600"
    assert desk_settings.check_password(member, "a long passphrase")
    assert not desk_settings.check_password(member, "a long passphrasE")
    assert not desk_settings.check_password(None, "anything")
    with pytest.raises(ValueError):
        desk_settings.hash_password("short")
    with pytest.raises(Exception, match="bcrypt hash"):
        desk_settings.StaffMember(username="bob", name="Bob", password_hash="plain-text-password")


# -- the queue, restarts and replicas ----------------------------------------------------------------
async def test_the_queue_lists_only_conversations_waiting_for_or_held_by_a_person(tmp_path: Path) -> None:
    agent = ScriptedAgent(make_store(tmp_path / "trackers.db"))
    service = service_for(agent, tmp_path)
    await write(agent, "webchat-calm", "Bonjou")
    await ask_for_person(agent, "webchat-waiting")
    entries = await service.entries()
    assert [e.view.sender_id for e in entries] == ["webchat-waiting"]
    assert entries[0].view.reason == "request" and entries[0].view.channel == "webchat"


async def test_hand_off_state_survives_a_restart_of_the_server(tmp_path: Path) -> None:
    db = tmp_path / "trackers.db"
    first = ScriptedAgent(make_store(db))
    await ask_for_person(first, "webchat-x")
    ref = (await service_for(first, tmp_path).entries())[0].ref
    await service_for(first, tmp_path).take(ANA, ref)

    restarted = ScriptedAgent(make_store(db))  # a new process: nothing in memory
    entries = await service_for(restarted, tmp_path).entries()
    assert [(e.view.sender_id, e.view.status, e.view.staff) for e in entries] == [("webchat-x", "active", "ana")]
    assert await write(restarted, "webchat-x", "Èske gen yon moun la?") == 0  # the bot stays quiet
    assert restarted.handled == []


async def test_two_replicas_see_the_same_queue_and_only_one_staff_member_wins(tmp_path: Path) -> None:
    db = tmp_path / "trackers.db"
    replica_a, replica_b = ScriptedAgent(make_store(db)), ScriptedAgent(make_store(db))
    replica_b.lock_store = replica_a.lock_store  # production: one Redis lock store for all replicas
    await ask_for_person(replica_a, "webchat-y")
    service_a, service_b = service_for(replica_a, tmp_path), service_for(replica_b, tmp_path)
    ref = (await service_b.entries())[0].ref
    ben = desk_settings.StaffMember(username="ben", name="Ben", password_hash=ANA.password_hash)
    await service_a.take(ANA, ref)
    with pytest.raises(records.HandoffError) as refused:
        await service_b.take(ben, ref)
    assert refused.value.code == "taken"


async def test_the_in_memory_store_works_too() -> None:
    agent = ScriptedAgent()
    await ask_for_person(agent, "webchat-mem")
    assert [e.view.sender_id for e in await HandoffService(lambda: agent, DeskStorage("sqlite://")).entries()] == [
        "webchat-mem"
    ]


async def test_an_erased_conversation_leaves_the_queue_at_once(tmp_path: Path) -> None:
    agent = ScriptedAgent(make_store(tmp_path / "trackers.db"))
    service = service_for(agent, tmp_path)
    await ask_for_person(agent, "webchat-gone")
    ref = (await service.entries())[0].ref
    await agent.tracker_store.erase("webchat-gone")
    assert await service.entries() == []
    with pytest.raises(records.HandoffError):
        await service.take(ANA, ref)


async def test_handing_back_clears_the_hand_off_and_the_bot_answers_again(tmp_path: Path) -> None:
    agent = ScriptedAgent(make_store(tmp_path / "trackers.db"))
    service = service_for(agent, tmp_path)
    await ask_for_person(agent, "webchat-z")
    ref = (await service.entries())[0].ref
    await service.take(ANA, ref)
    await service.reply(ANA, ref, "Bonjou!")
    view, _ = await service.hand_back(ANA, ref)
    assert view.status is None and view.slots["handoff_reason"] is None and view.slots["fallback_count"] == 0
    assert [item.kind for item in view.history[-3:]] == ["handoff_taken", "staff_reply", "handoff_returned"]
    assert view.history[-1].text.startswith("Ana soti nan konvèsasyon an.")
    assert await write(agent, "webchat-z", "Mèsi anpil") > 0


# -- reaching the person on their own channel ----------------------------------------------------------
class FakeSender:
    def __init__(self, works: bool = True) -> None:
        self.works = works
        self.sent: list[tuple[str, list[str]]] = []
        self.languages: list[str | None] = []

    async def __call__(self, sender_id: str, texts: list[str], language: str | None = None) -> bool:
        self.sent.append((sender_id, list(texts)))
        self.languages.append(language)
        return self.works


async def test_a_telegram_user_gets_the_staff_reply_through_the_proactive_sender(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    telegram = FakeSender()
    monkeypatch.setitem(outbox._senders, "telegram", telegram)
    agent = ScriptedAgent(make_store(tmp_path / "trackers.db"))
    service = service_for(agent, tmp_path)
    await ask_for_person(agent, "telegram-123abc", channel="telegram", hint="fr")
    ref = (await service.entries())[0].ref
    _, taken = await service.take(ANA, ref)
    _, replied = await service.reply(ANA, ref, "Bonjour, je suis Ana.")
    assert taken.status == replied.status == "sent"
    assert telegram.sent[0][1][0].startswith("Ana, de l'équipe d'accueil, a rejoint la conversation.")
    assert telegram.sent[1] == ("telegram-123abc", ["Bonjour, je suis Ana."])
    assert telegram.languages == ["fr", "fr"]  # the conversation's language goes with every desk message


async def test_a_failed_delivery_keeps_the_reply_and_tells_staff(
    tmp_path: Path,
    monkeypatch: pytest.MonkeyPatch,
) -> None:
    monkeypatch.setitem(outbox._senders, "telegram", FakeSender(works=False))
    agent = ScriptedAgent(make_store(tmp_path / "trackers.db"))
    service = service_for(agent, tmp_path)
    await ask_for_person(agent, "telegram-999", channel="telegram")
    ref = (await service.entries())[0].ref
    await service.take(ANA, ref)
    view, delivery = await service.reply(ANA, ref, "¿Sigues ahí?")
    assert delivery.status == "failed" and not delivery.ok
    assert view.history[-1].text == "¿Sigues ahí?"
    audit = service.storage.audit_entries(staff="ana")[0]
    assert audit["action"] == "reply" and audit["detail"]["delivery"] == "failed"
    assert "¿Sigues ahí?" not in str(audit)  # the audit log says who and when, never what


# -- nobody took it in time -------------------------------------------------------------------------------
async def test_a_conversation_nobody_takes_gets_one_follow_up_with_other_ways_to_get_help(tmp_path: Path) -> None:
    agent = ScriptedAgent(make_store(tmp_path / "trackers.db"))
    service = service_for(agent, tmp_path)
    await ask_for_person(agent, "webchat-wait", hint="pt")
    await ask_for_person(agent, "webchat-taken")
    entries = {e.view.sender_id: e for e in await service.entries()}
    await service.take(ANA, entries["webchat-taken"].ref)
    requested_at = entries["webchat-wait"].view.requested_at
    assert requested_at is not None
    assert await service.check_followups(now=requested_at + 29 * 60) == 0
    assert await service.check_followups(now=requested_at + 31 * 60) == 1
    assert await service.check_followups(now=requested_at + 90 * 60) == 0  # only once
    tracker = await agent.tracker_store.retrieve("webchat-wait")
    assert tracker is not None
    followups = [i for i in records.history(tracker.events) if i.kind == "handoff_followup"]
    assert len(followups) == 1
    text = followups[0].text
    assert text.startswith("Desculpe: ninguém da equipe conseguiu responder ainda.")
    assert "🚨" in text and "familylinks.icrc.org" in text
    assert service.storage.audit_entries(staff="system")[0]["action"] == "followup"


async def test_replicas_checking_at_the_same_time_send_a_single_follow_up(tmp_path: Path) -> None:
    db = tmp_path / "trackers.db"
    replica_a, replica_b = ScriptedAgent(make_store(db)), ScriptedAgent(make_store(db))
    replica_b.lock_store = replica_a.lock_store
    await ask_for_person(replica_a, "webchat-race")
    service_a, service_b = service_for(replica_a, tmp_path), service_for(replica_b, tmp_path)
    requested_at = (await service_a.entries())[0].view.requested_at
    assert requested_at is not None
    later = requested_at + 3600
    import asyncio

    sent = await asyncio.gather(service_a.check_followups(now=later), service_b.check_followups(now=later))
    assert sum(sent) == 1


async def test_the_background_check_sends_the_follow_up_without_anyone_asking(tmp_path: Path) -> None:
    import asyncio

    agent = ScriptedAgent(make_store(tmp_path / "trackers.db"))
    quick = desk_settings.DeskSettings.parse_obj({"followup_after_minutes": 1, "followup_check_seconds": 0.05})
    service = HandoffService(lambda: agent, DeskStorage(f"sqlite:///{tmp_path / 'desk.db'}"), lambda: quick)
    await ask_for_person(agent, "webchat-late")
    tracker = await agent.tracker_store.retrieve("webchat-late")
    assert tracker is not None
    tracker.update(SlotSet("handoff_requested_at", tracker.get_slot("handoff_requested_at") - 120))
    await agent.tracker_store.save(tracker)  # asked two minutes ago
    service.start_monitor()
    try:
        for _ in range(100):
            await asyncio.sleep(0.05)
            view = await records.retrieve_view(agent, "webchat-late")
            if view is not None and view.followup_sent:
                break
        assert view is not None and view.followup_sent
    finally:
        await service.stop_monitor()


def test_the_documented_example_configuration_is_valid() -> None:
    example = Path(__file__).resolve().parents[2] / "bot" / "handoff" / "desk.example.yml"
    settings = desk_settings._read(example, desk_settings.DeskSettings)
    assert settings.opening_hours.configured and settings.expected_wait_minutes == 20
