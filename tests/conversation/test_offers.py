""" "Is this a scam?" in the conversation: ask first then paste, paste directly, forwarded, nothing found."""

from __future__ import annotations

import asyncio

from rasa.shared.core.events import ActionExecuted, SlotSet, UserUttered
from rasa.shared.core.trackers import DialogueStateTracker

from actions.conversation import ActionFallback, ActionGreet
from actions.offers import ActionCheckOffer
from actions.safety import ActionEmergency
from actions.topics import ActionAnswerTopic
from bot.tracker_store import OFFER_TEXT_REMOVED, PrivacyTrackerStore
from tests.conftest import Conversation

SCAM_ES = "me ofrecieron trabajo en São Paulo pero tengo que pagar 500 reais antes, ¿es estafa?"


def test_a_pasted_offer_is_checked_at_once_with_the_warning_sign_quoted() -> None:
    conversation = Conversation(language="es", country="BR")
    turn = conversation.say(ActionCheckOffer, SCAM_ES, "check_offer")
    assert "🚩" in turn.all_text
    assert "500 reais antes" in turn.all_text  # quoted as the person wrote it
    assert "OIT" in turn.all_text  # what it means, in one line
    assert "Nunca pagues" in turn.all_text  # what to do
    assert "190" in turn.all_text or "100" in turn.all_text  # whom to call in Brazil
    assert "/request_human" in [b["payload"] for b in turn.buttons]
    assert "recruitment_fee" in turn.slots["offer_flags"] or "payment_requested" in turn.slots["offer_flags"]
    assert turn.slots["awaiting_offer"] is None


def test_asking_first_gets_paste_it_and_the_next_message_is_checked_whatever_its_intent() -> None:
    conversation = Conversation(language="pt")
    ask = conversation.say(ActionCheckOffer, "isso e golpe?", "check_offer")
    assert ask.slots["awaiting_offer"] is True
    assert "Cole a mensagem" in ask.all_text
    # the classifier took the pasted offer for a work question: it is still checked as the offer
    checked = conversation.say(
        ActionAnswerTopic,
        "Vaga em frigorifico, tem que pagar uma taxa de inscricao de " "250 reais pra garantir a vaga",
        "ask_work",
    )
    assert "🚩" in checked.all_text
    assert "tem que pagar" in checked.all_text
    assert checked.slots["awaiting_offer"] is None


def test_a_forwarded_message_is_checked_even_when_short() -> None:
    conversation = Conversation(language="en")
    turn = conversation.say(ActionCheckOffer, "Visa guaranteed, DM me", "check_offer", metadata={"forwarded": True})
    assert turn.slots["awaiting_offer"] is None
    assert "guaranteed" in turn.all_text.lower()


def test_nothing_found_never_says_safe_and_gives_the_checks_to_make() -> None:
    conversation = Conversation(language="fr")
    offer = (
        "Boulangerie cherche aide-boulanger, horaires du matin, salaire fixe payé chaque mois, contrat de "
        "travail, entretien lundi à la boulangerie."
    )
    turn = conversation.say(ActionCheckOffer, offer, "check_offer")
    assert turn.slots["offer_flags"] == "none_found"
    assert "NE veut PAS dire que c'est sûr" in turn.all_text
    assert "Vérifiez que l'entreprise existe" in turn.all_text


def test_kreyol_ask_then_paste() -> None:
    conversation = Conversation(language="ht")
    conversation.say(ActionCheckOffer, "se yon eskwokri?", "check_offer")
    turn = conversation.say(
        ActionFallback, "Nou ka fe w pase fwontye a san pwoblem, peye 2000 dola davans", "nlu_fallback"
    )
    assert "🚩" in turn.all_text
    assert "Pa janm peye" in turn.all_text


