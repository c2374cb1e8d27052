"""The corridor cities of content/gazetteer/cities.yml: found where migrants name them, not in ordinary words."""

from __future__ import annotations

import pytest

from bot import content as content_module
from bot import gazetteer, places
from bot.content import Content


@pytest.fixture(scope="module")
def content() -> Content:
    return content_module.current()


def cities_in(text: str, content: Content) -> list[tuple[str, str]]:
    return [(m.value, m.country) for m in gazetteer.find(text, content) if m.entity == "city"]


@pytest.mark.parametrize(
    ("text", "city", "country"),
    [
        ("estoy en Guadalajara", "Guadalajara", "MX"),
        ("moro em Cuiabá", "Cuiabá", "BR"),
        ("mwen nan Saltillo", "Saltillo", "MX"),
        ("m nan Saltillo", "Saltillo", "MX"),
        ("I just arrived in Nuevo Laredo", "Nuevo Laredo", "MX"),
        ("I'm in Sonoyta", "Sonoyta", "MX"),
        ("llegué a Tuxtla ayer", "Tuxtla Gutiérrez", "MX"),
        ("estoy en san cristobal de las casas", "San Cristóbal de las Casas", "MX"),
        ("cheguei em Porto Velho ontem", "Porto Velho", "BR"),
        ("estou em Belém do Pará", "Belém", "BR"),
        ("moro em Salvador da Bahia", "Salvador da Bahia", "BR"),
        ("mwen nan Jakmèl", "Jacmel", "HT"),
        ("estoy en Dajabón con mi hija", "Dajabón", "DO"),
        ("estoy en Lago Agrio", "Nueva Loja", "EC"),
        ("estoy en Santo Domingo de los Tsáchilas", "Santo Domingo de los Colorados", "EC"),
        ("estoy en Santo Domingo", "Santo Domingo", "DO"),
        ("estoy en Capurganá para cruzar", "Capurganá", "CO"),
        ("vivo en Xela", "Quetzaltenango", "GT"),
        ("estoy en puerto ordaz", "Ciudad Guayana", "VE"),
        ("I'm in Upala near the border", "Upala", "CR"),
    ],
)
def test_a_corridor_city_is_found_in_any_language(content: Content, text: str, city: str, country: str) -> None:
    assert cities_in(text, content) == [(city, country)]


@pytest.mark.parametrize(
    "text",
    [
        "me quitó los papeles",
        "feliz natal",
        "Feliz Natal para todos",
        "el salvador de mi vida",
        "necesito abrir una cuenta en el banco",
        "trabajo en un campo grande",
        "tengo una fortaleza enorme",
        "fui na loja comprar comida",
        "tengo que pagar en colones",
        "según la Declaración de Cartagena soy refugiado",
        "quiero ir a Oaxaca",  # the state: only "Oaxaca de Juárez" names the city
        "compré esmeraldas",
        "me llamo Esmeralda",
        "estoy parado en la esquina",
    ],
)
def test_ordinary_words_are_not_taken_for_cities(content: Content, text: str) -> None:
    assert cities_in(text, content) == []


@pytest.mark.parametrize(
    "text",
    [
        "necesito explicar mi caso con calma",
        "mis hijos están chiquitos",
        "moro na Barra da Tijuca",
        "mi jefe me robaba el sueldo",
        "eske gen pwen èd kote migran yo ka jwenn dlo, swen ak enfòmasyon?",
        "libète pou tout moun",
        "pasaporte vencido venezuela",
        "I was injured at work in a farm in florida",
        "how do I get a work permit in Costa Rica",
        "estoy en San Luis Río Colorado",
        "je cherche un centre de santé mexicain",  # not Mexicali
        "me casé con una ciudadana y quiero un médico",  # not Ciudad Acuña
        "un médecin pour mon fils",  # not Medellín
    ],
)
def test_ordinary_words_are_not_guessed_as_misspelt_cities(content: Content, text: str) -> None:
    city = places.city_in_text(text, content)
    assert city is None, city.name


@pytest.mark.parametrize(
    ("text", "city"),
    [("albergue en tapachual", "Tapachula"), ("estoy en guadalajra", "Guadalajara"), ("moro em cuiaba", "Cuiabá")],
)
def test_a_misspelt_city_is_still_guessed(content: Content, text: str, city: str) -> None:
    guessed = places.city_in_text(text, content)
    assert guessed is not None and guessed.name == city


def places_in(text: str, content: Content) -> list[tuple[str, str]]:
    return [(m.entity, m.value) for m in gazetteer.find(text, content)]


@pytest.mark.parametrize(
    ("text", "country"),
    [
        ("trabalho numa fazenda em mato grosso, o patrao nao deixa a gente sair", "BR"),
        ("estoy en chiapas con mis hijos", "MX"),
        ("I am in Nuevo Leon", "MX"),
        ("je suis au Chiapas", "MX"),
        ("estou em Roraima", "BR"),
        ("estoy en Antioquia", "CO"),
    ],
)
def test_a_state_or_department_says_which_country_the_person_is_in(content: Content, text: str, country: str) -> None:
    assert places_in(text, content) == [("country", country)]


@pytest.mark.parametrize(
    ("text", "places"),
    [
        ("meu marido se chama salvador e foi preso em sao paulo", [("city", "São Paulo")]),
        ("mi hijo se llama Jordan", []),
        ("my son is called Colombia", []),
        ("mon fils s'appelle Salvador, il est à Lima", [("city", "Lima")]),
    ],
)
def test_a_persons_name_is_not_a_place(content: Content, text: str, places: list[tuple[str, str]]) -> None:
    assert places_in(text, content) == places


@pytest.mark.parametrize(
    ("text", "city"),
    [
        ("m nan santiago dominikani", "Santiago de los Caballeros"),
        ("estoy en santiago, república dominicana", "Santiago de los Caballeros"),
        ("estoy en Santiago", "Santiago"),
        ("moro em santiago do chile", "Santiago"),
    ],
)
def test_santiago_of_the_dominican_republic_is_not_santiago_of_chile(content: Content, text: str, city: str) -> None:
    assert [value for kind, value in places_in(text, content) if kind == "city"] == [city]
