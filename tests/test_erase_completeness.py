""" "Delete my data" leaves nothing that links a returning person to their old trail (issue 12, defect 6).

* the desk id is random and forgotten on erase: audit rows stay, linked to nobody; a returning person
  gets a new id;
* log lines carry no sender id or desk id (a daily token instead): logs cannot be erased on request;
* the log of unanswered questions never holds names, numbers or addresses (nor any link to a person).
"""

from __future__ import annotations

import json
import logging
import uuid
from pathlib import Path

import pytest

from bot import desk_settings, personal_data
from bot.content import gaps
from bot.handoff.service import HandoffService
from bot.handoff.storage import DeskStorage
from tests.handoff_fakes import ScriptedAgent, ask_for_person, make_store

ANA = desk_settings.StaffMember(username="ana", name="Ana", password_hash="$2b$04$" + "a" * 53)


@pytest.fixture
def desk_db(monkeypatch: pytest.MonkeyPatch, tmp_path: Path) -> str:
    monkeypatch.setenv("BRUJULA_ID_KEY", "test-id-key")
    monkeypatch.setenv("BRUJULA_STATE_DIR", str(tmp_path / "state"))
    monkeypatch.setenv("BRUJULA_DESK_CONFIG", str(tmp_path / "none.yml"))
    url = f"sqlite:///{tmp_path / 'desk.db'}"
    monkeypatch.setenv("BRUJULA_DESK_DB_URL", url)  # where the erase looks for the desk id
    return url


async def test_erasing_rotates_the_desk_id_and_unlinks_the_audit_rows(
    desk_db: str, tmp_path: Path, caplog: pytest.LogCaptureFixture
) -> None:
    caplog.set_level(logging.DEBUG)
    agent = ScriptedAgent(make_store(tmp_path / "trackers.db"))
    storage = DeskStorage(desk_db)
    desk = HandoffService(lambda: agent, storage)
    sender = f"whatsapp-{uuid.uuid4().hex}"

    await ask_for_person(agent, sender, hint="es")
    [entry] = await desk.entries()
    old_ref = entry.ref
    await desk.take(ANA, old_ref, "203.0.113.20")
    assert [r["action"] for r in storage.audit_entries(conversation=old_ref)] == ["take"]

    await agent.tracker_store.erase(sender)  # what the "delete my data" turn's save runs
    assert storage.existing_ref(sender) is None

    await ask_for_person(agent, sender, hint="es")  # the same phone number writes again
    [entry] = await desk.entries()
    assert entry.ref != old_ref
    assert storage.existing_ref(sender) == entry.ref
    audit = storage.audit_entries(conversation=old_ref)
    assert [r["action"] for r in audit] == ["take"]  # the trail stays, for the organisation's own audit...
    assert await desk.queue.resolve(old_ref) is None  # ...and leads to nobody

    logged = "\n".join(record.getMessage() for record in caplog.records)
    assert "desk audit #" in logged
    assert sender not in logged and sender.split("-", 1)[1] not in logged
    assert old_ref not in logged and entry.ref not in logged


def test_log_lines_carry_a_token_not_the_id(caplog: pytest.LogCaptureFixture) -> None:
    sender = f"telegram-{uuid.uuid4().hex}"
    logging.getLogger("bot.channels.telegram").warning("Telegram: %s has blocked the bot", sender)
    [record] = [r for r in caplog.records if "blocked" in r.getMessage()]
    assert sender not in record.getMessage()
    assert personal_data.log_token(sender) in record.getMessage()  # still follows one conversation today


def test_unanswered_questions_are_kept_without_names_or_numbers(tmp_path: Path) -> None:
    target = tmp_path / "gaps.jsonl"
    for text in (
        "Hola, me llamo Juan Pérez y vivo en Cúcuta, mi número es +57 300 123 4567",
        "Soy Ana, mi hermano Carlos está en Lima, escríbele a carlos.r@example.org",
        "my name is john smith, I live at 1234 Main street",
        "Mwen rele Jean Baptiste, kote biwo migrasyon an?",
    ):
        gaps.record(text, "es", path=target)
    stored = [json.loads(line)["text"] for line in target.read_text(encoding="utf-8").splitlines()]
    joined = " ".join(stored)
    for identifying in (
        "Juan",
        "Pérez",
        "Ana",
        "Carlos",
        "carlos.r",
        "john",
        "smith",
        "Jean",
        "Baptiste",
        "300",
        "4567",
        "1234",
    ):
        assert identifying not in joined, identifying
    assert "Cúcuta" in stored[0] and "Lima" in stored[1]  # places say what is asked, not who asks
    entry = json.loads(target.read_text(encoding="utf-8").splitlines()[0])
    assert set(entry) == {"day", "language", "text"}  # nothing links an entry to a conversation
