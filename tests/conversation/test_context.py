"""Keeping the thread: the answer a person reads is the right topic for the right country, in five languages."""

from __future__ import annotations

import pytest

from actions.context import ActionFollowup, ActionInform, ActionNearby
from actions.conversation import ActionChooseOption, ActionFallback, ActionGreet
from actions.topics import ActionAnswerTopic
from bot import content
from bot.conversation.context import ANSWER_LINES
from bot.conversation.topics import part_of
from bot.text import fold
from tests.conftest import ActionResult, Conversation

LANGUAGES = ("es", "en", "pt", "fr", "ht")


def answer_of(topic: str, country: str | None, language: str) -> str:
    """The first line of the sourced answer a person should read for ``topic`` in ``country``."""
    answer = content.current().topic_answer(topic, country, language)
    assert answer is not None
    return answer.text.strip().splitlines()[0]


def country_name(code: str, language: str) -> str:
    return content.current().country_name(code, language)


def menu_title(language: str) -> str:
    return content.current().text("main_menu_title", language)


def assert_answers(turn: ActionResult, topic: str, country: str, language: str, not_country: str | None = None) -> None:
    assert answer_of(topic, country, language) in turn.all_text
    if not_country and answer_of(topic, not_country, language) != answer_of(topic, country, language):
        assert answer_of(topic, not_country, language) not in turn.all_text


# --- "I'm in Colombia" as a first message: noted and confirmed, then the menu (never a topic) ---------------------

FIRST = {
    "es": ("estoy en Colombia", "Anotado: estás en Colombia."),
    "en": ("I'm in Colombia", "Noted: you are in Colombia."),
    "pt": ("estou na Colômbia", "Anotado. Onde você está: Colômbia."),
    "fr": ("je suis en Colombie", "C'est noté. Là où vous êtes : Colombie."),
    "ht": ("mwen nan Kolonbi", "Mwen note sa: ou nan Kolonbi."),
}


@pytest.mark.parametrize("language", LANGUAGES)
def test_a_first_im_in_colombia_is_noted_then_the_menu_not_regularization(language: str) -> None:
    text, confirmation = FIRST[language]
    conversation = Conversation(language=language)
    turn = conversation.say(ActionInform, text, "inform")
    assert turn.texts[0] == confirmation
    assert menu_title(language) in turn.texts[1]
    assert answer_of("ask_regularization", "CO", language) not in turn.all_text
    assert turn.slots["country"] == "CO"
    # the next question uses the country
    work = conversation.say(
        ActionAnswerTopic,
        {
            "es": "necesito trabajo",
            "en": "i need a job",
            "pt": "preciso de trabalho",
            "fr": "je cherche du travail",
            "ht": "mwen bezwen travay",
        }[language],
        "ask_work",
    )
    assert_answers(work, "ask_work", "CO", language)


@pytest.mark.parametrize(
    ("language", "text"),
    [("es", "hola, estoy en Colombia"), ("ht", "bonjou, mwen nan Kolonbi"), ("en", "hi, I'm in Colombia")],
)
def test_a_greeting_understood_as_information_still_gets_the_introduction(language: str, text: str) -> None:
    turn = Conversation().say(ActionInform, text, "inform")
    assert turn.texts[0] == content.current().text("intro", language)
    assert turn.slots["country"] == "CO"
    assert menu_title(language) in turn.all_text


def test_a_greeting_that_says_where_the_person_is_keeps_it() -> None:
    conversation = Conversation(language="fr")
    turn = conversation.say(ActionGreet, "bonjour, j'habite au Pérou", "greet")
    assert turn.texts[0].startswith("Bonjour, je suis Brújula")
    assert turn.texts[1] == "C'est noté. Là où vous êtes : Pérou."
    assert menu_title("fr") in turn.texts[2]
    assert turn.slots["country"] == "PE"


def test_the_country_answers_the_question_that_waited_for_it_after_the_confirmation() -> None:
    conversation = Conversation(language="pt")
    asked = conversation.say(ActionAnswerTopic, "preciso de trabalho", "ask_work")
    assert asked.slots["pending_topic"] == "ask_work"
    turn = conversation.say(ActionInform, "estou no Peru", "inform")
    assert turn.texts[0] == "Anotado. Onde você está: Peru."
    assert_answers(turn, "ask_work", "PE", "pt")
    assert turn.slots["pending_topic"] is None


def test_a_city_is_kept_with_its_country() -> None:
    conversation = Conversation(language="es")
    turn = conversation.say(ActionInform, "estoy en Tapachula", "inform")
    assert turn.texts[0].startswith("Anotado: estás en Tapachula (México)")
    assert (turn.slots["city"], turn.slots["country"]) == ("Tapachula", "MX")


def test_a_home_city_does_not_hide_the_country_where_the_person_is() -> None:
    turn = Conversation(language="es").say(ActionInform, "soy de Caracas y estoy en Perú", "inform")
    assert turn.texts[0] == "Anotado: estás en Perú."
    assert (turn.slots["country"], turn.slots["city"]) == ("PE", None)


def test_an_inform_with_no_place_we_know_asks_for_the_country() -> None:
    conversation = Conversation(language="en")
    turn = conversation.say(ActionInform, "I'm in Narnia", "inform")
    assert "Which country are you in now?" in turn.all_text
    assert turn.slots["country"] is None


# --- nationality and country in one message -------------------------------------------------------------------------

BOTH = {
    "es": ("soy hondureño y estoy en Guatemala", "Honduras", "Guatemala"),
    "en": ("I am Honduran and I am in Guatemala", "Honduras", "Guatemala"),
    "pt": ("sou venezuelana e estou no Brasil", "Venezuela", "Brasil"),
    "fr": ("je suis haïtien et je suis au Chili", "Haïti", "Chili"),
    "ht": ("mwen se ayisyen e mwen nan Chili", "Ayiti", "Chili"),
}
CODES = {
    "Honduras": "HN",
    "Guatemala": "GT",
    "Venezuela": "VE",
    "Brasil": "BR",
    "Haïti": "HT",
    "Chili": "CL",
    "Ayiti": "HT",
}


