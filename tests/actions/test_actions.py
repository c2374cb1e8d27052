"""The custom actions, driven with a rasa-sdk Tracker and CollectingDispatcher, as Rasa would call them."""

from __future__ import annotations

import re

import pytest

from actions.conversation import ActionChooseOption, ActionFallback, ActionGreet, ActionMainMenu
from actions.language import ActionSetLanguage
from actions.offers import ActionCheckOffer
from actions.privacy import ActionAffirm, ActionDeleteMyData, ActionDeny
from actions.safety import ActionEmergency, ActionRequestHuman
from actions.topics import ActionAnswerTopic
from bot import content
from tests.conftest import Conversation

REVIEW_DATE = re.compile(r"\d{4}-\d{2}-\d{2}")


def test_greeting_introduces_brujula_and_shows_five_numbered_stages_in_the_users_language(
    conversation: Conversation,
) -> None:
    turn = conversation.say(ActionGreet, "bonjou, sak pase", "greet")
    assert "Brújula" in turn.texts[0]
    assert "gouvènman" in turn.texts[0]  # says it is not a government office, in Kreyòl
    assert [b["payload"] for b in turn.buttons] == ["1", "2", "3", "4", "5"]
    assert turn.buttons[0]["title"].startswith("1 · ")
    assert turn.slots["language"] == "ht"
    assert turn.slots["menu"] == "main"


def test_typed_numbers_walk_the_menus_like_buttons() -> None:
    conversation = Conversation(language="es")  # "menu" alone says nothing of the language; the numbers follow it
    conversation.say(ActionMainMenu, "menu", "main_menu")
    stage = conversation.say(ActionChooseOption, "2", "choose_option")
    assert stage.slots["menu"] == "stage:on_the_way"
    assert stage.buttons[0]["payload"] == "0"
    topic_titles = [b["title"] for b in stage.buttons[1:]]
    assert any("Albergues" in title for title in topic_titles)
    # "2" on the "on the way" stage is shelters, which needs the country first
    ask = conversation.say(ActionChooseOption, "opcion 2", "choose_option")
    assert ask.slots["pending_topic"] == "ask_shelter"
    assert ask.slots["menu"] == "country"
    back = conversation.say(ActionChooseOption, "0", "choose_option")
    assert back.slots["menu"] == "main"


def test_an_option_that_does_not_exist_says_so_and_repeats_the_menu(conversation: Conversation) -> None:
    conversation.say(ActionMainMenu, "menu", "main_menu")
    turn = conversation.say(ActionChooseOption, "9", "choose_option")
    assert "9" in turn.texts[0]
    assert [b["payload"] for b in turn.buttons] == ["1", "2", "3", "4", "5"]


def test_topic_needing_a_country_asks_once_then_answers_when_the_user_names_it() -> None:
    conversation = Conversation(language="es")
    ask = conversation.say(ActionAnswerTopic, "como regularizo mi situacion migratoria", "ask_regularization")
    assert ask.slots["pending_topic"] == "ask_regularization"
    assert "país" in ask.texts[0]
    # The reply is just a country: whatever intent the classifier guesses, the pending question is answered.
    answer = conversation.say(ActionFallback, "estoy en colombia", "nlu_fallback")
    assert answer.slots["country"] == "CO"
    assert answer.slots["pending_topic"] is None
    assert "Estatuto Temporal" in answer.all_text or "PPT" in answer.all_text
    assert "Verificado con" in answer.all_text and REVIEW_DATE.search(answer.all_text)


def test_country_chosen_by_number_answers_the_pending_topic() -> None:
    conversation = Conversation(language="pt")
    conversation.say(ActionAnswerTopic, "preciso de um medico", "ask_health")
    turn = conversation.say(ActionChooseOption, "5", "choose_option")  # 5th country in content/menu.yml: BR
    assert turn.slots["country"] == "BR"
    assert "SUS" in turn.all_text
    assert "Verificado com" in turn.all_text  # where it comes from, in Portuguese


