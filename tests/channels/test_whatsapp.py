"""The WhatsApp channel, driven through Sanic's test client with requests signed by twilio's own validator.

Replies go to a fake Twilio REST API on 127.0.0.1; the tests assert exactly what would be sent.
"""

from __future__ import annotations

import asyncio
import logging
import time
import uuid
from collections.abc import AsyncIterator
from typing import Any

import pytest
from cryptography.fernet import Fernet, MultiFernet
from rasa.core.channels.channel import UserMessage
from rasa.core.lock_store import InMemoryLockStore
from sanic import Sanic
from twilio.request_validator import RequestValidator

from bot import content, personal_data
from bot.channels.rendering import WHATSAPP_LIMIT, split_text, text_length
from bot.channels.whatsapp import FREE_TEXT_SECONDS, WhatsAppConfig, WhatsAppInput
from bot.contacts import ContactStore
from bot.handoff import outbox
from tests.fakes import FakeTwilio, StubRasa
from tests.fakes.rasa import intro_and_menu
from tests.fakes.twilio import OUR_WHATSAPP_NUMBER, incoming_text

PUBLIC_URL = "https://brujula.example.org/webhooks/whatsapp/webhook"
PATH = "/webhooks/whatsapp/webhook"
NUMBER = "+573001234567"
FROM_US = OUR_WHATSAPP_NUMBER


@pytest.fixture(autouse=True)
def _keys(monkeypatch: pytest.MonkeyPatch, tmp_path: Any) -> None:
    monkeypatch.setenv("BRUJULA_ID_KEY", "test-id-key")
    monkeypatch.setenv("BRUJULA_STATE_DIR", str(tmp_path / "state"))


@pytest.fixture
async def twilio() -> AsyncIterator[FakeTwilio]:
    async with FakeTwilio() as fake:
        yield fake


@pytest.fixture
def store(tmp_path: Any) -> ContactStore:
    return ContactStore(f"sqlite:///{tmp_path / 'contacts.db'}", MultiFernet([Fernet(Fernet.generate_key())]))


class Harness:
    """A Sanic app with the WhatsApp channel, a stub Rasa and the fake Twilio."""

    def __init__(self, twilio: FakeTwilio, store: ContactStore, rasa: StubRasa, **config: Any) -> None:
        settings: dict[str, Any] = dict(
            account_sid=twilio.account_sid,
            auth_token=twilio.auth_token,
            whatsapp_from=FROM_US,
            webhook_url=PUBLIC_URL,
            api_base_url=twilio.url,
            template_content_sid="HX" + "a" * 32,
        )
        settings.update(config)
        self.twilio, self.store, self.rasa = twilio, store, rasa
        self.channel = WhatsAppInput(WhatsAppConfig(**settings), store=store, retry_delays=(0.01, 0.02))
        self.app = Sanic(f"whatsapp_{uuid.uuid4().hex[:12]}")
        self.app.blueprint(self.channel.blueprint(rasa), url_prefix="/webhooks/whatsapp")

    @staticmethod
    def message(body: str = "hola", sid: str | None = None, **extra: str) -> dict[str, str]:
        return incoming_text(body, NUMBER, "AC" + "0" * 32, sid=sid, **extra)

    async def post(
        self, params: dict[str, str], signature: str | None = "sign", url: str = PUBLIC_URL, **kwargs: Any
    ) -> Any:
        headers = dict(kwargs.pop("headers", {}))
        if signature == "sign":
            signature = RequestValidator(self.twilio.auth_token).compute_signature(url, params)
        if signature is not None:
            headers["X-Twilio-Signature"] = signature
        _, response = await self.app.asgi_client.post(PATH, data=params, headers=headers, **kwargs)
        await self.channel.tasks.drain(timeout=10)
        return response

    @property
    def sender_id(self) -> str:
        return personal_data.pseudonymize("whatsapp", NUMBER)


