"""Places, as the person sees them: the list after a topic's answer, and the answer to a shared location.

The search itself is :mod:`bot.places`; this module decides what to search for from the conversation
and how each place is written (name, where, distance, address, phones, hours, map, provenance).
"""

from __future__ import annotations

import math
from collections.abc import Mapping, Sequence
from datetime import date
from typing import Any

from bot import places
from bot.content import Content
from bot.content.geo import osm_link
from bot.content.models import Place, Precision
from bot.conversation.dialogue import Dialogue
from bot.conversation.provenance import footer
from bot.conversation.vocabulary import SHARE_LOCATION, Meta, Slot
from bot.language import translated
from bot.places import MAX_DISTANCE_KM, RESULTS, SAME_CITY_KM, Nearby
from bot.text import fold

# WhatsApp (Twilio) refuses messages over 1,600 characters; stay well below.
MESSAGE_LIMIT = 1400


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
        lines.append(text("place_hours", language, hours=translated(place.hours, language)))
    if place.services:
        services = ", ".join(content.service_label(s, language) for s in place.services)
        lines.append(text("place_services", language, services=services))
    if place.notes:
        lines.append(translated(place.notes, language))
    if place.website and place.website not in place.source:
        lines.append(place.website)
    zoom = 17 if place.location_precision == Precision.exact else 13
    lines.append(text("place_map", language, url=osm_link(place.lat, place.lon, zoom)))
    lines.append(footer(content, [place], language, today))
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


def _say_all(d: Dialogue, messages: Sequence[str]) -> None:
    for message in messages:
        d.say(message)


def say_nearby(d: Dialogue, topic: str) -> None:
    """After answering ``topic``, list the nearest places of its kinds when we know where the user is.

    With a known city: the 3 nearest to the city's point. With only a country: up to 3 in that country,
    and an invitation to share the location. A shared location is handled by :func:`answer_location`.
    """
    content = d.content
    if d.turn.intent == SHARE_LOCATION or not content.places:
        return
    types = content.place_types_for_topic(topic)
    if not types:
        return
    nationality = d.slot(Slot.NATIONALITY)
    needs_nationality = [t for t in types if getattr(content.place_types.get(t), "needs_nationalities", False)]
    searchable = places.searchable_types(content, types, nationality)
    if needs_nationality and not nationality and not searchable:
        d.say(d.text("places_need_nationality"))
        return
    country, city_name = d.slot(Slot.COUNTRY), d.slot(Slot.CITY)
    city = places.named_city(content, city_name, country)
    named_a_place = d.turn.entity("country") or d.turn.entity("city")
    if city is None and d.turn.text and not named_a_place:
        city = places.city_in_text(d.turn.text, content)
        if city is not None:
            d.set(Slot.CITY, city.name)
            d.set(Slot.COUNTRY, city.country)
    kinds = _kinds(content, searchable, d.language)
    if city is not None:
        results = places.nearest(content, city.lat, city.lon, searchable, nationality)
        if results:
            title = d.text("places_near_city", city=city.name)
            _say_all(d, listing(content, results, d.language, title, d.today))
        else:
            d.say(d.text("places_none_near", kinds=kinds, km=int(MAX_DISTANCE_KM)))
        return
    if country:
        found = places.in_country(content, country, searchable, nationality)
        if found:
            title = d.text("places_in_country", country=content.country_name(country, d.language))
            _say_all(d, listing(content, found[:RESULTS], d.language, title, d.today))
        d.say(d.text("places_share_location_hint"))


def read_location(entities: Sequence[Mapping[str, Any]], metadata: Mapping[str, Any] | None = None
                  ) -> tuple[float, float] | None:
    """A valid (lat, lon) from the ``lat``/``lon`` entities (or message metadata), else None."""
    values: dict[str, Any] = {}
    for entity in entities:
        if entity.get("entity") in ("lat", "lon"):
            values[str(entity["entity"])] = entity.get("value")
    if metadata and ("lat" not in values or "lon" not in values):
        nested = metadata.get(Meta.LOCATION)
        location = nested if isinstance(nested, Mapping) else metadata
        for key, names in (("lat", ("lat", "latitude")), ("lon", ("lon", "lng", "longitude"))):
            for name in names:
                if key not in values and name in location:
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
    found = places.nearest_city(d.content, lat, lon)
    if found is None:
        return
    city, distance = found
    if distance <= SAME_CITY_KM:
        d.set(Slot.CITY, city.name)
        d.set(Slot.COUNTRY, city.country)
    elif distance <= MAX_DISTANCE_KM:
        d.set(Slot.COUNTRY, city.country)
        d.set(Slot.CITY, None)


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
    nationality = d.slot(Slot.NATIONALITY)
    searchable = places.searchable_types(content, types, nationality)
    if not searchable:
        d.say(d.text("places_need_nationality"))
        return
    kinds = _kinds(content, searchable, d.language)
    results = places.nearest(content, lat, lon, searchable, nationality)
    if not results:
        d.say(d.text("places_none_near", kinds=kinds, km=int(MAX_DISTANCE_KM)))
        return
    _say_all(d, listing(content, results, d.language, d.text("places_near_you"), d.today))
    if len(searchable) < len(types):
        d.say(d.text("places_need_nationality"))