def test_every_answer_says_what_it_was_checked_against_when_and_that_no_organisation_confirmed_it() -> None:
    conversation = Conversation(language="en", country="PE")
    turn = conversation.say(ActionAnswerTopic, "how do i get a work permit", "ask_work")
    text = turn.all_text
    assert "Checked against" in text and REVIEW_DATE.search(text)
    assert "not yet confirmed by an organisation" in text
    assert "last reviewed" not in text  # never a review date beside "not checked"


def test_consulate_question_takes_nationality_and_city_from_the_message(conversation: Conversation) -> None:
    turn = conversation.say(ActionAnswerTopic, "donde esta el consulado de colombia en quito", "ask_consulate")
    assert turn.slots["nationality"] == "CO"
    assert turn.slots["city"] == "Quito"
    assert turn.slots["country"] == "EC"
    assert turn.messages and "Verificado con" in turn.all_text


def test_emergency_gives_the_countrys_numbers_first_then_a_person_then_advice() -> None:
    conversation = Conversation(language="es", country="CO")
    turn = conversation.say(ActionEmergency, "me tienen secuestrado ayuda", "report_emergency")
    assert "123" in turn.texts[0]  # Colombia's emergency line comes first
    assert "equipo" in turn.texts[1] and "persona" in turn.texts[1]  # queued for a person, and told so
    assert turn.slots["handoff"] == "requested" and turn.slots["handoff_reason"] == "emergency"
    assert "Verificado con" in turn.texts[2]  # then the sourced advice, with what it was checked against
    assert not any("pasé esta conversación" in text.lower() for text in turn.texts[2:])  # said once


def test_a_question_that_tells_of_harm_now_gets_the_numbers_and_a_person_before_its_answer() -> None:
    conversation = Conversation(language="en", country="PE")
    turn = conversation.say(
        ActionAnswerTopic, "my boss keeps my passport and won't let me leave, can he do that?", "ask_work"
    )
    assert turn.texts[0].startswith("🚨") and "105" in turn.texts[0]  # Peru's police line first
    assert "trafficking" in turn.texts[1] and '"person"' in turn.texts[1]
    assert "Checked against" in turn.all_text  # then the work answer it asked for
    assert turn.slots["last_topic"] == "ask_work"
    plain = conversation.say(ActionAnswerTopic, "my boss does not pay overtime, can he do that?", "ask_work")
    assert not plain.texts[0].startswith("🚨")


def test_a_medical_emergency_gets_the_numbers_and_call_now_before_the_health_answer() -> None:
    conversation = Conversation(language="pt", country="BR")
    turn = conversation.say(ActionAnswerTopic, "meu marido ta passando muito mal com dor no peito", "ask_health")
    assert turn.texts[0].startswith("🚨") and "192" in turn.texts[0]  # Brazil's ambulance (SAMU)
    assert "pronto-socorro" in turn.texts[1]
    assert "Verificado com" in turn.all_text  # then the health answer it asked for
    assert turn.slots["last_topic"] == "ask_health"


def test_a_medical_emergency_taken_for_an_emergency_gets_health_care_not_the_police_advice() -> None:
    conversation = Conversation(language="en", country="CO")
    turn = conversation.say(ActionEmergency, "my wife is pregnant and bleeding a lot", "report_emergency")
    assert "123" in turn.texts[0]
    assert "emergency room" in turn.texts[1]
    assert "Tell the police" not in turn.all_text
    assert turn.slots["last_topic"] == "ask_health"


@pytest.mark.parametrize(
    ("action", "text", "intent"),
    [
        (ActionMainMenu, "I'm scared, I don't know what to do", "main_menu"),
        (ActionFallback, "what should I do now?", "nlu_fallback"),
    ],
)
def test_what_do_i_do_after_an_emergency_gives_the_numbers_again_not_the_menu(
    action: type, text: str, intent: str
) -> None:
    conversation = Conversation(language="en", country="PE")
    conversation.say(ActionEmergency, "someone is threatening to kill me", "report_emergency")
    turn = conversation.say(action, text, intent, ranking={intent: 0.3, "ask_rights": 0.2})
    assert "105" in turn.texts[0]  # Peru's police, again
    assert not any("passed this conversation" in t for t in turn.texts)  # already queued: not announced twice
    assert "What do you need?" not in turn.all_text
    menu = conversation.say(ActionMainMenu, "menu", "main_menu", ranking={"main_menu": 0.3})
    assert "What do you need?" in menu.all_text


