"""The Telegram channel, driven through Sanic's test client with updates shaped as the Bot API sends them.

``telegram.Bot`` is pointed at a fake Bot API on 127.0.0.1; the tests assert exactly what would be sent.
"""

from __future__ import annotations

import asyncio
import itertools
import json
import logging
import os
import sys
import uuid
from collections.abc import AsyncIterator
from typing import Any

import pytest
from cryptography.fernet import Fernet, MultiFernet
from rasa.core.channels.channel import UserMessage
from sanic import Sanic

from bot import content, personal_data
from bot.channels.rendering import TELEGRAM_LIMIT, text_length
from bot.channels.telegram import TelegramConfig, TelegramInput
from bot.contacts import ContactStore
from bot.handoff import outbox
from bot.paths import ROOT
from tests.fakes import FakeTelegram, StubRasa
from tests.fakes.rasa import MENU, intro_and_menu

PATH = "/webhooks/telegram/webhook"
SECRET = "s3cret-Token_for-tests"
CHAT_ID = 5550001234
_update_ids = itertools.count(700_000)


@pytest.fixture(autouse=True)
def _keys(monkeypatch: pytest.MonkeyPatch, tmp_path: Any) -> None:
    monkeypatch.setenv("BRUJULA_ID_KEY", "test-id-key")
    monkeypatch.setenv("BRUJULA_STATE_DIR", str(tmp_path / "state"))


@pytest.fixture
async def telegram() -> AsyncIterator[FakeTelegram]:
    async with FakeTelegram() as fake:
        yield fake


@pytest.fixture
def store(tmp_path: Any) -> ContactStore:
    return ContactStore(f"sqlite:///{tmp_path / 'contacts.db'}", MultiFernet([Fernet(Fernet.generate_key())]))


def person(language_code: str | None = "es") -> dict[str, Any]:
    user: dict[str, Any] = {"id": CHAT_ID, "is_bot": False, "first_name": "María"}
    if language_code:
        user["language_code"] = language_code
    return user


def chat(kind: str = "private") -> dict[str, Any]:
    return {"id": CHAT_ID if kind == "private" else -100123, "type": kind, "first_name": "María"}


def message_update(
    kind: str = "message", chat_type: str = "private", language_code: str | None = "es", **fields: Any
) -> dict[str, Any]:
    message = {
        "message_id": 42,
        "date": 1_760_000_000,
        "chat": chat(chat_type),
        "from": person(language_code),
        **fields,
    }
    if kind == "edited_message":
        message["edit_date"] = 1_760_000_100
    return {"update_id": next(_update_ids), kind: message}


def callback_update(data: str, message_id: int, language_code: str = "es") -> dict[str, Any]:
    return {
        "update_id": next(_update_ids),
        "callback_query": {
            "id": f"cbq-{uuid.uuid4().hex[:8]}",
            "chat_instance": "-42",
            "data": data,
            "from": person(language_code),
            "message": {
                "message_id": message_id,
                "date": 1_760_000_000,
                "chat": chat(),
                "text": "menu",
                "from": {"id": 123456, "is_bot": True, "first_name": "Brújula"},
            },
        },
    }


class Harness:
    def __init__(
        self, telegram: FakeTelegram, store: ContactStore, rasa: StubRasa, config: TelegramConfig | None = None
    ) -> None:
        self.telegram, self.store, self.rasa = telegram, store, rasa
        config = config or TelegramConfig(token=telegram.token, secret_token=SECRET, api_base_url=telegram.url)
        self.channel = TelegramInput(config, store=store, retry_delays=(0.01, 0.02))
        self.app = Sanic(f"telegram_{uuid.uuid4().hex[:12]}")
        self.app.blueprint(self.channel.blueprint(rasa), url_prefix="/webhooks/telegram")

    async def post(
        self, update: Any, secret: str | None = SECRET, content_type: str = "application/json", raw: bytes | None = None
    ) -> Any:
        headers = {"content-type": content_type}
        if secret is not None:
            headers["X-Telegram-Bot-Api-Secret-Token"] = secret
        body = raw if raw is not None else json.dumps(update).encode()
        _, response = await self.app.asgi_client.post(PATH, content=body, headers=headers)
        await self.channel.tasks.drain(timeout=10)
        return response

    @property
    def sender_id(self) -> str:
        return personal_data.pseudonymize("telegram", str(CHAT_ID))


