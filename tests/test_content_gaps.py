"""Unanswered questions: recorded without anything that identifies the sender, reported per language."""

from __future__ import annotations

import json
from datetime import date
from pathlib import Path

import pytest

from bot import content as content_module
from bot.content import gaps
from bot.conversation import navigation
from bot.conversation.dialogue import Dialogue, Turn


@pytest.fixture
def gaps_file(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> Path:
    path = tmp_path / "state" / "gaps.jsonl"
    monkeypatch.setenv("BRUJULA_GAPS_FILE", str(path))
    return path


def _lines(path: Path) -> list[dict[str, str]]:
    return [json.loads(line) for line in path.read_text(encoding="utf-8").splitlines()]


def test_a_fallback_records_the_text_and_language_only(gaps_file: Path) -> None:
    turn = Turn(intent="out_of_scope", text="¿Dónde puedo vacunar a mi perro?", slots={"language": "es"})
    d = Dialogue(turn, content_module.current())
    navigation.fallback(d)
    entries = _lines(gaps_file)
    assert len(entries) == 1
    assert set(entries[0]) == {"day", "language", "text"}
    assert entries[0]["text"] == "¿Dónde puedo vacunar a mi perro?"
    assert entries[0]["language"] == "es"


def test_empty_or_emoji_messages_are_not_gaps(gaps_file: Path) -> None:
    for problem in ("empty", "emoji_only"):
        turn = Turn(intent="out_of_scope", text="🙂", input_problem=problem, slots={"language": "es"})
        navigation.fallback(Dialogue(turn, content_module.current()))
    assert not gaps_file.exists()


@pytest.mark.parametrize(
    "written, kept",
    [
        ("my number is +57 300 123 4567 call me", "my number is [number] call me"),
        ("escribe a maria.lopez@example.com", "escribe a [email]"),
        ("passport 123456789 lost", "passport [number] lost"),
        ("mira https://example.org/x?id=42", "mira [link]"),
        ("tengo 3 hijos y 2 maletas", "tengo 3 hijos y 2 maletas"),
    ],
)
def test_phone_numbers_emails_and_document_numbers_are_removed(gaps_file: Path, written: str, kept: str) -> None:
    gaps.record(written, "en")
    assert _lines(gaps_file)[0]["text"] == kept


def test_the_report_groups_wordings_and_ranks_by_frequency_per_language(gaps_file: Path) -> None:
    for text in ("¿Dónde vacuno a mi perro?", "donde vacuno a mi perro", "DONDE VACUNO A MI PERRO!!", "hay wifi"):
        gaps.record(text, "es", today=date(2026, 11, 20))
    gaps.record("Kote m ka jwenn wifi?", "ht", today=date(2026, 11, 21))
    gaps.record("old question", "en", today=date(2026, 1, 1))

    found = gaps.report(days=30, today=date(2026, 11, 25))

    assert set(found) == {"es", "ht"}  # the January question is outside the last 30 days
    top = found["es"][0]
    assert top.count == 3 and top.last_seen == "2026-11-20"
    assert [g.count for g in found["es"]] == [3, 1]
    assert found["ht"][0].text == "Kote m ka jwenn wifi?"


def test_a_broken_line_does_not_stop_the_report(gaps_file: Path) -> None:
    gaps.record("hay wifi", "es")
    with gaps_file.open("a", encoding="utf-8") as handle:
        handle.write('{"day": "2026-11-2')  # cut short by a crash
    assert gaps.report()["es"][0].count == 1


def test_recording_never_breaks_the_conversation(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    blocker = tmp_path / "not-a-folder"
    blocker.write_text("x", encoding="utf-8")
    monkeypatch.setenv("BRUJULA_GAPS_FILE", str(blocker / "gaps.jsonl"))
    gaps.record("una pregunta", "es")  # the folder cannot be created: logged, not raised


def test_every_countrys_money_answer_says_how_to_send_money_cheaply_not_only_how_to_open_an_account() -> None:
    # a probe: "how can I send money home cheaply from Chile?" got only the bank-account rules of Chile
    from bot import content

    snapshot = content.current()
    topic = snapshot.topics["ask_remittances"]
    for answer in topic.answers:
        for language, text in answer.text.items():
            assert "remittanceprices.worldbank.org" in text, (answer.country, language)