@pytest.mark.parametrize(
    ("language", "text"),
    [("en", "what do I do?"), ("fr", "je fais quoi ?"), ("pt", "oq eu faco"), ("ht", "m pa konn sa pou m fè")],
)
def test_what_do_i_do_after_an_answer_points_to_its_steps_and_a_person_not_the_menu(language: str, text: str) -> None:
    conversation = Conversation(language=language, country="CL")
    conversation.say(ActionAnswerTopic, "residence", "ask_regularization")
    turn = conversation.say(ActionMainMenu, text, "main_menu", ranking={"main_menu": 0.35, "ask_work": 0.2})
    topic = content.current().text("topic_ask_regularization", language)
    assert topic in turn.texts[0]
    assert "/request_human" in [b["payload"] for b in turn.buttons]
    assert content.current().text("main_menu_title", language) not in turn.all_text


def test_what_do_i_do_after_an_offer_check_gives_what_to_do() -> None:
    conversation = Conversation(language="en", country="MX")
    conversation.say(ActionCheckOffer, "Job in Canada, send $150 for visa processing to this WhatsApp", "check_offer")
    turn = conversation.say(ActionFallback, "what should I do?", "nlu_fallback", ranking={"nlu_fallback": 0.2})
    assert turn.texts[0].startswith("What to do")
    assert "/request_human" in [b["payload"] for b in turn.buttons]


def test_a_second_emergency_message_does_not_queue_or_announce_again() -> None:
    conversation = Conversation(language="es", country="CO")
    conversation.say(ActionEmergency, "me tienen secuestrado ayuda", "report_emergency")
    again = conversation.say(ActionEmergency, "por favor ayuda nos van a matar", "report_emergency")
    assert "123" in again.texts[0]
    assert not any("Pasé esta conversación" in text for text in again.texts)


def test_emergency_without_a_known_country_lists_the_corridor(conversation: Conversation) -> None:
    turn = conversation.say(ActionEmergency, "someone is threatening to kill me", "report_emergency")
    first = turn.texts[0]
    assert "Colombia: 123" in first and "Brazil: 190" in first and "Mexico: 911" in first
    assert "familylinks.icrc.org" in first


def test_missing_relative_gets_numbers_family_tracing_and_a_person() -> None:
    conversation = Conversation(language="fr")
    turn = conversation.say(ActionEmergency, "je n'ai plus de nouvelles de mon frere", "ask_missing_person")
    assert "familylinks.icrc.org" in turn.texts[0]
    assert "équipe" in turn.texts[1]
    assert turn.slots["handoff_reason"] == "missing_person"


def test_fallback_asks_to_rephrase_offers_a_person_and_shows_the_menu(conversation: Conversation) -> None:
    turn = conversation.say(ActionFallback, "quien gano el partido ayer", "nlu_fallback")
    assert "no entendí" in turn.texts[0]
    assert any(b["payload"] == "/request_human" for b in turn.buttons)
    assert turn.slots["menu"] == "main"
    assert turn.slots["handoff"] is None


def test_three_fallbacks_in_a_row_put_the_conversation_in_the_queue_for_a_person(conversation: Conversation) -> None:
    for _ in range(3):
        turn = conversation.say(ActionFallback, "quien gano el partido ayer", "nlu_fallback")
    assert turn.slots["handoff"] == "requested"
    assert turn.slots["handoff_reason"] == "fallbacks"


def test_request_human_is_recorded_and_the_user_is_told_what_happens_next(conversation: Conversation) -> None:
    turn = conversation.say(ActionRequestHuman, "quero falar com uma pessoa", "request_human")
    assert "equipe" in turn.texts[0]
    assert turn.slots["handoff"] == "requested"
    assert turn.slots["handoff_reason"] == "request"
    assert turn.slots["handoff_requested_at"] > 0


