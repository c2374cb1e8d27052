"""Nearest places: from a shared location or a city name, the closest shelters, consulates, aid points...

Places live in ``content/places/*.yml``. Searching uses a small k-d tree over points on the unit
sphere (3-D), so the straight-line distance between two points orders them exactly as the
great-circle distance does; a query visits a few dozen nodes instead of every place. One tree is
built per (content version, kinds of place, nationality) and reused until the content changes.

:func:`say_nearby` adds the list to a :class:`bot.dialogue.Dialogue` after a topic's answer; the
``share_location`` action calls :func:`answer_location`.
"""

from __future__ import annotations

import difflib
import heapq
import math
import threading
from dataclasses import dataclass
from datetime import date
from typing import TYPE_CHECKING, Any, Iterable, Mapping, Sequence

from bot.content import Content
from bot.content.geo import EARTH_RADIUS_KM, haversine_km, osm_link
from bot.content.models import City, Place, Precision
from bot.text import fold, words

if TYPE_CHECKING:  # the dialogue imports this module; type-only import avoids a cycle
    from bot.dialogue import Dialogue

RESULTS = 3
# Past this distance a place is no help to someone on foot or by bus: say there is none nearby instead.
MAX_DISTANCE_KM = 400.0
# A shared point this close to a gazetteer city is taken as being in that city.
SAME_CITY_KM = 30.0
STALE_AFTER_DAYS = 365
# How alike a word of the question and a city's spelling must be (difflib ratio) to take one for the other.
GUESS_CUTOFF = 0.85
# WhatsApp (Twilio) refuses messages over 1,600 characters; stay well below.
MESSAGE_LIMIT = 1400


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
            self._build(indices[middle + 1:], depth + 1),
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


_indexes: dict[tuple[str, tuple[str, ...], str | None], PlaceIndex] = {}
_indexes_lock = threading.Lock()


def _matches(place: Place, types: frozenset[str], nationality: str | None, content: Content) -> bool:
    if place.type not in types:
        return False
    place_type = content.place_types.get(place.type)
    if place_type is not None and place_type.needs_nationalities:
        return nationality is not None and nationality in place.nationalities
    return True


def index_for(content: Content, types: Iterable[str], nationality: str | None = None) -> PlaceIndex:
    """The (cached) index of the places of ``types`` that serve ``nationality``."""
    wanted = tuple(sorted(set(types)))
    key = (content.version, wanted, nationality)
    index = _indexes.get(key)
    if index is None:
        selected = frozenset(wanted)
        index = PlaceIndex([p for p in content.places if _matches(p, selected, nationality, content)])
        with _indexes_lock:
            if any(cached_key[0] != content.version for cached_key in _indexes):
                _indexes.clear()  # content changed: old trees hold old places
            _indexes[key] = index
    return index


def nearest(content: Content, lat: float, lon: float, types: Iterable[str], nationality: str | None = None,
            k: int = RESULTS, max_km: float | None = MAX_DISTANCE_KM) -> list[Nearby]:
    """The ``k`` nearest places of ``types``; places that need a nationality only match ``nationality``."""
    return index_for(content, types, nationality).nearest(lat, lon, k, max_km)


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
        return [name for length, names in self.guessable_by_length.items()
                if 2.0 * min(length, size) / (length + size) >= cutoff for name in names]


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
    names = CityNames({key: tuple(cities) for key, cities in exact.items()}, guessable,
                      {length: tuple(group) for length, group in by_length.items()})
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


def city_in_text(text: str, content: Content) -> City | None:
    """A corridor city named in free text even when misspelt ("albergue en tapachual").

    The NLU's gazetteer already finds exact names and listed spellings; this catches the rest with a
    strict similarity on words of at least five letters, so common words are not taken for towns.
    """
    tokens = words(text)
    candidates = [" ".join(tokens[i:i + size]) for size in (3, 2, 1) for i in range(len(tokens) - size + 1)]
    names = city_names(content)
    for candidate in candidates:
        if len(candidate) < 5:
            continue
        city = named_city(content, candidate)
        if city is not None:
            return city
        close = difflib.get_close_matches(candidate, names.comparable(candidate, GUESS_CUTOFF), n=1,
                                          cutoff=GUESS_CUTOFF)
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


