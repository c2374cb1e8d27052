"""Checks a job, travel or "papers" offer for the warning signs NGOs keep in ``content/offers/``.

The indicators come from recognised frameworks (ILO forced-labour indicators, ILO fair-recruitment
principles, IOM's IRIS "employer pays" standard) and from documented scam patterns. Each one has
patterns in five languages that survive WhatsApp spelling: the text is folded (lower case, no accents),
common shortcuts are expanded ("q" -> "que") and amounts in any currency are recognised. A match right
after a negation ("no cobramos nada") does not count.

The result names each flag with the exact part of the message that raised it, and a level:
``high`` (one serious sign, or two lesser ones), ``some`` (one lesser sign) or ``none_found``. The bot never
says an offer is safe: ``none_found`` only means no common sign was seen.

Usable without Rasa::

    echo "pague 500 reais antes para garantir a vaga" | python -m bot.offers check
"""

from __future__ import annotations

import argparse
import json
import re
import sys
import threading
import unicodedata
from dataclasses import dataclass, field
from datetime import date
from enum import Enum
from pathlib import Path
from typing import Any

import yaml
from pydantic import BaseModel, Extra, validator

from bot import paths

LANGUAGES = ("es", "en", "pt", "fr", "ht")
INDICATORS_FILE = "offers/indicators.yml"
MAX_QUOTE_WORDS = 30
MAX_QUOTE_CHARS = 160  # the quote shown back to the person: long enough to recognise, short on a phone
NEGATION_WINDOW = 2  # words before a match, in the same clause, that can cancel it
NEGATIONS = frozenset(
    "no nao nunca never not dont don't doesnt won't ni sin sem without pa pap ne jamais aucun aucune zero nenhum "
    "ninguna ninguno nada".split()
)
# WhatsApp shortcuts, written after folding; each expands to what the patterns are written against.
SHORTCUTS = {
    "q": "que",
    "k": "que",
    "xq": "porque",
    "pq": "porque",
    "porq": "porque",
    "x": "por",
    "tb": "tambien",
    "tmb": "tambien",
    "d": "de",
    "vc": "voce",
    "vcs": "voces",
    "oq": "o que",
    "tbm": "tambem",
    "u": "you",
    "ur": "your",
    "pls": "please",
    "svp": "s'il vous plait",
    "stp": "s'il te plait",
    "dlls": "dolares",
    "dls": "dolares",
    "usd$": "usd",
    "pra": "para",
    "pro": "para o",
}
_MACRO = re.compile(r"\{([a-z_]+)\}")
_PIECE = re.compile(r"\w+|\s+|.", re.UNICODE)
_CLAUSE_END = re.compile(r"[.,;:!?\n]")


class Severity(str, Enum):
    high = "high"
    some = "some"


class Level(str, Enum):
    high = "high"
    some = "some"
    none_found = "none_found"


class _Strict(BaseModel):
    class Config:
        extra = Extra.forbid  # a misspelt key is an error, not silently ignored


class IndicatorSource(_Strict):
    """The public page that documents a warning sign, with a short quote from it."""

    name: str
    url: str
    quote: str
    read_on: date

    @validator("quote")
    def _short_quote(cls, value: str) -> str:  # noqa: N805
        if len(value.split()) > MAX_QUOTE_WORDS:
            raise ValueError(f"is {len(value.split())} words long: quote at most {MAX_QUOTE_WORDS} words")
        return value

    @validator("url")
    def _web_address(cls, value: str) -> str:  # noqa: N805
        if not value.startswith(("https://", "http://")):
            raise ValueError(f"must start with https://, got {value!r}")
        return value