@pytest.mark.parametrize("language", LANGUAGES)
def test_nationality_and_country_are_both_kept(language: str) -> None:
    text, origin, where = BOTH[language]
    conversation = Conversation(language=language)
    turn = conversation.say(ActionInform, text, "inform")
    assert origin in turn.texts[0] and where in turn.texts[0]
    assert turn.slots["nationality"] == CODES[origin]
    assert turn.slots["country"] == CODES[where]
    assert menu_title(language) in turn.all_text


# --- a follow-up that changes only the place: the same topic for the new country ------------------------------------

PLACE_FOLLOWUP = {
    "es": ("necesito trabajo", "y en Perú?", "PE"),
    "en": ("i need a job", "and in Peru?", "PE"),
    "pt": ("preciso de trabalho", "e no Chile?", "CL"),
    "fr": ("je cherche du travail", "et au Mexique ?", "MX"),
    "ht": ("mwen bezwen travay", "e an Ayiti?", "HT"),
}


@pytest.mark.parametrize("language", LANGUAGES)
def test_and_in_peru_answers_the_same_topic_for_the_new_country(language: str) -> None:
    first, followup, new_country = PLACE_FOLLOWUP[language]
    conversation = Conversation(language=language, country="CO")
    conversation.say(ActionAnswerTopic, first, "ask_work")
    turn = conversation.say(ActionInform, followup, "inform")
    # the person asks about Peru: the answer is for Peru, with no "Noted: you are in Peru"
    noted = content.current().text("noted_place", language, place=country_name(new_country, language))
    assert noted not in turn.all_text
    assert_answers(turn, "ask_work", new_country, language, not_country="CO")
    assert menu_title(language) not in turn.all_text
    assert turn.slots["country"] == new_country
    # and the next question keeps the new country
    health = conversation.say(ActionAnswerTopic, "doctor", "ask_health")
    assert_answers(health, "ask_health", new_country, language, not_country="CO")


def test_what_about_in_panama_replaces_the_old_country() -> None:
    conversation = Conversation(language="en", country="CR")
    conversation.say(ActionAnswerTopic, "how do i get a residence permit", "ask_regularization")
    turn = conversation.say(ActionInform, "what about in Panama", "inform")
    assert_answers(turn, "ask_regularization", "PA", "en", not_country="CR")


def test_a_changed_country_forgets_the_city_of_the_old_one() -> None:
    conversation = Conversation(language="es", country="MX", city="Tapachula")
    conversation.say(ActionAnswerTopic, "necesito un albergue", "ask_shelter")
    turn = conversation.say(ActionInform, "y en Guatemala?", "inform")
    assert turn.slots["city"] is None
    assert "Tapachula" not in turn.all_text


# --- a follow-up that changes only the topic keeps the country -------------------------------------------------------

TOPIC_FOLLOWUP = {
    "es": ("necesito trabajo", "ask_work", "y para la escuela?", "ask_education"),
    "en": ("i need a job", "ask_work", "and for school?", "ask_education"),
    "pt": ("preciso de trabalho", "ask_work", "e para a escola?", "ask_education"),
    "fr": ("je cherche du travail", "ask_work", "et pour le passeport ?", "ask_documents"),
    "ht": ("mwen bezwen travay", "ask_work", "e pou lekòl la?", "ask_education"),
}


@pytest.mark.parametrize("language", LANGUAGES)
def test_and_for_school_answers_the_new_topic_for_the_same_country(language: str) -> None:
    first, first_topic, followup, topic = TOPIC_FOLLOWUP[language]
    conversation = Conversation(language=language)
    conversation.say(
        ActionInform,
        {
            "es": "estoy en Ecuador",
            "en": "I'm in Ecuador",
            "pt": "estou no Equador",
            "fr": "je suis en Équateur",
            "ht": "mwen nan Ekwatè",
        }[language],
        "inform",
    )
    conversation.say(ActionAnswerTopic, first, first_topic)
    turn = conversation.say(ActionAnswerTopic, followup, topic)
    assert_answers(turn, topic, "EC", language)
    assert turn.slots["country"] == "EC"


def test_a_topic_question_naming_a_country_moves_the_conversation_there() -> None:
    conversation = Conversation(language="es", country="CO")
    turn = conversation.say(ActionAnswerTopic, "necesito trabajo en Chile", "ask_work")
    assert_answers(turn, "ask_work", "CL", "es", not_country="CO")
    assert turn.slots["country"] == "CL"


def test_a_home_city_in_a_topic_question_does_not_move_the_person() -> None:
    turn = Conversation(language="es").say(ActionAnswerTopic, "soy de Caracas, hay trabajo en Perú?", "ask_work")
    assert (turn.slots["country"], turn.slots["city"]) == ("PE", None)
    assert_answers(turn, "ask_work", "PE", "es", not_country="VE")


HERE_AND_ELSEWHERE = {
    "es": ("estoy en Tijuana y quiero pedir asilo en Estados Unidos, como hago?", "ask_asylum", "MX"),
    "en": ("I'm in Peru and I want to go to Chile to work, what do I need?", "ask_work", "PE"),
    "pt": ("estou no Brasil e quero estudar na Argentina", "ask_education", "BR"),
    "fr": ("je suis au Mexique et je veux demander l'asile au Canada", "ask_asylum", "MX"),
    "ht": ("mwen nan Brezil, m vle ale travay Chili", "ask_work", "BR"),
}


@pytest.mark.parametrize("language", LANGUAGES)
def test_where_the_person_says_they_are_wins_over_where_they_want_to_go(language: str) -> None:
    text, topic, country = HERE_AND_ELSEWHERE[language]
    turn = Conversation(language=language).say(ActionAnswerTopic, text, topic)
    assert turn.slots["country"] == country


def test_a_question_about_another_country_is_answered_for_it_and_the_person_stays_where_they_are() -> None:
    turn = Conversation(language="ht").say(ActionAnswerTopic, "mwen nan Brezil, m vle ale travay Chili", "ask_work")
    assert_answers(turn, "ask_work", "CL", "ht", not_country="BR")
    assert turn.slots["country"] == "BR"
    # no answer of our own for the United States: the answer and the places are where the person is
    asylum = Conversation(language="es").say(
        ActionAnswerTopic, "estoy en Tijuana y quiero pedir asilo en Estados Unidos", "ask_asylum"
    )
    assert_answers(asylum, "ask_asylum", "MX", "es")
    assert "Tijuana" in asylum.all_text.split(answer_of("ask_asylum", "MX", "es"))[1]  # places near Tijuana