# -- what the user sees -------------------------------------------------------------------------------
def _number(value: float, language: str) -> str:
    text = f"{value:.1f}" if value < 10 else f"{value:.0f}"
    return text if language == "en" else text.replace(".", ",")


def describe(content: Content, nearby: Nearby | Place, language: str, today: date | None = None,
             position: int | None = None) -> str:
    """One place as a short block: name, where, distance, address, phones, hours, map, source and cautions."""
    today = today or date.today()
    place = nearby.place if isinstance(nearby, Nearby) else nearby
    text = content.text
    head = f"{position}. " if position is not None else "• "
    where = ", ".join(part for part in (place.city, content.country_name(place.country, language)) if part)
    label = content.place_type_label(place.type, language)
    named = fold(label).split()[0] in fold(place.name).replace("/", " ").split() if label.strip() else True
    title = f"{head}{place.name}{'' if named else f' ({label})'} · {where}"
    if isinstance(nearby, Nearby):
        approximate = place.location_precision == Precision.city
        # Two city centres a few km apart say nothing useful: the city name already tells it.
        if not (approximate and nearby.distance_km < SAME_CITY_KM / 6):
            key = "place_distance_approx" if approximate else "place_distance"
            title += " · " + text(key, language, km=_number(nearby.distance_km, language))
    lines = [title]
    if place.address:
        lines.append(text("place_address", language, address=place.address))
    else:
        lines.append(text("place_no_address", language))
    if place.phone:
        lines.append(text("place_phone", language, phone=place.phone))
    if place.whatsapp:
        lines.append(text("place_whatsapp", language, phone=place.whatsapp))
    if place.hours:
        hours = place.hours.get(language) or place.hours.get("es") or next(iter(place.hours.values()))
        lines.append(text("place_hours", language, hours=hours))
    if place.services:
        services = ", ".join(content.service_label(s, language) for s in place.services)
        lines.append(text("place_services", language, services=services))
    if place.notes:
        lines.append(place.notes.get(language) or place.notes.get("es") or next(iter(place.notes.values())))
    if place.website and place.website not in place.source:
        lines.append(place.website)
    lines.append(text("place_map", language, url=osm_link(place.lat, place.lon, 17 if place.location_precision
                                                          == Precision.exact else 13)))
    lines.append(text("source_line", language, source=place.source, date=place.last_reviewed.isoformat()))
    if place.status.value != "reviewed":
        lines.append(text("place_unreviewed", language))
    if (today - place.last_reviewed).days > STALE_AFTER_DAYS:
        lines.append(text("stale_warning", language))
    return "\n".join(lines)


def listing(content: Content, results: Sequence[Nearby | Place], language: str, title: str,
            today: date | None = None) -> list[str]:
    """The title and one block per place, packed into messages short enough for WhatsApp."""
    messages: list[str] = []
    current = title
    for position, result in enumerate(results, start=1):
        block = describe(content, result, language, today, position)
        if len(current) + 2 + len(block) > MESSAGE_LIMIT:
            messages.append(current)
            current = block
        else:
            current += "\n\n" + block
    messages.append(current)
    return messages


def _kinds(content: Content, types: Sequence[str], language: str) -> str:
    return ", ".join(content.place_type_label(t, language) for t in types)


def _searchable_types(content: Content, types: Sequence[str], nationality: str | None) -> list[str]:
    """Drop consulates and embassies when the user's nationality is unknown (they would be a guess)."""
    kept = []
    for type_id in types:
        place_type = content.place_types.get(type_id)
        if place_type is not None and place_type.needs_nationalities and not nationality:
            continue
        kept.append(type_id)
    return kept


def _say_all(d: Dialogue, messages: Sequence[str]) -> None:
    for message in messages:
        d.say(message)


