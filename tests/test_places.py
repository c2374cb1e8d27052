"""Nearest places: the search itself, city names, and what users see after a topic or a shared location."""

from __future__ import annotations

import dataclasses
import random
from datetime import date
from pathlib import Path
from typing import Any

import pytest
from rasa_sdk import Tracker
from rasa_sdk.executor import CollectingDispatcher

from actions.places import ActionShareLocation
from bot import content as content_module
from bot import places
from bot.content import Content
from bot.content.models import Place
from bot.conversation import nearby, topics
from bot.conversation.dialogue import Dialogue, Turn

TODAY = date(2026, 11, 29)
TAPACHULA = (14.9057, -92.2634)
BOGOTA = (4.7110, -74.0721)


@pytest.fixture(scope="module")
def content() -> Content:
    return content_module.current()


@pytest.fixture(autouse=True)
def no_gap_log(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setenv("BRUJULA_GAPS_FILE", str(tmp_path / "gaps.jsonl"))


def _place(number: int, lat: float, lon: float, kind: str = "shelter", **extra: Any) -> Place:
    return Place(
        id=f"p{number}",
        type=kind,
        name=f"Place {number}",
        country="MX",
        lat=lat,
        lon=lon,
        source="https://example.org",
        checked=TODAY,
        **extra,
    )


def _with_places(content: Content, extra: list[Place]) -> Content:
    return dataclasses.replace(content, places=tuple(extra), version=f"test-{random.random()}")


def _dialogue(content: Content, intent: str, slots: dict[str, Any], text: str = "", **turn: Any) -> Dialogue:
    return Dialogue(Turn(intent=intent, text=text, slots=slots, **turn), content, today=TODAY)


# -- the search ---------------------------------------------------------------------------------------
def test_index_finds_the_same_places_as_measuring_every_one() -> None:
    rng = random.Random(3)
    generated = [_place(i, rng.uniform(-40, 35), rng.uniform(-120, -35)) for i in range(2000)]
    index = places.PlaceIndex(generated)
    for _ in range(200):
        lat, lon = rng.uniform(-40, 35), rng.uniform(-120, -35)
        fast = index.nearest(lat, lon, k=3)
        slow = places.scan_nearest(generated, lat, lon, k=3)
        assert [round(n.distance_km, 6) for n in fast] == [round(n.distance_km, 6) for n in slow]


def test_nearest_are_sorted_and_distances_are_great_circle_kilometres() -> None:
    # Tapachula to Tecún Umán is about 28 km; to Guatemala City about 170 km.
    near = _place(1, 14.6770, -92.1450)
    far = _place(2, 14.6349, -90.5069)
    results = places.PlaceIndex([far, near]).nearest(*TAPACHULA, k=3)
    assert [r.place.id for r in results] == ["p1", "p2"]
    assert 25 < results[0].distance_km < 32
    assert 170 < results[1].distance_km < 200


def test_places_beyond_the_limit_are_left_out() -> None:
    index = places.PlaceIndex([_place(1, *BOGOTA)])
    assert index.nearest(*TAPACHULA, k=3, max_km=400) == []
    assert len(index.nearest(*TAPACHULA, k=3, max_km=None)) == 1


def test_only_the_kind_asked_for_is_returned(content: Content) -> None:
    mixed = _with_places(content, [_place(1, *TAPACHULA, kind="health_post"), _place(2, 14.95, -92.3)])
    results = places.nearest(mixed, *TAPACHULA, types=["shelter"])
    assert [r.place.id for r in results] == ["p2"]


def test_consulates_are_filtered_by_the_users_nationality(content: Content) -> None:
    consulates = _with_places(
        content,
        [
            _place(1, *TAPACHULA, kind="consulate", nationalities=["GT"]),
            _place(2, 14.91, -92.27, kind="consulate", nationalities=["HN"]),
        ],
    )
    assert [r.place.id for r in places.nearest(consulates, *TAPACHULA, ["consulate"], nationality="HN")] == ["p2"]
    assert places.nearest(consulates, *TAPACHULA, ["consulate"], nationality=None) == []


# -- cities -------------------------------------------------------------------------------------------
@pytest.mark.parametrize(
    "written, expected",
    [
        ("Cúcuta", "Cúcuta"),
        ("cucuta", "Cúcuta"),
        ("CUCUTA", "Cúcuta"),
        ("kukuta", "Cúcuta"),
        ("bogota", "Bogotá"),
        ("ciudad de mexico", "Ciudad de México"),
        ("cdmx", "Ciudad de México"),
        ("potoprens", "Port-au-Prince"),
        ("tj", "Tijuana"),
    ],
)
def test_a_city_slot_is_recognised_by_name_or_listed_spelling(content: Content, written: str, expected: str) -> None:
    city = places.named_city(content, written)
    assert city is not None and city.name == expected
    assert content.city(written) == city  # the cached lookup answers as Content.city does


def test_a_city_slot_is_looked_up_in_its_country_only(content: Content) -> None:
    assert places.named_city(content, "Cúcuta", "CO") is not None
    assert places.named_city(content, "Cúcuta", "MX") is None


@pytest.mark.parametrize(
    "written, expected",
    [
        ("albergue en Cúcuta", "Cúcuta"),
        ("estoy en CUCUTA", "Cúcuta"),
        ("kukuta", "Cúcuta"),
        ("bogotta", "Bogotá"),
        ("tapachual", "Tapachula"),
        ("ciudad de mexico", "Ciudad de México"),
        ("mwen nan potoprens", "Port-au-Prince"),
        ("santiago de los cabayeros", "Santiago de los Caballeros"),
    ],
)
def test_cities_in_a_question_are_found_despite_accents_and_misspellings(
    content: Content, written: str, expected: str
) -> None:
    city = places.city_in_text(written, content)
    assert city is not None and city.name == expected


def test_a_spelling_added_to_the_gazetteer_is_understood_once_the_new_content_is_loaded(content: Content) -> None:
    assert places.city_in_text("albergue en tapachulita", content) is not None  # close enough to Tapachula
    assert places.city_in_text("albergue en zacapoaxtla", content) is None
    cities = [
        city.copy(update={"aliases": [*city.aliases, "Zacapoaxtla"]}) if city.name == "Tapachula" else city
        for city in content.cities
    ]
    edited = dataclasses.replace(content, cities=list(cities), version=f"test-{random.random()}")
    found = places.city_in_text("albergue en zacapoaxtla", edited)
    assert found is not None and found.name == "Tapachula"
    assert places.city_in_text("albergue en zacapoaxtla", content) is None  # the old version keeps its own names


@pytest.mark.parametrize("written", ["cal", "xyzzy", "", "tj", "Bogtoá"])
def test_short_or_unlike_words_in_a_question_are_not_guessed(content: Content, written: str) -> None:
    # "tj" is a listed spelling, but too short to trust in free text (the NLU gazetteer finds it there);
    # a transposition like "Bogtoá" is below the strict similarity used for free text.
    assert places.city_in_text(written, content) is None


# -- after a topic's answer ------------------------------------------------------------------------------
def test_shelter_answer_lists_nearby_shelters_with_map_source_and_caution(content: Content) -> None:
    d = _dialogue(content, "ask_shelter", {"language": "es", "city": "Tapachula", "country": "MX"})
    topics.answer_topic(d, "ask_shelter")
    listing = "\n".join(m.text for m in d.reply().messages[1:])
    assert listing.startswith("📍 Lugares cerca de Tapachula (de nuestra lista):")
    assert "1. Albergue Jesús el Buen Pastor del Pobre y el Migrante · Tapachula, México" in listing
    assert "https://www.openstreetmap.org/?mlat=14.90570&mlon=-92.26340" in listing
    assert "Verificado con" in listing and "2026-11-29" in listing  # what it was checked against, and when
    assert "aún no confirmado por una organización" in listing
    assert "Dirección exacta no confirmada" in listing  # no invented address
    assert "\n3. " in listing and "\n4. " not in listing


def test_a_place_across_the_border_says_which_country(content: Content) -> None:
    d = _dialogue(content, "ask_shelter", {"language": "en", "city": "Tapachula", "country": "MX"})
    topics.answer_topic(d, "ask_shelter")
    listing = "\n".join(m.text for m in d.reply().messages[1:])
    assert (
        "Casa del Migrante de Tecún Umán (Misioneros Scalabrinianos) (Shelter) · Tecún Umán, Guatemala · about"
        in listing
    )


def test_every_listing_message_fits_in_a_whatsapp_message(content: Content) -> None:
    for language in ("es", "en", "pt", "fr", "ht"):
        d = _dialogue(content, "ask_shelter", {"language": language, "city": "Tapachula", "country": "MX"})
        topics.answer_topic(d, "ask_shelter")
        assert all(len(message.text) <= 1600 for message in d.reply().messages[1:])


def test_consulate_answer_needs_the_nationality(content: Content) -> None:
    d = _dialogue(content, "ask_consulate", {"language": "en", "city": "Tapachula", "country": "MX"})
    topics.answer_topic(d, "ask_consulate")
    assert d.reply().messages[-1].text.startswith("To show you your consulate, tell me which country you are from")

    slots = {"language": "en", "city": "Tapachula", "country": "MX", "nationality": "HN"}
    d = _dialogue(content, "ask_consulate", slots)
    topics.answer_topic(d, "ask_consulate")
    listing = d.reply().messages[1].text
    assert "Consulado de Honduras en Tapachula (Consulate)" in listing
    assert "Guatemala en Tapachula" not in listing


def test_with_only_a_country_with_places_in_several_cities_the_city_is_asked_not_a_far_list(content: Content) -> None:
    d = _dialogue(content, "ask_asylum", {"language": "pt", "country": "BR"})
    topics.answer_topic(d, "ask_asylum")
    texts = [m.text for m in d.reply().messages[1:]]
    assert texts[0].startswith("📍 Tenho lugares") and "várias cidades · Brasil" in texts[0]
    assert not any(text.startswith("📍 Lugares · Brasil") for text in texts)
    assert texts[-1].startswith("📎 Compartilhe sua localização")


def test_topics_without_places_add_nothing(content: Content) -> None:
    d = _dialogue(content, "ask_remittances", {"language": "es", "city": "Tapachula", "country": "MX"})
    topics.answer_topic(d, "ask_remittances")
    assert len(d.reply().messages) == 1


# -- shared location -------------------------------------------------------------------------------------
def _tracker(
    entities: list[dict[str, Any]],
    slots: dict[str, Any] | None = None,
    events: list[dict[str, Any]] | None = None,
    text: str = "",
) -> Tracker:
    latest = {"intent": {"name": "share_location"}, "entities": entities, "text": text}
    return Tracker("pseudonymous-id", slots or {}, latest, events or [], False, None, {}, "")


def _location(lat: Any, lon: Any) -> list[dict[str, Any]]:
    return [{"entity": "lat", "value": lat}, {"entity": "lon", "value": lon}]


async def test_shared_location_lists_the_three_nearest_default_places(content: Content) -> None:
    dispatcher = CollectingDispatcher()
    events = await ActionShareLocation().run(dispatcher, _tracker(_location(14.91, -92.26), {"language": "en"}), {})
    text = "\n".join(message["text"] for message in dispatcher.messages)
    assert text.startswith("📍 The places closest to you (from our list):")
    assert "\n3. " in text and "\n4. " not in text
    assert "km from the city centre" in text or "Tapachula, Mexico" in text
    assert "https://www.openstreetmap.org/" in text
    assert "Checked against" in text and "not yet confirmed by an organisation" in text
    # Only the town and country are remembered, never the point itself.
    slots = {event["name"]: event["value"] for event in events}
    assert slots == {"city": "Tapachula", "country": "MX"}


async def test_shared_location_follows_the_topic_of_the_conversation(content: Content) -> None:
    # The user asked about asylum earlier (answer_topic remembered it), then shared a pin.
    slots = {"language": "es", "last_topic": "ask_asylum"}
    dispatcher = CollectingDispatcher()
    await ActionShareLocation().run(dispatcher, _tracker(_location(*BOGOTA), slots), {})
    text = "\n".join(message["text"] for message in dispatcher.messages)
    assert "ACNUR / UNHCR Colombia" in text
    assert "Cruz Roja Colombiana" not in text  # not a kind listed for asylum


async def test_location_while_the_bot_waits_for_the_country_answers_the_question(content: Content) -> None:
    dispatcher = CollectingDispatcher()
    slots = {"language": "es", "pending_topic": "ask_health", "menu": "country"}
    events = await ActionShareLocation().run(dispatcher, _tracker(_location(*BOGOTA), slots), {})
    texts = [message["text"] for message in dispatcher.messages]
    answer = content.topic_answer("ask_health", "CO", "es")
    assert answer is not None and texts[0].startswith(answer.text.strip()[:40])  # the answer for Colombia first
    assert any(t.startswith("📍 Los lugares más cercanos a tu ubicación") for t in texts)
    slots_set = {event["name"]: event["value"] for event in events}
    assert slots_set["country"] == "CO" and slots_set["pending_topic"] is None


@pytest.mark.parametrize(
    "entities",
    [
        [],
        _location("abc", -74.0),
        _location(91, -74.0),
        _location(4.6, 181),
        [{"entity": "lat", "value": 4.6}],
        _location(float("nan"), -74.0),
    ],
)
async def test_an_unreadable_location_gets_a_helpful_reply(entities: list[dict[str, Any]]) -> None:
    dispatcher = CollectingDispatcher()
    events = await ActionShareLocation().run(dispatcher, _tracker(entities, {"language": "fr"}), {})
    assert [m["text"] for m in dispatcher.messages] == [
        "Je n'ai pas pu lire cette position. Renvoyez-la (📎 › Position) ou écrivez le nom de votre ville."
    ]
    assert events == []


async def test_a_location_far_from_every_place_says_so(content: Content) -> None:
    dispatcher = CollectingDispatcher()
    await ActionShareLocation().run(dispatcher, _tracker(_location(-54.8, -68.3), {"language": "ht"}), {})
    assert dispatcher.messages[0]["text"].startswith("Nan lis mwen an, pa gen kote konsa (")


def test_answering_a_topic_remembers_it_for_a_later_location(content: Content) -> None:
    d = _dialogue(content, "ask_consulate", {"language": "es"}, text="consulado de colombia")
    topics.answer_topic(d, "ask_consulate")
    assert d.slot_changes["last_topic"] == "ask_consulate"


def test_location_can_also_come_in_message_metadata() -> None:
    assert nearby.read_location([], {"location": {"latitude": "4.61", "longitude": "-74.08"}}) == (4.61, -74.08)


def test_a_misspelt_city_in_the_question_is_understood(content: Content) -> None:
    d = _dialogue(content, "ask_shelter", {"language": "es", "country": "MX"}, text="necesito albergue en tapachual")
    topics.answer_topic(d, "ask_shelter")
    assert d.reply().messages[1].text.startswith("📍 Lugares cerca de Tapachula")
    assert d.slot_changes["city"] == "Tapachula"


def test_a_word_close_to_a_city_of_another_country_does_not_move_the_person(content: Content) -> None:
    # French "médecin" is as close to the listed spelling "Medelín" as a typo: it once sent a person in Chile
    # to Medellín's health places
    d = _dialogue(
        content, "ask_health", {"language": "fr", "country": "CL"}, text="j'ai besoin d'un médecin et de papiers"
    )
    topics.answer_topic(d, "ask_health")
    assert "country" not in d.slot_changes and "city" not in d.slot_changes
    assert "Medell" not in d.reply().messages[1].text
    assert places.city_in_text("j'ai besoin d'un médecin", content, "MX") is None
    misspelt = places.city_in_text("necesito albergue en tapachual", content, "MX")
    assert misspelt is not None and misspelt.name == "Tapachula"  # a typo of a city where the person is still works


@pytest.mark.parametrize("text", ["necesito un albergue", "tengo miedo", "hola como estas amigo"])
def test_ordinary_words_are_not_taken_for_cities(content: Content, text: str) -> None:
    assert places.city_in_text(text, content) is None