def test_for_the_consulate_the_country_named_is_the_nationality_and_the_second_where_one_is() -> None:
    conversation = Conversation(language="es", country="CO")
    turn = conversation.say(ActionAnswerTopic, "consulado de Honduras en México", "ask_consulate")
    assert (turn.slots["nationality"], turn.slots["country"]) == ("HN", "MX")
    turn = Conversation(language="es").say(
        ActionAnswerTopic, "estoy en México, ¿dónde queda el consulado de Honduras?", "ask_consulate"
    )
    assert (turn.slots["nationality"], turn.slots["country"]) == ("HN", "MX")


# --- "where is the nearest one?": places of the current topic ---------------------------------------------------------

NEAREST = {
    "es": ("necesito un albergue", "dónde queda el más cercano?"),
    "en": ("i need a shelter", "where is the nearest one?"),
    "pt": ("preciso de abrigo", "onde fica?"),
    "fr": ("je cherche un abri pour dormir", "c'est où ?"),
    "ht": ("mwen bezwen yon abri", "kote li ye?"),
}


@pytest.mark.parametrize("language", LANGUAGES)
def test_where_is_the_nearest_one_lists_places_of_the_topic_just_answered(language: str) -> None:
    first, nearest = NEAREST[language]
    conversation = Conversation(language=language, country="MX", city="Tapachula")
    conversation.say(ActionAnswerTopic, first, "ask_shelter")
    turn = conversation.say(ActionNearby, nearest, "ask_nearby")
    assert "Albergue Belén" in turn.all_text or "Buen Pastor" in turn.all_text
    assert "Cruz Roja" not in turn.all_text  # a health place, not what was asked
    assert answer_of("ask_health", "MX", language) not in turn.all_text


def test_after_a_health_question_the_nearest_are_health_places() -> None:
    conversation = Conversation(language="es", country="MX", city="Ciudad de México")
    conversation.say(ActionAnswerTopic, "necesito un doctor", "ask_health")
    turn = conversation.say(ActionNearby, "dónde queda?", "ask_nearby")
    assert "Cruz Roja" in turn.all_text
    assert "Albergue" not in turn.all_text


def test_nearest_with_no_topic_yet_asks_what_they_look_for() -> None:
    turn = Conversation(language="en", country="MX").say(ActionNearby, "where is the nearest one?", "ask_nearby")
    assert "What kind of place are you looking for?" in turn.texts[0]
    assert menu_title("en") in turn.all_text


def test_nearest_with_no_location_asks_for_the_city_and_the_city_answers_it() -> None:
    conversation = Conversation(language="fr", last_topic="ask_shelter")  # answered in general, no country
    turn = conversation.say(ActionNearby, "c'est où ?", "ask_nearby")
    assert "écrivez votre ville ou partagez votre position" in turn.all_text
    city = conversation.say(ActionInform, "je suis à Tapachula", "inform")
    assert city.slots["city"] == "Tapachula"
    assert "Albergue" in city.all_text


def test_nearest_for_a_topic_without_places_says_so_and_offers_a_person() -> None:
    conversation = Conversation(language="es", country="PE")
    conversation.say(ActionAnswerTopic, "cómo abro una cuenta en el banco", "ask_remittances")
    turn = conversation.say(ActionNearby, "dónde queda?", "ask_nearby")
    assert "no tengo una lista de lugares" in turn.all_text
    assert "persona" in turn.all_text


# --- "how much does it cost?": the lines of the current topic's answer about costs, same country ----------------------

COST = {
    "es": ("cómo saco el permiso de residencia", "cuánto cuesta?", "costos"),
    "en": ("how do i get a residence permit", "how much does it cost?", "costs"),
    "pt": ("como tiro a residência", "quanto custa isso?", "custos"),
    "fr": ("comment obtenir un titre de séjour", "combien ça coûte ?", "coûts"),
    "ht": ("kijan pou m jwenn rezidans", "konbyen sa koute?", "pri"),
}


def answer_lines(topic: str, country: str, language: str) -> list[str]:
    answer = content.current().topic_answer(topic, country, language)
    assert answer is not None
    return [line for line in answer.text.strip().splitlines() if line.strip()]


@pytest.mark.parametrize("language", LANGUAGES)
def test_how_much_does_it_cost_gives_the_cost_lines_of_the_topic_then_the_whole_answer_on_1(language: str) -> None:
    first, followup, word = COST[language]
    conversation = Conversation(language=language, country="PE")
    conversation.say(ActionAnswerTopic, first, "ask_regularization")
    turn = conversation.say(ActionFollowup, followup, "ask_followup")
    topic_label = content.current().text("topic_ask_regularization", language)
    assert word in turn.texts[0] and topic_label in turn.texts[0]
    lines = answer_lines("ask_regularization", "PE", language)
    shown = [line for line in lines if line in turn.all_text]
    assert any(ANSWER_LINES["cost"].search(fold(line)) for line in shown)  # the fee or "free" line is there
    assert len(shown) < len(lines)  # not the whole answer again
    assert all(ANSWER_LINES["cost"].search(fold(line)) or line.endswith(":") for line in shown)
    assert answer_of("ask_route", "PE", language) not in turn.all_text  # it used to jump to routes
    assert turn.slots["last_topic"] == "ask_regularization"
    whole = content.current().text("whole_answer", language)
    assert any(whole in button["title"] and button["payload"] == "1" for button in turn.buttons)
    again = conversation.say(ActionChooseOption, "1", "choose_option")
    assert all(line in again.all_text for line in lines)


def test_what_documents_do_i_need_gives_the_lines_about_documents() -> None:
    conversation = Conversation(language="es", country="CO")
    conversation.say(ActionAnswerTopic, "quiero pedir refugio", "ask_asylum")
    turn = conversation.say(ActionFollowup, "qué documentos necesito para eso?", "ask_followup")
    assert turn.texts[0].startswith("Esto es lo que sabemos sobre los documentos para «Pedir refugio (asilo)»")
    lines = answer_lines("ask_asylum", "CO", "es")
    shown = [line for line in lines if line in turn.all_text]
    assert shown and len(shown) < len(lines)
    assert all(ANSWER_LINES["documents"].search(fold(line)) or line.endswith(":") for line in shown)