def say_nearby(d: Dialogue, topic: str) -> None:
    """After answering ``topic``, list the nearest places of its kinds when we know where the user is.

    With a known city: the 3 nearest to the city's point. With only a country: up to 3 in that country,
    and an invitation to share the location. A shared location is handled by :func:`answer_location`.
    """
    content = d.content
    if d.turn.intent == "share_location" or not content.places:
        return
    types = content.place_types_for_topic(topic)
    if not types:
        return
    nationality = d.slot("nationality")
    needs_nationality = [t for t in types if getattr(content.place_types.get(t), "needs_nationalities", False)]
    searchable = _searchable_types(content, types, nationality)
    if needs_nationality and not nationality and not searchable:
        d.say(d.text("places_need_nationality"))
        return
    country, city_name = d.slot("country"), d.slot("city")
    city = named_city(content, city_name, country)
    named_a_place = d.turn.entity("country") or d.turn.entity("city")
    if city is None and d.turn.text and not named_a_place:
        city = city_in_text(d.turn.text, content)
        if city is not None:
            d.set("city", city.name)
            d.set("country", city.country)
    kinds = _kinds(content, searchable, d.language)
    if city is not None:
        results = nearest(content, city.lat, city.lon, searchable, nationality)
        if results:
            title = d.text("places_near_city", city=city.name)
            _say_all(d, listing(content, results, d.language, title, d.today))
        else:
            d.say(d.text("places_none_near", kinds=kinds, km=int(MAX_DISTANCE_KM)))
        return
    if country:
        selected = frozenset(searchable)
        in_country = [p for p in content.places if p.country == country and _matches(p, selected, nationality, content)]
        if in_country:
            in_country.sort(key=lambda p: (p.city or "", p.name))
            title = d.text("places_in_country", country=content.country_name(country, d.language))
            _say_all(d, listing(content, in_country[:RESULTS], d.language, title, d.today))
        d.say(d.text("places_share_location_hint"))


def read_location(entities: Sequence[Mapping[str, Any]], metadata: Mapping[str, Any] | None = None
                  ) -> tuple[float, float] | None:
    """A valid (lat, lon) from the ``lat``/``lon`` entities (or message metadata), else None."""
    values: dict[str, Any] = {}
    for entity in entities:
        if entity.get("entity") in ("lat", "lon"):
            values[str(entity["entity"])] = entity.get("value")
    if metadata and ("lat" not in values or "lon" not in values):
        location = metadata.get("location") if isinstance(metadata.get("location"), Mapping) else metadata
        for key, names in (("lat", ("lat", "latitude")), ("lon", ("lon", "lng", "longitude"))):
            for name in names:
                if key not in values and isinstance(location, Mapping) and name in location:
                    values[key] = location[name]
    try:
        lat, lon = float(values["lat"]), float(values["lon"])
    except (KeyError, TypeError, ValueError):
        return None
    if not (math.isfinite(lat) and math.isfinite(lon) and -90 <= lat <= 90 and -180 <= lon <= 180):
        return None
    return lat, lon


def remember_area(d: Dialogue, lat: float, lon: float) -> None:
    """Keep the nearest gazetteer city (within 30 km) and its country; never the exact point."""
    found = nearest_city(d.content, lat, lon)
    if found is None:
        return
    city, distance = found
    if distance <= SAME_CITY_KM:
        d.set("city", city.name)
        d.set("country", city.country)
    elif distance <= MAX_DISTANCE_KM:
        d.set("country", city.country)
        d.set("city", None)


def answer_location(d: Dialogue, location: tuple[float, float] | None, topic: str | None) -> None:
    """Reply to a shared location: the 3 nearest places of the kind the conversation is about.

    The caller keeps the area first with :func:`remember_area` (the share-location action does, before
    it answers a pending topic for that country); this only lists places.
    """
    content = d.content
    if location is None:
        d.say(d.text("location_unreadable"))
        return
    lat, lon = location
    types = content.place_types_for_topic(topic) if topic else []
    if not types:
        types = content.default_place_types()
    nationality = d.slot("nationality")
    searchable = _searchable_types(content, types, nationality)
    if not searchable:
        d.say(d.text("places_need_nationality"))
        return
    kinds = _kinds(content, searchable, d.language)
    results = nearest(content, lat, lon, searchable, nationality)
    if not results:
        d.say(d.text("places_none_near", kinds=kinds, km=int(MAX_DISTANCE_KM)))
        return
    _say_all(d, listing(content, results, d.language, d.text("places_near_you"), d.today))
    if len(searchable) < len(types):
        d.say(d.text("places_need_nationality"))