class Indicator(_Strict):
    """One warning sign: patterns per language, a plain explanation per language, a severity and a source."""

    id: str
    severity: Severity
    patterns: dict[str, list[str]]
    explanation: dict[str, str]
    source: IndicatorSource

    @validator("patterns", "explanation")
    def _five_languages(cls, value: dict[str, Any]) -> dict[str, Any]:  # noqa: N805
        unknown = sorted(set(value) - set(LANGUAGES))
        if unknown:
            raise ValueError(f"unknown language {', '.join(unknown)}: use {', '.join(LANGUAGES)}")
        missing = [lang for lang in LANGUAGES if not value.get(lang)]
        if missing:
            raise ValueError(f"missing for {', '.join(missing)}: every language needs at least one")
        return value


class IndicatorsFile(_Strict):
    macros: dict[str, str] = {}
    indicators: list[Indicator]


@dataclass(frozen=True)
class Flag:
    """A warning sign found in a message, with the words that raised it."""

    id: str
    severity: Severity
    quote: str
    explanation: dict[str, str]


@dataclass(frozen=True)
class OfferCheck:
    level: Level
    flags: tuple[Flag, ...] = field(default=())

    def as_json(self) -> dict[str, Any]:
        """What ``python -m bot.offers check`` prints and the desk console shows."""
        return {"level": self.level.value, "flags": [{"id": f.id, "quote": f.quote} for f in self.flags]}

    def explanations(self, language: str) -> list[tuple[str, str]]:
        """(quote, explanation in ``language``) for each flag, most serious first."""
        return [(flag.quote, flag.explanation.get(language) or flag.explanation["es"]) for flag in self.flags]


@dataclass(frozen=True)
class _Compiled:
    indicator: Indicator
    regexes: tuple[re.Pattern[str], ...]


def strip_accents(text: str) -> str:
    """Remove accents but keep case and every other character (patterns are regular expressions)."""
    decomposed = unicodedata.normalize("NFKD", text)
    return "".join(ch for ch in decomposed if not unicodedata.combining(ch))


def _expand(pattern: str, macros: dict[str, str], depth: int = 0) -> str:
    if depth > 5:
        raise ValueError("macros refer to each other in a loop")

    def replace(match: re.Match[str]) -> str:
        name = match.group(1)
        if name not in macros:
            raise ValueError(f"unknown placeholder {{{name}}}: use one of {', '.join(sorted(macros))}")
        return _expand(macros[name], macros, depth + 1)

    return _MACRO.sub(replace, pattern)


def compile_indicators(data: IndicatorsFile) -> tuple[_Compiled, ...]:
    """Expand placeholders and compile every pattern; a broken pattern raises ValueError naming it."""
    compiled = []
    for indicator in data.indicators:
        regexes = []
        for language, patterns in indicator.patterns.items():
            for number, pattern in enumerate(patterns, 1):
                try:
                    regexes.append(re.compile(strip_accents(_expand(pattern, data.macros))))
                except (re.error, ValueError) as error:
                    raise ValueError(
                        f"indicator {indicator.id}, patterns {language} #{number}: {error} in {pattern!r}"
                    ) from None
        compiled.append(_Compiled(indicator, tuple(regexes)))
    return tuple(compiled)


@dataclass(frozen=True)
class _Normalised:
    """Folded text plus, for each of its characters, the span of the original text it came from."""

    text: str
    starts: tuple[int, ...]
    ends: tuple[int, ...]


def normalise(text: str) -> _Normalised:
    """Fold case and accents, expand WhatsApp shortcuts and squeeze white space, remembering where each
    character came from so that a match can be quoted exactly as the person wrote it."""
    out: list[str] = []
    starts: list[int] = []
    ends: list[int] = []
    for match in _PIECE.finditer(text):
        piece = match.group(0)
        if piece.isspace():
            replacement = " "
        else:
            folded = strip_accents(piece.lower())
            replacement = SHORTCUTS.get(folded, folded) if piece[0].isalnum() else folded
        for ch in replacement:
            out.append(ch)
            starts.append(match.start())
            ends.append(match.end())
    return _Normalised("".join(out), tuple(starts), tuple(ends))