@pytest.fixture
def harness(telegram: FakeTelegram, store: ContactStore) -> Harness:
    return Harness(telegram, store, StubRasa(intro_and_menu))


# -- what a user notices ---------------------------------------------------------------------------
async def test_a_text_is_answered_with_an_inline_keyboard_and_the_language_code_as_hint(harness: Harness) -> None:
    response = await harness.post(message_update(text="¡Hola! necesito ayuda 🙏", language_code="pt-br"))

    assert response.status == 200
    [received] = harness.rasa.received
    assert received.text == "¡Hola! necesito ayuda 🙏"
    assert received.metadata == {"language_hint": "pt-br"}
    assert received.sender_id == harness.sender_id and str(CHAT_ID) not in received.sender_id
    [sent] = harness.telegram.sent()
    assert sent.chat_id == CHAT_ID
    assert sent.text == "Hola, soy Brújula 🧭.\n\n¿Qué necesitas? Escribe un número:"
    assert sent.keyboard == [[{"text": b["title"], "callback_data": b["payload"]}] for b in MENU]


@pytest.mark.parametrize(
    "typed, expected, hint",
    [
        ("/start", "/greet", "es"),
        ("/start@BrujulaBot", "/greet", "es"),
        ("/start ht", "/greet", "ht"),  # t.me/BrujulaBot?start=ht: a link shared by a Haitian organisation
        ("/language", "/set_language", "es"),
        ("/menu", "/main_menu", "es"),
        ("/otra_cosa", "/otra_cosa", "es"),
    ],
)
async def test_commands_become_intents(harness: Harness, typed: str, expected: str, hint: str) -> None:
    await harness.post(message_update(text=typed))
    assert harness.rasa.texts == [expected]
    assert harness.rasa.received[0].metadata["language_hint"] == hint


async def test_a_tapped_button_sends_its_payload_and_the_tap_is_answered(harness: Harness) -> None:
    await harness.post(message_update(text="hola"))  # the fake numbers sent messages from 1000

    tap = callback_update("2", 1000)
    await harness.post(tap)

    assert harness.rasa.texts == ["hola", "2"]
    [answered] = harness.telegram.sent("answerCallbackQuery")
    assert answered.params["callback_query_id"] == tap["callback_query"]["id"]
    assert "text" not in answered.params


async def test_a_button_on_an_old_menu_is_refused_with_a_notice_in_the_users_language(harness: Harness) -> None:
    await harness.post(message_update(text="hola"))  # menu in message 1000
    await harness.post(callback_update("1", 1000))  # answered with a new menu, message 1001

    await harness.post(callback_update("3", 1000, language_code="fr"))  # the first, outdated, menu

    assert harness.rasa.texts == ["hola", "1"]
    notices = [c.params.get("text") for c in harness.telegram.sent("answerCallbackQuery")]
    assert notices[-1] == content.current().text("menu_expired", "fr")


async def test_a_location_or_a_venue_asks_for_the_nearest_places(harness: Harness) -> None:
    await harness.post(message_update(location={"latitude": -12.046374, "longitude": -77.042793}))
    await harness.post(
        message_update(
            venue={"location": {"latitude": 4.60971, "longitude": -74.08175}, "title": "Terminal", "address": "Calle 1"}
        )
    )
    assert harness.rasa.texts == [
        '/share_location{"lat": -12.046, "lon": -77.043}',
        '/share_location{"lat": 4.61, "lon": -74.082}',
    ]


@pytest.mark.parametrize(
    "media",
    [
        {"photo": [{"file_id": "p1", "file_unique_id": "u1", "width": 90, "height": 90}]},
        {"voice": {"file_id": "v1", "file_unique_id": "u2", "duration": 4, "mime_type": "audio/ogg"}},
        {
            "sticker": {
                "file_id": "s1",
                "file_unique_id": "u3",
                "type": "regular",
                "width": 512,
                "height": 512,
                "is_animated": False,
                "is_video": False,
            }
        },
    ],
)
async def test_media_without_text_gets_the_text_only_reply_in_the_users_language_and_the_menu(
    harness: Harness, media: dict[str, Any]
) -> None:
    await harness.post(message_update(language_code="pt-br", **media))

    assert harness.rasa.texts == ["/main_menu"]
    [sent] = harness.telegram.sent()
    expected = content.current().text("media_not_supported", "pt")
    assert sent.text.startswith(expected + "\n\n")
    assert sent.callback_data == ["1", "2", "3"]


