"""Short messages that carry the conversation on: "help" after an emergency, "more" or "I don't understand"
after an answer. Whatever the classifier made of them, the person is not sent back to the menu."""

from __future__ import annotations

import pytest

from actions.conversation import ActionFallback, ActionGoodbye, ActionGreet, ActionMainMenu, ActionThank
from actions.offers import ActionCheckOffer
from actions.privacy import ActionDeny
from actions.safety import ActionEmergency
from actions.topics import ActionAnswerTopic
from bot import content
from tests.conftest import Conversation


def text(key: str, language: str, **values: str) -> str:
    return content.current().text(key, language, **values)


def numbers_of(country: str) -> str:
    """A number of the country's emergency block as the person reads it."""
    return str(content.current().emergency_numbers(country)[0].number)


def in_danger(language: str, country: str, message: str) -> Conversation:
    conversation = Conversation(language=language, country=country)
    first = conversation.say(ActionEmergency, message, "report_emergency")
    assert numbers_of(country) in first.all_text
    return conversation


@pytest.mark.parametrize(
    ("language", "country", "danger", "action", "followup", "intent"),
    [
        ("en", "MX", "they locked us in a house", ActionMainMenu, "help", "main_menu"),
        ("fr", "BR", "on nous a enfermés dans une maison", ActionFallback, "je comprends pas", "nlu_fallback"),
        ("es", "PE", "nos tienen encerrados", ActionGreet, "ayuda", "greet"),
        ("pt", "BR", "o patrão não deixa a gente sair", ActionAnswerTopic, "o que eu faço", "ask_work"),
        ("ht", "DO", "yo fèmen nou nan yon kay", ActionMainMenu, "ede m", "main_menu"),
    ],
)
def test_after_an_emergency_help_or_not_understood_gets_the_numbers_again_not_the_menu(
    language: str, country: str, danger: str, action: type, followup: str, intent: str
) -> None:
    conversation = in_danger(language, country, danger)
    turn = conversation.say(action, followup, intent)
    assert numbers_of(country) in turn.all_text
    assert text("main_menu_title", language) not in turn.all_text


@pytest.mark.parametrize(
    ("language", "danger", "lost"),
    [
        ("en", "they locked us in a house", "i dont know where we are"),
        ("es", "nos tienen encerrados en una casa", "no sé dónde estamos"),
        ("fr", "on nous a enfermés dans une maison", "je sais pas où on est"),
    ],
)
def test_not_knowing_where_one_is_after_an_emergency_says_call_anyway_not_a_shelter_list(
    language: str, danger: str, lost: str
) -> None:
    conversation = in_danger(language, "MX", danger)
    turn = conversation.say(ActionAnswerTopic, lost, "ask_shelter")
    assert text("emergency_where_unknown", language) in turn.all_text
    assert numbers_of("MX") in turn.all_text
    shelter = content.current().topic_answer("ask_shelter", "MX", language)
    assert shelter is not None and shelter.text.strip().splitlines()[0] not in turn.all_text


@pytest.mark.parametrize(
    ("language", "more", "action", "intent"),
    [
        ("fr", "plus", ActionGoodbye, "goodbye"),
        ("en", "more", ActionGoodbye, "goodbye"),
        ("es", "más", ActionGreet, "greet"),
        ("pt", "mais", ActionGoodbye, "goodbye"),
        ("ht", "plis", ActionFallback, "nlu_fallback"),
    ],
)
def test_more_after_an_answer_gives_the_answer_not_goodbye(language: str, more: str, action: type, intent: str) -> None:
    conversation = Conversation(language=language, country="PE")
    conversation.say(ActionAnswerTopic, "work", "ask_work")
    turn = conversation.say(action, more, intent)
    work = content.current().topic_answer("ask_work", "PE", language)
    assert work is not None and work.text.strip().splitlines()[0] in turn.all_text
    assert text("goodbye", language) not in turn.all_text


@pytest.mark.parametrize(
    ("language", "not_understood"),
    [
        ("es", "no entiendo"),
        ("en", "i don't understand"),
        ("pt", "não entendi"),
        ("fr", "je comprends pas"),
        ("ht", "m pa konprann"),
    ],
)
def test_i_dont_understand_after_an_answer_offers_a_person_who_can_explain(language: str, not_understood: str) -> None:
    conversation = Conversation(language=language, country="CO")
    conversation.say(ActionAnswerTopic, "asylum", "ask_asylum")
    turn = conversation.say(ActionDeny, not_understood, "deny")
    topic = text("topic_ask_asylum", language)
    assert text("explain_with_person", language, topic=topic) in turn.all_text
    assert text("main_menu_title", language) not in turn.all_text


