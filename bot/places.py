"""Searching places and cities: the closest shelters, consulates, aid points to a point, and city names in text.

Pure search over ``content/``: no conversation, no wording (that is :mod:`bot.conversation.nearby`).

Places live in ``content/places/*.yml``. Searching uses a small k-d tree over points on the unit
sphere (3-D), so the straight-line distance between two points orders them exactly as the
great-circle distance does; a query visits a few dozen nodes instead of every place. One tree is
built per (content version, kinds of place, nationality) and reused until the content changes.
"""

from __future__ import annotations

import difflib
import heapq
import math
import os
import threading
from collections.abc import Iterable, Sequence
from dataclasses import dataclass
from typing import Any

from bot.content import Content
from bot.content.geo import EARTH_RADIUS_KM, haversine_km
from bot.content.models import City, Place
from bot.language import written_words
from bot.text import fold, words

RESULTS = 3
# Past this distance a place is no help to someone on foot or by bus: say there is none nearby instead.
MAX_DISTANCE_KM = 400.0
# A place in another country is only offered to someone this close to it (near that border).
BORDER_KM = float(os.environ.get("BRUJULA_BORDER_KM", "50"))
# How far each kind of place is still worth the trip (a shelter tonight vs a consulate once); a place type may
# set its own with ``max_km`` in content/place_types.yml. Other kinds: MAX_DISTANCE_KM.
RADIUS_KM: dict[str, float] = {
    "shelter": 150.0,
    "aid_station": 150.0,
    "water_point": 50.0,
    "health_post": 100.0,
    "red_cross": 300.0,
    "legal_aid": 300.0,
    "support_org": 300.0,
    "migration_office": 400.0,
    "asylum_office": 400.0,
    "iom": 600.0,
    "unhcr": 600.0,
    "consulate": 1000.0,
    "embassy": 1500.0,
}
# A shared point this close to a gazetteer city is taken as being in that city.
SAME_CITY_KM = 30.0
# How alike a word of the question and a city's spelling must be (difflib ratio) to take one for the other.
GUESS_CUTOFF = 0.85


@dataclass(frozen=True)
class Nearby:
    place: Place
    distance_km: float


def _unit_vector(lat: float, lon: float) -> tuple[float, float, float]:
    phi, lam = math.radians(lat), math.radians(lon)
    cos_phi = math.cos(phi)
    return (cos_phi * math.cos(lam), cos_phi * math.sin(lam), math.sin(phi))


def _chord_to_km(chord: float) -> float:
    return 2 * EARTH_RADIUS_KM * math.asin(min(1.0, chord / 2))


class PlaceIndex:
    """A 3-d tree of places for k-nearest queries. Immutable once built; safe to share between threads."""

    __slots__ = ("places", "_points", "_tree")

    def __init__(self, places: Sequence[Place]) -> None:
        self.places = list(places)
        self._points = [_unit_vector(p.lat, p.lon) for p in self.places]
        self._tree = self._build(list(range(len(self.places))), 0)

    def __len__(self) -> int:
        return len(self.places)

    def _build(self, indices: list[int], depth: int) -> Any:
        """Nodes are tuples (place index, axis, left, right); leaves are None."""
        if not indices:
            return None
        axis = depth % 3
        indices.sort(key=lambda i: self._points[i][axis])
        middle = len(indices) // 2
        return (
            indices[middle],
            axis,
            self._build(indices[:middle], depth + 1),
            self._build(indices[middle + 1 :], depth + 1),
        )

    def nearest(self, lat: float, lon: float, k: int = RESULTS, max_km: float | None = None) -> list[Nearby]:
        """The ``k`` places closest to (lat, lon), nearest first, optionally within ``max_km``."""
        if k <= 0 or self._tree is None:
            return []
        query = _unit_vector(lat, lon)
        points = self._points
        # Max-heap of (-squared chord, place index): the worst of the best k is at the top.
        best: list[tuple[float, int]] = []
        limit = math.inf
        if max_km is not None:
            limit = (2 * math.sin(min(max_km / (2 * EARTH_RADIUS_KM), math.pi / 2))) ** 2
        stack = [self._tree]
        while stack:
            node = stack.pop()
            if node is None:
                continue
            index, axis, left, right = node
            point = points[index]
            dx, dy, dz = point[0] - query[0], point[1] - query[1], point[2] - query[2]
            squared = dx * dx + dy * dy + dz * dz
            worst = -best[0][0] if len(best) == k else limit
            if squared <= worst:
                if len(best) == k:
                    heapq.heapreplace(best, (-squared, index))
                else:
                    heapq.heappush(best, (-squared, index))
                worst = -best[0][0] if len(best) == k else limit
            gap = query[axis] - point[axis]
            near, far = (left, right) if gap < 0 else (right, left)
            if gap * gap <= worst:  # the far side may still hold something closer
                stack.append(far)
            stack.append(near)  # popped first: shrinks `worst` early
        ranked = sorted((-negative, index) for negative, index in best)
        return [Nearby(self.places[i], _chord_to_km(math.sqrt(sq))) for sq, i in ranked]


