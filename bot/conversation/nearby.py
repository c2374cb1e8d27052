"""Places, as the person sees them: the list after a topic's answer, and the answer to a shared location.

The search itself is :mod:`bot.places`; this module decides what to search for from the conversation
and how each place is written (name, where, distance, address, phones, hours, map, provenance).
"""

from __future__ import annotations

import math
import re
from collections.abc import Mapping, Sequence
from datetime import date
from typing import Any
from urllib.parse import quote_plus, urlsplit

from bot import places
from bot.content import Content
from bot.content.geo import osm_link
from bot.content.models import Place, Precision
from bot.conversation.dialogue import BotMessage, Dialogue
from bot.conversation.provenance import footer
from bot.conversation.vocabulary import CONSULATE_NATIONALITIES, SHARE_LOCATION, Menu, Meta, Slot
from bot.language import translated
from bot.places import MAX_DISTANCE_KM, RESULTS, SAME_CITY_KM, Nearby, Ranked
from bot.text import fold

# WhatsApp (Twilio) refuses messages over 1,600 characters; stay well below.
MESSAGE_LIMIT = 1400


def _number(value: float, language: str) -> str:
    text = f"{value:.1f}" if value < 10 else f"{value:.0f}"
    return text if language == "en" else text.replace(".", ",")


def _evidence(place: Place) -> list[Any]:
    """The place's evidence entries (schema v2), or none for content in the older format."""
    return list(getattr(place, "evidence", None) or [])


def _confirmation(content: Content, place: Place, value: str, field_name: str, language: str) -> str:
    """ " (confirmed: page, date)" when an evidence entry backs ``value`` (the phone, the hours), else a caution.

    Only for content with evidence (schema v2): older items say nothing here, as before.
    """
    entries = _evidence(place)
    confirmed_on = getattr(place, "confirmed_on", None)
    if not entries and confirmed_on is None:
        return ""
    digits = "".join(ch for ch in value if ch.isdigit())[-7:]
    for entry in entries:
        claim = fold(str(getattr(entry, "claim", "") or ""))
        quote = str(getattr(entry, "quote", "") or "")
        quoted_digits = "".join(ch for ch in quote if ch.isdigit())
        if field_name in claim or (field_name == "phone" and digits and digits in quoted_digits):
            source = urlsplit(str(getattr(entry, "url", ""))).netloc or str(getattr(entry, "url", ""))
            when = getattr(entry, "read_on", None)
            return " " + content.text(
                "place_fact_confirmed", language, source=source, date=when.isoformat() if isinstance(when, date) else ""
            )
    if confirmed_on is not None:
        return " " + content.text(
            "place_fact_confirmed",
            language,
            source=str(getattr(place, "confirmed_with", "") or ""),
            date=str(confirmed_on),
        )
    return " " + content.text("place_fact_unconfirmed", language)


def _map_line(content: Content, place: Place, language: str) -> str:
    """A link that opens the exact point, an address search (street), or the city with a warning (city)."""
    if place.location_precision == Precision.exact:
        return content.text("place_map", language, url=osm_link(place.lat, place.lon, 17))
    if place.location_precision == Precision.street and place.address:
        query = ", ".join(
            part for part in (place.address, place.city, content.country_name(place.country, "en")) if part
        )
        url = f"https://www.openstreetmap.org/search?query={quote_plus(query)}"
        return content.text("place_map_street", language, url=url)
    return content.text("place_map_city", language, url=osm_link(place.lat, place.lon, 13))


def _consular_lines(content: Content, place: Place, language: str) -> list[str]:
    """Whether a consulate works, since when, and what to do instead (``consular_status``, schema v2)."""
    status = getattr(place, "consular_status", None)
    status = getattr(status, "value", status)
    if status not in ("open", "suspended", "closed"):
        return []
    line = content.text(f"consular_{status}", language)
    since = getattr(place, "status_since", None)
    if since and status != "open":
        line += " " + content.text("consular_since", language, date=str(since))
    lines = [line]
    note = getattr(place, "status_note", None)
    if note:
        lines.append(translated(note, language))
    return lines


def _source_page(place: Place) -> str | None:
    """The page that states the facts shown (the first evidence URL), when it is not already shown. It is
    called "source", not "official page": it may be a directory or a news page."""
    for entry in _evidence(place):
        url = str(getattr(entry, "url", "") or "")
        if url and url not in place.source and url != place.website:
            return url
    return None