def test_a_followup_whose_kind_no_line_mentions_gives_the_whole_answer() -> None:
    snapshot = content.current()
    topic, country = next(
        (topic, country)
        for topic in ("ask_education", "ask_health", "ask_shelter", "ask_asylum", "ask_work")
        for country in ("CO", "PE", "MX", "CL", "BR", "EC", "PA", "CR")
        if part_of(snapshot.topic_answer(topic, country, "en").text, ANSWER_LINES["time"]) is None  # type: ignore[union-attr]
    )
    conversation = Conversation(language="en", country=country)
    conversation.say(ActionAnswerTopic, "tell me about it", topic)
    turn = conversation.say(ActionFollowup, "how long does it take?", "ask_followup")
    assert "how long it takes" in turn.texts[0]
    assert all(line in turn.all_text for line in answer_lines(topic, country, "en"))


def test_part_of_keeps_the_heading_and_only_the_matching_lines() -> None:
    text = "In Peru:\n• It is free.\n• Apply online.\n• Bring your passport."
    assert part_of(text, ANSWER_LINES["cost"]) == "In Peru:\n• It is free."
    assert part_of(text, ANSWER_LINES["documents"]) == "In Peru:\n• Bring your passport."
    assert part_of("• Free.\n• Costs 5 dollars.", ANSWER_LINES["cost"]) is None  # every line: the whole answer


def test_after_an_offer_check_a_followup_or_nearest_asks_which_topic() -> None:
    for action, text, intent in (
        (ActionFollowup, "how much does it cost?", "ask_followup"),
        (ActionNearby, "where is the nearest one?", "ask_nearby"),
    ):
        turn = Conversation(language="en", country="PE", last_topic="check_offer").say(action, text, intent)
        assert menu_title("en") in turn.all_text


def test_and_in_peru_after_an_emergency_gives_the_emergency_numbers_of_peru() -> None:
    conversation = Conversation(language="es", country="MX", last_topic="report_emergency")
    turn = conversation.say(ActionInform, "y en Perú?", "inform")
    assert "105" in turn.all_text  # Peru's police
    assert turn.slots["country"] == "PE"
    assert content.current().text("noted_place", "es", place="Perú") not in turn.all_text  # asked about, not moved


def test_a_followup_with_no_topic_yet_shows_the_menu() -> None:
    turn = Conversation(language="ht").say(ActionFollowup, "konbyen sa koute?", "ask_followup")
    assert menu_title("ht") in turn.all_text
    assert turn.slots["last_topic"] is None


# --- "Do you mean 1 ... 2 ...?" between two topics ------------------------------------------------------------------


@pytest.mark.parametrize("language", LANGUAGES)
def test_two_close_topics_are_offered_as_numbers_and_the_number_answers(language: str) -> None:
    conversation = Conversation(language=language, country="CO")
    turn = conversation.say(
        ActionAnswerTopic,
        "papeles trabajo",
        "ask_work",
        ranking={"ask_work": 0.34, "ask_regularization": 0.30, "greet": 0.1},
    )
    question = content.current().text("disambiguation_question", language)
    assert turn.texts == [question]
    work = content.current().text("topic_ask_work", language)
    papers = content.current().text("topic_ask_regularization", language)
    assert [b["title"] for b in turn.buttons] == [f"1 · {work}", f"2 · {papers}"]
    assert answer_of("ask_work", "CO", language) not in turn.all_text
    chosen = conversation.say(ActionChooseOption, "2", "choose_option")
    assert_answers(chosen, "ask_regularization", "CO", language)


def test_the_fallback_asks_which_topic_instead_of_not_understood() -> None:
    conversation = Conversation(language="es", country="CO")
    turn = conversation.say(
        ActionFallback,
        "banco refugio cuenta",
        "nlu_fallback",
        ranking={"nlu_fallback": 0.2, "ask_remittances": 0.19, "ask_asylum": 0.17},
    )
    assert turn.texts[0] == "¿Quieres decir…? Escribe un número:"
    assert turn.slots["fallback_count"] is None  # not counted as a misunderstanding
    chosen = conversation.say(ActionChooseOption, "1", "choose_option")
    assert answer_of("ask_remittances", "CO", "es") in chosen.all_text


def test_naming_the_topic_answers_the_question() -> None:
    conversation = Conversation(language="en", country="PE")
    conversation.say(ActionAnswerTopic, "job papers", "ask_work", ranking={"ask_work": 0.4, "ask_rights": 0.35})
    turn = conversation.say(ActionAnswerTopic, "rights", "ask_rights", ranking={"ask_rights": 0.45, "ask_work": 0.4})
    assert_answers(turn, "ask_rights", "PE", "en")


def test_a_wrong_number_asks_the_same_question_again() -> None:
    conversation = Conversation(language="fr", country="PE")
    conversation.say(ActionAnswerTopic, "travail droits", "ask_work", ranking={"ask_work": 0.4, "ask_rights": 0.35})
    turn = conversation.say(ActionChooseOption, "7", "choose_option")
    assert "Voulez-vous dire… ? Écrivez un numéro :" in turn.all_text


@pytest.mark.parametrize(
    "ranking",
    [
        {"ask_work": 0.55, "ask_rights": 0.40},  # confident enough
        {"ask_work": 0.45, "ask_rights": 0.20},  # clearly ahead
        {"ask_work": 0.40, "report_emergency": 0.35},  # danger is never second-guessed
    ],
)
def test_no_question_when_one_topic_is_clear_or_the_other_is_an_emergency(ranking: dict[str, float]) -> None:
    turn = Conversation(language="es", country="CO").say(ActionAnswerTopic, "trabajo", "ask_work", ranking=ranking)
    assert_answers(turn, "ask_work", "CO", "es")


# --- two requests in one message: the first answered, the second offered ----------------------------------------------

TWO_REQUESTS = {
    "es": "necesito papeles para trabajar y para el hospital",
    "en": "I need papers to work and also a doctor",
    "pt": "preciso de documentos para trabalhar e de um médico",
    "fr": "j'ai besoin de papiers pour travailler et d'un médecin",
    "ht": "mwen bezwen papye pou m travay epi m bezwen yon doktè",
}


