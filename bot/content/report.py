"""``python -m bot.content report`` (``make content-report``): one page a coordinator can read.

- items by status (confirmed by an organisation, checked, not checked, still on the old stamp), per kind;
- evidence coverage: items with evidence, homepage-only links, quotes over 30 words;
- translations: reviewed / unreviewed / outdated per language;
- what is due in the next 30 days (see :mod:`bot.content.due`);
- what changed since a git ref: items added, removed and changed, found by comparing each item's
  fingerprint with the same files at that ref (default: the last release tag, else the previous commit
  on ``main`` that touched ``content/``).

Written as Markdown, or HTML when the output file ends in ``.html``.
"""

from __future__ import annotations

import hashlib
import html
import json
import shutil
import subprocess
import tempfile
from dataclasses import dataclass, field
from datetime import date
from pathlib import Path
from typing import Any

from bot.content import due
from bot.content.check import check
from bot.content.messages import Report
from bot.content.models import (
    LANGUAGES,
    MAX_QUOTE_WORDS,
    SOURCE_LANGUAGE,
    EmergencyNumber,
    Organisation,
    Place,
    Sourced,
    TextState,
    TopicAnswer,
    is_homepage,
    word_count,
)
from bot.content.rules import sourced_items, volatile_countries
from bot.content.yaml_lines import ParsedFile

KINDS = ("answer", "number", "place", "organisation")
STATUSES = ("confirmed", "checked", "not checked", "old stamp")


def kind_of(item: Sourced) -> str:
    if isinstance(item, TopicAnswer):
        return "answer"
    if isinstance(item, EmergencyNumber):
        return "number"
    if isinstance(item, Place):
        return "place"
    if isinstance(item, Organisation):
        return "organisation"
    return "other"


def status_of(item: Sourced) -> str:
    if item.is_confirmed:
        return "confirmed"
    if item.checked is not None:
        return "checked"
    if item.legacy_stamp and not item.evidence:
        return "old stamp"
    return "not checked"


def item_key(parsed: ParsedFile, item: Sourced, country: str | None) -> str:
    """A name for an item that stays the same when it is edited (for "what changed")."""
    if isinstance(item, TopicAnswer):
        return f"{parsed.path.stem} / {item.country}"
    if isinstance(item, Place | Organisation):
        return f"{kind_of(item)} {item.id}"
    if isinstance(item, EmergencyNumber):
        return f"number {country or 'regional'} {item.number or item.url}"
    return f"{parsed.display}"


def fingerprints(report: Report) -> dict[str, str]:
    """Every item's key -> a fingerprint of everything written in it."""
    found: dict[str, str] = {}
    for parsed, _path, item, country in sourced_items(report):
        data = item.dict(exclude={"legacy_stamp"}, exclude_none=True)
        digest = hashlib.sha256(json.dumps(data, sort_keys=True, default=str).encode()).hexdigest()[:12]
        found[item_key(parsed, item, country)] = digest
    return found


@dataclass
class Table:
    title: str
    headers: list[str]
    rows: list[list[str]]
    note: str = ""


@dataclass
class Page:
    title: str
    intro: list[str] = field(default_factory=list)
    tables: list[Table] = field(default_factory=list)
    lists: list[tuple[str, list[str]]] = field(default_factory=list)

    def markdown(self) -> str:
        lines = [f"# {self.title}", "", *self.intro, ""]
        for table in self.tables:
            lines += [f"## {table.title}", ""]
            if table.note:
                lines += [table.note, ""]
            lines += ["| " + " | ".join(table.headers) + " |", "|" + "---|" * len(table.headers)]
            lines += ["| " + " | ".join(cell.replace("|", "/") for cell in row) + " |" for row in table.rows]
            lines.append("")
        for title, entries in self.lists:
            lines += [f"## {title}", ""]
            lines += [f"- {entry}" for entry in entries] or ["(none)"]
            lines.append("")
        return "\n".join(lines)

    def html(self) -> str:
        esc = html.escape
        parts = [
            f"<!doctype html><html><head><meta charset='utf-8'><title>{esc(self.title)}</title>",
            "<style>body{font-family:sans-serif;max-width:70em;margin:auto}table{border-collapse:collapse}"
            "td,th{border:1px solid #ccc;padding:.2em .5em}</style></head><body>",
            f"<h1>{esc(self.title)}</h1>",
            *(f"<p>{esc(line)}</p>" for line in self.intro if line),
        ]
        for table in self.tables:
            parts.append(f"<h2>{esc(table.title)}</h2>")
            if table.note:
                parts.append(f"<p>{esc(table.note)}</p>")
            parts.append("<table><tr>" + "".join(f"<th>{esc(h)}</th>" for h in table.headers) + "</tr>")
            parts += ["<tr>" + "".join(f"<td>{esc(c)}</td>" for c in row) + "</tr>" for row in table.rows]
            parts.append("</table>")
        for title, entries in self.lists:
            parts.append(f"<h2>{esc(title)}</h2><ul>")
            parts += [f"<li>{esc(entry)}</li>" for entry in entries] or ["<li>(none)</li>"]
            parts.append("</ul>")
        parts.append("</body></html>")
        return "\n".join(parts)


