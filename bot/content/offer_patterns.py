"""The pattern language of ``content/offers/indicators.yml``: placeholders and accent-free regular expressions.

NGO editors write patterns without accents, with ``{money}``-style placeholders defined under ``macros:``.
Both the offer check (:mod:`bot.offers`) and the content check compile them here, so a broken pattern is
reported with its file and line before it can reach a person.
"""

from __future__ import annotations

import re
import unicodedata
from collections.abc import Iterator

from bot.content.models import IndicatorsFile

_PLACEHOLDER = re.compile(r"\{([a-z_]+)\}")  # regex quantifiers such as {0,40} are digits: never placeholders
MAX_PLACEHOLDER_DEPTH = 5


def strip_accents(text: str) -> str:
    """Remove accents but keep case and every other character (patterns are regular expressions)."""
    decomposed = unicodedata.normalize("NFKD", text)
    return "".join(ch for ch in decomposed if not unicodedata.combining(ch))


def expand(pattern: str, macros: dict[str, str], depth: int = 0) -> str:
    """``pattern`` with every ``{name}`` replaced by its macro (macros may use other macros)."""
    if depth > MAX_PLACEHOLDER_DEPTH:
        raise ValueError("placeholders refer to each other in a loop")

    def replace(match: re.Match[str]) -> str:
        name = match.group(1)
        if name not in macros:
            raise ValueError(f"unknown placeholder {{{name}}}: use one of {', '.join(sorted(macros))}")
        return expand(macros[name], macros, depth + 1)

    return _PLACEHOLDER.sub(replace, pattern)


def compile_pattern(pattern: str, macros: dict[str, str]) -> re.Pattern[str] | str:
    """``pattern`` with its placeholders expanded and accents removed, compiled; or why it does not compile.

    A match starts and ends at word edges, so "cita" does not fire inside "solicitante".
    """
    try:
        expanded = strip_accents(expand(pattern, macros))
        re.compile(expanded)  # first on its own, so an error's position points into the pattern as written
        return re.compile(rf"(?<!\w)(?:{expanded})(?!\w)")
    except (re.error, ValueError) as error:
        return str(error)


def compiled_patterns(data: IndicatorsFile) -> Iterator[tuple[int, str, int, re.Pattern[str] | str]]:
    """``(indicator index, language, pattern index, compiled pattern or the reason it does not compile)``."""
    for i_index, indicator in enumerate(data.indicators):
        for language, patterns in indicator.patterns.items():
            for p_index, pattern in enumerate(patterns):
                yield i_index, language, p_index, compile_pattern(pattern, data.macros)


MARKER_FIELDS = ("markers", "own_situation", "asking")


def compiled_markers(data: IndicatorsFile, field: str = "markers") -> Iterator[tuple[str, int, re.Pattern[str] | str]]:
    """``(language, pattern index, compiled marker or the reason it does not compile)`` of one of the
    :data:`MARKER_FIELDS`."""
    for language, patterns in getattr(data, field).items():
        for p_index, pattern in enumerate(patterns):
            yield language, p_index, compile_pattern(pattern, data.macros)