@pytest.mark.parametrize("language", LANGUAGES)
def test_a_second_request_in_the_same_message_is_offered_after_the_answer(language: str) -> None:
    conversation = Conversation(language=language, country="CL")
    turn = conversation.say(ActionAnswerTopic, TWO_REQUESTS[language], "ask_work", other_requests=["ask_health"])
    assert_answers(turn, "ask_work", "CL", language)
    assert turn.texts[-1] == content.current().text("also_asked", language)
    assert [b["title"] for b in turn.buttons][-1] == f"1 · {content.current().text('topic_ask_health', language)}"
    chosen = conversation.say(ActionChooseOption, "1", "choose_option")
    assert_answers(chosen, "ask_health", "CL", language)


def test_a_situation_and_one_request_offer_nothing_more() -> None:
    # "soy refugiado y quiero trabajar": the NLU leaves the situation part out, and only other topics count
    turn = Conversation(language="es", country="CL").say(
        ActionAnswerTopic, "soy refugiado y quiero trabajar", "ask_work", other_requests=["ask_work", "inform"]
    )
    assert content.current().text("also_asked", "es") not in turn.all_text


def test_a_second_request_waits_while_the_first_still_needs_the_country() -> None:
    turn = Conversation(language="es").say(
        ActionAnswerTopic, TWO_REQUESTS["es"], "ask_work", other_requests=["ask_health"]
    )
    assert content.current().text("also_asked", "es") not in turn.all_text
    assert turn.slots["pending_topic"] == "ask_work"


def _offered(turn: ActionResult, topic: str, language: str) -> bool:
    titles = [b["title"] for b in turn.buttons]
    also_asked = content.current().text("also_asked", language)
    return also_asked in turn.texts and titles[-1] == f"1 · {content.current().text(f'topic_{topic}', language)}"


@pytest.mark.parametrize("language", LANGUAGES)
def test_the_second_request_is_offered_once_the_country_is_given(language: str) -> None:
    # probe of the running bot: "necesito papeles para trabajar y un hospital" / "peru" answered work, health was lost
    conversation = Conversation(language=language)
    conversation.say(ActionAnswerTopic, TWO_REQUESTS[language], "ask_work", other_requests=["ask_health"])
    turn = conversation.say(ActionInform, country_name("PE", language), "inform")
    assert_answers(turn, "ask_work", "PE", language)
    assert _offered(turn, "ask_health", language)
    chosen = conversation.say(ActionChooseOption, "1", "choose_option")
    assert_answers(chosen, "ask_health", "PE", language)


def test_the_second_request_is_offered_after_the_country_menu_number_too() -> None:
    conversation = Conversation(language="en")
    conversation.say(ActionAnswerTopic, TWO_REQUESTS["en"], "ask_work", other_requests=["ask_health"])
    number = content.current().menu.countries.index("PE") + 1
    turn = conversation.say(ActionChooseOption, str(number), "choose_option")
    assert_answers(turn, "ask_work", "PE", "en")
    assert _offered(turn, "ask_health", "en")


def test_going_to_the_menu_forgets_the_second_request() -> None:
    conversation = Conversation(language="es")
    conversation.say(ActionAnswerTopic, TWO_REQUESTS["es"], "ask_work", other_requests=["ask_health"])
    conversation.say(ActionGreet, "hola", "greet")
    turn = conversation.say(ActionAnswerTopic, "necesito trabajo en Chile", "ask_work")
    assert not _offered(turn, "ask_health", "es")


def test_two_topics_asked_together_are_answered_not_questioned() -> None:
    # "m bezwen papye pou m travay ak yon lopital" was met with "Do you mean 1 Health 2 Work?", and one was lost
    turn = Conversation(language="ht", country="CL").say(
        ActionAnswerTopic,
        "m bezwen papye pou m travay ak yon lopital",
        "ask_health",
        ranking={"ask_health": 0.34, "ask_work": 0.31},
        other_requests=["ask_work"],
    )
    assert_answers(turn, "ask_health", "CL", "ht")
    assert _offered(turn, "ask_work", "ht")


# --- a place given after an emergency: that country's numbers -------------------------------------------------------


@pytest.mark.parametrize(
    ("topic", "language", "text", "number"),
    [
        ("report_emergency", "es", "estamos en reynosa mexico", "911"),
        ("ask_missing_person", "fr", "nous sommes au panama", "104"),
        ("ask_missing_person", "pt", "estamos no brasil", "190"),
        ("report_emergency", "ht", "nou nan Meksik", "911"),
        ("report_emergency", "en", "we are in Peru", "105"),
    ],
)
def test_a_place_said_after_an_emergency_gets_that_countrys_numbers(
    topic: str, language: str, text: str, number: str
) -> None:
    turn = Conversation(language=language, last_topic=topic).say(ActionInform, text, "inform")
    assert number in turn.all_text
    assert menu_title(language) not in turn.all_text


def test_and_in_another_city_answers_the_same_topic_there() -> None:
    # "estou em São Paulo" / "preciso de um hospital" / "e em Manaus?" was "Desculpe, não entendi"
    conversation = Conversation(language="pt", country="BR", city="São Paulo", last_topic="ask_health")
    turn = conversation.say(ActionInform, "e em manaus?", "inform")
    assert_answers(turn, "ask_health", "BR", "pt")
    assert turn.slots["city"] == "Manaus"
    assert menu_title("pt") not in turn.all_text


def test_and_in_peru_after_a_return_question_keeps_the_home_country() -> None:
    # "quero voltar pra venezuela estou no brasil" / "e no peru?" was answered "if you are Peruvian and return to Peru"
    conversation = Conversation(language="pt")
    first = conversation.say(ActionAnswerTopic, "quero voltar pra venezuela estou no brasil", "ask_return")
    assert first.slots["nationality"] == "VE" and first.slots["country"] == "BR"
    turn = conversation.say(ActionInform, "e no peru?", "inform")
    assert turn.slots["nationality"] == "VE" and turn.slots["country"] == "PE"
    assert_answers(turn, "ask_return", "VE", "pt", not_country="PE")


# --- harm told with or before a place: that country's numbers --------------------------------------------------------