def test_danger_still_goes_first_while_waiting_for_an_offer() -> None:
    conversation = Conversation(language="es", country="MX")
    conversation.say(ActionCheckOffer, "es estafa?", "check_offer")
    turn = conversation.say(ActionEmergency, "nos tienen secuestrados ayuda", "report_emergency")
    assert "911" in turn.texts[0]
    assert turn.slots["awaiting_offer"] is None


def test_a_greeting_after_the_question_is_a_greeting_not_an_offer() -> None:
    conversation = Conversation(language="es")
    conversation.say(ActionCheckOffer, "es estafa?", "check_offer")
    turn = conversation.say(ActionGreet, "hola", "greet")
    assert "Brújula" in turn.all_text
    assert turn.slots["offer_flags"] is None


def test_the_pasted_offer_is_not_stored_only_its_flags() -> None:
    store = PrivacyTrackerStore(backend={"type": "in_memory"})
    tracker = DialogueStateTracker("person", slots=[])
    tracker.update(
        UserUttered(
            SCAM_ES,
            {"name": "check_offer", "confidence": 1.0},
            parse_data={"text": SCAM_ES, "intent": {"name": "check_offer"}},
        )
    )
    tracker.update(ActionExecuted("action_check_offer"))
    tracker.update(SlotSet("offer_flags", "recruitment_fee"))
    asyncio.run(store.save(tracker))
    stored = asyncio.run(store.retrieve("person"))
    assert stored is not None
    dumped = str([event.as_dict() for event in stored.events])
    assert "500 reais" not in dumped
    assert OFFER_TEXT_REMOVED in dumped
    assert "recruitment_fee" in dumped


def test_a_forwarded_offer_is_checked_even_when_the_classifier_took_it_for_a_topic() -> None:
    conversation = Conversation(language="es", country="MX")
    offer = "Trabajo en Canada, visa garantizada, manda 300 dolares por western union"
    turn = conversation.say(ActionAnswerTopic, offer, "ask_work", metadata={"forwarded": True})
    assert "🚩" in turn.all_text
    assert turn.slots["offer_flags"]


def test_is_it_a_scam_right_after_a_check_recalls_what_was_found() -> None:
    # a probe of the running bot: after the 🚩 answer, "c'est une arnaque ?" got only "paste the message here"
    conversation = Conversation(language="fr", country="BR")
    conversation.say(ActionCheckOffer, SCAM_ES, "check_offer")
    again = conversation.say(ActionCheckOffer, "c'est une arnaque ?", "check_offer")
    assert again.texts[0].startswith("🚩")
    assert "/request_human" in [b["payload"] for b in again.buttons]
    assert again.texts == [again.texts[0]]  # the verdict only: not "paste the message here" as well


def test_is_it_a_scam_after_an_offer_taken_for_a_question_checks_that_offer() -> None:
    conversation = Conversation(language="es", country="BR")
    conversation.say(ActionAnswerTopic, SCAM_ES.replace(", ¿es estafa?", ""), "ask_work")
    turn = conversation.say(ActionCheckOffer, "es una estafa?", "check_offer")
    assert turn.texts[0].startswith("🚩")
    assert "500 reais antes" in turn.all_text
    assert turn.slots["offer_flags"] and turn.slots["awaiting_offer"] is None


def test_is_it_a_scam_after_an_ordinary_question_asks_for_the_offer() -> None:
    conversation = Conversation(language="en", country="PE")
    conversation.say(ActionAnswerTopic, "how do I get a work permit in Peru?", "ask_work")
    turn = conversation.say(ActionCheckOffer, "is it a scam?", "check_offer")
    assert "🚩" not in turn.all_text and "⚠️" not in turn.all_text
    assert turn.slots["awaiting_offer"] is True


def test_is_it_a_scam_with_no_check_before_only_asks_for_the_offer() -> None:
    turn = Conversation(language="en").say(ActionCheckOffer, "is it a scam?", "check_offer")
    assert "🚩" not in turn.all_text and "⚠️" not in turn.all_text
    assert turn.slots["awaiting_offer"] is True
