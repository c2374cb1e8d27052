"""Reading content YAML with the line of every key and list item, and plain hints for syntax errors.

The parsed data keeps a map from each path (``("places", 3, "lat")``) to its line, so every later
message can say ``content/places/mx.yml:42``.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

import yaml

from bot.content.models import Place

ERROR, WARNING = "error", "warning"


@dataclass(frozen=True)
class Problem:
    """One thing to fix, with where it is."""

    path: str  # as shown to editors, e.g. content/places/mx.yml
    line: int | None
    field: str | None
    message: str
    severity: str = ERROR

    def __str__(self) -> str:
        where = f"{self.path}:{self.line}" if self.line else self.path
        label = "warning: " if self.severity == WARNING else ""
        what = f"{self.field}: " if self.field else ""
        return f"{where} {label}{what}{self.message}"


_YAML_HINTS = (
    ("found character '\\t'", "indent with spaces, never with the Tab key"),
    ("tab character", "indent with spaces, never with the Tab key"),
    ("mapping values are not allowed", 'a value that contains ": " must be written between double quotes'),
    ("could not find expected ':'", 'a line is missing the ":" after its key, or a quote is not closed'),
    ("while scanning a quoted scalar", 'a quote (") is opened but never closed'),
    ("found unexpected end of stream", "a quote or a bracket is opened but never closed"),
    ("did not find expected key", "the indentation is wrong: keys of the same item must start in the same column"),
    ("expected <block end>", "the indentation is wrong: keys of the same item must start in the same column"),
    (
        "did not find expected '-' indicator",
        'the indentation is wrong: every list item must start with "- " in the same column',
    ),
    ("found undefined alias", "a *name refers to an &name that is not defined above it"),
    ("found unknown escape character", "inside double quotes, write a backslash as \\\\ or use single quotes"),
    ("found duplicate anchor", "the same &name is defined twice"),
)


@dataclass
class ParsedFile:
    path: Path
    display: str
    data: Any
    lines: dict[tuple[Any, ...], int]
    model: Any = None  # the pydantic object once it validated
    # When a places file does not validate as a whole, the places that do, by position, so that
    # the checks across places (ids, kinds, countries) still run and every problem shows at once.
    valid_places: list[tuple[int, Place]] = field(default_factory=list)

    def line(self, *path: Any) -> int | None:
        """The line of ``path`` (or of its closest parent that exists in the file)."""
        key = tuple(path)
        while key:
            if key in self.lines:
                return self.lines[key]
            key = key[:-1]
        return self.lines.get((), 1)


# -- reading YAML with line numbers --------------------------------------------------------------
class _Loader(yaml.CSafeLoader if hasattr(yaml, "CSafeLoader") else yaml.SafeLoader):  # type: ignore[misc]
    """Safe loader that keeps an impossible date ("2026-13-45") as text, so the checker can point at it."""


def _lenient_timestamp(loader: yaml.SafeLoader, node: yaml.Node) -> Any:
    try:
        return yaml.SafeLoader.construct_yaml_timestamp(loader, node)  # type: ignore[arg-type]
    except ValueError:
        return loader.construct_scalar(node)  # type: ignore[arg-type]


_Loader.add_constructor("tag:yaml.org,2002:timestamp", _lenient_timestamp)


def display_name(path: Path, root: Path) -> str:
    try:
        return f"{root.name}/{path.relative_to(root).as_posix()}"
    except ValueError:
        return str(path)


def read(path: Path, root: Path, problems: list[Problem]) -> ParsedFile | None:
    """Parse one YAML file, remembering the line of every key and list item."""
    display = display_name(path, root)
    try:
        text = path.read_text(encoding="utf-8")
    except UnicodeDecodeError as error:
        problems.append(
            Problem(display, None, None, f"is not saved as UTF-8 (byte {error.start}): save it again choosing UTF-8")
        )
        return None
    except OSError as error:
        problems.append(Problem(display, None, None, f"cannot be read: {error.strerror}"))
        return None
    loader = _Loader(text)
    try:
        node = loader.get_single_node()
        data = loader.construct_document(node) if node is not None else None
    except yaml.MarkedYAMLError as error:
        problems.append(_syntax_problem(display, error))
        return None
    except yaml.YAMLError as error:
        problems.append(Problem(display, None, None, f"YAML syntax: {error}"))
        return None
    finally:
        loader.dispose()
    parsed = ParsedFile(path, display, data, {})
    if node is not None:
        _index_lines(node, (), parsed, problems)
    parsed.lines.setdefault((), 1)
    return parsed


def _syntax_problem(display: str, error: yaml.MarkedYAMLError) -> Problem:
    mark = error.problem_mark or error.context_mark
    what = " ".join(part for part in (error.context, error.problem) if part)
    hint = next((h for needle, h in _YAML_HINTS if needle in str(error)), None)
    message = f"YAML syntax: {what}" + (f" ({hint})" if hint else "")
    return Problem(display, mark.line + 1 if mark else None, None, message)


def _index_lines(
    node: yaml.Node,
    path: tuple[Any, ...],
    parsed: ParsedFile,
    problems: list[Problem],
    key_line: int | None = None,
    depth: int = 0,
) -> None:
    parsed.lines.setdefault(path, key_line or node.start_mark.line + 1)
    if depth > 40:  # an alias loop; PyYAML would have refused it already
        return
    if isinstance(node, yaml.MappingNode):
        seen: dict[str, int] = {}
        for key_node, value_node in node.value:
            key = str(key_node.value)
            line = key_node.start_mark.line + 1
            if key in seen and key != "<<":
                problems.append(
                    Problem(
                        parsed.display,
                        line,
                        key,
                        f"is written twice in the same item (first on line {seen[key]}); "
                        "only one can count: delete one",
                    )
                )
            seen.setdefault(key, line)
            _index_lines(value_node, (*path, key), parsed, problems, line, depth + 1)
    elif isinstance(node, yaml.SequenceNode):
        for index, item in enumerate(node.value):
            _index_lines(item, (*path, index), parsed, problems, None, depth + 1)
