"""Tells a person's nationality apart from the country where they are.

"I am Honduran and I am in Guatemala" names two countries: Honduras is the person's nationality
(a demonym), Guatemala is where they are. The gazetteer (``bot.gazetteer``) finds both as country
names; this module re-labels a match as ``nationality`` when it is

* a demonym from ``content/gazetteer/demonyms.yml`` ("hondureño", "Haitian", "ayisyen"), or
* a country name right after "I am from / soy de / sou de / je viens de / mwen soti ...",

unless a place preposition comes right before it ("in / en / no / nan / au ..."): "estoy en
dominicana" stays a country. The demonym list is read again whenever the file changes, so an NGO can
add a spelling without retraining.
"""

from __future__ import annotations

import logging
import re
from dataclasses import dataclass
from pathlib import Path

import yaml

from bot import paths
from bot.text import fold

logger = logging.getLogger(__name__)

DEMONYMS_FILE = Path("gazetteer") / "demonyms.yml"

# "from X" in the five languages: what comes right before a country name that is the person's origin.
# Matched on folded text (lower case, no accents), ending where the country name starts.
_FROM = re.compile(
    r"(?:\b(?:i\s*am|i'?m|im|we\s*are|we'?re|i\s*come|we\s*come|coming|originally|born\s+in)\s+(?:from\s+)?"
    r"|\b(?:soy|somos|vengo|venimos|vine|vinimos|originari[oa]s?|naci|nacimos|natural)\s+(?:de(?:l)?|en)\s+"
    r"|\b(?:sou|somos|venho|viemos|vim|nasci|natural)\s+(?:d[eoa]s?|em|no|na)\s+"
    r"|\b(?:je\s+viens|nous\s+venons|originaire|je\s+suis\s+nee?|ne|nee)\s+(?:de\s+|d'|du\s+|des\s+|en\s+|au\s+|a\s+)"
    r"|\b(?:mwen|m|nou)\s+(?:soti|sot|fet)\s+(?:nan\s+|an\s+|lan\s+|o\s+)?)$"
)
# "I am in / estoy en / estou em / je suis à / mwen nan" right before a place: where the person is now, which
# wins over any other place in the message ("estoy en Tijuana y quiero pedir asilo en Estados Unidos").
_HERE = re.compile(
    r"(?:\b(?:i\s*am|i'?m|im|we\s*are|we'?re|i\s+live|we\s+live|living|i\s+stay|staying|now)(?:\s+now)?\s+(?:in|at)"
    r"|\b(?:estoy|estamos|vivo|vivimos|me\s+encuentro|nos\s+encontramos|ando|quedo|ahora)(?:\s+ahora)?\s+(?:en|aqui\s+en)"
    r"|\b(?:estou|to|tô|moro|moramos|vivo|vivemos|agora)(?:\s+agora)?\s+(?:em|no|na|nos|nas)"
    r"|\b(?:je\s+suis|nous\s+sommes|j'habite|j\s+habite|je\s+vis|nous\s+vivons|je\s+reste)(?:\s+maintenant)?\s+(?:a|au|aux|en)"
    r"|\b(?:mwen|m|nou)(?:\s+(?:ap|ape|k\s+ap)\s+viv)?\s+(?:nan|an|o|lan)"
    r"|^\s*(?:mwen|nou)(?:\s+(?:kounye\s+a|kounya))?)\s+$"  # "mwen Santo Domingo": Kreyòl chat drops the "nan"
)
# A place preposition right before the name: the country where the person is or asks about.
_IN = re.compile(r"\b(?:in|at|en|no|na|em|nan|an|au|aux|a|pou|para|to|para\s+el|in\s+the)\s+$")
# "in" only (not "to"): where something happens ("me robaron el pasaporte en Chile"), never a nationality
_INSIDE = re.compile(r"\b(?:in|en|no|na|em|nan|in\s+the)\s+$")


@dataclass(frozen=True)
class Demonym:
    """A demonym found in a message (offsets in the original text)."""

    start: int
    end: int
    code: str
    text: str


_cache: dict[str, tuple[float, re.Pattern[str] | None, dict[str, str]]] = {}


def _load(path: Path) -> tuple[re.Pattern[str] | None, dict[str, str]]:
    """(pattern of every folded demonym, folded demonym -> code), reloaded when the file changes."""
    try:
        mtime = path.stat().st_mtime
    except OSError:
        return None, {}
    cached = _cache.get(str(path))
    if cached and cached[0] == mtime:
        return cached[1], cached[2]
    lookup: dict[str, str] = {}
    try:
        data = yaml.safe_load(path.read_text(encoding="utf-8")) or {}
        for code, names in (data.get("demonyms") or {}).items():
            for name in names or []:
                lookup.setdefault(fold(str(name)).strip(), str(code).upper())
    except (OSError, yaml.YAMLError, AttributeError) as error:
        logger.error("Demonyms unreadable (%s): nationality comes only from 'I am from X'", error)
    lookup.pop("", None)
    alternatives = "|".join(re.escape(name) for name in sorted(lookup, key=len, reverse=True))
    pattern = re.compile(rf"(?<![\w])({alternatives})(?![\w])") if alternatives else None
    _cache[str(path)] = (mtime, pattern, lookup)
    return pattern, lookup


