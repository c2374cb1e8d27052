"""How often a channel reads the conversation from the tracker store per incoming message (Rasa's own reads aside).

Each read is a database round trip on every message; the channels share one read made by
:func:`bot.channels.delivery.deliver` instead of each asking again.
"""

from __future__ import annotations

import uuid
from pathlib import Path
from typing import Any

import pytest
from cryptography.fernet import Fernet, MultiFernet
from rasa.core.channels.channel import UserMessage
from sanic import Sanic
from sanic_testing.testing import SanicASGITestClient

from bot.channels.rest import RestInput
from bot.channels.webchat import WebChatInput
from bot.channels.whatsapp import Inbound, WhatsAppConfig, WhatsAppInput
from bot.contacts import ContactStore
from tests.fakes import FakeTwilio
from tests.handoff_fakes import ScriptedAgent, make_app, make_store


class CountingAgent(ScriptedAgent):
    """A scripted agent that counts the tracker reads made by anyone but itself (the channel's reads)."""

    def __init__(self, tmp_path: Path) -> None:
        super().__init__(make_store(tmp_path / "trackers.db"))
        self.channel_reads = 0
        self._inside = False
        retrieve = self.tracker_store.retrieve

        async def counting_retrieve(sender_id: str) -> Any:
            if not self._inside:
                self.channel_reads += 1
            return await retrieve(sender_id)

        self.tracker_store.retrieve = counting_retrieve  # type: ignore[method-assign]

    async def handle_message(self, message: UserMessage) -> None:
        self._inside = True
        try:
            await super().handle_message(message)
        finally:
            self._inside = False

    async def log_message(self, message: UserMessage) -> Any:
        self._inside = True
        try:
            return await super().log_message(message)
        finally:
            self._inside = False


@pytest.fixture(autouse=True)
def env(monkeypatch: pytest.MonkeyPatch, tmp_path: Path) -> None:
    monkeypatch.setenv("BRUJULA_ID_KEY", "test-id-key")
    monkeypatch.setenv("BRUJULA_STATE_DIR", str(tmp_path / "state"))
    monkeypatch.setenv("BRUJULA_DESK_CONFIG", str(tmp_path / "none.yml"))


async def test_rest_reads_the_conversation_once_per_message(tmp_path: Path) -> None:
    agent = CountingAgent(tmp_path)
    client = SanicASGITestClient(make_app(agent, RestInput()))
    for text in ("hola", "quiero hablar con una persona", "/greet"):
        before = agent.channel_reads
        _, response = await client.post("/webhooks/rest/webhook", json={"sender": "reader", "message": text})
        assert response.status == 200 and response.json
        assert agent.channel_reads - before == 1, text


@pytest.mark.parametrize("media", [(), ("image/jpeg",)], ids=["text", "photo"])
async def test_whatsapp_reads_the_conversation_once_per_message(tmp_path: Path, media: tuple[str, ...]) -> None:
    agent = CountingAgent(tmp_path)
    async with FakeTwilio() as twilio:
        store = ContactStore(f"sqlite:///{tmp_path / 'contacts.db'}", MultiFernet([Fernet(Fernet.generate_key())]))
        channel = WhatsAppInput(
            WhatsAppConfig(
                account_sid=twilio.account_sid,
                auth_token=twilio.auth_token,
                whatsapp_from="whatsapp:+14155238886",
                webhook_url="https://brujula.example.org/webhooks/whatsapp/webhook",
                api_base_url=twilio.url,
            ),
            store=store,
            retry_delays=(0.01,),
        )
        app = Sanic(f"reads_{uuid.uuid4().hex[:12]}")
        app.blueprint(channel.blueprint(agent), url_prefix="/webhooks/whatsapp")
        for text in ("hola", "persona"):
            before = agent.channel_reads
            inbound = Inbound(
                "whatsapp-reader",
                "whatsapp:+573001234567",
                f"SM{uuid.uuid4().hex}",
                text="" if media else text,
                media=media,
            )
            await channel.answer(inbound, agent, agent)
            assert agent.channel_reads - before == 1
        assert twilio.messages
        await channel.close_sender()


async def test_the_web_chat_reads_the_conversation_once_per_message_and_still_reports_the_new_state(
    tmp_path: Path,
) -> None:
    agent = CountingAgent(tmp_path)
    client = SanicASGITestClient(make_app(agent, WebChatInput()))
    headers = {"X-Chat-Token": "r" * 48}
    _, first = await client.post("/chat/api/messages", json={"text": "/greet", "language": "es"}, headers=headers)
    assert agent.channel_reads == 1 and first.json["handoff"] is None
    _, second = await client.post("/chat/api/messages", json={"text": "/request_human"}, headers=headers)
    assert agent.channel_reads == 2
    assert second.json["handoff"] == "requested"  # the state after this very answer, without a second read