def test_harm_told_with_the_city_gets_that_countrys_numbers_not_the_whole_corridor() -> None:
    text = "mi patron me quito el pasaporte y no me deja salir, estoy en santiago de chile"
    turn = Conversation(language="es").say(ActionAnswerTopic, text, "ask_documents")
    corridor = content.current().text("emergency_intro_corridor", "es")
    assert corridor not in turn.all_text
    assert "133" in turn.all_text  # Chile's police
    assert turn.slots["country"] == "CL"


@pytest.mark.parametrize(
    ("language", "harm", "place", "number"),
    [
        ("fr", "le patron ne me paie pas et il garde mon passeport", "je suis au Mexique", "911"),
        ("ht", "mèt kay la vle m dòmi avè l pou m peye lwaye a", "mwen nan Chili", "133"),
        ("pt", "to sendo obrigada a fazer programa pra pagar a dívida da viagem", "tô no Peru", "105"),
    ],
)
def test_a_place_given_after_harm_was_told_gets_that_countrys_numbers(
    language: str, harm: str, place: str, number: str
) -> None:
    conversation = Conversation(language=language)
    first = conversation.say(ActionAnswerTopic, harm, "ask_work")
    assert content.current().text("emergency_intro_corridor", language) in first.all_text
    turn = conversation.say(ActionInform, place, "inform")
    assert number in turn.all_text
    assert menu_title(language) not in turn.all_text


# --- "which country are you from?" answered with a name --------------------------------------------------------------


def test_a_country_named_in_answer_to_which_country_are_you_from_is_the_nationality() -> None:
    # "perdi meu passaporte" / "Venezuela" was noted as "you are in Venezuela" and the menu shown
    conversation = Conversation(language="pt", country="BR", city="Boa Vista")
    asked = conversation.say(ActionAnswerTopic, "perdi meu passaporte", "ask_documents")
    assert asked.slots["menu"] == "nationality"
    turn = conversation.say(ActionInform, "Venezuela", "inform")
    assert turn.slots["nationality"] == "VE"
    assert turn.slots["country"] == "BR"
    assert menu_title("pt") not in turn.all_text


@pytest.mark.parametrize(
    ("language", "text"),
    [
        ("en", "I lost my refugee ID card in Costa Rica, how do I get a new one?"),
        ("es", "perdí mi carnet de refugiado, estoy en Ecuador"),
        ("fr", "j'ai perdu ma carte de réfugié au Mexique"),
        ("ht", "m pèdi kat refijye m, m nan Brezil"),
        ("pt", "perdi meu protocolo de refúgio, estou no Brasil"),
    ],
)
def test_a_refugee_who_lost_a_card_is_not_sent_to_their_own_consulate(language: str, text: str) -> None:
    # a second probe: "tell me which country you are from" (to show their consulate) was asked of a refugee
    turn = Conversation(language=language).say(ActionAnswerTopic, text, "ask_documents")
    assert turn.slots["menu"] != "nationality"
    assert content.current().text("places_need_nationality", language) not in turn.all_text


@pytest.mark.parametrize(
    ("language", "text"),
    [
        ("pt", "Estou em Boa Vista. Como tiro o CPF?"),
        ("es", "¿cómo saco el RUT en Chile?"),
        ("en", "how do I get a CURP"),
    ],
)
def test_a_local_document_does_not_ask_which_country_one_is_from(language: str, text: str) -> None:
    turn = Conversation(language=language).say(ActionAnswerTopic, text, "ask_documents")
    assert content.current().text("places_need_nationality", language) not in turn.all_text


def test_a_lost_passport_still_asks_for_the_nationality_to_find_the_consulate() -> None:
    turn = Conversation(language="es", country="CL").say(ActionAnswerTopic, "perdí mi pasaporte", "ask_documents")
    assert turn.slots["menu"] == "nationality"


@pytest.mark.parametrize("language", LANGUAGES)
def test_a_question_about_a_country_outside_the_corridor_says_so_instead_of_latin_american_advice(
    language: str,
) -> None:
    # a second probe: "renuevo mi TPS en Estados Unidos" got "here is the general advice" and MERCOSUR residence
    us = country_name("US", language)
    turn = Conversation(language=language).say(ActionAnswerTopic, f"regularization in {us}", "ask_regularization")
    assert turn.texts == [content.current().text("outside_corridor", language, country=us)]
    assert answer_of("ask_regularization", None, language) not in turn.all_text
    assert "/request_human" in [b["payload"] for b in turn.buttons]


def test_a_followup_to_do_you_mean_asks_the_same_two_topics_again() -> None:
    # "1 Refugio / 2 Documentos?" then "cuanto cuesta?" showed the whole main menu
    conversation = Conversation(language="es", country="EC")
    asked = conversation.say(
        ActionAnswerTopic,
        "perdí mi carnet de refugiado",
        "ask_asylum",
        ranking={"ask_asylum": 0.33, "ask_documents": 0.31},
    )
    turn = conversation.say(ActionFollowup, "cuanto cuesta?", "ask_followup")
    assert turn.buttons == asked.buttons
    assert menu_title("es") not in turn.all_text


def test_a_place_given_on_a_stage_menu_shows_that_stage_again() -> None:
    # "3" (where I live now) then "estoy en ecuador" went back to the main menu
    conversation = Conversation(language="es", menu="main")
    stage = conversation.say(ActionChooseOption, "3", "choose_option")
    turn = conversation.say(ActionInform, "estoy en ecuador", "inform")
    assert turn.slots["country"] == "EC"
    assert turn.buttons == stage.buttons


@pytest.mark.parametrize(
    ("country", "authority"), [("CO", "Superintendencia Financiera"), ("PE", "Indecopi"), ("BR", "DPU")]
)
def test_a_refused_bank_account_gets_the_countrys_documents_and_where_to_complain(country: str, authority: str) -> None:
    # a second probe: "the bank refused to open an account" got only "compare fees" in every country
    turn = Conversation(language="es", country=country).say(
        ActionAnswerTopic, "el banco no me quiere abrir una cuenta", "ask_remittances"
    )
    assert_answers(turn, "ask_remittances", country, "es")  # the country's answer ("En Colombia:"), not the general one
    assert authority in turn.all_text


