"""``python -m bot.content migrate-provenance``: remove the schema v1 review stamp from content files.

The old stamp (``last_reviewed``, ``reviewed_by``, ``status``) was the same batch date on every item and
said nothing about what was checked. Migrating deletes it and sets nothing in its place: ``checked`` is
written by a person who compared the item with its evidence, never by a tool. ``source`` stays.

Files are edited line by line (comments and layout stay); one-line ``{...}`` items lose just those keys.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from pathlib import Path

from bot.content.editing import parse, remove_flow_key, walk_dicts, write
from bot.content.models import LEGACY_FIELDS

# Files whose every item is "general" (not tied to one country), for --scope general.
GENERAL_FILES = ("organisations.yml", "gazetteer/cities.yml")


@dataclass
class Migration:
    """What a run changed (or would change, with ``dry_run``)."""

    items: int = 0
    lines_deleted: int = 0
    lines_edited: int = 0
    files: list[str] = field(default_factory=list)
    skipped: list[str] = field(default_factory=list)  # items the tool cannot edit safely, with where


def _in_scope(relative: str, item: dict[str, object], scope: str) -> bool:
    if scope == "all":
        return True
    if relative in GENERAL_FILES:
        return True
    return relative.startswith("topics/") and item.get("country") == "*"


def migrate(root: Path, scope: str = "all", dry_run: bool = False) -> Migration:
    """Remove the v1 stamp from every item in ``root`` (``scope="general"``: only answers for country "*",
    organisations and the gazetteer)."""
    result = Migration()
    for path in sorted(root.rglob("*.yml")):
        relative = path.relative_to(root).as_posix()
        if any(part.startswith(".") for part in path.relative_to(root).parts):
            continue
        parsed = parse(path, root)
        if parsed is None or parsed.data is None:
            continue
        lines = path.read_text(encoding="utf-8").splitlines(keepends=True)
        delete: set[int] = set()
        edited: dict[int, str] = {}
        for item_path, item in walk_dicts(parsed.data):
            keys = [key for key in LEGACY_FIELDS if key in item]
            if not keys or "source" not in item or not _in_scope(relative, item, scope):
                continue
            result.items += 1
            for key in keys:
                number = parsed.lines.get((*item_path, key))
                if number is None:  # a key merged in from an anchor: nothing written here
                    continue
                index = number - 1
                text = edited.get(index, lines[index])
                stripped = text.lstrip()
                if stripped.startswith(f"{key}:"):
                    delete.add(index)
                elif stripped.startswith(f"- {key}:"):
                    result.skipped.append(f"{parsed.display}:{number} {key}: first key of the item; delete by hand")
                else:
                    new = remove_flow_key(text, key)
                    if new == text:
                        result.skipped.append(f"{parsed.display}:{number} {key}: could not find it on the line")
                    edited[index] = new
        if not delete and not edited:
            continue
        result.files.append(parsed.display)
        result.lines_deleted += len(delete)
        result.lines_edited += len(set(edited) - delete)
        new_lines = [edited.get(i, line) for i, line in enumerate(lines) if i not in delete]
        if not dry_run:
            write(path, new_lines)
    return result
