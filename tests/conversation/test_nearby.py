"""Places a person can actually reach: their own country first, honest "nothing near", consulates by nationality,
and what each place says about itself (address, map, distance, country, services, what is confirmed)."""

from __future__ import annotations

import dataclasses
import random
from datetime import date
from pathlib import Path
from types import SimpleNamespace
from typing import Any

import pytest

from bot import content as content_module
from bot import places
from bot.content import Content
from bot.content.models import Place
from bot.conversation import navigation, nearby, topics
from bot.conversation.dialogue import Dialogue, Turn
from bot.conversation.vocabulary import CONSULATE_NATIONALITIES, Menu

TODAY = date(2026, 11, 29)
TAPACHULA = (14.9057, -92.2634)
TECUN_UMAN = (14.6770, -92.1450)  # Guatemala, about 28 km from Tapachula
LIMA = (-12.0464, -77.0428)


@pytest.fixture(scope="module")
def content() -> Content:
    return content_module.current()


@pytest.fixture(autouse=True)
def no_gap_log(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setenv("BRUJULA_GAPS_FILE", str(tmp_path / "gaps.jsonl"))


def place(place_id: str, country: str, city: str, lat: float, lon: float, kind: str = "shelter", **extra: Any) -> Place:
    """A place as the schema-v2 content will carry it (extra fields such as ``evidence`` kept as given)."""
    values: dict[str, Any] = dict(
        id=place_id,
        type=kind,
        name=f"Place {place_id}",
        country=country,
        city=city,
        lat=lat,
        lon=lon,
        source="Example source",
        last_reviewed=TODAY,
        location_precision="city",
        services=[],
        nationalities=[],
        not_sourced=[],
    )
    values.update(extra)
    return Place.construct(**values)


def with_places(content: Content, extra: list[Place]) -> Content:
    return dataclasses.replace(content, places=tuple(extra), version=f"test-{random.random()}")


def dialogue(content: Content, intent: str, slots: dict[str, Any], text: str = "") -> Dialogue:
    return Dialogue(Turn(intent=intent, text=text, slots=slots), content, today=TODAY)


def listed(d: Dialogue, first: int = 1) -> str:
    return "\n".join(m.text for m in d.reply().messages[first:])


# -- ranking ------------------------------------------------------------------------------------------
def test_tapachula_and_asylum_lists_only_places_in_mexico(content: Content) -> None:
    d = dialogue(content, "ask_asylum", {"language": "es", "city": "Tapachula", "country": "MX"})
    topics.answer_topic(d, "ask_asylum")
    shown = listed(d)
    assert "COMAR" in shown and "México" in shown
    assert "Guatemala" not in shown and "El Salvador" not in shown  # UNHCR Guatemala City is 190 km away


def test_own_country_first_then_a_place_just_across_the_border_labelled_with_its_country(content: Content) -> None:
    fixture = with_places(
        content,
        [
            place("gt-near", "GT", "Tecún Umán", *TECUN_UMAN),
            place("mx-here", "MX", "Tapachula", *TAPACHULA),
            place("gt-far", "GT", "Quetzaltenango", 14.8347, -91.5181),  # 85 km: another country, not near
        ],
    )
    d = dialogue(fixture, "ask_shelter", {"language": "en", "city": "Tapachula", "country": "MX"})
    topics.answer_topic(d, "ask_shelter")
    shown = listed(d)
    assert shown.index("Place mx-here") < shown.index("Place gt-near")
    assert "🌐 This is in Guatemala, across the border." in shown
    assert "Place gt-far" not in shown


def test_the_border_distance_is_configurable() -> None:
    fixture = with_places(content_module.current(), [place("gt-near", "GT", "Tecún Umán", *TECUN_UMAN)])
    assert [n.place.id for n in places.rank(fixture, *TAPACHULA, ["shelter"], country="MX").results] == ["gt-near"]
    assert places.rank(fixture, *TAPACHULA, ["shelter"], country="MX", border_km=10).results == []


def test_beyond_the_radius_the_answer_says_so_names_the_closest_and_offers_a_person(content: Content) -> None:
    fixture = with_places(content, [place("mx-far", "MX", "Monterrey", 25.6866, -100.3161)])  # 1,400 km
    d = dialogue(fixture, "ask_shelter", {"language": "en", "city": "Tapachula", "country": "MX"})
    topics.answer_topic(d, "ask_shelter")
    messages = d.reply().messages
    assert messages[1].text.startswith("I have no places of this kind (Shelter, ")
    assert "within 50 km" in messages[1].text  # water points: the smallest radius, so the claim holds for all
    assert messages[2].text.startswith("The closest I know of: Place mx-far (Monterrey, Mexico), ")
    assert " km away." in messages[2].text.splitlines()[0]
    assert [b.payload for b in messages[2].buttons] == ["/request_human"]
    # a place 1,400 km away is no answer: the help every town has, and a person
    assert messages[3].text == content.text("places_ask_locally", "en", city="Tapachula")


def test_a_place_within_the_radius_but_far_from_the_city_is_not_called_near_it(content: Content) -> None:
    # a tester in Medellín read "Places near Medellín" over a Red Cross unit 239 km away
    huixtla = place("mx-huixtla", "MX", "Huixtla", 15.1389, -92.4668)  # about 37 km from Tapachula
    d = dialogue(
        with_places(content, [huixtla]), "ask_shelter", {"language": "en", "city": "Tapachula", "country": "MX"}
    )
    topics.answer_topic(d, "ask_shelter")
    shown = listed(d)
    assert "Nothing in Tapachula on our list. The closest:" in shown
    assert "Places near Tapachula" not in shown
    assert "Place mx-huixtla" in shown
    assert "In Tapachula you can also ask: the public hospital" in shown  # the help every town has, and a person
    in_town = place("mx-in-town", "MX", "Tapachula", 14.9057, -92.2634)
    d = dialogue(
        with_places(content, [in_town]), "ask_shelter", {"language": "en", "city": "Tapachula", "country": "MX"}
    )
    topics.answer_topic(d, "ask_shelter")
    assert "Places near Tapachula (from our list):" in listed(d)
    assert "you can also ask" not in listed(d)


# -- consulates -----------------------------------------------------------------------------------------
def venezuelan_consulate_in_lima() -> Place:
    evidence = [
        SimpleNamespace(
            url="https://www.gob.pe/institucion/rree/noticias/ejemplo-consulado",
            quote="Ejemplo de cita",
            read_on=TODAY,
            claim="consular services suspended",
        )
    ]
    return place(
        "pe-lima-ve",
        "PE",
        "Lima",
        *LIMA,
        kind="consulate",
        name="Consulado de Venezuela en Lima",
        nationalities=["VE"],
        consular_status="suspended",
        status_since=date(2024, 7, 29),
        status_note={
            "es": "Para trámites, consulta el plan de atención anunciado por tu país.",
            "en": "For paperwork, check the service plan your country announced.",
        },
        evidence=evidence,
        source="Cancillería del Perú",
    )


def test_a_venezuelan_in_lima_gets_the_consulates_status_and_its_official_source(content: Content) -> None:
    fixture = with_places(content, [venezuelan_consulate_in_lima()])
    d = dialogue(fixture, "ask_consulate", {"language": "en", "city": "Lima", "country": "PE", "nationality": "VE"})
    topics.answer_topic(d, "ask_consulate")
    shown = listed(d)
    assert "Consulado de Venezuela en Lima" in shown
    assert "⛔ Consular services SUSPENDED. Since 2024-07-29." in shown
    assert "For paperwork, check the service plan your country announced." in shown
    assert "Source: https://www.gob.pe/institucion/rree/noticias/ejemplo-consulado" in shown
    assert "Cancillería del Perú" in shown


def test_without_the_nationality_the_person_is_asked_once_with_numbered_choices(content: Content) -> None:
    fixture = with_places(content, [venezuelan_consulate_in_lima()])
    d = dialogue(fixture, "ask_consulate", {"language": "es", "city": "Lima", "country": "PE"})
    topics.answer_topic(d, "ask_consulate")
    question = d.reply().messages[-1]
    assert [b.payload for b in question.buttons] == [str(n) for n in range(1, len(CONSULATE_NATIONALITIES) + 1)]
    assert question.buttons[0].title == "1 · Venezuela" and d.slot_changes["menu"] == Menu.NATIONALITY

    slots = {"language": "es", "city": "Lima", "country": "PE", "menu": Menu.NATIONALITY, "last_topic": "ask_consulate"}
    choice = Dialogue(
        Turn(intent="choose_option", text="1", slots=slots, entities=[{"entity": "option", "value": "1"}]),
        fixture,
        today=TODAY,
    )
    navigation.choose_option(choice)
    assert choice.slot_changes["nationality"] == "VE"
    assert "Consulado de Venezuela en Lima" in listed(choice, 0)


# -- what each place says ---------------------------------------------------------------------------------
def test_the_map_link_matches_how_precisely_the_place_is_known(content: Content) -> None:
    exact = place("a", "MX", "Tapachula", 14.90611, -92.26602, location_precision="exact")
    street = place("b", "MX", "Tapachula", *TAPACHULA, location_precision="street", address="Calle 5 Norte 12")
    city = place("c", "MX", "Tapachula", *TAPACHULA)
    assert "Map: https://www.openstreetmap.org/?mlat=14.90611&mlon=-92.26602#map=17/" in nearby.describe(
        content, exact, "en", TODAY
    )
    assert (
        "Map (search for the address): https://www.openstreetmap.org/search?query=Calle+5+Norte+12%2C+Tapachula"
        in nearby.describe(content, street, "en", TODAY)
    )
    assert "(only the city, not the exact place)" in nearby.describe(content, city, "en", TODAY)


def test_phone_and_hours_say_whether_a_page_confirms_them(content: Content) -> None:
    evidence = [
        SimpleNamespace(url="https://www.example.gob.mx/contacto", quote="Tel. 962 123 4567", read_on=TODAY, claim=None)
    ]
    shown = nearby.describe(
        content,
        place(
            "p", "MX", "Tapachula", *TAPACHULA, phone="+529621234567", hours={"en": "Mon-Fri 9-17"}, evidence=evidence
        ),
        "en",
        TODAY,
    )
    assert "Phone: +529621234567 (confirmed: www.example.gob.mx, 2026-11-29)" in shown
    assert "Opening hours: Mon-Fri 9-17 (not confirmed: ask before you go)" in shown


def test_what_a_place_offers_is_listed(content: Content) -> None:
    shown = nearby.describe(
        content, place("p", "MX", "Tapachula", *TAPACHULA, services=["lodging", "food"]), "en", TODAY
    )
    assert "Offers: a place to sleep, food" in shown


def test_a_shared_location_attaches_a_map_pin_for_the_first_place_when_its_point_is_exact(content: Content) -> None:
    fixture = with_places(
        content,
        [
            place("near", "MX", "Tapachula", 14.9061, -92.2660, location_precision="exact"),
            place("next", "MX", "Tapachula", 14.91, -92.27),
            place("third", "MX", "Tapachula", 14.92, -92.28),
            place("fourth", "MX", "Tapachula", 14.95, -92.30),
        ],
    )
    d = dialogue(fixture, "share_location", {"language": "es", "country": "MX"})
    nearby.answer_location(d, TAPACHULA, "ask_shelter")
    shown = listed(d, 0)
    assert "Place near" in shown and "Place third" in shown and "Place fourth" not in shown
    pins = [m.custom for m in d.reply().messages if m.custom]
    assert pins == [{"location": {"lat": 14.9061, "lon": -92.266, "label": "Place near"}}]
