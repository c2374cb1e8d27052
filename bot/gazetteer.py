"""Finds countries (names and nationalities, in five languages) and corridor cities in a message.

The lists live in ``content/gazetteer/`` so NGOs can add a spelling without retraining. Matching
ignores accents and case and prefers the longest name ("santiago de los caballeros" over "santiago").
"""

from __future__ import annotations

import re
from dataclasses import dataclass

from bot.content import Content
from bot.text import fold


@dataclass(frozen=True)
class Match:
    entity: str  # "country" or "city"
    value: str  # ISO code for a country, the city's canonical name for a city
    start: int
    end: int
    text: str
    country: str  # the ISO code of the country (for a city, the country it is in)


def _names(content: Content) -> list[tuple[str, str, str, str]]:
    """(folded name, entity, value, country) for every name, longest first."""
    names: list[tuple[str, str, str, str]] = []
    for country in content.countries.values():
        for name in {*country.aliases, *country.name.values()}:
            names.append((fold(name), "country", country.code, country.code))
    for city in content.cities:
        for name in {city.name, *city.aliases}:
            names.append((fold(name), "city", city.name, city.country))
    names.sort(key=lambda item: len(item[0]), reverse=True)
    return names


_pattern_cache: dict[str, tuple[re.Pattern[str], dict[str, tuple[str, str, str]]]] = {}


def _pattern(content: Content) -> tuple[re.Pattern[str], dict[str, tuple[str, str, str]]]:
    cached = _pattern_cache.get(content.version)
    if cached:
        return cached
    lookup: dict[str, tuple[str, str, str]] = {}
    for folded, entity, value, country in _names(content):
        lookup.setdefault(folded, (entity, value, country))
    alternatives = "|".join(re.escape(name) for name in sorted(lookup, key=len, reverse=True))
    compiled = re.compile(rf"(?<![\w])({alternatives})(?![\w])")
    _pattern_cache.clear()
    _pattern_cache[content.version] = (compiled, lookup)
    return compiled, lookup


def find(text: str, content: Content) -> list[Match]:
    """Every country and city named in ``text``, in order of appearance.

    Folding keeps string length for the letters we meet here (it only drops combining accents), so
    offsets are computed on the folded text and mapped back by re-folding prefixes when needed.
    """
    folded = fold(text)
    pattern, lookup = _pattern(content)
    same_length = len(folded) == len(text)
    matches = []
    for found in pattern.finditer(folded):
        entity, value, country = lookup[found.group(1)]
        start, end = found.span(1)
        original = text[start:end] if same_length else found.group(1)
        matches.append(Match(entity, value, start, end, original, country))
    return matches