async def test_a_photo_with_a_caption_is_answered_from_the_caption(harness: Harness) -> None:
    await harness.post(
        message_update(
            caption="¿este papel sirve?", photo=[{"file_id": "p", "file_unique_id": "u", "width": 9, "height": 9}]
        )
    )
    assert harness.rasa.texts == ["¿este papel sirve?"]


async def test_an_edited_message_is_answered_as_a_new_one_but_a_moving_live_location_is_not(harness: Harness) -> None:
    await harness.post(message_update("edited_message", text="quiero pedir refugio"))
    await harness.post(
        message_update("edited_message", location={"latitude": 1.0, "longitude": 2.0, "live_period": 900})
    )
    assert harness.rasa.texts == ["quiero pedir refugio"]
    assert harness.rasa.received[0].metadata == {"language_hint": "es", "edited": True}


async def test_a_long_reply_is_split_with_the_keyboard_under_the_last_part(
    telegram: FakeTelegram, store: ContactStore
) -> None:
    long_text = "\n\n".join((f"Sección {n}. " + "Texto informativo y verificado. " * 60).strip() for n in range(1, 6))
    harness = Harness(telegram, store, StubRasa(lambda m: [{"text": long_text, "buttons": MENU[:1]}]))
    await harness.post(message_update(text="todo sobre asilo"))

    sent = telegram.sent()
    assert len(sent) == 3
    assert all(text_length(call.text) <= TELEGRAM_LIMIT for call in sent)
    assert [bool(call.keyboard) for call in sent] == [False, False, True]
    assert "\n\n".join(call.text for call in sent) == long_text


async def test_a_payload_over_64_bytes_is_written_out_instead_of_breaking_the_message(
    telegram: FakeTelegram, store: ContactStore
) -> None:
    long_payload = '/choose_option{"option": "' + "4" * 50 + '"}'
    buttons = [{"title": "4 · Otra opción", "payload": long_payload}, {"title": "✔", "payload": "/affirm"}]
    harness = Harness(telegram, store, StubRasa(lambda m: [{"text": "Elige:", "buttons": buttons}]))
    await harness.post(message_update(text="hola"))
    [sent] = telegram.sent()
    assert sent.callback_data == ["/affirm"]
    assert sent.text == "Elige:\n• 4 · Otra opción"


# -- authentication and bad input -------------------------------------------------------------------
@pytest.mark.parametrize("secret", [None, "", "guess", SECRET + "x"])
async def test_a_forged_or_missing_secret_gets_403_and_nothing_is_processed(
    harness: Harness, secret: str | None
) -> None:
    response = await harness.post(message_update(text="borrar mis datos"), secret=secret)
    assert response.status == 403
    assert harness.rasa.received == [] and harness.telegram.calls == []


@pytest.mark.parametrize(
    "case, status",
    [
        ("form body", 415),
        ("1 MB", 413),
        ("invalid JSON", 400),
        ("a list", 400),
        ("no update_id", 400),
        ("text update_id", 400),
    ],
)
async def test_malformed_requests_get_4xx(harness: Harness, case: str, status: int) -> None:
    if case == "form body":
        response = await harness.post(None, content_type="application/x-www-form-urlencoded", raw=b"update_id=1")
    elif case == "1 MB":
        response = await harness.post(message_update(text="a" * (1024 * 1024)))
    elif case == "invalid JSON":
        response = await harness.post(None, raw=b'{"update_id": 1, "message": ')
    elif case == "a list":
        response = await harness.post([1, 2, 3])
    elif case == "no update_id":
        response = await harness.post({"message": {"text": "hola"}})
    else:
        response = await harness.post({"update_id": "7", "message": {"text": "hola"}})
    assert response.status == status
    assert harness.rasa.received == []


