"""Answers to the information topics (consulates, shelters, regularization...) from ``content/topics/``."""

from __future__ import annotations

import re
from collections.abc import Mapping, Sequence
from typing import Any

from bot.content import Answer
from bot.conversation import nearby
from bot.conversation.dialogue import Dialogue
from bot.conversation.menus import ask_which_topic, country_menu
from bot.conversation.provenance import footer
from bot.conversation.vocabulary import NATIONALITY_TOPICS, Menu, Slot
from bot.gazetteer import CAME_FROM_KEY, GOING_TO_KEY, HERE_KEY, INSIDE_KEY, SENT_TO_KEY
from bot.text import fold


def sourced(d: Dialogue, answer: Answer, text: str | None = None) -> str:
    """An answer's text (or ``text``, a part of it) followed by its provenance footer (and a note when it is
    not in the user's language)."""
    parts = [(text or answer.text).strip()]
    if not answer.translated:
        parts.insert(0, d.text("not_translated"))
    parts.append(footer(d.content, [answer.item], d.language, d.today, shown_language=answer.language))
    return "\n\n".join(parts)


def part_of(text: str, lines_about: re.Pattern[str]) -> str | None:
    """The lines of an answer that match ``lines_about`` (with the answer's heading, "En Chile:"), or None when
    no line does or every line does (then the whole answer is the part)."""
    lines = [line for line in text.strip().splitlines() if line.strip()]
    matching = [index for index, line in enumerate(lines) if lines_about.search(fold(line))]
    if not matching or len(matching) == len(lines):
        return None
    heading = [0] if lines[0].rstrip().endswith(":") and 0 not in matching else []
    return "\n".join(lines[index] for index in heading + matching)


def _passport_from_home(d: Dialogue, answer: Answer) -> None:
    """ "I need to renew my passport" where the country's answer is about that country's papers (CPF, cédula, or
    its own citizens' passports): the general lines about passports too, which one's own country issues
    through its consulate."""
    if not nearby.asks_for_a_passport(d.turn.text):
        return
    general = d.content.topic_answer("ask_documents", None, d.language)
    if general is None or _for_one_country(general):
        return
    part = part_of(general.text, nearby.PASSPORT_WORDS)
    if part:
        d.say(sourced(d, general, part))


def outside_corridor(d: Dialogue, country: str | None) -> str | None:
    """ "Not covered yet" for ``country`` when the corridor has no numbers for it (France, Argentina, the United
    States), else None: advice written for the route would mislead there."""
    if not country or d.content.emergency_entry(country) is not None:
        return None
    return d.text("outside_corridor", country=d.content.country_name(country, d.language))


def _for_one_country(answer: Answer) -> bool:
    """Whether the answer is written for one country (not the general "*" advice)."""
    return getattr(answer.item, "country", "*") != "*"


def country_of(entity: Mapping[str, Any]) -> str | None:
    """The country code of a ``country`` entity, or of the country a ``city`` entity is in."""
    value = entity.get("country") if entity.get("entity") == "city" else entity.get("value")
    return str(value) if value else None


def where_the_person_is(
    cities: Sequence[Mapping[str, Any]], countries: Sequence[Mapping[str, Any]]
) -> Mapping[str, Any] | None:
    """The city or country entity that says where the person is, of those a message names.

    In order: the place they say they are in ("estoy en Tijuana y quiero pedir asilo en Estados Unidos"), or a
    city named in that country ("estou no México, em Tapachula");
    a city in one of the countries named, or the only places named ("soy de Caracas y estoy en Perú": a city
    outside them is where the person comes from); else the last country ("I was in Ecuador, now Peru").
    """
    here = sorted((e for e in (*cities, *countries) if e.get(HERE_KEY)), key=lambda e: int(e.get("start") or 0))
    if here:
        # "Estou no México, em Tapachula": the city, when it is in the country the person says they are in
        inside = [
            city for city in cities if here[-1].get("entity") == "country" and country_of(city) == here[-1].get("value")
        ]
        return inside[0] if inside else here[-1]
    if cities and (not countries or {country_of(c) for c in cities} & {country_of(c) for c in countries}):
        return cities[0]
    # "llegué de Ecuador", "me voy a Perú": not where the person is
    stayed = [
        country
        for country in countries
        if not any(country.get(key) for key in (CAME_FROM_KEY, GOING_TO_KEY, SENT_TO_KEY))
    ]
    return stayed[-1] if stayed else None


def set_place(d: Dialogue, place: Mapping[str, Any]) -> None:
    """Set ``city`` and ``country`` from a place entity; a new country forgets the city of the old one."""
    country = country_of(place)
    if place.get("entity") == "city":
        d.set(Slot.CITY, place.get("value"))
    elif country != d.slot(Slot.COUNTRY):
        d.set(Slot.CITY, None)
    d.set(Slot.COUNTRY, country)