@pytest.fixture
def harness(twilio: FakeTwilio, store: ContactStore) -> Harness:
    return Harness(twilio, store, StubRasa(intro_and_menu))


# -- what a user notices ---------------------------------------------------------------------------
async def test_text_reaches_rasa_exactly_and_the_reply_goes_out_through_the_twilio_api(harness: Harness) -> None:
    text = "¡Hola! ¿Dónde hay un albergue en Bogotá? 🙏🏽"
    response = await harness.post(harness.message(text))

    assert response.status == 200
    assert response.headers["content-type"].startswith("text/xml")
    assert "<Response>" in response.text
    [received] = harness.rasa.received
    assert received.text == text  # "¡" stays "¡", accents and emoji untouched
    assert received.input_channel == "whatsapp"
    assert received.sender_id == harness.sender_id and NUMBER[1:] not in received.sender_id
    [sent] = harness.twilio.messages
    assert sent.to == f"whatsapp:{NUMBER}"
    assert sent.params["From"] == FROM_US
    assert sent.body == (
        "Hola, soy Brújula 🧭.\n\n¿Qué necesitas? Escribe un número:\n"
        "1 · Antes de salir\n2 · En el camino\n3 · Donde vivo ahora"
    )


async def test_buttons_become_a_numbered_list_in_one_message_per_turn(twilio: FakeTwilio, store: ContactStore) -> None:
    def fallback_turn(message: UserMessage) -> list[dict[str, Any]]:
        return [
            {
                "text": "Perdón, no entendí.",
                "buttons": [{"title": "Hablar con una persona", "payload": "/request_human"}],
            },
            {
                "text": "¿Quieres que borre tus datos? Responde sí o no.",
                "buttons": [{"title": "✔", "payload": "/affirm"}, {"title": "✘", "payload": "/deny"}],
            },
            {"text": "Elige:", "buttons": [{"title": "Volver", "payload": "0"}]},
        ]

    harness = Harness(twilio, store, StubRasa(fallback_turn))
    await harness.post(harness.message("asdf"))

    [sent] = twilio.messages
    assert sent.body == (
        "Perdón, no entendí.\n• Hablar con una persona\n\n"
        "¿Quieres que borre tus datos? Responde sí o no.\n\n"
        "Elige:\n0 · Volver"
    )


async def test_a_reply_over_1600_characters_is_split_at_paragraphs_in_order(
    twilio: FakeTwilio,
    store: ContactStore,
) -> None:
    paragraphs = [f"Párrafo {n}: " + "información útil sobre tus derechos. " * 18 for n in range(1, 6)]
    harness = Harness(twilio, store, StubRasa(lambda m: [{"text": "\n\n".join(paragraphs)}]))
    await harness.post(harness.message("derechos"))

    bodies = [m.body for m in twilio.messages]
    assert len(bodies) == 3
    assert all(text_length(body) <= WHATSAPP_LIMIT for body in bodies)
    assert "\n\n".join(bodies) == "\n\n".join(p.strip() for p in paragraphs)  # nothing lost, nothing reordered
    assert all(body.startswith("Párrafo") for body in bodies)  # every message starts with a paragraph


async def test_a_shared_location_asks_for_the_nearest_places(harness: Harness) -> None:
    await harness.post(harness.message("", Latitude="4.6097100", Longitude="-74.0817500", Address="Calle 26, Bogotá"))

    assert harness.rasa.texts == ['/share_location{"lat": 4.61, "lon": -74.082}']
    assert len(harness.twilio.messages) == 1


@pytest.mark.parametrize("media", ["audio/ogg", "image/jpeg", "image/webp"])
async def test_a_voice_note_or_photo_without_text_gets_the_text_only_reply_and_the_menu(
    harness: Harness,
    media: str,
) -> None:
    await harness.post(
        harness.message("", NumMedia="1", MediaContentType0=media, MediaUrl0="https://api.twilio.com/media/ME1")
    )

    expected = content.current().text("media_not_supported", "es")
    assert harness.rasa.texts == ["/main_menu"]  # Rasa shows the menu, so its menu state matches
    assert harness.rasa.received[0].metadata == {"media": [media]}
    [sent] = harness.twilio.messages
    assert sent.body.startswith(expected + "\n\n")
    assert "1 · Antes de salir" in sent.body


