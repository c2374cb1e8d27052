"""Keeping the thread of a conversation: new information, follow-ups on the same topic, and close calls."""

from __future__ import annotations

from datetime import date
from pathlib import Path
from typing import Any

import pytest

from bot import content as content_module
from bot.content import Content
from bot.conversation import context, navigation
from bot.conversation.dialogue import Dialogue, Turn

TODAY = date(2026, 11, 29)


@pytest.fixture(scope="module")
def content() -> Content:
    return content_module.current()


@pytest.fixture(autouse=True)
def no_gap_log(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setenv("BRUJULA_GAPS_FILE", str(tmp_path / "gaps.jsonl"))


def turn(content: Content, intent: str, slots: dict[str, Any], text: str = "",
         entities: list[dict[str, Any]] | None = None, ranking: list[dict[str, Any]] | None = None) -> Dialogue:
    return Dialogue(Turn(intent=intent, text=text, slots=slots, entities=entities or [], intent_ranking=ranking or []),
                    content, today=TODAY)


def country(code: str, text: str) -> dict[str, Any]:
    return {"entity": "country", "value": code, "text": text}


def texts(d: Dialogue) -> list[str]:
    return [m.text for m in d.reply().messages]


def test_only_a_country_is_noted_confirmed_in_one_line_and_the_menu_follows(content: Content) -> None:
    d = turn(content, "inform", {"language": "en"}, "I'm in Colombia", [country("CO", "Colombia")])
    context.inform(d)
    said = texts(d)
    assert d.slot_changes["country"] == "CO"
    assert said[0] == "Noted: you are in Colombia."
    assert said[1] == content.text("main_menu_title", "en")  # what do you need? (not a regularization answer)


def test_a_nationality_and_a_country_are_both_kept(content: Content) -> None:
    d = turn(content, "inform", {"language": "es"}, "soy hondureño y estoy en Guatemala",
             [{"entity": "nationality", "value": "HN", "text": "hondureño"}, country("GT", "Guatemala")])
    context.inform(d)
    assert d.slot_changes["country"] == "GT" and d.slot_changes["nationality"] == "HN"
    assert texts(d)[0] == "Anotado: estás en Guatemala. Anotado: eres de Honduras."


def test_and_in_peru_after_a_work_question_answers_work_for_peru(content: Content) -> None:
    slots = {"language": "en", "country": "CO", "last_topic": "ask_work"}
    d = turn(content, "inform", slots, "and in Peru?", [country("PE", "Peru")])
    context.inform(d)
    assert d.slot_changes["country"] == "PE" and d.slot_changes["last_topic"] == "ask_work"
    expected = content.topic_answer("ask_work", "PE", "en")
    assert expected is not None and expected.text.strip()[:60] in "\n".join(texts(d))


def test_a_place_given_while_the_bot_waits_for_the_country_answers_the_waiting_question(content: Content) -> None:
    slots = {"language": "pt", "pending_topic": "ask_regularization", "menu": "country"}
    d = turn(content, "inform", slots, "estou no Peru", [country("PE", "Peru")])
    context.inform(d)
    assert d.slot_changes["pending_topic"] is None and d.slot_changes["last_topic"] == "ask_regularization"


def test_where_is_the_nearest_one_after_a_shelter_question_lists_shelters(content: Content) -> None:
    slots = {"language": "es", "city": "Tapachula", "country": "MX", "last_topic": "ask_shelter"}
    d = turn(content, "ask_nearby", slots, "¿dónde queda el más cercano?")
    context.ask_nearby(d)
    shown = "\n".join(texts(d))
    assert shown.startswith("📍 Lugares cerca de Tapachula")
    assert "Albergue" in shown and "Puesto de salud" not in shown


def test_where_is_the_nearest_one_without_a_place_asks_for_the_location(content: Content) -> None:
    d = turn(content, "ask_nearby", {"language": "en", "last_topic": "ask_shelter"}, "where is the nearest one?")
    context.ask_nearby(d)
    assert texts(d) == [content.text("places_share_location_hint", "en")]


def test_how_much_does_it_cost_stays_on_the_current_topic_and_country(content: Content) -> None:
    slots = {"language": "en", "country": "PE", "last_topic": "ask_regularization"}
    d = turn(content, "ask_followup", slots, "how much does it cost?")
    context.ask_followup(d)
    expected = content.topic_answer("ask_regularization", "PE", "en")
    assert expected is not None and expected.text.strip()[:60] in texts(d)[0]
    assert "country" not in d.slot_changes


def test_a_follow_up_with_no_topic_yet_shows_the_menu(content: Content) -> None:
    d = turn(content, "ask_followup", {"language": "fr"}, "combien ça coûte ?")
    context.ask_followup(d)
    assert texts(d) == [content.text("main_menu_title", "fr")]


def test_a_close_call_between_two_topics_is_asked_and_a_number_answers_it(content: Content) -> None:
    ranking = [{"name": "ask_work", "confidence": 0.38}, {"name": "ask_rights", "confidence": 0.31},
               {"name": "ask_health", "confidence": 0.1}]
    d = turn(content, "ask_work", {"language": "en", "country": "PE"}, "my labour rights", ranking=ranking)
    assert navigation.clarify(d)
    question = d.reply().messages[0]
    assert question.text == "Do you mean…?"
    assert [b.title for b in question.buttons] == [f"1 · {content.text('topic_ask_work', 'en')}",
                                                   f"2 · {content.text('topic_ask_rights', 'en')}"]
    choice = turn(content, "choose_option", {"language": "en", "country": "PE", "menu": d.slot_changes["menu"]}, "2",
                  [{"entity": "option", "value": "2"}])
    navigation.choose_option(choice)
    assert choice.slot_changes["last_topic"] == "ask_rights"


def test_a_sure_classifier_is_not_second_guessed(content: Content) -> None:
    ranking = [{"name": "ask_work", "confidence": 0.62}, {"name": "ask_rights", "confidence": 0.3}]
    assert not navigation.clarify(turn(content, "ask_work", {"language": "en"}, "jobs", ranking=ranking))
    far_apart = [{"name": "ask_work", "confidence": 0.45}, {"name": "ask_rights", "confidence": 0.2}]
    assert not navigation.clarify(turn(content, "ask_work", {"language": "en"}, "jobs", ranking=far_apart))