def note_places(d: Dialogue, topic: str) -> None:
    """Remember the places named in this message: where the user is, and their nationality.

    The NLU labels a demonym or "I am from X" as ``nationality`` and other country names as ``country``.
    For the topics about one's own country (consulate, documents, return) a plain country name is the
    nationality ("consulado de Venezuela"); a second one is where the person is ("... en Perú").
    """
    nationality = d.turn.entity("nationality")
    countries = d.turn.entities_named("country")
    if nationality:
        d.set(Slot.NATIONALITY, nationality.get("value"))
    origins = [country for country in countries if not country.get(HERE_KEY)]
    if topic != "ask_return":  # "volver a Venezuela" / "rentrer au Venezuela": the country named is home
        origins = [country for country in origins if not country.get(INSIDE_KEY)]  # "... robado en Chile"
    # only in the question itself: "e no Peru?" after a return question moves the person, it is not their home
    if topic in NATIONALITY_TOPICS and origins and not nationality and d.turn.intent == topic:
        d.set(Slot.NATIONALITY, origins[0].get("value"))  # "estoy en México, ¿el consulado de Honduras?"
        countries = [country for country in countries if country is not origins[0]]
    place = where_the_person_is(d.turn.entities_named("city"), countries)
    if place is not None:
        set_place(d, place)


def country_asked_about(d: Dialogue, topic: str) -> str | None:
    """The other country a question is about when the person says where they are ("mwen nan Brezil, m vle
    ale travay Chili" asks about Chile from Brazil) or where they would go ("¿y si me voy a Perú?"). Only when
    we have an answer for that country; for the topics about one's own country, the other country is the
    nationality instead (:func:`note_places`)."""
    if topic in NATIONALITY_TOPICS:
        return None
    countries = d.turn.entities_named("country")
    places = (*countries, *d.turn.entities_named("city"))
    if not any(place.get(HERE_KEY) or place.get(GOING_TO_KEY) for place in places):
        return None
    elsewhere = [
        country_of(c) for c in countries if not any(c.get(key) for key in (HERE_KEY, CAME_FROM_KEY, SENT_TO_KEY))
    ]
    code = elsewhere[-1] if elsewhere else None
    if not code or code == d.slot(Slot.COUNTRY):
        return None
    answer = d.content.topic_answer(topic, code, d.language)
    return code if answer is not None and _for_one_country(answer) else None


def answer_topic(d: Dialogue, topic: str, with_places: bool = True, lines_about: re.Pattern[str] | None = None) -> None:
    """The topic's answer for the user's country (asking for the country first when it matters), then places.

    A question about another country than the one the person says they are in is answered for that country,
    without places (they are near the person, not there).

    Args:
        d: the turn being answered.
        topic: the intent naming the topic file.
        with_places: list the nearest places after the answer (a follow-up on cost or documents does not).
        lines_about: only the lines of the answer that match it ("how much does it cost?": the lines about
            costs), with "1 · The whole answer" under them; the whole answer when no line or every line does.
    """
    note_places(d, topic)
    d.set(Slot.LAST_TOPIC, topic)
    topic_file = d.content.topics.get(topic)
    if topic_file is None:
        d.say(d.text("no_answer"), [d.back_button()])
        return
    country = d.slot(Slot.COUNTRY)
    if topic_file.needs_country and not country:
        d.set(Slot.PENDING_TOPIC, topic)
        country_menu(d)
        return
    nationality = d.slot(Slot.NATIONALITY)
    asked = country_asked_about(d, topic)
    lookup_country = asked or (nationality if topic == "ask_return" and nationality else country)
    with_places = with_places and asked is None
    answer = d.content.topic_answer(topic, lookup_country, d.language)
    if answer is None:
        d.say(d.text("no_answer"), [d.back_button()])
        return
    part = part_of(answer.text, lines_about) if lines_about else None
    text = sourced(d, answer, part)
    if lookup_country and not _for_one_country(answer) and topic_file.needs_country:
        not_covered = outside_corridor(d, lookup_country)  # "TPS in the United States"
        if not_covered:
            d.say(not_covered, [d.back_button(), d.person_button()])
            d.set(Slot.PENDING_TOPIC, None)
            return
        country_name = d.content.country_name(lookup_country, d.language)
        text = d.text("general_answer_for_country", country=country_name) + "\n\n" + text
    if part:
        # "1" answers the same topic in full (the "Do you mean" menu with one choice)
        d.say(text, [*d.numbered([d.text("whole_answer")]), d.back_button()])
        d.set(Slot.MENU, Menu.DISAMBIGUATION_PREFIX + topic)
    else:
        d.say(text, [d.back_button()])
    if topic == "ask_documents" and lookup_country and _for_one_country(answer):
        _passport_from_home(d, answer)
    if with_places:
        nearby.say_nearby(d, topic)
    d.set(Slot.PENDING_TOPIC, None)
    d.set(Slot.FALLBACK_COUNT, 0)
    also_asked = d.slot(Slot.ALSO_ASKED)
    if also_asked:
        # "a job and a doctor": the other request, once this answer is out (after the country, if it was asked)
        d.set(Slot.ALSO_ASKED, None)
        if also_asked != topic:
            ask_which_topic(d, [also_asked], question="also_asked")
