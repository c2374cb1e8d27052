"""What people are told about where an answer comes from, and the emergency lines (bot.content.provenance)."""

from __future__ import annotations

from datetime import date
from typing import Any

import pytest

from bot import content as content_module
from bot.content.models import (
    LANGUAGES,
    CountryEmergency,
    EmergencyNumber,
    Place,
    TopicAnswer,
    is_homepage,
    text_hash,
)
from bot.content.provenance import answer_footer, emergency_lines
from bot.content.store import Content

TODAY = date(2026, 11, 29)
TEXT = {"es": "Texto en español.", "en": "English text.", "pt": "Texto.", "fr": "Texte.", "ht": "Tèks."}
EVIDENCE = [{"url": "https://www.gob.pe/12345-cambio", "quote": "El CPP no es renovable", "read_on": "2026-11-29"}]


@pytest.fixture(scope="module")
def ui() -> Content:
    return content_module.current()


def answer(**fields: Any) -> TopicAnswer:
    return TopicAnswer.parse_obj(
        {"country": "PE", "source": "Migraciones Perú (gob.pe)", "text": TEXT, "evidence": EVIDENCE, **fields}
    )


def test_a_checked_answer_says_against_what_and_when_and_that_no_organisation_confirmed_it(ui: Content) -> None:
    footer = answer_footer(answer(checked="2026-11-29"), "en", TODAY, ui=ui)

    assert footer.splitlines()[0] == (
        "Checked against Migraciones Perú (gob.pe) on 2026-11-29, " "not yet confirmed by an organisation."
    )


def test_a_confirmed_answer_names_the_organisation_and_the_date(ui: Content) -> None:
    item = answer(checked="2026-11-20", confirmed_with="ACNUR Perú", confirmed_on="2026-12-03", confirmed_by="Ana")

    footer = answer_footer(item, "es", date(2026, 12, 5), ui=ui)

    assert footer.startswith("Confirmado por ACNUR Perú el 2026-12-03")
    assert "aún no confirmado" not in footer


def test_an_item_nobody_checked_says_so_and_shows_no_review_date(ui: Content) -> None:
    item = answer(evidence=[])
    for language in LANGUAGES:
        footer = answer_footer(item, language, TODAY, ui=ui)
        assert "2026" not in footer  # no date beside "not checked"
    assert "not checked against a source yet" in answer_footer(item, "en", TODAY, ui=ui)
    assert "last reviewed" not in answer_footer(item, "en", TODAY, ui=ui).lower()


def test_after_valid_until_the_footer_cautions_and_before_it_gives_the_end_date(ui: Content) -> None:
    item = answer(checked="2026-01-10", valid_until="2026-04-30")

    expired = answer_footer(item, "en", TODAY, ui=ui)
    running = answer_footer(item, "en", date(2026, 3, 1), ui=ui)

    assert "⚠️ This was valid until 2026-04-30: it may have ended or changed" in expired
    assert "Valid until 2026-04-30." in running and "⚠️" not in running


def test_staleness_is_shorter_for_volatile_countries(ui: Content) -> None:
    item = answer(checked="2026-07-01")  # five months before TODAY

    assert "months ago" not in answer_footer(item, "en", TODAY, ui=ui)
    assert "⚠️ Checked more than 3 months ago" in answer_footer(item, "en", TODAY, ui=ui, volatile=True)
    assert item.is_stale(TODAY, volatile=True) and not item.is_stale(TODAY)
    assert not answer(evidence=[]).is_stale(TODAY)  # never checked is "not checked", not "stale"


def test_a_partly_unconfirmed_item_says_so(ui: Content) -> None:
    item = answer(checked="2026-11-29", unconfirmed=["Fee amount for 2026 not found"])

    assert "Part of this could not be confirmed in a public source" in answer_footer(item, "en", TODAY, ui=ui)


def test_the_language_note_follows_the_review_state_of_that_language(ui: Content) -> None:
    stamp = text_hash(TEXT["es"])
    item = answer(
        checked="2026-11-29",
        text_status={
            "en": {"status": "reviewed", "es_hash": stamp, "reviewer": "Sam"},
            "pt": {"status": "reviewed", "es_hash": "0000000000"},  # reviewed against an older Spanish text
            "ht": {"status": "unreviewed", "es_hash": stamp},
        },
    )

    assert "translation" not in answer_footer(item, "en", TODAY, ui=ui)
    assert "traducción" not in answer_footer(item, "es", TODAY, ui=ui)  # Spanish is the source
    assert "pode não incluir a última mudança" in answer_footer(item, "pt", TODAY, ui=ui)
    assert "poko revize tradiksyon sa a" in answer_footer(item, "ht", TODAY, ui=ui)
    assert "relue" in answer_footer(item, "fr", TODAY, ui=ui)  # no stamp at all: unreviewed


