"""Answers to the information topics (consulates, shelters, regularization...) from ``content/topics/``."""

from __future__ import annotations

from bot.content import Answer
from bot.conversation import nearby
from bot.conversation.dialogue import Dialogue
from bot.conversation.menus import country_menu
from bot.conversation.provenance import footer
from bot.conversation.vocabulary import NATIONALITY_TOPICS, Slot


def sourced(d: Dialogue, answer: Answer) -> str:
    """An answer's text followed by its provenance footer (and a note when it is not in the user's language)."""
    parts = [answer.text.strip()]
    if not answer.translated:
        parts.insert(0, d.text("not_translated"))
    parts.append(footer(d.content, [answer.item], d.language, d.today, shown_language=answer.language))
    return "\n\n".join(parts)


def note_places(d: Dialogue, topic: str) -> None:
    """Remember the places named in this message: where the user is, and their nationality.

    The NLU labels a demonym or "I am from X" as ``nationality`` and other country names as ``country``.
    For the topics about one's own country (consulate, documents, return) a plain country name is the
    nationality ("consulado de Venezuela"); a second one is where the person is ("... en Perú").
    """
    city = d.turn.entity("city")
    nationality = d.turn.entity("nationality")
    countries = d.turn.entities_named("country")
    if nationality:
        d.set(Slot.NATIONALITY, nationality.get("value"))
    if topic in NATIONALITY_TOPICS and countries and not nationality:
        d.set(Slot.NATIONALITY, countries[0].get("value"))
        countries = countries[1:]
    if city and countries and city.get("country") not in {country.get("value") for country in countries}:
        city = None  # "soy de Caracas, ¿hay trabajo en Perú?": the city is where the person comes from
    if city:
        d.set(Slot.CITY, city.get("value"))
        d.set(Slot.COUNTRY, city.get("country"))
    elif countries:
        country = countries[-1].get("value")
        if country != d.slot(Slot.COUNTRY):
            d.set(Slot.CITY, None)  # the city we knew is in the other country
        d.set(Slot.COUNTRY, country)


def answer_topic(d: Dialogue, topic: str, with_places: bool = True) -> None:
    """The topic's answer for the user's country (asking for the country first when it matters), then places.

    Args:
        d: the turn being answered.
        topic: the intent naming the topic file.
        with_places: list the nearest places after the answer (a follow-up on cost or documents does not).
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
    lookup_country = nationality if topic == "ask_return" and nationality else country
    answer = d.content.topic_answer(topic, lookup_country, d.language)
    if answer is None:
        d.say(d.text("no_answer"), [d.back_button()])
        return
    text = sourced(d, answer)
    specific = getattr(answer.item, "country", "*") != "*"
    if lookup_country and not specific and topic_file.needs_country:
        country_name = d.content.country_name(lookup_country, d.language)
        text = d.text("general_answer_for_country", country=country_name) + "\n\n" + text
    d.say(text, [d.back_button()])
    if with_places:
        nearby.say_nearby(d, topic)
    d.set(Slot.PENDING_TOPIC, None)
    d.set(Slot.FALLBACK_COUNT, 0)
