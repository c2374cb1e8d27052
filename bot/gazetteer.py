"""Finds countries (names and nationalities, in five languages) and corridor cities in a message.

The lists live in ``content/gazetteer/`` so NGOs can add a spelling without retraining. Matching
ignores accents and case and prefers the longest name ("santiago de los caballeros" over "santiago").
A city marked ``also_a_word`` (Quito, also a form of "quitar") is not taken for the city after an
object pronoun ("nos quito los papeles") or when written with an accent the name does not have ("quitó").
"""

from __future__ import annotations

import re
from collections.abc import Iterable, Mapping
from dataclasses import dataclass
from typing import Any

from bot.content import Content
from bot.text import fold, without_spans, words

# Set on a country or city entity of the parse result when the message says the person is there ("I'm in",
# "estoy en", "mwen nan"): that place wins over the others the message names.
HERE_KEY = "here"
# Set on a country entity named after "in / en / no / nan" ("me robaron el pasaporte en Chile"): a place where
# something happens, so never the person's nationality, even for the topics about one's own country.
INSIDE_KEY = "inside"
# Set on a country entity the person says they came from ("acabo de llegar de Ecuador"): not where they are,
# not what they ask about.
CAME_FROM_KEY = "came_from"
# Set on a country entity the person would go to ("me voy a Perú", "I want to go to Chile"): not where they are.
GOING_TO_KEY = "going_to"
# Set on a country entity money is sent to ("mandar plata a Haití"): neither where the person is nor what they ask.
SENT_TO_KEY = "sent_to"


# The other words of a message that only gives a place, a nationality or both ("estoy en Santo Domingo", "tô no
# Brasil", "I'm Honduran and I'm in Guatemala", "mwen se ayisyen mwen nan Repiblik Dominikèn", "y en Perú?",
# "what about Panama"), folded. Such a message is new information or a change of place, not a topic question,
# whatever topic the place's name pulls towards.
STATEMENT_WORDS = frozenset(
    # es
    "yo estoy estamos esta vivo vivimos me nos encuentro encontramos ando quedo soy somos de del en el la los las"
    " y ahora aqui aca ahorita actualmente ya llegue llegamos ciudad pais hola buenas buenos dias tardes noches"
    " que tal tambien igual"
    # en
    " i m am we are re in at the now currently live living stay staying from and a an hi hello here right just"
    " arrived moved city country of what how about also same"
    # pt
    " eu to tou estou moro moramos vivemos agora atualmente em no na nos nas do da sou e o oi ola cheguei"
    " chegamos cidade quanto"
    # fr
    " je j suis nous sommes habite habitons vis vivons reste maintenant actuellement ici au aux des du le l d"
    " et bonjour salut ville arrive arrivee arrives viens venons pareil ma on est tous toutes"
    # ht
    " mwen nou nan an o lan ap viv rete kounye kounya isit se ak epi bonjou bonswa fek fenk rive peyi vil"
    " soti sot fet ye menm bagay".split()
)


def entity_spans(entities: Iterable[Mapping[str, Any]], kinds: Iterable[str]) -> list[tuple[int, int]]:
    """(start, end) of the parse result's entities of these ``kinds`` ("country", "city", "nationality")."""
    wanted = set(kinds)
    return [(int(e.get("start") or 0), int(e.get("end") or 0)) for e in entities if e.get("entity") in wanted]


def nothing_but_places(text: str, spans: Iterable[tuple[int, int]]) -> bool:
    """Whether ``text`` is only the places or nationalities at ``spans`` (at least one) and
    :data:`STATEMENT_WORDS`."""
    spans = list(spans)
    if not spans:
        return False
    return all(word in STATEMENT_WORDS for word in words(without_spans(text, spans)))


@dataclass(frozen=True)
class Match:
    entity: str  # "country" or "city"
    value: str  # ISO code for a country, the city's canonical name for a city
    start: int
    end: int
    text: str
    country: str  # the ISO code of the country (for a city, the country it is in)


# Object pronouns before a verb: "me quito", "nos quito los papeles" (es, pt, fr)
PRONOUNS_BEFORE_A_VERB = frozenset({"me", "te", "se", "nos", "os", "le", "les", "lo", "la", "los", "las"})


@dataclass(frozen=True)
class _Name:
    entity: str
    value: str
    country: str
    # for a name that is also a word: how it is written (lower case), to tell "Quito" from "quitó"
    word_spellings: frozenset[str] | None = None
    # phrases in which the name means something else ("zona franca"), matched on folded text
    other_meanings: tuple[re.Pattern[str], ...] = ()


def _names(content: Content) -> list[tuple[str, _Name]]:
    """(folded name, what it names) for every name, longest first."""
    names: list[tuple[str, _Name]] = []
    for country in content.countries.values():
        other_meanings = tuple(
            re.compile(rf"(?<![\w]){re.escape(fold(phrase))}(?![\w])") for phrase in country.other_meanings
        )
        for name in {*country.aliases, *country.name.values(), *country.regions}:
            names.append((fold(name), _Name("country", country.code, country.code, other_meanings=other_meanings)))
    for city in content.cities:
        spellings = {city.name, *city.aliases}
        word_spellings = frozenset(s.lower() for s in spellings) if city.also_a_word else None
        for name in spellings:
            names.append((fold(name), _Name("city", city.name, city.country, word_spellings)))
    names.sort(key=lambda item: len(item[0]), reverse=True)
    return names


_pattern_cache: dict[str, tuple[re.Pattern[str], dict[str, _Name]]] = {}


def _pattern(content: Content) -> tuple[re.Pattern[str], dict[str, _Name]]:
    cached = _pattern_cache.get(content.version)
    if cached:
        return cached
    lookup: dict[str, _Name] = {}
    for folded, name in _names(content):
        lookup.setdefault(folded, name)
    alternatives = "|".join(re.escape(name) for name in sorted(lookup, key=len, reverse=True))
    compiled = re.compile(rf"(?<![\w])({alternatives})(?![\w])")
    _pattern_cache.clear()
    _pattern_cache[content.version] = (compiled, lookup)
    return compiled, lookup


def _is_the_word(name: _Name, written: str, before: str) -> bool:
    """True when a name that is also a word is used as the word here ("me quitó", "nos quito")."""
    if name.word_spellings is None:
        return False
    if written.lower() != fold(written) and written.lower() not in name.word_spellings:
        return True  # an accent the place's name does not have: "quitó"
    previous = before.split()[-1:] or [""]
    return previous[0] in PRONOUNS_BEFORE_A_VERB


def _inside_another_meaning(name: _Name, folded: str, start: int, end: int) -> bool:
    """True when the match lies inside a phrase where the name means something else ("zona franca")."""
    for phrase in name.other_meanings:
        for found in phrase.finditer(folded):
            if found.start() <= start and end <= found.end():
                return True
    return False


# "meu marido se chama Salvador", "my son is called Jordan": a person's name, not a place
_NAMED_BEFORE = re.compile(
    r"\b(se llama|me llamo|llamad[oa]|de nombre|se chama|me chamo|chamad[oa]|(my|his|her|their) name is|named|called"
    r"|s'appelle|m'appelle|appele\w*|nome e|nombre es)\s+$"
)


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
        name = lookup[found.group(1)]
        start, end = found.span(1)
        original = text[start:end] if same_length else found.group(1)
        if _is_the_word(name, original, folded[:start]) or _NAMED_BEFORE.search(folded[:start]):
            continue
        if _inside_another_meaning(name, folded, start, end):
            continue
        matches.append(Match(name.entity, name.value, start, end, original, name.country))
    return matches