def test_the_city_said_before_do_you_mean_is_kept_for_the_next_question() -> None:
    # "Estou em Boa Vista, como tiro o CPF?" got "Do you mean 1 … 2 …?", then every question asked for the country
    conversation = Conversation(language="pt")
    conversation.say(
        ActionAnswerTopic,
        "Estou em Boa Vista, como tiro o CPF?",
        "ask_documents",
        ranking={"ask_documents": 0.33, "ask_regularization": 0.31},
    )
    turn = conversation.say(ActionAnswerTopic, "Posso ir no SUS sem documento?", "ask_health")
    assert turn.slots["city"] == "Boa Vista" and turn.slots["country"] == "BR"
    assert_answers(turn, "ask_health", "BR", "pt")


def test_a_city_named_after_the_country_one_is_in_is_kept() -> None:
    turn = Conversation(language="pt").say(
        ActionAnswerTopic, "Estou no México, em Tapachula, preciso de abrigo", "ask_shelter"
    )
    assert turn.slots["city"] == "Tapachula" and turn.slots["country"] == "MX"


@pytest.mark.parametrize(
    ("language", "text"),
    [
        ("fr", "Je suis au Pérou, à Tumbes. Je viens d'arriver d'Équateur. Que dois-je faire pour être en règle ?"),
        ("es", "Acabo de llegar de Ecuador a Tumbes, estoy en Perú, ¿cómo me regularizo?"),
        ("en", "I just arrived from Ecuador, I'm in Peru now, how do I get papers?"),
    ],
)
def test_the_country_one_came_from_is_not_the_one_asked_about(language: str, text: str) -> None:
    # the French one was answered with Ecuador's visas
    turn = Conversation(language=language).say(ActionAnswerTopic, text, "ask_regularization")
    assert turn.slots["country"] == "PE"
    assert_answers(turn, "ask_regularization", "PE", language, not_country="EC")


def test_arrived_from_a_country_alone_does_not_put_the_person_there() -> None:
    turn = Conversation(language="es").say(
        ActionAnswerTopic, "acabo de llegar de Ecuador, necesito trabajo", "ask_work"
    )
    assert turn.slots["country"] != "EC"


def test_a_country_one_thinks_of_going_to_does_not_move_the_person() -> None:
    # "¿y si mejor me voy a Perú?" moved a Colombian in Guayaquil to Peru: the next consulate list was Lima's
    conversation = Conversation(language="es", country="EC", city="Guayaquil")
    asked = conversation.say(ActionAnswerTopic, "¿y si mejor me voy a Perú, allá dan trabajo?", "ask_work")
    assert_answers(asked, "ask_work", "PE", "es", not_country="EC")  # the question is about Peru
    turn = conversation.say(ActionAnswerTopic, "¿dónde queda el consulado de Colombia más cercano?", "ask_consulate")
    assert turn.slots["country"] == "EC" and turn.slots["city"] == "Guayaquil"


def test_a_haitian_in_the_dominican_republic_can_pick_it_from_the_country_menu() -> None:
    # the country menu listed nine countries without the Dominican Republic: a tester in Kreyòl got stuck on it
    conversation = Conversation(language="ht")
    asked = conversation.say(ActionAnswerTopic, "m bezwen travay", "ask_work")
    titles = [b["title"] for b in asked.buttons]
    number = next(title.split(" · ")[0] for title in titles if title.endswith(country_name("DO", "ht")))
    turn = conversation.say(ActionChooseOption, number, "choose_option")
    assert turn.slots["country"] == "DO"
    assert_answers(turn, "ask_work", "DO", "ht")


def test_a_long_story_gets_an_answer_and_the_other_topic_offered_not_a_question() -> None:
    # a 40-word story ended in "Do you mean 1 … 2 …?" and nothing else
    story = (
        "llevo tres meses aca en lima con mis dos hijos no tengo nada de papeles y en el trabajo me dicen que me "
        "pueden botar del pais en cualquier momento y tengo mucho miedo de que me separen de mis hijos que hago"
    )
    conversation = Conversation(language="es", country="PE")
    turn = conversation.say(
        ActionAnswerTopic, story, "ask_regularization", ranking={"ask_regularization": 0.34, "ask_work": 0.3}
    )
    assert_answers(turn, "ask_regularization", "PE", "es")
    assert _offered(turn, "ask_work", "es")
    chosen = conversation.say(ActionChooseOption, "1", "choose_option")
    assert_answers(chosen, "ask_work", "PE", "es")


# --- asked for places directly, the person always reads something ---------------------------------------------------


def test_and_in_haiti_while_the_bot_waits_for_a_nationality_answers_for_haiti() -> None:
    conversation = Conversation(language="es", country="CO")
    passport = conversation.say(ActionAnswerTopic, "necesito un pasaporte", "ask_documents")
    assert content.current().text("places_need_nationality", "es") in passport.all_text
    turn = conversation.say(ActionInform, "y en Haití?", "inform")
    assert_answers(turn, "ask_documents", "HT", "es", not_country="CO")
    assert turn.slots["nationality"] is None  # a place asked about, not where the person is from


WHERE_IS_THE_OFFICE = {
    "es": "¿dónde queda la oficina?",
    "en": "where is the office?",
    "pt": "onde fica o escritório?",
    "fr": "où se trouve le bureau ?",
    "ht": "ki kote biwo a ye?",
}


@pytest.mark.parametrize("language", LANGUAGES)
def test_where_is_the_office_without_a_nationality_asks_for_it_instead_of_saying_nothing(language: str) -> None:
    conversation = Conversation(language=language, country="HT")
    conversation.say(ActionAnswerTopic, "CPF", "ask_documents")
    turn = conversation.say(ActionNearby, WHERE_IS_THE_OFFICE[language], "ask_nearby")
    assert turn.texts, "the person got no answer"
    assert content.current().text("places_need_nationality", language) in turn.all_text


def test_a_nationality_with_no_consulate_on_our_list_says_so_and_offers_a_person() -> None:
    conversation = Conversation(language="es", country="CO")
    conversation.say(ActionAnswerTopic, "necesito un pasaporte", "ask_documents")
    turn = conversation.say(ActionInform, "Haití", "inform")
    expected = content.current().text("consulate_not_listed", "es", nationality="Haití", country="Colombia")
    assert expected in turn.all_text
    assert turn.slots["nationality"] == "HT"


# --- where the person is, among the places a message names -----------------------------------------------------------