async def test_a_photo_with_a_caption_is_answered_from_the_caption(harness: Harness) -> None:
    await harness.post(harness.message("¿sirve este documento?", NumMedia="1", MediaContentType0="image/jpeg"))
    assert harness.rasa.texts == ["¿sirve este documento?"]


async def test_a_template_quick_reply_button_sends_its_payload(harness: Harness) -> None:
    await harness.post(harness.message("Sí, quiero", ButtonText="Sí, quiero", ButtonPayload="/affirm"))
    assert harness.rasa.texts == ["/affirm"]


# -- authentication and bad input -------------------------------------------------------------------
@pytest.mark.parametrize("case", ["missing", "other token", "other url", "tampered"])
async def test_a_forged_or_missing_signature_gets_403_and_nothing_is_processed(harness: Harness, case: str) -> None:
    params = harness.message("hola")
    if case == "missing":
        response = await harness.post(params, signature=None)
    elif case == "other token":
        response = await harness.post(params, signature=RequestValidator("guess").compute_signature(PUBLIC_URL, params))
    elif case == "other url":
        response = await harness.post(params, url="https://attacker.example/webhooks/whatsapp/webhook")
    else:
        signature = RequestValidator(harness.twilio.auth_token).compute_signature(PUBLIC_URL, params)
        response = await harness.post({**params, "Body": "borrar mis datos"}, signature=signature)

    assert response.status == 403
    assert harness.rasa.received == []
    assert harness.twilio.attempts == 0


async def test_the_signature_covers_the_query_string_twilio_was_given(harness: Harness) -> None:
    params = harness.message("hola")
    signature = RequestValidator(harness.twilio.auth_token).compute_signature(PUBLIC_URL + "?ngo=acnur", params)
    _, response = await harness.app.asgi_client.post(
        PATH + "?ngo=acnur", data=params, headers={"X-Twilio-Signature": signature}
    )
    await harness.channel.tasks.drain()
    assert response.status == 200 and harness.rasa.texts == ["hola"]


async def test_wrong_content_type_oversized_body_and_missing_fields_get_4xx(harness: Harness) -> None:
    _, as_json = await harness.app.asgi_client.post(
        PATH, json=harness.message("hola"), headers={"X-Twilio-Signature": "x"}
    )
    assert as_json.status == 415

    huge = harness.message("a" * (1024 * 1024))
    assert (await harness.post(huge)).status == 413

    without_from = {k: v for k, v in harness.message("hola").items() if k != "From"}
    assert (await harness.post(without_from)).status == 400
    without_sid = {k: v for k, v in harness.message("hola").items() if k not in ("MessageSid", "SmsMessageSid")}
    assert (await harness.post(without_sid)).status == 400
    _, garbage = await harness.app.asgi_client.post(
        PATH,
        content=b"\xff\xfe%%%&&&=",
        headers={"content-type": "application/x-www-form-urlencoded", "X-Twilio-Signature": "x"},
    )
    assert garbage.status == 400

    assert harness.rasa.received == [] and harness.twilio.attempts == 0


async def test_a_replayed_request_is_acknowledged_but_answered_once(harness: Harness) -> None:
    params = harness.message("hola", sid="SM" + "1" * 32)
    first, second = await harness.post(params), await harness.post(params)
    assert (first.status, second.status) == (200, 200)
    assert harness.rasa.texts == ["hola"]
    assert len(harness.twilio.messages) == 1


