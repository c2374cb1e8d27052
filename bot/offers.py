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
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

import yaml

from bot import paths
from bot.content.models import (
    OFFER_LANGUAGES,
    Indicator,
    IndicatorsFile,
    OfferLevel,
    OfferSeverity,
)
from bot.content.offer_patterns import compiled_markers, compiled_patterns, strip_accents

LANGUAGES = OFFER_LANGUAGES
INDICATORS_FILE = "offers/indicators.yml"
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
_PIECE = re.compile(r"\w+|\s+|.", re.UNICODE)
_CLAUSE_END = re.compile(r"[.,;:!?\n]")


@dataclass(frozen=True)
class Flag:
    """A warning sign found in a message, with the words that raised it."""

    id: str
    severity: OfferSeverity
    quote: str
    explanation: dict[str, str]


@dataclass(frozen=True)
class OfferCheck:
    level: OfferLevel
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


def compile_markers(data: IndicatorsFile, field: str = "markers") -> tuple[re.Pattern[str], ...]:
    """The compiled ``markers:`` (words that show a message is an offer), ``own_situation:`` or ``asking:``
    (someone writing or asking about their own situation); a broken one raises ValueError."""
    markers = []
    for language, p_index, compiled in compiled_markers(data, field):
        if isinstance(compiled, str):
            raise ValueError(f"{field} {language} #{p_index + 1}: {compiled}")
        markers.append(compiled)
    return tuple(markers)


def compile_indicators(data: IndicatorsFile) -> tuple[_Compiled, ...]:
    """Every indicator with its compiled patterns; a broken pattern raises ValueError naming it."""
    regexes: dict[int, list[re.Pattern[str]]] = {index: [] for index in range(len(data.indicators))}
    for i_index, language, p_index, compiled in compiled_patterns(data):
        if isinstance(compiled, str):
            indicator = data.indicators[i_index]
            raise ValueError(f"indicator {indicator.id}, patterns {language} #{p_index + 1}: {compiled}")
        regexes[i_index].append(compiled)
    return tuple(_Compiled(indicator, tuple(regexes[index])) for index, indicator in enumerate(data.indicators))


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


def _any_match(patterns: tuple[re.Pattern[str], ...], text: str) -> bool:
    folded = normalise(text or "").text
    return any(pattern.search(folded) for pattern in patterns)


class OfferChecker:
    """Compiled indicators, ready to check messages."""

    def __init__(self, data: IndicatorsFile) -> None:
        self._compiled = compile_indicators(data)
        self._markers = compile_markers(data)
        self._own_situation = compile_markers(data, "own_situation")
        self._asking = compile_markers(data, "asking")

    @classmethod
    def from_file(cls, path: Path) -> OfferChecker:
        raw = yaml.safe_load(path.read_text(encoding="utf-8"))
        return cls(IndicatorsFile.parse_obj(raw))

    @property
    def indicators(self) -> list[Indicator]:
        return [entry.indicator for entry in self._compiled]

    def is_offer(self, text: str) -> bool:
        """The message reads like an offer (a job ad, a trip, papers for sale), not a question about one."""
        return _any_match(self._markers, text)

    def writes_about_own_situation(self, text: str) -> bool:
        """The message is in the first person ("I work in Lima and my boss owes me three weeks")."""
        return _any_match(self._own_situation, text)

    def asks_about_own_situation(self, text: str) -> bool:
        """The message is the person's own question ("I work in Lima and ..., what can I do?")."""
        return _any_match(self._asking, text)

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
        flags.sort(key=lambda flag: flag.severity is not OfferSeverity.high)  # serious first, file order otherwise
        return OfferCheck(level_of([flag.severity for flag in flags]), tuple(flags))

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


def level_of(severities: list[OfferSeverity]) -> OfferLevel:
    """One serious sign, or two lesser ones, make an offer high risk."""
    if OfferSeverity.high in severities or len(severities) >= 2:
        return OfferLevel.high
    return OfferLevel.some if severities else OfferLevel.none_found


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


# A pasted offer is long; a question about one ("is this a scam?", "do I have to pay for the procedure?") is not.
PASTED_OFFER_WORDS = 12
UNSURE_CONFIDENCE = 0.6  # below this the classifier's topic is a guess, and a warning sign decides


def looks_like_a_pasted_offer(text: str, classifier_confidence: float, root: Path | None = None) -> bool:
    """Whether a message is an offer to check rather than a question about one.

    A long message with a serious warning sign (or a short one the classifier was unsure about), a long
    message with a lesser sign that the classifier was unsure about, or a longer one with offer words
    ("se busca", "hiring", "vaga") that is not in the first person ("I work in Lima and my boss owes me three
    weeks": the person's own situation). A warning sign in the person's own question ("I want to cross to
    Chile, is the road safe?") does not make it an offer when the classifier is sure of its topic. Used by the
    NLU (:class:`bot.nlu.components.IntentRules`) so that a pasted offer is checked even when its words (work,
    a visa, a trip) pull the classifier towards a topic.
    """
    try:
        offer_checker = checker(root)
    except (OSError, ValueError):
        return False
    words = len(text.split())
    level = offer_checker.check(text).level
    unsure = classifier_confidence < UNSURE_CONFIDENCE
    if level is OfferLevel.high and (words >= PASTED_OFFER_WORDS or unsure):
        return unsure or not offer_checker.asks_about_own_situation(text)
    if level is OfferLevel.some and unsure and words >= PASTED_OFFER_WORDS - 2:
        return True
    return (
        words >= PASTED_OFFER_WORDS + 3
        and offer_checker.is_offer(text)
        and not offer_checker.writes_about_own_situation(text)
    )


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
