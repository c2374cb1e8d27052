"""The language a person is written to, decided by one rule whoever writes (the bot, the desk, a channel)."""

from __future__ import annotations

from types import SimpleNamespace

from bot import language
from bot.conversation import reply_language


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