async def test_a_delivery_status_callback_is_acknowledged_and_ignored(harness: Harness) -> None:
    status = {
        "MessageSid": "SM" + "2" * 32,
        "MessageStatus": "delivered",
        "To": f"whatsapp:{NUMBER}",
        "From": FROM_US,
        "AccountSid": harness.twilio.account_sid,
    }
    assert (await harness.post(status)).status == 200
    assert harness.rasa.received == []


async def test_an_unconfigured_channel_refuses_requests_and_says_why(
    caplog: pytest.LogCaptureFixture, store: ContactStore
) -> None:
    caplog.set_level(logging.ERROR)
    channel = WhatsAppInput(WhatsAppConfig(), store=store)
    app = Sanic(f"whatsapp_{uuid.uuid4().hex[:12]}")
    app.blueprint(channel.blueprint(StubRasa()), url_prefix="/webhooks/whatsapp")

    _, response = await app.asgi_client.post(PATH, data=Harness.message("hola"))
    _, health = await app.asgi_client.get("/webhooks/whatsapp/")

    assert response.status == 503 and health.status == 503
    assert "TWILIO_AUTH_TOKEN is not set" in caplog.text
    assert "TWILIO_WEBHOOK_URL is not set" in caplog.text


# -- sending: retries, failures, the event loop -----------------------------------------------------
async def test_transient_twilio_errors_are_retried(harness: Harness) -> None:
    harness.twilio.fail_next(times=2, status=503)
    await harness.post(harness.message("hola"))
    assert harness.twilio.attempts == 3
    assert len(harness.twilio.messages) == 1


async def test_a_refused_message_is_logged_without_the_number_and_the_bot_keeps_working(
    harness: Harness, caplog: pytest.LogCaptureFixture
) -> None:
    caplog.set_level(logging.DEBUG)
    harness.twilio.fail_next(times=1, status=400, code=63016)
    refused = await harness.post(harness.message("hola"))
    assert refused.status == 200
    assert harness.twilio.attempts == 1  # a 400 is final: no retry
    assert "Twilio error 63016" in caplog.text and "24-hour window" in caplog.text
    # the log names the conversation by its daily token, never by the stable sender id (erase completeness)
    assert personal_data.log_token(harness.sender_id) in caplog.text and harness.sender_id not in caplog.text

    await harness.post(harness.message("hola otra vez"))
    assert len(harness.twilio.messages) == 1
    for record in caplog.records:
        assert NUMBER[1:] not in record.getMessage()


async def test_twilio_unreachable_is_logged_not_raised(store: ContactStore, caplog: pytest.LogCaptureFixture) -> None:
    caplog.set_level(logging.ERROR)
    async with FakeTwilio() as twilio:
        harness = Harness(twilio, store, StubRasa())
    # the fake has stopped: connections are refused
    response = await harness.post(harness.message("hola"))
    assert response.status == 200
    assert "could not be sent: ClientConnectorError" in caplog.text


async def test_sending_does_not_block_the_event_loop(harness: Harness) -> None:
    harness.twilio.delay = 0.3
    ticks = 0

    async def ticker() -> None:
        nonlocal ticks
        while True:
            await asyncio.sleep(0.01)
            ticks += 1

    task = asyncio.ensure_future(ticker())
    started = time.monotonic()
    await harness.post(harness.message("hola"))
    elapsed = time.monotonic() - started
    task.cancel()
    assert elapsed >= 0.3 and len(harness.twilio.messages) == 1
    assert ticks >= 15  # the loop kept running other work while Twilio was slow


# -- privacy and proactive messages ----------------------------------------------------------------
async def test_the_number_is_stored_only_encrypted(harness: Harness, tmp_path: Any) -> None:
    await harness.post(harness.message("hola"))
    contact = await harness.store.lookup(harness.sender_id)
    assert contact is not None and contact.address == f"whatsapp:{NUMBER}"
    raw = (tmp_path / "contacts.db").read_bytes()
    assert NUMBER[1:].encode() not in raw and NUMBER[1:].encode("utf-16-le") not in raw