def scan_nearest(places: Iterable[Place], lat: float, lon: float, k: int = RESULTS) -> list[Nearby]:
    """The same answer as :meth:`PlaceIndex.nearest` by measuring every place (the benchmark's baseline)."""
    measured = [Nearby(place, haversine_km(lat, lon, place.lat, place.lon)) for place in places]
    measured.sort(key=lambda nearby: nearby.distance_km)
    return measured[:k]


_indexes: dict[tuple[str, tuple[str, ...], str | None, str | None], PlaceIndex] = {}
_indexes_lock = threading.Lock()


def matches(place: Place, types: frozenset[str], nationality: str | None, content: Content) -> bool:
    if place.type not in types:
        return False
    place_type = content.place_types.get(place.type)
    if place_type is not None and place_type.needs_nationalities:
        return nationality is not None and nationality in place.nationalities
    return True


def index_for(
    content: Content, types: Iterable[str], nationality: str | None = None, country: str | None = None
) -> PlaceIndex:
    """The (cached) index of the places of ``types`` that serve ``nationality`` (in ``country`` if given)."""
    wanted = tuple(sorted(set(types)))
    key = (content.version, wanted, nationality, country)
    index = _indexes.get(key)
    if index is None:
        selected = frozenset(wanted)
        index = PlaceIndex(
            [
                p
                for p in content.places
                if matches(p, selected, nationality, content) and (country is None or p.country == country)
            ]
        )
        with _indexes_lock:
            if any(cached_key[0] != content.version for cached_key in _indexes):
                _indexes.clear()  # content changed: old trees hold old places
            _indexes[key] = index
    return index


def nearest(
    content: Content,
    lat: float,
    lon: float,
    types: Iterable[str],
    nationality: str | None = None,
    k: int = RESULTS,
    max_km: float | None = MAX_DISTANCE_KM,
) -> list[Nearby]:
    """The ``k`` nearest places of ``types``; places that need a nationality only match ``nationality``."""
    return index_for(content, types, nationality).nearest(lat, lon, k, max_km)


def radius_km(content: Content, type_id: str) -> float:
    """How far a place of ``type_id`` is still "near" (``max_km`` of the place type, else :data:`RADIUS_KM`)."""
    configured = getattr(content.place_types.get(type_id), "max_km", None)
    return float(configured) if configured else RADIUS_KM.get(type_id, MAX_DISTANCE_KM)


@dataclass(frozen=True)
class Ranked:
    """Places for one person, in the order to show them.

    Attributes:
        results: places in the person's country within each type's radius, nearest first; then places in
            another country within ``border_km`` of the person (they are near that border).
        closest: when ``results`` is empty, the closest place of these types at any distance (preferably in
            the person's country), so the answer can name it honestly; else None.
        radius_km: the largest radius searched.
        nothing_within_km: with no results, the distance within which there is truly nothing of these
            types (the smallest of their radii): what an honest "nothing near" can claim.
    """

    results: list[Nearby]
    closest: Nearby | None
    radius_km: float
    nothing_within_km: float = 0.0


def rank(
    content: Content,
    lat: float,
    lon: float,
    types: Sequence[str],
    nationality: str | None = None,
    country: str | None = None,
    k: int = RESULTS,
    border_km: float | None = None,
) -> Ranked:
    """The places of ``types`` worth showing to someone at (lat, lon) in ``country`` (see :class:`Ranked`)."""
    if not types:
        return Ranked([], None, 0.0, 0.0)
    border = BORDER_KM if border_km is None else border_km
    radius = max(radius_km(content, t) for t in types)
    wide = k * 4  # a few more than needed: some fall outside their own type's radius

    def within_radius(found: list[Nearby]) -> list[Nearby]:
        return [n for n in found if n.distance_km <= radius_km(content, n.place.type)]

    if country is None:
        results = within_radius(index_for(content, types, nationality).nearest(lat, lon, wide, radius))[:k]
    else:
        results = within_radius(index_for(content, types, nationality, country).nearest(lat, lon, wide, radius))[:k]
        if len(results) < k and border > 0:
            across = [
                n
                for n in index_for(content, types, nationality).nearest(lat, lon, wide, border)
                if n.place.country != country
            ]
            results += across[: k - len(results)]
    closest = None
    if not results:
        nearest_any = index_for(content, types, nationality, country).nearest(lat, lon, 1) if country else []
        nearest_any = nearest_any or index_for(content, types, nationality).nearest(lat, lon, 1)
        closest = nearest_any[0] if nearest_any else None
    return Ranked(results, closest, radius, min(radius_km(content, t) for t in types))


