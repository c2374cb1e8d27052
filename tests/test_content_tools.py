"""Editors' tools: migrate-provenance, stamp-translations, content-due and content-report."""

from __future__ import annotations

import shutil
import subprocess
from datetime import date
from pathlib import Path

import pytest

from bot import paths
from bot.content import due, report
from bot.content.__main__ import main
from bot.content.check import WARNING, check
from bot.content.migrate import migrate
from bot.content.store import load
from bot.content.translations import stamp

TODAY = date(2026, 11, 29)

OLD_TOPIC = """# A topic still on the old stamp. This comment must survive.
topic: ask_zz
answers:
  - country: "*"
    source: "General source"
    last_reviewed: 2026-11-25   # the batch stamp
    reviewed_by: Brújula core team
    status: unreviewed
    text:
      es: "Respuesta general."
      en: "General answer."
      pt: "Resposta geral."
      fr: "Réponse générale."
      ht: "Repons jeneral."
  # The Peru answer: kept for the research branch.
  - country: PE
    source: "Peru source"
    last_reviewed: 2026-11-25
    reviewed_by: Brújula core team
    status: reviewed
    text:
      es: |
        Respuesta para Perú.
        Segunda línea.
      en: "Answer for Peru."
"""


@pytest.fixture
def root(tmp_path: Path) -> Path:
    copy = tmp_path / "content"
    shutil.copytree(paths.ROOT / "content", copy)
    (copy / "topics" / "ask_zz.yml").write_text(OLD_TOPIC, encoding="utf-8")
    return copy


def _legacy_warnings(root: Path, name: str) -> list[str]:
    return [str(p) for p in check(root, TODAY).problems if p.path == f"content/{name}" and "the old stamp" in p.message]


def test_migrate_general_scope_touches_only_general_answers_and_keeps_comments(root: Path) -> None:
    done = migrate(root, scope="general")

    text = (root / "topics" / "ask_zz.yml").read_text(encoding="utf-8")
    general, peru = text.split("  # The Peru answer")
    assert "last_reviewed" not in general and "status:" not in general and "reviewed_by" not in general
    assert "last_reviewed: 2026-11-25" in peru and "status: reviewed" in peru
    assert text.startswith("# A topic still on the old stamp. This comment must survive.\n")
    assert "topics/ask_zz.yml" in " ".join(done.files)
    assert "checked" not in text  # a tool never says something was checked


ONE_LINE_NUMBERS = """# One number per line, as emergency.yml does. Keep `status: unreviewed` in comments.
x-labels:
  police: &police {es: "Policía", en: "Police", pt: "Polícia", fr: "Police", ht: "Polis"}
countries:
  - country: CO
    numbers:
      - {number: "123", label: *police, source: "PNC", last_reviewed: 2026-11-25, reviewed_by: "A, B", status: reviewed}
      - {number: "155", label: *police, source: "L155", last_reviewed: 2026-11-25, status: unreviewed, kind: hotline}
"""


def test_migrate_all_removes_the_stamp_everywhere_including_one_line_items(root: Path) -> None:
    (root / "emergency.yml").write_text(ONE_LINE_NUMBERS, encoding="utf-8")

    done = migrate(root, scope="all")

    assert done.skipped == []
    emergency = (root / "emergency.yml").read_text(encoding="utf-8").splitlines()
    assert emergency[0].endswith("Keep `status: unreviewed` in comments.")
    assert emergency[-2:] == [
        '      - {number: "123", label: *police, source: "PNC"}',
        '      - {number: "155", label: *police, source: "L155", kind: hotline}',
    ]
    report_after = check(root, TODAY)
    assert report_after.errors == []
    assert not [p for p in report_after.problems if "the old stamp" in p.message]
    assert load(root, TODAY).topics["ask_zz"].answers[1].text["es"].startswith("Respuesta para Perú.")
    assert migrate(root, scope="all").items == 0  # running it again changes nothing