async def test_the_help_desk_can_answer_within_the_24_hour_window(harness: Harness) -> None:
    await harness.post(harness.message("necesito hablar con una persona"))
    delivered = await outbox.send("whatsapp", harness.sender_id, ["Hola, soy Ana, del equipo de Brújula."])
    assert delivered
    assert harness.twilio.messages[-1].body == "Hola, soy Ana, del equipo de Brújula."
    assert harness.twilio.messages[-1].to == f"whatsapp:{NUMBER}"


async def test_after_24_hours_only_the_template_goes_out_and_the_reply_waits_for_the_person(harness: Harness) -> None:
    yesterday = time.time() - FREE_TEXT_SECONDS - 3600
    await harness.store.touch(harness.sender_id, "whatsapp", f"whatsapp:{NUMBER}", now=yesterday)

    assert await outbox.send("whatsapp", harness.sender_id, ["Te conseguimos una cita el lunes."])
    assert await outbox.send("whatsapp", harness.sender_id, ["Lleva tu pasaporte."])
    [template] = harness.twilio.messages  # one template, not one per reply
    assert template.params["ContentSid"] == "HX" + "a" * 32 and "Body" not in template.params

    await harness.post(harness.message("hola, ¿qué pasó?"))
    waiting, answer = harness.twilio.messages[1:]
    assert waiting.body == "Te conseguimos una cita el lunes.\n\nLleva tu pasaporte."
    assert answer.body.startswith("Hola, soy Brújula")
    assert (await harness.store.lookup(harness.sender_id)).waiting == 0  # type: ignore[union-attr]


async def test_after_24_hours_without_a_template_nothing_is_sent(
    twilio: FakeTwilio, store: ContactStore, caplog: pytest.LogCaptureFixture
) -> None:
    harness = Harness(twilio, store, StubRasa(), template_content_sid="")
    await store.touch(harness.sender_id, "whatsapp", f"whatsapp:{NUMBER}", now=time.time() - 2 * 86400)
    assert not await harness.channel.send_proactive(harness.sender_id, ["¿Sigues ahí?"])
    assert twilio.attempts == 0
    assert "TWILIO_TEMPLATE_CONTENT_SID is not set" in caplog.text


async def test_a_per_language_template_is_chosen_when_configured(twilio: FakeTwilio, store: ContactStore) -> None:
    harness = Harness(twilio, store, StubRasa(), templates={"ht": "HX" + "b" * 32})
    await store.touch(harness.sender_id, "whatsapp", f"whatsapp:{NUMBER}", now=time.time() - 2 * 86400)
    assert await harness.channel.send_proactive(harness.sender_id, ["Bonjou"], language="ht")
    assert twilio.messages[0].params["ContentSid"] == "HX" + "b" * 32


async def test_nobody_can_be_reached_after_deleting_their_data(
    harness: Harness,
    monkeypatch: pytest.MonkeyPatch,
) -> None:
    from bot import contacts

    monkeypatch.setattr(contacts, "_default", None)
    contacts.set_shared_contact_store(harness.store)
    await harness.post(harness.message("hola"))
    assert await harness.store.lookup(harness.sender_id) is not None

    await personal_data.run_erase_hooks(harness.sender_id)  # what the tracker store runs on "delete my data"

    assert await harness.store.lookup(harness.sender_id) is None
    assert not await outbox.send("whatsapp", harness.sender_id, ["¿Sigues ahí?"])


# -- splitting ---------------------------------------------------------------------------------------
def test_splitting_prefers_paragraphs_then_sentences_and_never_loses_text() -> None:
    sentence = "¿Dónde puedo dormir esta noche? Hay albergues gratuitos cerca de la terminal. "
    text = "Primero.\n\n" + sentence * 40
    chunks = split_text(text, WHATSAPP_LIMIT)
    assert chunks[0] == "Primero."
    assert all(text_length(c) <= WHATSAPP_LIMIT for c in chunks)
    assert all(c.endswith((".", "?")) for c in chunks)  # cut between sentences, not inside one
    assert " ".join(" ".join(chunks[1:]).split()) == " ".join((sentence * 40).split())


