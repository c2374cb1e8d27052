"""The content checker: every deliberately broken file in tests/content_cases/ gives exactly its messages.

Each case file says on its first line which content file it replaces ("Target: places/mx.yml") and
ends with the exact messages expected for that file ("# expect: ..." for errors, "# expect-warning:
..." for warnings). The case replaces its target in a copy of the shipped content, so the check also
proves that the rest of the content stays clean.
"""

from __future__ import annotations

import re
import shutil
from datetime import date
from pathlib import Path

import pytest

from bot import paths
from bot.content.check import ERROR, WARNING, check
from bot.content.store import ContentError, load

CASES = sorted((Path(__file__).parent / "content_cases").glob("*.yml"))


def _latest_work_date() -> date:
    """The last day anyone read, checked or confirmed something in the shipped content (at least 2026-11-29):
    the cases are checked "on" that day, so the shipped content never looks dated in the future."""
    pattern = re.compile(r"\b(?:read_on|checked|confirmed_on):\s*(\d{4}-\d{2}-\d{2})")
    found = [
        date.fromisoformat(match)
        for path in (paths.ROOT / "content").rglob("*.yml")
        for match in pattern.findall(path.read_text(encoding="utf-8"))
    ]
    return max([date(2026, 11, 29), *found])


TODAY = _latest_work_date()


def _expectations(text: str) -> tuple[str, list[str], list[str]]:
    target = re.search(r"Target: (\S+)", text.splitlines()[0])
    assert target, "the first line must say 'Target: <file under content/>'"
    errors = [line[len("# expect: ") :] for line in text.splitlines() if line.startswith("# expect: ")]
    warnings = [
        line[len("# expect-warning: ") :] for line in text.splitlines() if line.startswith("# expect-warning: ")
    ]
    return target.group(1), errors, warnings


@pytest.fixture(scope="module")
def shipped(tmp_path_factory: pytest.TempPathFactory) -> Path:
    """A pristine copy of content/ that the cases copy again (copying from disk each time is slower)."""
    copy = tmp_path_factory.mktemp("shipped") / "content"
    shutil.copytree(paths.ROOT / "content", copy)
    return copy


def test_the_corpus_has_at_least_twenty_broken_files_each_with_expectations() -> None:
    assert len(CASES) >= 20
    for case in CASES:
        _target, errors, warnings = _expectations(case.read_text(encoding="utf-8"))
        assert errors or warnings, f"{case.name} expects nothing"


@pytest.mark.parametrize("case", CASES, ids=[case.stem for case in CASES])
def test_broken_file_gives_exactly_the_expected_messages(case: Path, shipped: Path, tmp_path: Path) -> None:
    text = case.read_text(encoding="utf-8")
    target, expected_errors, expected_warnings = _expectations(text)
    root = tmp_path / "content"
    shutil.copytree(shipped, root)
    (root / target).write_text(text, encoding="utf-8")

    report = check(root, today=TODAY)

    in_target = [p for p in report.problems if p.path == f"content/{target}"]
    assert [str(p) for p in in_target if p.severity == ERROR] == expected_errors
    assert [str(p) for p in in_target if p.severity == WARNING] == expected_warnings
    elsewhere = [str(p) for p in report.errors if p.path != f"content/{target}"]
    assert elsewhere == []


def test_shipped_content_passes() -> None:
    report = check(paths.ROOT / "content")
    assert [str(p) for p in report.errors] == []
    assert len(report.files) >= 20


def test_loading_broken_content_raises_with_every_error(shipped: Path, tmp_path: Path) -> None:
    root = tmp_path / "content"
    shutil.copytree(shipped, root)
    case = next(c for c in CASES if c.name.startswith("34_"))
    (root / "places" / "pe.yml").write_text(case.read_text(encoding="utf-8"), encoding="utf-8")

    with pytest.raises(ContentError) as raised:
        load(root, today=TODAY)

    assert len(raised.value.problems) == 3
    expected = 'content/places/pe.yml:8 lat: must be a number between -90 and 90, got "-12,0464"'
    assert str(raised.value).startswith(expected)
    assert raised.value.line == 8 and raised.value.field_name == "lat"


def test_missing_translations_are_counted(shipped: Path, tmp_path: Path) -> None:
    root = tmp_path / "content"
    shutil.copytree(shipped, root)
    case = next(c for c in CASES if c.name.startswith("27_"))
    (root / "topics" / "ask_zz.yml").write_text(case.read_text(encoding="utf-8"), encoding="utf-8")

    counts = check(root, today=TODAY).missing_translations()

    baseline = check(shipped, today=TODAY).missing_translations()
    assert counts["fr"] == baseline["fr"] + 1 and counts["ht"] == baseline["ht"] + 1
    assert counts["es"] == baseline["es"]


def test_a_file_the_bot_does_not_read_is_flagged(shipped: Path, tmp_path: Path) -> None:
    root = tmp_path / "content"
    shutil.copytree(shipped, root)
    (root / "places" / "mx.yaml").write_text("places: []\n", encoding="utf-8")

    warnings = [str(p) for p in check(root, today=TODAY).warnings]

    assert "content/places/mx.yaml warning: is not read by the bot: rename it to end in .yml" in warnings


def test_a_missing_required_file_is_an_error(shipped: Path, tmp_path: Path) -> None:
    root = tmp_path / "content"
    shutil.copytree(shipped, root)
    (root / "menu.yml").unlink()

    errors = [str(p) for p in check(root, today=TODAY).errors]

    assert errors == ["content/menu.yml is missing: the bot needs this file"]


def test_the_worked_example_in_content_md_is_valid_and_renders_as_documented(shipped: Path, tmp_path: Path) -> None:
    from bot import places
    from bot.content.provenance import answer_footer
    from bot.content.store import load as load_content
    from bot.conversation import nearby

    guide = (paths.ROOT / "CONTENT.md").read_text(encoding="utf-8")
    example = next(
        block.split("```", 1)[0]
        for block in guide.split("```yaml\n")[1:]
        if block.startswith("  - id: mx-tapachula-casa-ejemplo")
    )
    root = tmp_path / "content"
    shutil.copytree(shipped, root)
    target = root / "places" / "mx.yml"
    first_example_line = len(target.read_text(encoding="utf-8").splitlines()) + 1
    with target.open("a", encoding="utf-8") as handle:
        handle.write(example)

    report = check(root, today=TODAY)
    assert [
        str(p) for p in report.problems if p.path == "content/places/mx.yml" and (p.line or 0) >= first_example_line
    ] == []

    content = load_content(root, today=TODAY)
    results = places.nearest(content, 14.9061, -92.2697, ["shelter"], k=1)  # 400 m west of the example
    place = results[0].place
    shown = nearby.describe(content, results[0], "en", TODAY, position=1)
    documented = guide.split("```\n📍 Places near Tapachula (from our list):\n\n", 1)[1].split("```", 1)[0].strip()
    assert shown == documented
    assert answer_footer(place, "en", TODAY, ui=content) in shown
    assert "Checked against Casa Ejemplo — Contacto (example.org) on 2026-11-20" in documented
