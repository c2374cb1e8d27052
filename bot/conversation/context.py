"""Keeping the thread: new information, "where is the nearest one?", "how much does it cost?", and close calls.

* :func:`inform` — "I'm in Colombia", "soy hondureño y estoy en Guatemala", "and in Peru?": the slots are
  set and confirmed in one line; then the question waiting for a country is answered, or the last topic is
  answered again for the new place, or the menu is shown.
* :func:`ask_nearby` — places of the current topic's kind, near where the person is.
* :func:`ask_followup` — the current topic again (same country); with none yet, the menu.

The "Do you mean 1 … 2 …?" question for close calls is :func:`bot.conversation.navigation.clarify`.
"""

from __future__ import annotations

from collections.abc import Mapping
from typing import Any

from bot import places
from bot.conversation import nearby, texts
from bot.conversation.dialogue import Dialogue
from bot.conversation.menus import main_menu
from bot.conversation.navigation import run_topic
from bot.conversation.topics import answer_topic
from bot.conversation.vocabulary import EMERGENCY_TOPICS, REQUEST_HUMAN, Menu, Slot


def _value(entity: Mapping[str, Any] | None) -> str | None:
    value = entity.get("value") if entity else None
    return str(value) if value else None


def inform(d: Dialogue) -> None:
    """The message only gives where the person is, their nationality or city: keep it, confirm, move on."""
    city_entity, country, nationality = d.turn.entity("city"), _value(d.turn.entity("country")), \
        _value(d.turn.entity("nationality"))
    if d.slot(Slot.MENU) == Menu.NATIONALITY and country and not nationality:
        nationality, country = country, None  # the answer to "which country's consulate?"
    confirmations = []
    place_changed = False
    if city_entity:
        d.set(Slot.CITY, city_entity.get("value"))
        d.set(Slot.COUNTRY, city_entity.get("country") or country)
        place_changed = True
        confirmations.append(texts.text(d.content, "noted_place", d.language, place=str(city_entity.get("value"))))
    elif country:
        if country != d.slot(Slot.COUNTRY):
            d.set(Slot.CITY, None)  # the city belonged to the old country
        d.set(Slot.COUNTRY, country)
        place_changed = True
        confirmations.append(texts.text(d.content, "noted_place", d.language,
                                        place=d.content.country_name(country, d.language)))
    if nationality:
        d.set(Slot.NATIONALITY, nationality)
        confirmations.append(texts.text(d.content, "noted_nationality", d.language,
                                        country=d.content.country_name(nationality, d.language)))
    if confirmations:
        d.say(" ".join(confirmations))
    pending, last = d.slot(Slot.PENDING_TOPIC), d.slot(Slot.LAST_TOPIC)
    if pending and d.slot(Slot.COUNTRY):
        d.set(Slot.PENDING_TOPIC, None)
        run_topic(d, pending)
    elif d.slot(Slot.MENU) == Menu.NATIONALITY and nationality:
        d.set(Slot.MENU, None)
        nearby.say_nearby(d, last or "ask_consulate")
    elif last and place_changed and last not in EMERGENCY_TOPICS and last != REQUEST_HUMAN:
        answer_topic(d, last, note_places_in_message=False)  # "and in Peru?": the same question for the new place
    else:
        main_menu(d)


def ask_nearby(d: Dialogue) -> None:
    """"Where is the nearest one?": places of the current topic's kind (or the usual ones), near the person."""
    topic = d.slot(Slot.LAST_TOPIC)
    if not (d.slot(Slot.CITY) or d.slot(Slot.COUNTRY)):
        d.say(d.text("places_share_location_hint"))
        return
    if topic and d.content.place_types_for_topic(topic):
        nearby.say_nearby(d, topic)
        return
    city = places.named_city(d.content, d.slot(Slot.CITY), d.slot(Slot.COUNTRY))
    types = places.searchable_types(d.content, d.content.default_place_types(), d.slot(Slot.NATIONALITY))
    if city is None or not types:
        d.say(d.text("places_share_location_hint"))
        return
    ranked = places.rank(d.content, city.lat, city.lon, types, d.slot(Slot.NATIONALITY), country=city.country)
    kinds = ", ".join(d.content.place_type_label(t, d.language) for t in types)
    nearby.say_ranked(d, ranked, d.text("places_near_city", city=city.name), kinds, city.country)


def ask_followup(d: Dialogue) -> None:
    """"How much does it cost?": the current topic's answer again, for the same country; else the menu."""
    topic = d.slot(Slot.LAST_TOPIC)
    if topic and topic not in EMERGENCY_TOPICS and topic != REQUEST_HUMAN and topic in d.content.topics:
        answer_topic(d, topic, note_places_in_message=False)
    else:
        main_menu(d)