def test_the_menu_word_after_an_emergency_still_shows_the_menu() -> None:
    conversation = in_danger("en", "MX", "they locked us in a house")
    turn = conversation.say(ActionMainMenu, "menu", "main_menu")
    assert text("main_menu_title", "en") in turn.all_text


@pytest.mark.parametrize(
    ("language", "where_to_go"),
    [
        ("fr", "ou aller"),
        ("en", "where do i go"),
        ("es", "a donde voy?"),
        ("pt", "onde ir?"),
        ("ht", "ki kote pou m ale"),
    ],
)
def test_where_do_i_go_after_an_answer_lists_that_topics_places_not_the_route(language: str, where_to_go: str) -> None:
    conversation = Conversation(language=language, country="PE", city="Lima")
    conversation.say(ActionAnswerTopic, "health", "ask_health")
    turn = conversation.say(ActionAnswerTopic, where_to_go, "ask_route")
    route = content.current().topic_answer("ask_route", "PE", language)
    assert route is not None and route.text.strip().splitlines()[0] not in turn.all_text
    assert (
        text("places_near_city", language, city="Lima") in turn.all_text
        or text("places_closest_to_city", language, city="Lima") in turn.all_text
    )
    assert turn.slots["last_topic"] == "ask_health"


@pytest.mark.parametrize(
    ("language", "question", "intent"),
    [
        ("es", "q documentos necesito", "ask_documents"),
        ("pt", "quais documentos preciso?", "ask_documents"),
        ("en", "how much does it cost", "ask_remittances"),
        ("fr", "c quoi les documents", "ask_documents"),
        ("fr", "quels papiers ?", "ask_regularization"),
        ("ht", "ki dokiman m bezwen", "ask_documents"),
    ],
)
def test_a_short_documents_or_cost_question_after_an_answer_stays_on_its_topic(
    language: str, question: str, intent: str
) -> None:
    conversation = Conversation(language=language, country="MX")
    conversation.say(ActionAnswerTopic, "asylum", "ask_asylum")
    turn = conversation.say(ActionAnswerTopic, question, intent)
    assert turn.slots["last_topic"] == "ask_asylum"
    papers = content.current().topic_answer("ask_documents", "MX", language)
    assert papers is not None and papers.text.strip().splitlines()[1] not in turn.all_text
    assert text("topic_ask_asylum", language) in turn.all_text


@pytest.mark.parametrize(
    ("language", "family", "intent"),
    [("es", "con mis 2 hijos", "main_menu"), ("pt", "tenho 3 filhos", "greet"), ("ht", "ak 2 timoun", "nlu_fallback")],
)
def test_saying_who_is_with_the_person_after_a_shelter_answer_keeps_the_shelters(
    language: str, family: str, intent: str
) -> None:
    conversation = Conversation(language=language, country="MX", city="Tapachula")
    conversation.say(ActionAnswerTopic, "shelter", "ask_shelter")
    turn = conversation.say(ActionFallback if intent == "nlu_fallback" else ActionMainMenu, family, intent)
    assert text("noted_with_family", language) in turn.all_text
    assert text("main_menu_title", language) not in turn.all_text
    assert "Tapachula" in turn.all_text
    assert turn.slots["last_topic"] == "ask_shelter"


@pytest.mark.parametrize(
    ("language", "missing", "origin", "country"),
    [
        ("en", "my brother disappeared at the border", "he is from guatemala", "Guatemala"),
        ("es", "mi hermano desapareció en la frontera", "es guatemalteco", "Guatemala"),
    ],
)
def test_the_missing_persons_nationality_brings_their_consulate_not_another_topic(
    language: str, missing: str, origin: str, country: str
) -> None:
    conversation = Conversation(language=language, country="MX")
    conversation.say(ActionEmergency, missing, "ask_missing_person")
    turn = conversation.say(ActionAnswerTopic, origin, "ask_route")
    assert text("missing_person_consulate", language, country=country) in turn.all_text
    route = content.current().topic_answer("ask_route", "MX", language)
    assert route is not None and route.text.strip().splitlines()[0] not in turn.all_text
    assert turn.slots["country"] == "MX" and turn.slots["nationality"] == "GT"


@pytest.mark.parametrize(
    ("language", "without"),
    [
        ("es", "y si no tengo curp?"),
        ("en", "and if i dont have a passport?"),
        ("pt", "e se eu não tenho CPF?"),
        ("fr", "et si je n'ai pas de papiers ?"),
        ("ht", "e si m pa gen papye?"),
    ],
)
def test_and_if_i_dont_have_papers_after_an_answer_stays_on_its_topic(language: str, without: str) -> None:
    conversation = Conversation(language=language, country="MX")
    conversation.say(ActionAnswerTopic, "health", "ask_health")
    turn = conversation.say(ActionAnswerTopic, without, "ask_documents")
    assert turn.slots["last_topic"] == "ask_health"
    assert text("topic_ask_health", language) in turn.all_text
    papers = content.current().topic_answer("ask_documents", "MX", language)
    assert papers is not None and papers.text.strip().splitlines()[1] not in turn.all_text