def test_delete_my_data_asks_for_confirmation_and_yes_requests_erasure(conversation: Conversation) -> None:
    ask = conversation.say(ActionDeleteMyData, "delete everything you know about me", "delete_my_data")
    assert "delete everything" in ask.texts[0]
    assert ask.slots["erase_requested"] is None
    done = conversation.say(ActionAffirm, "yes", "affirm")
    assert "deleted everything" in done.texts[0]
    assert done.slots["erase_requested"] is True


def test_delete_my_data_then_no_deletes_nothing(conversation: Conversation) -> None:
    conversation.say(ActionDeleteMyData, "borra mis datos", "delete_my_data")
    turn = conversation.say(ActionDeny, "no", "deny")
    assert "no borré nada" in turn.texts[0]
    assert turn.slots["erase_requested"] is None


def test_language_switch_on_request_and_by_number() -> None:
    conversation = Conversation(language="es")
    turn = conversation.say(ActionSetLanguage, "english please", "set_language")
    assert turn.slots["language"] == "en"
    assert "English" in turn.texts[0]
    menu = conversation.say(ActionSetLanguage, "change language", "set_language")
    assert [b["payload"] for b in menu.buttons] == ["1", "2", "3", "4", "5"]
    chosen = conversation.say(ActionChooseOption, "5", "choose_option")
    assert chosen.slots["language"] == "ht"
    assert "kreyòl" in chosen.texts[0]


@pytest.mark.parametrize(
    ("text", "language"),
    [
        ("I don't speak Spanish", "en"),
        ("I don't understand Spanish, English please", "en"),
        ("no hablo inglés, en español por favor", "es"),
        ("je ne parle pas espagnol", "fr"),
    ],
)
def test_a_language_the_person_does_not_speak_is_not_the_one_switched_to(text: str, language: str) -> None:
    turn = Conversation(language="es").say(ActionSetLanguage, text, "set_language")
    assert turn.slots["language"] == language


def test_short_ambiguous_messages_do_not_flip_the_conversation_language() -> None:
    conversation = Conversation(language="pt")
    for text in ("ok", "no", "si", "non"):
        turn = conversation.say(ActionAffirm, text, "affirm")
        assert turn.slots["language"] == "pt"
        assert turn.texts[0] == "Certo. Como posso ajudar?"


def test_the_first_clear_message_sets_the_language(conversation: Conversation) -> None:
    turn = conversation.say(ActionAnswerTopic, "mwen bezwen yon doktè, pitit mwen malad", "ask_health")
    assert turn.slots["language"] == "ht"
    assert "peyi" in turn.texts[0]  # asks which country, in Kreyòl


def test_telegram_language_hint_is_used_when_the_message_says_nothing(conversation: Conversation) -> None:
    turn = conversation.say(ActionGreet, "👋", "greet", metadata={"language_hint": "fr-FR"})
    assert "Bonjour" in turn.texts[0]


def test_unusable_input_gets_a_short_clear_answer(conversation: Conversation) -> None:
    empty = conversation.say(ActionFallback, "   ", "nlu_fallback")
    assert "vacío" in empty.texts[0] or "empty" in empty.texts[0]
    emoji = conversation.say(ActionFallback, "🙏🙏😭", "nlu_fallback")
    assert "🙂" in emoji.texts[0]
    junk = conversation.say(ActionFallback, "\x00\x01\x02\x03\x04garbage\x05\x06\x07\x08", "nlu_fallback")
    assert "leer" in junk.texts[0] or "read" in junk.texts[0]


def test_unsupported_language_lists_the_five_languages_spoken(conversation: Conversation) -> None:
    arabic = conversation.say(ActionFallback, "أين أجد مأوى الليلة", "nlu_fallback")
    assert "español" in arabic.texts[0] and "kreyòl" in arabic.texts[0]
    assert len(arabic.buttons) == 5
    chinese = conversation.say(ActionFallback, "我需要帮助", "nlu_fallback")
    assert "English" in chinese.texts[0]


def test_a_huge_message_is_answered_with_a_note_that_only_the_start_was_read() -> None:
    conversation = Conversation(language="es")
    text = "necesito un medico " + "bla " * 2500
    turn = conversation.say(ActionAnswerTopic, text, "ask_health")
    assert "muy largo" in turn.texts[0]
    assert len(turn.messages) >= 2