# -- git ------------------------------------------------------------------------------------------------
def _git_bytes(repo: Path, *args: str) -> bytes | None:
    """Output of a read-only git command, or None when git is missing or the command fails."""
    git = shutil.which("git")
    if git is None:
        return None
    try:
        done = subprocess.run(  # noqa: S603 - git with arguments we build, no shell
            [git, "-C", str(repo), *args],
            capture_output=True,
            timeout=60,  # noqa: S603 - fixed argv
            check=False,
        )
    except (OSError, subprocess.SubprocessError):
        return None
    return done.stdout if done.returncode == 0 else None


def _git(repo: Path, *args: str) -> str | None:
    out = _git_bytes(repo, *args)
    return None if out is None else out.decode("utf-8", "replace").strip()


def default_ref(repo: Path, content_path: str = "content") -> str | None:
    """The last release tag; else the previous commit on main that touched content/ (the newest one when the
    working tree has changed content since)."""
    tag = _git(repo, "describe", "--tags", "--abbrev=0")
    if tag:
        return tag
    branch = "main" if _git(repo, "rev-parse", "--verify", "--quiet", "main") else "HEAD"
    commits = (_git(repo, "log", "--format=%H", "-n", "2", branch, "--", content_path) or "").split()
    if not commits:
        return None
    unchanged = _git(repo, "diff", "--quiet", commits[0], "--", content_path) is not None
    if unchanged:
        return commits[1] if len(commits) > 1 else None
    return commits[0]


def content_at(repo: Path, ref: str, content_path: str, into: Path) -> Path | None:
    """The content folder as it was at ``ref``, written under ``into``; None when git cannot give it."""
    listing = _git(repo, "ls-tree", "-r", "--name-only", ref, "--", content_path)
    if listing is None:
        return None
    root = into / "content"
    for name in listing.splitlines():
        blob = _git_bytes(repo, "show", f"{ref}:{name}")
        if blob is None:
            return None
        target = root / Path(name).relative_to(content_path)
        target.parent.mkdir(parents=True, exist_ok=True)
        target.write_bytes(blob)
    return root


def changes(before: dict[str, str], after: dict[str, str]) -> tuple[list[str], list[str], list[str]]:
    added = sorted(set(after) - set(before))
    removed = sorted(set(before) - set(after))
    changed = sorted(key for key in set(before) & set(after) if before[key] != after[key])
    return added, removed, changed


