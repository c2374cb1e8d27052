"""Brújula's NLU components on Rasa Message objects, as the pipeline runs them."""

from __future__ import annotations

import pytest
from rasa.shared.nlu.training_data.message import Message

from bot.input_check import MAX_MESSAGE_CHARS
from bot.nlu.components import GazetteerEntityExtractor, InputGuard, IntentRules, LanguageAnnotator


def run(text: str, intent: str = "greet", confidence: float = 0.9) -> Message:
    message = Message.build(text=text)
    InputGuard({}).process([message])
    message.set("intent", {"name": intent, "confidence": confidence}, add_to_output=True)
    message.set("intent_ranking", [{"name": intent, "confidence": confidence}], add_to_output=True)
    GazetteerEntityExtractor({}).process([message])
    LanguageAnnotator({}).process([message])
    IntentRules({}).process([message])
    return message


def entities(message: Message) -> dict:
    return {e["entity"]: e["value"] for e in message.get("entities")}


def test_parse_result_carries_the_language() -> None:
    message = run("kijan pou m regilarize sitiyasyon m")
    output = message.as_dict(only_output_properties=True)
    assert output["language"]["code"] == "ht"
    assert 0.5 < output["language"]["confidence"] <= 1.0


def test_countries_and_nationalities_become_iso_codes_and_cities_are_found() -> None:
    assert entities(run("donde esta el consulado de colombia en quito")) == {"country": "CO", "city": "Quito"}
    assert entities(run("soy venezolana y vivo en medellin")) == {"country": "VE", "city": "Medellín"}
    assert entities(run("konsila ayisyen nan santo domingo")) == {"country": "HT", "city": "Santo Domingo"}
    assert entities(run("tem consulado da colômbia em manaus")) == {"country": "CO", "city": "Manaus"}


@pytest.mark.parametrize("text", ["2", " 3. ", "opcion 2", "opción 4", "option 1", "opsyon 5", "#2"])
def test_a_bare_number_is_a_menu_choice(text: str) -> None:
    message = run(text, intent="ask_work")
    assert message.get("intent")["name"] == "choose_option"
    assert "option" in entities(message)


def test_out_of_scope_is_reported_as_nlu_fallback() -> None:
    assert run("cuentame un chiste", intent="out_of_scope").get("intent")["name"] == "nlu_fallback"


def test_danger_words_turn_an_unplaced_message_into_an_emergency() -> None:
    message = run("nos tienen encerrados en una casa y no nos dejan salir", intent="nlu_fallback", confidence=0.3)
    assert message.get("intent")["name"] == "report_emergency"
    calm = run("cuentame un chiste", intent="nlu_fallback", confidence=0.3)
    assert calm.get("intent")["name"] == "nlu_fallback"


@pytest.mark.parametrize(
    ("text", "problem"),
    [("", "empty"), ("   \n ", "empty"), ("😀🙏", "emoji_only"), ("\x00\x01\x02\x03garbage\x04", "unreadable"),
     ("أين أجد مأوى", "unsupported_language"), ("我需要帮助", "unsupported_language")],
)
def test_unusable_input_is_flagged_and_becomes_a_fallback(text: str, problem: object) -> None:
    message = run(text, intent="ask_work")
    assert message.get("input_problem") == problem
    assert message.get("intent")["name"] == "nlu_fallback"


def test_a_huge_message_is_cut_but_still_understood() -> None:
    message = run("necesito un medico " + "x" * 10_000, intent="ask_health")
    assert message.get("input_problem") == "too_long"
    assert len(message.get("text")) == MAX_MESSAGE_CHARS
    assert message.get("intent")["name"] == "ask_health"