def test_a_single_endless_word_is_cut_hard_and_emoji_are_counted_as_whatsapp_does() -> None:
    assert split_text("x" * 3500, WHATSAPP_LIMIT) == ["x" * 1600, "x" * 1600, "x" * 300]
    emoji = "🧭" * 1000  # 2,000 UTF-16 units
    chunks = split_text(emoji, WHATSAPP_LIMIT)
    assert [len(c) for c in chunks] == [800, 200] and "".join(chunks) == emoji


async def test_the_person_is_answered_even_when_the_contact_store_is_down(
    harness: Harness, monkeypatch: pytest.MonkeyPatch, caplog: pytest.LogCaptureFixture
) -> None:
    async def down(*args: Any, **kwargs: Any) -> list[str]:
        raise ConnectionError("database unreachable")

    monkeypatch.setattr(harness.store, "touch", down)
    await harness.post(harness.message("hola"))
    assert len(harness.twilio.messages) == 1
    assert "contact store unavailable" in caplog.text


class AgentWithPersonAtTheDesk:
    """The two things channels use from Rasa's agent, for a conversation a person holds (in Kreyòl)."""

    def __init__(self) -> None:
        self.tracker_store = self
        self.lock_store = InMemoryLockStore()
        self.logged: list[UserMessage] = []

    async def retrieve(self, sender_id: str) -> Any:
        slots = {"handoff": "active", "language": "ht"}
        return type("Tracker", (), {"get_slot": staticmethod(lambda name: slots.get(name))})()

    async def log_message(self, message: UserMessage) -> None:
        self.logged.append(message)


async def test_while_a_person_holds_the_conversation_media_is_explained_and_passed_on_without_a_menu(
    harness: Harness,
) -> None:
    agent = AgentWithPersonAtTheDesk()
    harness.app.ctx.agent = agent

    await harness.post(harness.message("", NumMedia="1", MediaContentType0="audio/ogg"))
    await harness.post(harness.message("mwen la toujou"))

    assert harness.rasa.received == []  # the bot stays quiet: the person at the desk answers
    [sent] = harness.twilio.messages
    assert sent.body == content.current().text("media_not_supported", "ht")  # no menu
    # passed on: recorded in the conversation, which is what the desk console shows
    assert [(m.text, m.metadata) for m in agent.logged] == [("", {"media": ["audio/ogg"]}), ("mwen la toujou", {})]


async def test_a_forwarded_message_is_marked_for_the_offer_check(harness: Harness) -> None:
    await harness.post(harness.message("Trabajo en Chile, paga 200 dolares antes", Forwarded="true"))
    await harness.post(harness.message("hola"))

    first, second = harness.rasa.received
    assert first.metadata == {"forwarded": True}
    assert second.metadata == {}


async def test_the_first_place_also_arrives_as_a_location_message(twilio: FakeTwilio, store: ContactStore) -> None:
    def places_turn(message: UserMessage) -> list[dict[str, Any]]:
        return [
            {
                "text": "📍 Los lugares más cercanos a tu ubicación:\n\n1. Casa Ejemplo · Tapachula",
                "custom": {"location": {"lat": 14.9061, "lon": -92.266, "label": "Casa Ejemplo"}},
            }
        ]

    harness = Harness(twilio, store, StubRasa(places_turn))
    await harness.post(harness.message("", Latitude="14.9057", Longitude="-92.2634"))

    listing, pin = twilio.messages
    assert listing.body.startswith("📍 Los lugares más cercanos a tu ubicación:")
    assert pin.params["PersistentAction"] == "geo:14.9061,-92.266|Casa Ejemplo"
    assert pin.body == "Casa Ejemplo"