# -- the page -------------------------------------------------------------------------------------------
def build(root: Path, today: date, since: str | None = None, repo: Path | None = None) -> Page:
    report = check(root, today)
    items = sourced_items(report)
    page = Page(
        "Content report",
        [
            f"Generated {today.isoformat()} by `python -m bot.content report` from {root}.",
            f"{len(report.errors)} error(s), {len(report.warnings)} warning(s) in `make content-check`.",
        ],
    )

    by_status = {kind: dict.fromkeys(STATUSES, 0) for kind in KINDS}
    evidence = {kind: [0, 0, 0, 0] for kind in KINDS}  # items, with evidence, homepage-only links, long quotes
    expired: list[str] = []
    for parsed, path, item, country in items:
        kind = kind_of(item)
        if kind not in by_status:
            continue
        by_status[kind][status_of(item)] += 1
        counts = evidence[kind]
        counts[0] += 1
        counts[1] += bool(item.evidence)
        counts[2] += sum(is_homepage(e.url) for e in item.evidence)
        counts[3] += sum(word_count(e.quote) > MAX_QUOTE_WORDS for e in item.evidence)
        if item.is_expired(today):
            expired.append(
                f"{item_key(parsed, item, country)} — valid until {item.valid_until} "
                f"({parsed.display}:{parsed.line(*path)})"
            )
    page.tables.append(
        Table(
            "Items by status",
            ["kind", *STATUSES, "total"],
            [
                [kind, *(str(by_status[kind][s]) for s in STATUSES), str(sum(by_status[kind].values()))]
                for kind in KINDS
            ],
            "confirmed: an organisation confirmed it · checked: compared with its evidence, not confirmed · "
            "not checked: no checked date · old stamp: still carries last_reviewed/status (run migrate-provenance)",
        )
    )
    page.tables.append(
        Table(
            "Evidence coverage",
            ["kind", "items", "with evidence", "%", "homepage-only links", f"quotes over {MAX_QUOTE_WORDS} words"],
            [
                [kind, str(c[0]), str(c[1]), f"{100 * c[1] / c[0]:.0f}%" if c[0] else "—", str(c[2]), str(c[3])]
                for kind, c in evidence.items()
            ],
        )
    )
    states = {lang: dict.fromkeys(TextState, 0) for lang in LANGUAGES if lang != SOURCE_LANGUAGE}
    for _parsed, _path, item, _country in items:
        if isinstance(item, TopicAnswer):
            for lang in states:
                if lang in item.text:
                    states[lang][item.text_state(lang)] += 1
    page.tables.append(
        Table(
            "Translations of answers",
            ["language", *(s.value for s in TextState)],
            [[lang, *(str(counts[s]) for s in TextState)] for lang, counts in states.items()],
            "reviewed: a fluent speaker reviewed it against the current Spanish text · "
            "outdated: the Spanish changed since",
        )
    )
    volatile = sorted(volatile_countries(report))
    if volatile:
        page.intro.append(f"Volatile countries (shorter recheck period): {', '.join(volatile)}.")
    found = due.due_items(report, today)
    page.lists.append(
        (f"Due in the next {due.DUE_WITHIN_DAYS} days or overdue ({len(found)})", [d.render(today) for d in found])
    )
    page.lists.append((f"Expired: valid_until passed ({len(expired)})", expired))
    page.lists.append(("Changes since the last release", _changes(report, root, since, repo)))
    return page


def _changes(report: Report, root: Path, since: str | None, repo: Path | None) -> list[str]:
    repo = repo or root.resolve().parent
    ref = since or default_ref(repo)
    if ref is None:
        return ["No earlier version found in git to compare with."]
    relative = _git(repo, "rev-parse", "--show-prefix")
    try:
        content_path = (Path(relative or "") / root.resolve().relative_to(repo.resolve())).as_posix()
    except ValueError:
        return [f"{root} is not inside the git repository {repo}."]
    with tempfile.TemporaryDirectory(prefix="brujula-report-") as scratch:
        old_root = content_at(repo, ref, content_path, Path(scratch))
        if old_root is None:
            return [f"Could not read {content_path} at {ref}."]
        old = fingerprints(check(old_root))
    new = fingerprints(report)
    added, removed, changed = changes(old, new)
    short = _git(repo, "rev-parse", "--short", ref) or ref
    lines = [f"Compared with {ref} ({short}): {len(added)} added, {len(changed)} changed, {len(removed)} removed."]
    lines += [f"added: {key}" for key in added]
    lines += [f"changed: {key}" for key in changed]
    lines += [f"removed: {key}" for key in removed]
    return lines


def write(page: Page, output: Path) -> None:
    output.parent.mkdir(parents=True, exist_ok=True)
    output.write_text(page.html() if output.suffix == ".html" else page.markdown(), encoding="utf-8")


def summary(page: Page) -> dict[str, Any]:
    """The page's tables as data (for tests and scripts)."""
    return {table.title: table.rows for table in page.tables}