def describe(
    content: Content,
    nearby: Nearby | Place,
    language: str,
    today: date | None = None,
    position: int | None = None,
    person_country: str | None = None,
) -> str:
    """One place as a short block: name, where, distance, address, phones, hours, services, map and provenance.

    Args:
        person_country: where the person is; a place in another country says so.
    """
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
    if person_country and place.country != person_country:
        lines.append(
            content.text("place_other_country", language, country=content.country_name(place.country, language))
        )
    lines.extend(_consular_lines(content, place, language))
    if place.address:
        lines.append(text("place_address", language, address=place.address))
    else:
        lines.append(text("place_no_address", language))
    if place.phone:
        lines.append(
            text("place_phone", language, phone=place.phone)
            + _confirmation(content, place, place.phone, "phone", language)
        )
    if place.whatsapp:
        lines.append(text("place_whatsapp", language, phone=place.whatsapp))
    if place.hours:
        hours = translated(place.hours, language)
        lines.append(
            text("place_hours", language, hours=hours) + _confirmation(content, place, hours, "hours", language)
        )
    if place.services:
        services = ", ".join(content.service_label(s, language) for s in place.services)
        lines.append(text("place_services", language, services=services))
    if place.notes:
        lines.append(translated(place.notes, language))
    if place.website and place.website not in place.source:
        lines.append(place.website)
    source_page = _source_page(place)
    if source_page:
        lines.append(content.text("place_source_page", language, url=source_page))
    lines.append(_map_line(content, place, language))
    lines.append(footer(content, [place], language, today))
    return "\n".join(lines)


def listing(
    content: Content,
    results: Sequence[Nearby | Place],
    language: str,
    title: str,
    today: date | None = None,
    person_country: str | None = None,
) -> list[str]:
    """The title and one block per place, packed into messages short enough for WhatsApp."""
    messages: list[str] = []
    current = title
    for position, result in enumerate(results, start=1):
        block = describe(content, result, language, today, position, person_country)
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


# "refugee card", "carnet de refugiado", "protocolo de refúgio", "kat refijye", "demande d'asile" (folded)
_REFUGEE = re.compile(r"\b(refugiad\w*|refugees?|refugie\w*|refijye|refugio|asil\w*|asylum|azil|dazil|conare|comar)\b")
# Papers that the person's own country issues, through its consulates (folded)
_HOME_PAPERS = re.compile(
    r"\b(pasaport\w*|passaport\w*|passport\w*|passeport\w*|paspo|partida|acta de nacimiento|certidao|naissance"
    r"|birth certificate|ak nesans|batiste|antecedentes|apostill\w*|apostil\w*|consul\w*|konsila|embajada|embassy"
    r"|ambassade|anbasad)"
)


PASSPORT_WORDS = re.compile(r"\b(pasaport\w*|passaport\w*|passports?|passeports?|paspo)\b")


def asks_for_a_passport(text: str) -> bool:
    """Whether ``text`` speaks of a passport (which only the person's own country issues)."""
    return bool(PASSPORT_WORDS.search(fold(text or "")))


def _consulate_helps(text: str, topic: str) -> bool:
    """Whether to ask "which country are you from?" to list consulates: not for a refugee (their own state's
    consulate is not where a lost refugee card is replaced) nor for local papers (CPF, RUT, CURP...)."""
    folded = fold(text or "")
    if _REFUGEE.search(folded):
        return False
    return topic != "ask_documents" or bool(_HOME_PAPERS.search(folded))


def _needs_nationality(content: Content, place_type: str) -> bool:
    """Consulates and embassies: shown only to their own nationals."""
    return bool(getattr(content.place_types.get(place_type), "needs_nationalities", False))


def ask_nationality(d: Dialogue) -> None:
    """ "Which country's consulate?": the corridor's main nationalities as numbered choices (asked once)."""
    names = [d.content.country_name(code, d.language) for code in CONSULATE_NATIONALITIES]
    d.say(d.text("places_need_nationality"), d.numbered(names))
    d.set(Slot.MENU, Menu.NATIONALITY)


def nationality_chosen(d: Dialogue, number: int) -> bool:
    """A number typed on the nationality menu: keep it and list the consulates for the topic asked about."""
    if not 1 <= number <= len(CONSULATE_NATIONALITIES):
        return False
    nationality_given(d, CONSULATE_NATIONALITIES[number - 1])
    return True


def nationality_given(d: Dialogue, code: str) -> None:
    """The answer to "which country are you from?" (a number or a name): keep it, list the consulates."""
    d.set(Slot.NATIONALITY, code)
    d.set(Slot.MENU, None)
    topic = d.slot(Slot.LAST_TOPIC) or "ask_consulate"
    if not (d.slot(Slot.CITY) or d.slot(Slot.COUNTRY)):
        d.say(d.text("places_share_location_hint"))
        return
    say_places_asked_for(d, topic)


def say_places_asked_for(d: Dialogue, topic: str) -> None:
    """Places of ``topic`` that the person asked for: never nothing.

    :func:`say_nearby` stays quiet when it has nothing to add below an answer. Asked for directly ("where is
    the office?", a nationality for the consulate list), the person is told instead: which country's
    consulate is needed, or that our list has none of that kind there, with a person to search with.
    """
    before = len(d.messages)
    say_nearby(d, topic)
    added = [message.text for message in d.messages[before:]]
    if added and added != [d.text("places_share_location_hint")]:
        return
    content, nationality = d.content, d.slot(Slot.NATIONALITY)
    types = content.place_types_for_topic(topic)
    consular = [t for t in types if _needs_nationality(content, t)]
    if consular and not nationality and not places.searchable_types(content, types, nationality):
        ask_nationality(d)
        return
    if not d.slot(Slot.COUNTRY):
        if not added:
            d.say(d.text("places_share_location_hint"))  # where the person is decides which places
        return
    country = content.country_name(d.slot(Slot.COUNTRY), d.language)
    if types and consular == types and nationality:
        origin = content.country_name(nationality, d.language)
        line = d.text("consulate_not_listed", nationality=origin, country=country)
    else:
        line = d.text("nearby_none_in_country", topic=d.text(f"topic_{topic}"), country=country)
    d.messages.insert(before, BotMessage(line, [d.person_button()]))