def _negated(normalised: str, start: int) -> bool:
    """A negation among the few words just before ``start``, in the same clause ("no cobramos nada")."""
    clause = _CLAUSE_END.split(normalised[:start])[-1]
    before = clause.split()[-NEGATION_WINDOW:]
    return any(word.strip("\"'¡¿") in NEGATIONS for word in before)


def _quote(text: str, norm: _Normalised, start: int, end: int) -> str:
    begin, finish = norm.starts[start], norm.ends[max(start, end - 1)]
    quote = " ".join(text[begin:finish].split())
    if len(quote) > MAX_QUOTE_CHARS:
        quote = quote[: MAX_QUOTE_CHARS - 1].rsplit(" ", 1)[0] + "…"
    return quote


class OfferChecker:
    """Compiled indicators, ready to check messages."""

    def __init__(self, data: IndicatorsFile) -> None:
        self._compiled = compile_indicators(data)

    @classmethod
    def from_file(cls, path: Path) -> OfferChecker:
        raw = yaml.safe_load(path.read_text(encoding="utf-8"))
        return cls(IndicatorsFile.parse_obj(raw))

    @property
    def indicators(self) -> list[Indicator]:
        return [entry.indicator for entry in self._compiled]

    def check(self, text: str) -> OfferCheck:
        """The warning signs in ``text``: one flag per indicator, quoting its first un-negated match."""
        norm = normalise(text or "")
        flags: list[Flag] = []
        for entry in self._compiled:
            found = self._first_match(entry, norm)
            if found is not None:
                start, end = found
                quote = _quote(text, norm, start, end)
                flags.append(Flag(entry.indicator.id, entry.indicator.severity, quote, entry.indicator.explanation))
        flags.sort(key=lambda flag: flag.severity is not Severity.high)  # serious first, file order otherwise
        return OfferCheck(_level(flags), tuple(flags))

    @staticmethod
    def _first_match(entry: _Compiled, norm: _Normalised) -> tuple[int, int] | None:
        best: tuple[int, int] | None = None
        for regex in entry.regexes:
            for match in regex.finditer(norm.text):
                if match.end() > match.start() and not _negated(norm.text, match.start()):
                    if best is None or match.start() < best[0]:
                        best = (match.start(), match.end())
                    break
        return best


def _level(flags: list[Flag]) -> Level:
    serious = sum(flag.severity is Severity.high for flag in flags)
    if serious or len(flags) >= 2:
        return Level.high
    return Level.some if flags else Level.none_found


_cache: dict[str, tuple[float, OfferChecker]] = {}
_cache_lock = threading.Lock()


def checker(root: Path | None = None) -> OfferChecker:
    """The checker for ``content/offers/indicators.yml``, rebuilt when the file changes (NGOs edit it live).

    A broken edit keeps the last good checker serving; the content check reports the error with its line.
    """
    path = (root or paths.content_dir()) / INDICATORS_FILE
    key = str(path)
    mtime = path.stat().st_mtime
    with _cache_lock:
        cached = _cache.get(key)
        if cached and cached[0] == mtime:
            return cached[1]
        try:
            fresh = OfferChecker.from_file(path)
        except (ValueError, yaml.YAMLError):
            if cached:
                return cached[1]
            raise
        _cache[key] = (mtime, fresh)
        return fresh


def check(text: str, root: Path | None = None) -> OfferCheck:
    """Check ``text`` with the indicators in ``content/``."""
    return checker(root).check(text)


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(prog="python -m bot.offers", description=__doc__.split("\n\n")[0])
    sub = parser.add_subparsers(dest="command", required=True)
    sub.add_parser("check", help="read an offer on standard input and print the warning signs found as JSON")
    parser.parse_args(argv)
    result = check(sys.stdin.read())
    print(json.dumps(result.as_json(), ensure_ascii=False))
    return 0


if __name__ == "__main__":
    sys.exit(main())