@pytest.mark.parametrize(("language", "message"), [("fr", "merci beaucoup au revoir"), ("es", "gracias, chao")])
def test_thanks_that_take_leave_get_the_goodbye(language: str, message: str) -> None:
    turn = Conversation(language=language).say(ActionThank, message, "thank")
    assert text("goodbye", language) in turn.all_text


@pytest.mark.parametrize(
    ("language", "danger", "followup", "intent"),
    [
        ("en", "my brother is missing", "more", "goodbye"),
        ("fr", "le patron nous enferme la nuit", "quoi faire", "main_menu"),
        ("pt", "o patrão não deixa a gente sair", "tenho medo", "nlu_fallback"),
    ],
)
def test_more_or_fear_after_an_emergency_gets_the_numbers_again_not_goodbye(
    language: str, danger: str, followup: str, intent: str
) -> None:
    conversation = Conversation(language=language, country="BR")
    emergency = "ask_missing_person" if "missing" in danger else "report_emergency"
    conversation.say(ActionEmergency, danger, emergency)
    action = {"goodbye": ActionGoodbye, "main_menu": ActionMainMenu, "nlu_fallback": ActionFallback}[intent]
    turn = conversation.say(action, followup, intent)
    assert numbers_of("BR") in turn.all_text
    assert text("goodbye", language) not in turn.all_text
    assert text("main_menu_title", language) not in turn.all_text


OFFER_FR = (
    "Offre d'emploi au Brésil, salaire 3000 dollars par mois, logement gratuit. Payez 200 dollars d'avance pour le "
    "billet, départ lundi, envoyez une copie de votre passeport sur WhatsApp"
)


def test_pressure_after_an_offer_check_is_a_warning_sign_not_an_emergency() -> None:
    conversation = Conversation(language="fr", country="PE")
    checked = conversation.say(ActionCheckOffer, OFFER_FR, "check_offer")
    assert checked.slots["last_topic"] == "check_offer"
    turn = conversation.say(ActionEmergency, "ils disent que c'est urgent", "report_emergency")
    assert text("offer_pressure", "fr").strip() in turn.all_text
    assert numbers_of("PE") not in turn.all_text
    assert turn.slots["handoff"] is None


def test_between_two_topics_the_one_the_conversation_is_on_wins() -> None:
    conversation = Conversation(language="fr", country="PE")
    conversation.say(ActionAnswerTopic, "envoyer de l'argent", "ask_remittances")
    turn = conversation.say(
        ActionFallback, "le moins cher ?", "nlu_fallback", ranking={"ask_health": 0.3, "ask_remittances": 0.25}
    )
    assert text("topic_ask_remittances", "fr") in turn.all_text
    assert turn.slots["last_topic"] == "ask_remittances"
    assert turn.slots["menu"] is None or not str(turn.slots["menu"]).startswith("disambiguation:ask_health")


def test_fear_right_after_harm_told_inside_a_question_is_still_the_danger() -> None:
    conversation = Conversation(language="pt", country="BR", city="São Paulo")
    conversation.say(ActionAnswerTopic, "trabalho numa oficina de costura em sp", "ask_work")
    harm = "o dono fica com meu passaporte e tranca a porta de noite"
    told = conversation.say(ActionAnswerTopic, harm, "ask_documents")
    assert numbers_of("BR") in told.all_text
    turn = conversation.say(ActionAnswerTopic, "tenho medo", "ask_health")
    assert numbers_of("BR") in turn.all_text
    health = content.current().topic_answer("ask_health", "BR", "pt")
    assert health is not None and health.text.strip().splitlines()[1] not in turn.all_text


@pytest.mark.parametrize(
    "message",
    ["estoy muy asustada", "no sé qué hacer, los niños lloran y el hombre volvió a gritar afuera de la puerta"],
)
def test_an_unplaced_message_right_after_an_emergency_is_still_the_emergency(message: str) -> None:
    conversation = in_danger("es", "MX", "nos tienen encerrados en una casa")
    turn = conversation.say(ActionFallback, message, "nlu_fallback", ranking={"nlu_fallback": 0.3, "main_menu": 0.2})
    assert numbers_of("MX") in turn.all_text
    assert text("main_menu_title", "es") not in turn.all_text