def _location_message(results: Sequence[Nearby]) -> dict[str, Any] | None:
    """A map pin for the first place, for channels that can send one; only for a real point (``exact``)."""
    if not results or results[0].place.location_precision != Precision.exact:
        return None
    place = results[0].place
    return {"location": {"lat": place.lat, "lon": place.lon, "label": place.name}}


def say_ranked(d: Dialogue, ranked: Ranked, title: str, kinds: str, country: str | None) -> None:
    """The ranked places under ``title``; or, with none near, say so, name the closest, and offer a person."""
    content = d.content
    if ranked.results:
        messages = listing(content, ranked.results, d.language, title, d.today, country)
        pin = _location_message(ranked.results)
        for index, message in enumerate(messages):
            d.say(message, custom=pin if index == len(messages) - 1 else None)
        return
    d.say(d.text("places_none_near", kinds=kinds, km=int(ranked.nothing_within_km or MAX_DISTANCE_KM)))
    if ranked.closest is not None:
        place = ranked.closest.place
        where = ", ".join(part for part in (place.city, content.country_name(place.country, d.language)) if part)
        closest = content.text(
            "places_closest",
            d.language,
            name=place.name,
            where=where,
            km=_number(ranked.closest.distance_km, d.language),
        )
        d.say(
            closest + "\n\n" + describe(content, ranked.closest, d.language, d.today, None, country),
            [d.person_button()],
        )


def say_nearby(d: Dialogue, topic: str) -> None:
    """After answering ``topic``, list the nearest places of its kinds when we know where the user is.

    With a known city: places in the person's country near the city's point first, then places across a
    border within :data:`bot.places.BORDER_KM`. With only a country: up to 3 in that country, and an
    invitation to share the location. A shared location is handled by :func:`answer_location`.
    Consulates need the nationality: without it the person is asked once, with numbered choices.
    """
    content = d.content
    if d.turn.intent == SHARE_LOCATION or not content.places:
        return
    types = content.place_types_for_topic(topic)
    if not types:
        return
    nationality = d.slot(Slot.NATIONALITY)
    needs_nationality = [t for t in types if _needs_nationality(content, t)]
    searchable = places.searchable_types(content, types, nationality)
    if needs_nationality and not nationality and not searchable:
        if _consulate_helps(d.turn.text, topic):
            ask_nationality(d)
        return
    country, city_name = d.slot(Slot.COUNTRY), d.slot(Slot.CITY)
    city = places.named_city(content, city_name, country)
    named_a_place = d.turn.entity("country") or d.turn.entity("city")
    if city is None and d.turn.text and not named_a_place:
        city = places.city_in_text(d.turn.text, content, country)
        if city is not None:
            d.set(Slot.CITY, city.name)
            d.set(Slot.COUNTRY, city.country)
    kinds = _kinds(content, searchable, d.language)
    if city is not None:
        ranked = places.rank(content, city.lat, city.lon, searchable, nationality, country=city.country)
        in_or_near = ranked.results and ranked.results[0].distance_km <= SAME_CITY_KM
        # "near Medellín" over a place 239 km away would mislead: say nothing is in the city, then the closest
        title = "places_near_city" if in_or_near or not ranked.results else "places_closest_to_city"
        say_ranked(d, ranked, d.text(title, city=city.name), kinds, city.country)
        if not in_or_near:
            # a place hundreds of km away is no answer on its own: the help that every town has, and a person
            d.say(d.text("places_ask_locally", city=city.name), [d.person_button()])
        return
    if country:
        found = places.in_country(content, country, searchable, nationality)
        country_name = content.country_name(country, d.language)
        if len({place.city for place in found}) > 1:
            # places in Boa Vista are no help in São Paulo: ask the city rather than list the wrong ones
            d.say(d.text("places_which_city", country=country_name, kinds=kinds))
        elif found:
            title = d.text("places_in_country", country=country_name)
            _say_all(d, listing(content, found[:RESULTS], d.language, title, d.today, country))
        d.say(d.text("places_share_location_hint"))


def read_location(
    entities: Sequence[Mapping[str, Any]], metadata: Mapping[str, Any] | None = None
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

    Places in the person's country come first (the country kept by :func:`remember_area`), then places across
    a nearby border. The caller keeps the area first with :func:`remember_area` (the share-location action
    does, before it answers a pending topic for that country); this only lists places.
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
        ask_nationality(d)
        return
    kinds = _kinds(content, searchable, d.language)
    country = d.slot(Slot.COUNTRY)
    ranked = places.rank(content, lat, lon, searchable, nationality, country=country)
    say_ranked(d, ranked, d.text("places_near_you"), kinds, country)
    if len(searchable) < len(types):
        d.say(d.text("places_need_nationality"))