@pytest.mark.parametrize(
    "update",
    [
        {"channel_post": {"message_id": 1, "date": 1, "chat": {"id": -1001, "type": "channel"}, "text": "x"}},
        {
            "my_chat_member": {
                "chat": chat(),
                "from": person(),
                "date": 1,
                "old_chat_member": {"status": "member", "user": person()},
                "new_chat_member": {"status": "kicked", "user": person(), "until_date": 0},
            }
        },
        {
            "poll": {
                "id": "1",
                "question": "?",
                "options": [],
                "total_voter_count": 0,
                "is_closed": False,
                "is_anonymous": True,
                "type": "regular",
                "allows_multiple_answers": False,
            }
        },
        {"message": "not an object"},
        {"message": {"message_id": 1}},
        {"some_future_update": {"x": 1}},
    ],
)
async def test_unknown_or_unreadable_updates_are_acknowledged_and_ignored(
    harness: Harness,
    update: dict[str, Any],
) -> None:
    response = await harness.post({"update_id": next(_update_ids), **update})
    assert response.status == 200
    assert harness.rasa.received == [] and harness.telegram.sent() == []


async def test_group_chats_are_ignored(harness: Harness) -> None:
    assert (await harness.post(message_update(chat_type="supergroup", text="hola"))).status == 200
    assert harness.rasa.received == []


async def test_a_replayed_update_is_answered_once(harness: Harness) -> None:
    update = message_update(text="hola")
    assert [(await harness.post(update)).status for _ in range(3)] == [200, 200, 200]
    assert harness.rasa.texts == ["hola"]
    assert len(harness.telegram.sent()) == 1


async def test_an_unconfigured_channel_refuses_requests_and_says_why(
    store: ContactStore, caplog: pytest.LogCaptureFixture
) -> None:
    caplog.set_level(logging.ERROR)
    channel = TelegramInput(TelegramConfig(token="123:abc", secret_token="has spaces!"), store=store)
    app = Sanic(f"telegram_{uuid.uuid4().hex[:12]}")
    app.blueprint(channel.blueprint(StubRasa()), url_prefix="/webhooks/telegram")
    _, response = await app.asgi_client.post(
        PATH,
        content=b"{}",
        headers={"content-type": "application/json", "X-Telegram-Bot-Api-Secret-Token": "has spaces!"},
    )
    assert response.status == 503
    assert "TELEGRAM_SECRET_TOKEN must be 1-256 characters" in caplog.text


# -- sending: retries, refusals, privacy ------------------------------------------------------------
async def test_network_errors_and_flood_control_are_retried(harness: Harness) -> None:
    harness.telegram.fail_next("sendMessage", times=1, status=502)
    harness.telegram.fail_next(
        "sendMessage", times=1, status=429, description="Too Many Requests: retry after 0", retry_after=0
    )
    await harness.post(message_update(text="hola"))
    assert len(harness.telegram.sent()) == 1


async def test_a_user_who_blocked_the_bot_is_logged_and_not_retried(
    harness: Harness, caplog: pytest.LogCaptureFixture
) -> None:
    caplog.set_level(logging.DEBUG)
    harness.telegram.fail_next("sendMessage", times=5, status=403, description="Forbidden: bot was blocked by the user")
    assert (await harness.post(message_update(text="hola"))).status == 200
    assert f"{personal_data.log_token(harness.sender_id)} has blocked the bot" in caplog.text
    assert harness.telegram.sent() == []
    assert len(harness.telegram._failures["sendMessage"]) == 4  # one try only
    for record in caplog.records:
        assert str(CHAT_ID) not in record.getMessage()
        assert harness.telegram.token not in record.getMessage()


async def test_the_help_desk_can_answer_later_and_not_after_the_data_is_deleted(
    harness: Harness, monkeypatch: pytest.MonkeyPatch
) -> None:
    from bot import contacts

    monkeypatch.setattr(contacts, "_default", None)
    contacts.set_shared_contact_store(harness.store)
    await harness.post(message_update(text="quiero hablar con una persona"))

    assert await outbox.send(None, harness.sender_id, ["Hola María, soy Ana del equipo."])
    assert harness.telegram.sent()[-1].text == "Hola María, soy Ana del equipo."
    assert harness.telegram.sent()[-1].chat_id == CHAT_ID

    await personal_data.run_erase_hooks(harness.sender_id)
    assert not await outbox.send("telegram", harness.sender_id, ["¿Sigues ahí?"])
    assert len(harness.telegram.sent()) == 2