def demonyms(text: str, content_root: Path | None = None) -> list[Demonym]:
    """Every demonym in ``text``, in order (accents and case ignored)."""
    pattern, lookup = _load((content_root or paths.content_dir()) / DEMONYMS_FILE)
    if pattern is None:
        return []
    folded = fold(text)
    same_length = len(folded) == len(text)
    found = []
    for match in pattern.finditer(folded):
        start, end = match.span(1)
        found.append(Demonym(start, end, lookup[match.group(1)], text[start:end] if same_length else match.group(1)))
    return found


def after_from(text: str, start: int) -> bool:
    """Whether the words before ``start`` say "I am from / soy de / mwen soti ..." (the person's origin)."""
    return bool(_FROM.search(fold(text[:start])))


def after_being_in(text: str, start: int) -> bool:
    """Whether the words before ``start`` say where the person is ("I'm in", "estoy en", "mwen nan"...)."""
    return bool(_HERE.search(fold(text[:start])))


def after_place_preposition(text: str, start: int) -> bool:
    """Whether the word before ``start`` is a place preposition ("in", "en", "no", "nan", "au"...)."""
    return bool(_IN.search(fold(text[:start])))


def after_in(text: str, start: int) -> bool:
    """Whether the word before ``start`` is "in / en / no / na / em / nan": a place, not a nationality."""
    return bool(_INSIDE.search(fold(text[:start])))


# "a Venezuelan family", "an Haitian woman": English puts the nationality before the person it describes
_PERSON_AFTER = re.compile(
    r"^\s+(?:family|families|man|men|woman|women|girl|girls|boy|boys|child|children|kid|kids|baby|mother|father"
    r"|mom|dad|couple|lady|ladies|guy|guys|person|people|friend|friends|worker|workers|migrant|migrants|refugee"
    r"|refugees|national|nationals|citizen|citizens|teenager|minor|student|students|patient|client)\b"
)


def after_article(text: str, start: int, end: int | None = None) -> bool:
    """Whether the word before ``start`` is the English article "a" / "an" of a nationality: "I'm a Honduran",
    or "a Venezuelan family" (when ``end``, the demonym's end, is followed by a person)."""
    before = fold(text[:start])
    if re.search(r"\b(?:i\s*am|i'?m|im|we\s*are|we'?re|is|are|was)\s+an?\s+$", before):
        return True
    return end is not None and bool(re.search(r"\ban?\s+$", before)) and bool(_PERSON_AFTER.match(fold(text[end:])))


# "I just arrived from Ecuador", "acabo de llegar de Ecuador", "je viens d'arriver d'Équateur", "cheguei da
# Venezuela", "mwen sot Ayiti": the country the person has left, neither where they are nor what they ask about
_CAME_FROM = re.compile(
    r"\b(?:arrived|came|come|coming|fled|left|crossed|llegue|llegamos|llegado|llegar|llego|vine|vengo|venimos|sali"
    r"|salimos|hui"
    r"|huimos|cheguei|chegamos|chegado|chegar|vim|venho|viemos|sai|saimos|fugi|fugimos|arrive|arrivee|arrives|arriver"
    r"|venu|venue|venus|sot|soti|kite|rive)"
    r"\s+(?:de|del|de\s+la|d'|do|da|dos|das|from|du|des|de\s+l'|nan|sot)?\s*$"
)


# "i am in Mexico City from Honduras": in English "from" alone names where the person comes from
_BARE_FROM = re.compile(r"\bfrom\s*$")
_SENDING = re.compile(r"\b(?:send|sending|sent|transfer\w*|money|remit\w*)\b[^.?!]*$")


def after_coming_from(text: str, start: int) -> bool:
    """Whether the words before ``start`` say the person came from there ("acabo de llegar de ...")."""
    before = fold(text[:start])
    if _CAME_FROM.search(before):
        return True
    # "send money from Brazil" is where the person is
    return bool(_BARE_FROM.search(before)) and not _SENDING.search(before)


# "y si mejor me voy a Perú?", "I want to go to Chile", "je veux aller au Mexique", "quero ir para o Chile", "m vle
# ale Chili": where the person thinks of going, not where they are
_GOING_TO = re.compile(
    r"\b(?:voy|vamos|ir|irme|irnos|viajar|viajo|mudarme|mudarnos|mudar|cruzar|entrar|going|go|move|moving|travel"
    r"|travelling|traveling|cross|enter|aller|vais|allons|partir|voyager|entrer|vou|viajar|ale|pati|vwayaje|antre)"
    r"\s+(?:a|al|a\s+la|para|para\s+o|para\s+a|pra|pro|to|au|aux|en|em|no|na|nan|pou|ou)?\s*$"
)


# "quiero mandar plata a Haití", "send money to Haiti", "voye lajan Ayiti": where the money goes, not the person
_SENDING_TO = re.compile(
    r"\b(?:mandar|mando|enviar|envio|envie|send|sending|sent|envoyer|envoie|voye)\b[^.?!,;]{0,40}?"
    r"\s(?:a|al|para|pra|pro|to|au|en|pou|ba)\s*$|\bvoye\s+lajan\s*$"
)


def after_going_to(text: str, start: int) -> bool:
    """Whether the words before ``start`` say the person would go there ("me voy a ...", "go to ...")."""
    return bool(_GOING_TO.search(fold(text[:start])))


def after_sending_to(text: str, start: int) -> bool:
    """Whether the words before ``start`` say money is sent there ("mandar plata a ...", "send money to ...")."""
    return bool(_SENDING_TO.search(fold(text[:start])))