def test_the_checker_names_the_replacement_of_each_old_field(root: Path) -> None:
    assert _legacy_warnings(root, "topics/ask_zz.yml") == [
        "content/topics/ask_zz.yml:6 warning: last_reviewed: last_reviewed was replaced by checked, reviewed_by and "
        "status by checked_by and confirmed_with/confirmed_on: 2 items still use the old stamp (the first one is "
        "here). Run python -m bot.content migrate-provenance to remove it, then add evidence (see CONTENT.md)"
    ]
    assert [p.severity for p in check(root, TODAY).problems if "the old stamp" in p.message][0] == WARNING


def test_stamping_then_changing_the_spanish_marks_translations_outdated(root: Path) -> None:
    migrate(root, scope="all")
    first = stamp(root, topics=["ask_zz"], today=TODAY)
    assert first.stamped == {"en": 2, "pt": 1, "fr": 1, "ht": 1}
    assert stamp(root, topics=["ask_zz"], today=TODAY).stamped == {}  # idempotent

    path = root / "topics" / "ask_zz.yml"
    path.write_text(
        path.read_text(encoding="utf-8").replace('es: "Respuesta general."', 'es: "Respuesta general, corregida."'),
        encoding="utf-8",
    )
    answer = load(root, TODAY).topics["ask_zz"].answers[0]
    assert {lang: answer.text_state(lang).value for lang in ("es", "en", "ht")} == {
        "es": "reviewed",
        "en": "outdated",
        "ht": "outdated",
    }
    warnings = [str(p) for p in check(root, TODAY).warnings if p.path == "content/topics/ask_zz.yml"]
    assert (
        "content/topics/ask_zz.yml:8 warning: text.en/pt/fr/ht: translated from an older Spanish text: update "
        "the translation (users see a note until then), then run python -m bot.content stamp-translations "
        "--restamp-outdated"
    ) in warnings

    again = stamp(root, topics=["ask_zz"], today=TODAY)
    assert again.stamped == {} and again.outdated_left == 4  # never silently accepted
    stamp(root, topics=["ask_zz"], languages=["ht"], countries=["*"], reviewed_by="Jean", today=TODAY)
    answer = load(root, TODAY).topics["ask_zz"].answers[0]
    assert answer.text_state("ht").value == "reviewed" and answer.text_state("en").value == "outdated"
    assert answer.text_status["ht"].reviewer == "Jean" and answer.text_status["ht"].date == TODAY
    stamp(root, topics=["ask_zz"], restamp_outdated=True, today=TODAY)
    answer = load(root, TODAY).topics["ask_zz"].answers[0]
    assert answer.text_state("en").value == "unreviewed"
    assert path.read_text(encoding="utf-8").startswith("# A topic still on the old stamp.")


def _dated(root: Path, extra: str) -> None:
    path = root / "topics" / "ask_zz.yml"
    text = path.read_text(encoding="utf-8")
    path.write_text(
        text.replace('    source: "Peru source"\n', '    source: "Peru source"\n' + extra, 1), encoding="utf-8"
    )


def test_due_lists_windows_ending_soon_announced_changes_and_stale_items(root: Path) -> None:
    migrate(root, scope="all")
    _dated(
        root,
        '    evidence: [{url: "https://example.org/pe", quote: "Abierto hasta el 15 de diciembre", '
        "read_on: 2025-12-10}]\n    checked: 2025-12-10\n    valid_until: 2026-12-15\n"
        "    watch_from: 2026-12-20\n",
    )

    found = [d for d in due.due_items(check(root, TODAY), TODAY) if d.item.startswith("ask_zz")]

    assert [(d.item, d.reason, d.when.isoformat()) for d in found] == [
        ("ask_zz / PE", "stale", "2026-12-11"),
        ("ask_zz / PE", "valid_until", "2026-12-15"),
        ("ask_zz / PE", "watch_from", "2026-12-20"),
    ]
    assert found[0].where == "content/topics/ask_zz.yml:13"  # the item's first line, after the migration
    assert "(in 12 days) stale" in found[0].render(TODAY)