async def test_concurrent_messages_are_all_answered(harness: Harness) -> None:
    updates = [message_update(text=f"mensaje {n}") for n in range(20)]
    headers = {"content-type": "application/json", "X-Telegram-Bot-Api-Secret-Token": SECRET}
    results = await asyncio.gather(
        *(harness.app.asgi_client.post(PATH, content=json.dumps(u), headers=headers) for u in updates)
    )
    await harness.channel.tasks.drain(timeout=10)
    assert [response.status for _, response in results] == [200] * 20
    assert sorted(harness.rasa.texts) == sorted(f"mensaje {n}" for n in range(20))
    assert len(harness.telegram.sent()) == 20


# -- set-webhook -------------------------------------------------------------------------------------
async def test_set_webhook_registers_the_url_the_secret_and_the_commands(telegram: FakeTelegram) -> None:
    env = {
        **os.environ,
        "PYTHONPATH": str(ROOT),
        "TELEGRAM_BOT_TOKEN": telegram.token,
        "TELEGRAM_SECRET_TOKEN": SECRET,
        "TELEGRAM_API_BASE_URL": telegram.url,
        "TELEGRAM_WEBHOOK_URL": "https://brujula.example.org/webhooks/telegram/webhook",
    }
    process = await asyncio.create_subprocess_exec(
        sys.executable,
        "-m",
        "bot.channels.telegram_setup",
        "set-webhook",
        env=env,
        cwd=str(ROOT),
        stdout=asyncio.subprocess.PIPE,
        stderr=asyncio.subprocess.PIPE,
    )
    stdout, stderr = await asyncio.wait_for(process.communicate(), timeout=60)

    assert process.returncode == 0, stderr.decode()
    assert telegram.token not in stdout.decode() + stderr.decode()
    [webhook] = telegram.sent("setWebhook")
    assert webhook.params["url"] == "https://brujula.example.org/webhooks/telegram/webhook"
    assert webhook.params["secret_token"] == SECRET
    assert webhook.params["allowed_updates"] == ["message", "edited_message", "callback_query"]
    commands = telegram.sent("setMyCommands")
    languages = {call.params.get("language_code") for call in commands}
    assert languages == {None, "es", "en", "pt", "fr", "ht"}
    kreyol = next(call for call in commands if call.params.get("language_code") == "ht")
    assert {"command": "language", "description": "Chanje lang"} in kreyol.params["commands"]


def test_set_webhook_without_configuration_explains_what_is_missing(
    capsys: pytest.CaptureFixture[str], monkeypatch: pytest.MonkeyPatch
) -> None:
    from bot.channels.telegram_setup import main

    for name in ("TELEGRAM_BOT_TOKEN", "TELEGRAM_SECRET_TOKEN", "TELEGRAM_WEBHOOK_URL"):
        monkeypatch.delenv(name, raising=False)
    assert main(["set-webhook"]) == 2
    assert "TELEGRAM_BOT_TOKEN is not set" in capsys.readouterr().err


async def test_a_forwarded_message_is_marked_for_the_offer_check(harness: Harness) -> None:
    origin = {"type": "hidden_user", "sender_user_name": "Agencia", "date": 1_759_000_000}
    await harness.post(message_update(text="Trabajo en Chile, paga 200 dolares antes", forward_origin=origin))

    [received] = harness.rasa.received
    assert received.metadata.get("forwarded") is True


async def test_the_first_place_also_arrives_as_a_map_pin(telegram: FakeTelegram, store: ContactStore) -> None:
    def places_turn(message: UserMessage) -> list[dict[str, Any]]:
        return [
            {
                "text": "📍 Los lugares más cercanos a tu ubicación:\n\n1. Casa Ejemplo · Tapachula",
                "custom": {"location": {"lat": 14.9061, "lon": -92.266, "label": "Casa Ejemplo"}},
            }
        ]

    harness = Harness(telegram, store, StubRasa(places_turn))
    await harness.post(message_update(location={"latitude": 14.9057, "longitude": -92.2634}))

    [listing] = telegram.sent("sendMessage")
    assert listing.params["text"].startswith("📍 Los lugares más cercanos a tu ubicación:")
    [pin] = telegram.sent("sendLocation")
    assert (float(pin.params["latitude"]), float(pin.params["longitude"])) == (14.9061, -92.266)