def test_changing_the_spanish_makes_reviewed_translations_outdated() -> None:
    stamp = text_hash(TEXT["es"])
    before = answer(text_status={"en": {"status": "reviewed", "es_hash": stamp}})
    after = answer(
        text={**TEXT, "es": "Texto en español, corregido."},
        text_status={"en": {"status": "reviewed", "es_hash": stamp}},
    )
    spacing_only = answer(
        text={**TEXT, "es": "Texto   en\nespañol."}, text_status={"en": {"status": "reviewed", "es_hash": stamp}}
    )

    assert before.text_state("en").value == "reviewed"
    assert after.text_state("en").value == "outdated"
    assert spacing_only.text_state("en").value == "reviewed"


def test_places_get_the_same_footer(ui: Content) -> None:
    place = Place.parse_obj(
        {
            "id": "pe-x",
            "type": "iom",
            "name": "OIM",
            "country": "PE",
            "lat": -12.0,
            "lon": -77.0,
            "source": "OIM Perú",
            "checked": "2026-11-29",
            "evidence": EVIDENCE,
        }
    )

    assert answer_footer(place, "fr", TODAY, ui=ui) == (
        "Vérifié auprès de OIM Perú le 2026-11-29 ; pas encore " "confirmé par une organisation."
    )


def number(kind: str | None, value: str, label: str) -> dict[str, Any]:
    return {
        "number": value,
        "kind": kind,
        "label": {lang: label for lang in LANGUAGES},
        "source": "SUME 911",
        "evidence": EVIDENCE,
        "checked": "2026-11-29",
    }


PANAMA = CountryEmergency.parse_obj(
    {
        "country": "PA",
        "coverage_note": {lang: f"[{lang}] 911 no llega a todo Darién" for lang in LANGUAGES},
        "numbers": [
            number("hotline", "147", "Trata"),
            number("fire", "103", "Bomberos"),
            number("ambulance", "911", "SUME 911"),
            number("police", "104", "Policía"),
        ],
    }
)


def test_emergency_lines_list_numbers_by_kind_then_coverage_then_what_to_try(ui: Content) -> None:
    lines = emergency_lines(PANAMA, "en", ui=ui)

    assert lines[:4] == ["• 🚓 104: Policía", "• 🚑 911: SUME 911", "• 🚒 103: Bomberos", "• ☎️ 147: Trata"]
    assert lines[4] == "⚠️ [en] 911 no llega a todo Darién"
    assert lines[5].startswith("If nobody answers: hang up and call again")


def test_a_country_s_own_if_no_answer_replaces_the_general_one(ui: Content) -> None:
    entry = CountryEmergency.parse_obj(
        {**PANAMA.dict(), "if_no_answer": {lang: f"[{lang}] Llama al 104" for lang in LANGUAGES}}
    )

    assert emergency_lines(entry, "ht", ui=ui)[-1] == "[ht] Llama al 104"


@pytest.mark.parametrize("language", LANGUAGES)
def test_emergency_lines_never_ask_to_confirm_with_the_source(ui: Content, language: str) -> None:
    unchecked = CountryEmergency.parse_obj(
        {
            "country": "GT",
            "numbers": [
                {"number": "110", "kind": "police", "label": {lang: "Policía" for lang in LANGUAGES}, "source": "PNC"}
            ],
        }
    )

    text = "\n".join(emergency_lines(unchecked, language, ui=ui)).lower()

    for phrase in ("confirm", "confírm", "vérifi", "konfime", "fuente", "source", "fonte", "sous"):
        assert phrase not in text


def test_every_provenance_text_exists_in_five_languages(ui: Content) -> None:
    keys = [key for key in ui.ui if key.startswith("provenance_") or key == "emergency_if_no_answer"]
    assert len(keys) == 10
    for key in keys:
        assert set(ui.ui[key]) == set(LANGUAGES), key


def test_a_number_without_kind_is_listed_last() -> None:
    entry = CountryEmergency.parse_obj(
        {"country": "HT", "numbers": [number(None, "114", "Police?"), number("police", "122", "Polis")]}
    )
    assert [line.split(":")[0] for line in emergency_lines(entry, "ht", ui=content_module.current())[:2]] == [
        "• 🚓 122",
        "• 114",
    ]


@pytest.mark.parametrize(
    ("url", "homepage"),
    [
        ("https://www.gob.pe", True),
        ("https://www.gob.pe/", True),
        ("https://www.acnur.org/es/", True),
        ("https://help.unhcr.org/pt-br/", True),
        ("https://www.gob.pe/12345-cambio", False),
        ("https://help.unhcr.org/peru/", False),
        ("https://www.migracion.gob.pa/?page=tramites", False),
    ],
)
def test_homepage_only_urls_are_recognised(url: str, homepage: bool) -> None:
    assert is_homepage(url) is homepage


def test_emergency_numbers_keep_their_number() -> None:
    parsed = EmergencyNumber.parse_obj(number("emergency", "911", "Emergencias"))
    assert parsed.number == "911" and parsed.kind is not None and parsed.kind.value == "emergency"