def test_content_due_command_lists_an_item_once_its_date_comes_near(
    root: Path,
    capsys: pytest.CaptureFixture[str],
) -> None:
    migrate(root, scope="all")
    assert main(["due", "--content", str(root), "--today", "2026-11-29"]) == 0
    assert "ask_zz" not in capsys.readouterr().out

    _dated(root, "    recheck_by: 2026-12-24\n")
    assert main(["due", "--content", str(root), "--today", "2026-11-29"]) == 0
    assert "2026-12-24 (in 25 days) recheck_by: ask_zz / PE — content/topics/ask_zz.yml:13" in capsys.readouterr().out


def _git(repo: Path, *args: str) -> None:
    subprocess.run(["git", "-C", str(repo), *args], check=True, capture_output=True)


def test_report_counts_statuses_and_lists_what_changed_since_the_previous_content_commit(tmp_path: Path) -> None:
    repo = tmp_path / "repo"
    shutil.copytree(paths.ROOT / "content", repo / "content")
    (repo / "content" / "topics" / "ask_zz.yml").write_text(OLD_TOPIC, encoding="utf-8")
    migrate(repo / "content", scope="all")
    _git(repo, "init", "-q", "-b", "main")
    _git(repo, "-c", "user.email=t@t", "-c", "user.name=t", "add", "content")
    _git(repo, "-c", "user.email=t@t", "-c", "user.name=t", "commit", "-qm", "content")
    before = report.build(repo / "content", TODAY, repo=repo)
    _dated(
        repo / "content",
        '    evidence: [{url: "https://www.gob.pe/12345-cambio", quote: "El CPP no es '
        'renovable", read_on: 2026-11-29}]\n    checked: 2026-11-29\n',
    )

    page = report.build(repo / "content", TODAY, repo=repo)

    def cell(built: report.Page, table: str, kind: str, column: int) -> int:
        return int({row[0]: row for row in report.summary(built)[table]}[kind][column])

    assert cell(page, "Items by status", "answer", 2) == cell(before, "Items by status", "answer", 2) + 1  # checked
    assert cell(page, "Evidence coverage", "answer", 2) == cell(before, "Evidence coverage", "answer", 2) + 1
    changes = dict(page.lists)["Changes since the last release"]
    assert changes[0].endswith("0 added, 1 changed, 0 removed.")
    assert changes[1:] == ["changed: ask_zz / PE"]
    output = tmp_path / "report.html"
    report.write(page, output)
    assert output.read_text(encoding="utf-8").startswith("<!doctype html>")
    assert "<td>answer</td>" in output.read_text(encoding="utf-8")


def test_command_line_dry_runs_change_nothing_and_say_what_they_would_do(
    root: Path,
    capsys: pytest.CaptureFixture[str],
) -> None:
    before = (root / "topics" / "ask_zz.yml").read_text(encoding="utf-8")

    assert main(["migrate-provenance", "--content", str(root), "--scope", "general", "--dry-run"]) == 0
    assert "Would remove the old stamp from" in capsys.readouterr().out
    assert main(["stamp-translations", "--content", str(root), "--topic", "ask_zz", "--dry-run"]) == 0
    assert "Would stamp: en 2, pt 1, fr 1, ht 1 (1 file(s))." in capsys.readouterr().out
    assert main(["stamp-translations", "--content", str(root), "--reviewed-by", "Jean"]) == 2  # which language?

    assert (root / "topics" / "ask_zz.yml").read_text(encoding="utf-8") == before


def test_content_report_command_writes_the_page(root: Path, tmp_path: Path, capsys: pytest.CaptureFixture[str]) -> None:
    output = tmp_path / "out" / "content-report.md"

    assert main(["report", "--content", str(root), "--output", str(output), "--today", "2026-11-29"]) == 0

    page = output.read_text(encoding="utf-8")
    assert page.startswith("# Content report") and "## Evidence coverage" in page and "## Due in the next 30" in page
