"""The language a person is written to, decided by one rule whoever writes (the bot, the desk, a channel)."""

from __future__ import annotations

from types import SimpleNamespace

import pytest

from actions.conversation import ActionChooseOption, ActionGreet
from bot import content, language
from bot.conversation import reply_language
from tests.conftest import Conversation


def _user(text: str, hint: str | None = None) -> SimpleNamespace:
    detection = language.detect(text).as_parse_result()
    return SimpleNamespace(
        type_name="user", parse_data={"language": detection}, metadata={"language_hint": hint} if hint else {}
    )


def test_the_conversation_language_wins_over_everything() -> None:
    events = [_user("hello, I need a doctor for my son please")]
    assert reply_language.for_conversation(events, "ht", hint="pt") == "ht"


def test_without_a_conversation_language_the_latest_message_decides() -> None:
    events = [_user("hola"), _user("bonjour, j'ai besoin d'aide pour mes papiers")]
    assert reply_language.for_conversation(events, None) == "fr"


def test_a_message_not_stored_yet_is_read_itself() -> None:
    assert reply_language.for_conversation([], None, text="necesito un albergue para esta noche") == "es"


def test_with_nothing_to_go_on_the_channel_hint_then_spanish() -> None:
    assert reply_language.for_conversation([], None, hint="pt-BR") == "pt"
    assert reply_language.for_conversation([], None) == "es"


@pytest.mark.parametrize(("greeting", "language"), [("hi", "en"), ("olá", "pt"), ("bonjour", "fr"), ("bonjou", "ht")])
def test_a_tapped_number_after_a_greeting_goes_on_in_the_greetings_language(greeting: str, language: str) -> None:
    # probe of the running bot: "hi" then "1" gave the Spanish stage menu (a number says nothing of a language)
    conversation = Conversation()
    conversation.say(ActionGreet, greeting, "greet")
    tapped = conversation.say(ActionChooseOption, "1", "choose_option")
    assert (
        tapped.texts == Conversation(language=language, menu="main").say(ActionChooseOption, "1", "choose_option").texts
    )


def test_a_clear_message_in_another_language_still_sets_the_conversation_language() -> None:
    conversation = Conversation()
    conversation.say(ActionGreet, "hi", "greet")
    turn = conversation.say(ActionChooseOption, "1", "choose_option")
    assert turn.slots["reply_language"] == "en"
    spanish = conversation.say(ActionGreet, "hola, necesito ayuda con mis papeles por favor", "greet")
    assert spanish.slots["language"] == "es"
    assert content.current().text("main_menu_title", "es") in spanish.all_text
