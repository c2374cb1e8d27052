"""``python -m bot.content stamp-translations``: record which Spanish text each translation follows.

Every topic answer is written in Spanish first. For each other language, ``text_status`` records the
fingerprint (:func:`~bot.content.models.text_hash`) of the Spanish text the translation was made or
reviewed from::

    text_status:
      en: {status: reviewed, es_hash: 3f2a9c1b0d, reviewer: "Ana (NGO X)", date: 2026-11-29}
      ht: {status: unreviewed, es_hash: 3f2a9c1b0d}

When the Spanish text changes, the fingerprint no longer matches and the language counts as
``outdated`` (worked out at load time: nobody has to remember to flag it). Users of an unreviewed or
outdated language see a short note.

Without options the command stamps every translation that has no stamp yet, as ``unreviewed``, and
leaves the others alone. ``--reviewed-by NAME --language ht`` records a fluent speaker's review;
``--restamp-outdated`` accepts translations that were updated together with the Spanish text.
The files are edited line by line: comments and layout stay.
"""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass, field
from datetime import date
from pathlib import Path
from typing import Any

from bot.content.editing import block_end, indent_of, parse, write
from bot.content.models import LANGUAGES, SOURCE_LANGUAGE, TextStamp, TextState, text_hash


@dataclass
class Stamping:
    """What a run changed, per language."""

    stamped: dict[str, int] = field(default_factory=dict)  # language -> translations given a (new) stamp
    files: list[str] = field(default_factory=list)
    outdated_left: int = 0  # outdated translations left as they are (no --restamp-outdated)

    def count(self, language: str) -> None:
        self.stamped[language] = self.stamped.get(language, 0) + 1


def _stamp_text(stamp: dict[str, Any]) -> str:
    parts = [f"status: {stamp['status']}", f"es_hash: {stamp['es_hash']}"]
    if stamp.get("reviewer"):
        reviewer = str(stamp["reviewer"]).replace('"', "'")
        parts.append(f'reviewer: "{reviewer}"')
    if stamp.get("date"):
        parts.append(f"date: {stamp['date']}")
    return "{" + ", ".join(parts) + "}"


def _current(raw: Any) -> dict[str, Any] | None:
    if raw is None:
        return None
    if isinstance(raw, str):
        return {"status": raw}
    return dict(raw) if isinstance(raw, dict) else None


def _decide(
    raw: Any, source_hash: str, *, reviewed_by: str | None, restamp_outdated: bool, today: date, result: Stamping
) -> dict[str, Any] | None:
    """The new stamp for one language, or None to leave it as it is."""
    stamp = _current(raw)
    if reviewed_by:
        return {
            "status": TextState.reviewed.value,
            "es_hash": source_hash,
            "reviewer": reviewed_by,
            "date": today.isoformat(),
        }
    if stamp is None:
        return {"status": TextState.unreviewed.value, "es_hash": source_hash}
    if not stamp.get("es_hash"):  # written by hand without a fingerprint: keep its status, add the fingerprint
        return {**stamp, "status": stamp.get("status", "unreviewed"), "es_hash": source_hash}
    if stamp["es_hash"] != source_hash:
        if restamp_outdated:
            return {"status": TextState.unreviewed.value, "es_hash": source_hash}
        result.outdated_left += 1
    return None


def stamp(
    root: Path,
    *,
    languages: Sequence[str] = (),
    topics: Sequence[str] = (),
    countries: Sequence[str] = (),
    reviewed_by: str | None = None,
    restamp_outdated: bool = False,
    today: date | None = None,
    dry_run: bool = False,
) -> Stamping:
    """Stamp the translations of the topic answers under ``root`` (see the module docstring)."""
    today = today or date.today()
    chosen = [lang for lang in (languages or LANGUAGES) if lang != SOURCE_LANGUAGE]
    result = Stamping()
    for path in sorted((root / "topics").glob("*.yml")):
        if topics and path.stem not in topics:
            continue
        parsed = parse(path, root)
        if parsed is None or not isinstance(parsed.data, dict) or not isinstance(parsed.data.get("answers"), list):
            continue
        lines = path.read_text(encoding="utf-8").splitlines(keepends=True)
        # Edits from the bottom up, so the line numbers of the items above stay right.
        edits: list[tuple[int, int, list[str]]] = []  # (start, end, new lines) replacing lines[start:end]
        for index, answer in enumerate(parsed.data["answers"]):
            if not isinstance(answer, dict) or not isinstance(answer.get("text"), dict):
                continue
            if countries and str(answer.get("country")) not in countries:
                continue
            source = answer["text"].get(SOURCE_LANGUAGE)
            if not source:
                continue
            source_hash = text_hash(str(source))
            raw_status = answer.get("text_status")
            existing: dict[str, Any] = raw_status if isinstance(raw_status, dict) else {}
            new_stamps: dict[str, Any] = dict(existing)
            changed = False
            for language in chosen:
                if language not in answer["text"]:
                    continue
                decided = _decide(
                    existing.get(language),
                    source_hash,
                    reviewed_by=reviewed_by,
                    restamp_outdated=restamp_outdated,
                    today=today,
                    result=result,
                )
                if decided is not None and decided != _current(existing.get(language)):
                    TextStamp.parse_obj(decided)  # never write what the loader would refuse
                    new_stamps[language] = decided
                    result.count(language)
                    changed = True
            if not changed:
                continue
            edits.append(_block_edit(lines, parsed.lines, ("answers", index), new_stamps))
        if not edits:
            continue
        result.files.append(parsed.display)
        for start, end, new in sorted(edits, reverse=True):
            lines[start:end] = new
        if not dry_run:
            write(path, lines)
    return result


def _block_edit(
    lines: list[str], index: dict[tuple[Any, ...], int], item: tuple[Any, ...], stamps: dict[str, Any]
) -> tuple[int, int, list[str]]:
    """Replace the item's ``text_status`` block, or insert one right after its ``text`` block."""
    text_line = index[(*item, "text")] - 1
    key_indent = indent_of(lines[text_line])
    if lines[text_line].lstrip().startswith("- "):
        key_indent += 2
    pad = " " * key_indent
    body = [f"{pad}text_status:\n"] + [
        f"{pad}  {language}: {_stamp_text(_current(stamps[language]) or {})}\n"
        for language in LANGUAGES
        if language in stamps
    ]
    if (*item, "text_status") in index:
        start = index[(*item, "text_status")] - 1
        return start, block_end(lines, start), body
    end = block_end(lines, text_line)
    return end, end, body
