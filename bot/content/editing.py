"""Rewriting content YAML by editing lines, so comments, order and layout survive.

Tools that change content files (``migrate-provenance``, ``stamp-translations``) never re-dump YAML:
they find the lines of a key with :mod:`bot.content.yaml_lines` and delete, replace or insert lines.
"""

from __future__ import annotations

import re
from pathlib import Path
from typing import Any

from bot.content.yaml_lines import ParsedFile, Problem, read


def parse(path: Path, root: Path) -> ParsedFile | None:
    """The file with its line index, or None (and the reason printed) when it is not valid YAML."""
    problems: list[Problem] = []
    parsed = read(path, root, problems)
    for problem in problems:
        print(problem)
    return parsed


def indent_of(line: str) -> int:
    return len(line) - len(line.lstrip(" "))


def is_blank_or_comment(line: str) -> bool:
    stripped = line.strip()
    return not stripped or stripped.startswith("#")


def block_end(lines: list[str], start: int) -> int:
    """Index just after the block whose key is on ``lines[start]`` (0-based): its nested lines included,
    trailing blank lines and comments left to what follows."""
    key_line = lines[start]
    key_indent = indent_of(key_line)
    # "- key: value" opens a list item: its keys sit two columns further in.
    if key_line.lstrip().startswith("- "):
        key_indent += 2
    end = start + 1
    last_content = start
    while end < len(lines):
        line = lines[end]
        if is_blank_or_comment(line):
            end += 1
            continue
        if indent_of(line) <= key_indent:
            break
        last_content = end
        end += 1
    return last_content + 1


def walk_dicts(data: Any, path: tuple[Any, ...] = ()) -> list[tuple[tuple[Any, ...], dict[str, Any]]]:
    """Every mapping in parsed YAML data with its path, outermost first."""
    found: list[tuple[tuple[Any, ...], dict[str, Any]]] = []
    if isinstance(data, dict):
        found.append((path, data))
        for key, value in data.items():
            found.extend(walk_dicts(value, (*path, key)))
    elif isinstance(data, list):
        for index, value in enumerate(data):
            found.extend(walk_dicts(value, (*path, index)))
    return found


def remove_flow_key(line: str, key: str) -> str:
    """``line`` without ``key: value`` inside a one-line ``{...}`` mapping (values without commas or braces)."""
    pattern = re.compile(r"(,\s*)?\b" + re.escape(key) + r":\s*(\"[^\"]*\"|'[^']*'|[^,}]*?)\s*(?=[,}])")

    def drop(match: re.Match[str]) -> str:
        return ""

    new = pattern.sub(drop, line, count=1)
    return new.replace("{, ", "{").replace("{,", "{")


def write(path: Path, lines: list[str]) -> None:
    path.write_text("".join(lines), encoding="utf-8")