def test_in_a_city_from_a_country_is_answered_for_the_city_not_the_country_of_origin() -> None:
    conversation = Conversation(language="en")
    turn = conversation.say(ActionAnswerTopic, "i am in mexico city from honduras. i want ask asylum", "ask_asylum")
    assert_answers(turn, "ask_asylum", "MX", "en", not_country="HN")
    assert turn.slots["country"] == "MX"


def test_the_country_money_is_sent_to_is_not_where_the_person_is() -> None:
    conversation = Conversation(language="es")
    turn = conversation.say(
        ActionAnswerTopic, "soy haitiano en brasil, quiero mandar plata a haiti y tambien necesito medico", "ask_health"
    )
    assert_answers(turn, "ask_health", "BR", "es", not_country="HT")
    assert turn.slots["country"] == "BR"


def test_saying_where_one_is_right_after_an_answer_answers_that_topic_there_not_the_menu() -> None:
    conversation = Conversation(language="es", country="CO")
    conversation.say(ActionAnswerTopic, "necesito trabajo", "ask_work")
    turn = conversation.say(ActionInform, "estoy en Perú", "inform")
    assert content.current().text("noted_place", "es", place="Perú") in turn.all_text
    assert_answers(turn, "ask_work", "PE", "es", not_country="CO")
    assert menu_title("es") not in turn.all_text


def test_saying_where_one_is_after_a_question_about_home_papers_lists_consulates_there_or_asks_whose() -> None:
    conversation = Conversation(language="pt")
    conversation.say(ActionAnswerTopic, "preciso renovar meu passaporte", "ask_documents")
    turn = conversation.say(ActionInform, "to em sao paulo", "inform")
    assert content.current().text("places_need_nationality", "pt") in turn.all_text
    assert answer_of("ask_documents", "BR", "pt") not in turn.all_text  # Brazil's papers (CPF) are not the passport
    assert menu_title("pt") not in turn.all_text


@pytest.mark.parametrize(
    ("language", "text", "country"),
    [("fr", "je suis en France", "FR"), ("pt", "estou em Portugal", "PT"), ("en", "and in Canada?", "CA")],
)
def test_a_country_outside_the_corridor_is_said_to_be_not_covered_yet(language: str, text: str, country: str) -> None:
    conversation = Conversation(language=language, country="BR")
    conversation.say(ActionAnswerTopic, "asylum", "ask_asylum")
    turn = conversation.say(ActionInform, text, "inform")
    name = country_name(country, language)
    assert content.current().text("outside_corridor", language, country=name) in turn.all_text
    assert answer_of("ask_asylum", "BR", language) not in turn.all_text


def test_with_only_a_large_country_known_the_bot_asks_the_city_instead_of_listing_far_places() -> None:
    conversation = Conversation(language="pt", country="BR")
    turn = conversation.say(ActionAnswerTopic, "preciso de um abrigo", "ask_shelter")
    assert "várias cidades" in turn.all_text
    assert content.current().text("places_share_location_hint", "pt") in turn.all_text
    listed = content.current().text("places_in_country", "pt", country="Brasil")
    assert listed not in turn.all_text
    in_a_city = Conversation(language="pt", country="BR", city="Boa Vista")
    near = content.current().text("places_near_city", "pt", city="Boa Vista")
    assert near in in_a_city.say(ActionAnswerTopic, "preciso de um abrigo", "ask_shelter").all_text


@pytest.mark.parametrize(
    ("language", "lost", "origin", "nationality"),
    [("es", "perdí mi pasaporte", "soy colombiano", "CO"), ("pt", "perdi meus documentos", "sou venezuelana", "VE")],
)
def test_a_nationality_after_a_lost_passport_brings_that_countrys_consulates_not_the_menu(
    language: str, lost: str, origin: str, nationality: str
) -> None:
    conversation = Conversation(language=language, country="PA")
    conversation.say(ActionAnswerTopic, lost, "ask_documents")
    turn = conversation.say(ActionInform, origin, "inform")
    assert turn.slots["nationality"] == nationality
    assert menu_title(language) not in turn.all_text
    name = country_name(nationality, language)
    consulates_listed = "📍" in turn.all_text
    not_listed = content.current().text(
        "consulate_not_listed", language, nationality=name, country=country_name("PA", language)
    )
    assert consulates_listed or not_listed in turn.all_text


def test_where_is_it_after_the_school_answer_points_to_the_local_public_school_and_education_office() -> None:
    conversation = Conversation(language="es", country="PE", city="Lima")
    conversation.say(ActionAnswerTopic, "escuela para mi hijo", "ask_education")
    turn = conversation.say(ActionNearby, "donde queda?", "ask_nearby")
    assert content.current().text("nearby_local_ask_education", "es") in turn.all_text


@pytest.mark.parametrize(
    ("language", "message", "country"),
    [("en", "i need to renew my passport", "BR"), ("ht", "m vle fè paspò", "BR"), ("es", "perdí mi pasaporte", "CL")],
)
def test_a_passport_question_also_gets_that_only_ones_own_country_issues_it(
    language: str, message: str, country: str
) -> None:
    conversation = Conversation(language=language, country=country)
    turn = conversation.say(ActionAnswerTopic, message, "ask_documents")
    general = content.current().topic_answer("ask_documents", None, language)
    assert general is not None
    passport_line = general.text.strip().splitlines()[0]  # "Passport lost or expired: your country's consulate"
    own = content.current().topic_answer("ask_documents", country, language)
    assert own is not None and own.text.strip().splitlines()[0] in turn.all_text  # the country's answer first
    assert passport_line in turn.all_text


def test_what_do_i_do_outside_the_corridor_does_not_point_to_steps_that_were_never_given() -> None:
    conversation = Conversation(language="fr", country="AR")
    conversation.say(ActionAnswerTopic, "mon patron ne me paie pas", "ask_work")
    turn = conversation.say(ActionFallback, "que faire", "nlu_fallback", ranking={"nlu_fallback": 0.3})
    name = country_name("AR", "fr")
    assert content.current().text("outside_corridor", "fr", country=name) in turn.all_text
    assert content.current().text(
        "next_step_person", "fr", topic=content.current().text("topic_ask_work", "fr")
    ) not in (turn.all_text)