# -- cities -----------------------------------------------------------------------------------------
@dataclass(frozen=True)
class CityNames:
    """Every city spelling of one content version, folded once (accents and case ignored)."""

    exact: dict[str, tuple[City, ...]]  # folded name or alias -> the cities it names, in gazetteer order
    guessable: dict[str, City]  # spellings of 5+ letters, the only ones a misspelling may be matched to
    guessable_by_length: dict[int, tuple[str, ...]]

    def comparable(self, candidate: str, cutoff: float) -> list[str]:
        """The guessable spellings long enough, and short enough, to reach ``cutoff`` against ``candidate``.

        The same test difflib's ``real_quick_ratio`` makes first, done once per length instead of per name.
        """
        size = len(candidate)
        return [
            name
            for length, names in self.guessable_by_length.items()
            if 2.0 * min(length, size) / (length + size) >= cutoff
            for name in names
        ]


_city_names_cache: dict[str, CityNames] = {}


def city_names(content: Content) -> CityNames:
    """The folded spellings of ``content``'s cities, built once per content version."""
    cached = _city_names_cache.get(content.version)
    if cached is not None:
        return cached
    exact: dict[str, list[City]] = {}
    guessable: dict[str, City] = {}
    for city in content.cities:
        for spelling in (city.name, *city.aliases):
            folded = fold(spelling)
            named = exact.setdefault(folded, [])
            if not named or named[-1] is not city:  # "Cúcuta" and alias "cucuta" fold alike
                named.append(city)
            if len(spelling) >= 5:
                guessable.setdefault(folded, city)
    by_length: dict[int, list[str]] = {}
    for folded in guessable:
        by_length.setdefault(len(folded), []).append(folded)
    names = CityNames(
        {key: tuple(cities) for key, cities in exact.items()},
        guessable,
        {length: tuple(group) for length, group in by_length.items()},
    )
    _city_names_cache.clear()  # content changed: the old spellings are of no use
    _city_names_cache[content.version] = names
    return names


def named_city(content: Content, name: str | None, country: str | None = None) -> City | None:
    """The same answer as ``Content.city`` (canonical name or alias, accents and case ignored), from the cache."""
    if not name:
        return None
    for city in city_names(content).exact.get(fold(name).strip(), ()):
        if not country or city.country == country:
            return city
    return None


def city_in_text(text: str, content: Content, country: str | None = None) -> City | None:
    """A corridor city named in free text even when misspelt ("albergue en tapachual").

    The NLU's gazetteer already finds exact names and listed spellings; this catches the rest with a
    strict similarity on words of at least five letters, so common words are not taken for towns. Words
    of the training messages are never guessed ("mexicain" is not Mexicali, "ciudadana" not Ciudad Acuña).
    When the person's ``country`` is known, a guess must be a city of that country: a guess never moves
    them (French "médecin" is as close to "Medelín" as a typo is).
    """
    tokens = words(text)
    candidates = [" ".join(tokens[i : i + size]) for size in (4, 3, 2, 1) for i in range(len(tokens) - size + 1)]
    names = city_names(content)
    written = written_words()
    for candidate in candidates:
        if len(candidate) < 5:
            continue
        city = named_city(content, candidate)
        if city is not None:
            return city
        if all(word in written for word in candidate.split()):
            continue
        spellings = [
            name
            for name in names.comparable(candidate, GUESS_CUTOFF)
            if country is None or names.guessable[name].country == country
        ]
        close = difflib.get_close_matches(candidate, spellings, n=1, cutoff=GUESS_CUTOFF)
        if close:
            return names.guessable[close[0]]
    return None


def nearest_city(content: Content, lat: float, lon: float) -> tuple[City, float] | None:
    """The gazetteer city closest to a point, with its distance in km."""
    best: tuple[City, float] | None = None
    for city in content.cities:
        distance = haversine_km(lat, lon, city.lat, city.lon)
        if best is None or distance < best[1]:
            best = (city, distance)
    return best


def searchable_types(content: Content, types: Sequence[str], nationality: str | None) -> list[str]:
    """``types`` without consulates and embassies when the nationality is unknown (they would be a guess)."""
    kept = []
    for type_id in types:
        place_type = content.place_types.get(type_id)
        if place_type is not None and place_type.needs_nationalities and not nationality:
            continue
        kept.append(type_id)
    return kept


def in_country(content: Content, country: str, types: Iterable[str], nationality: str | None = None) -> list[Place]:
    """The places of ``types`` in ``country`` serving ``nationality``, by city then name."""
    selected = frozenset(types)
    found = [p for p in content.places if p.country == country and matches(p, selected, nationality, content)]
    found.sort(key=lambda p: (p.city or "", p.name))
    return found
