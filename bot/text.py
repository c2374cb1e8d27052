"""Small text helpers shared by language detection, the gazetteer and the dialogue."""

from __future__ import annotations

import re
import unicodedata
from collections.abc import Iterable, Sequence

_WORD = re.compile(r"[^\W\d_]+", re.UNICODE)


def fold(text: str) -> str:
    """Lower-case and strip accents, the way many people type on a phone ("migración" -> "migracion")."""
    decomposed = unicodedata.normalize("NFKD", text.lower())
    return "".join(ch for ch in decomposed if not unicodedata.combining(ch))


def words(text: str) -> list[str]:
    """Letter-only tokens of ``text`` after :func:`fold`."""
    return _WORD.findall(fold(text))


def opens_with(text: str, openers: Iterable[tuple[str, ...]]) -> bool:
    """Whether the :func:`words` of ``text`` begin with one of ``openers`` (folded word tuples)."""
    tokens = tuple(words(text))
    return any(tokens[: len(opener)] == opener for opener in openers)


def contains_phrase(tokens: Sequence[str], phrases: Iterable[tuple[str, ...]]) -> bool:
    """Whether ``tokens`` (from :func:`words`) contain one of ``phrases`` (folded word tuples) anywhere."""
    return any(
        tuple(tokens[i : i + len(phrase)]) == phrase for phrase in phrases for i in range(len(tokens) - len(phrase) + 1)
    )


def latin_share(text: str) -> float:
    """Share of the letters in ``text`` that are Latin script (1.0 when there are no letters)."""
    letters = [ch for ch in text if ch.isalpha()]
    if not letters:
        return 1.0
    latin = sum(1 for ch in letters if "LATIN" in unicodedata.name(ch, ""))
    return latin / len(letters)


def without_spans(text: str, spans: Iterable[tuple[int, int]]) -> str:
    """``text`` with the characters at ``spans`` (start, end offsets, may overlap) replaced by one space each."""
    rest, previous = [], 0
    for start, end in sorted(spans):
        rest.append(text[previous:start])
        previous = max(previous, end)
    rest.append(text[previous:])
    return " ".join(rest)
