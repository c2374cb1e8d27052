"""A hand-off with a WhatsApp user, end to end: webhook -> queue -> desk -> fake Twilio API on 127.0.0.1."""

from __future__ import annotations

import re
import time
from collections.abc import AsyncIterator, Mapping
from pathlib import Path
from typing import Any

import pytest
from cryptography.fernet import Fernet, MultiFernet
from sanic_testing.testing import SanicASGITestClient
from twilio.request_validator import RequestValidator

from bot import desk_settings, personal_data
from bot.channels.whatsapp import FREE_TEXT_SECONDS, WhatsAppConfig, WhatsAppInput
from bot.contacts import ContactStore
from bot.handoff.desk import DeskInput
from bot.handoff.storage import DeskStorage
from tests.fakes import FakeTwilio
from tests.fakes.twilio import OUR_WHATSAPP_NUMBER, incoming_text
from tests.handoff_fakes import ScriptedAgent, csrf_token, make_app, make_store

PUBLIC_URL = "https://brujula.example.org/webhooks/whatsapp/webhook"
NUMBER = "+50937001234"
FROM_US = OUR_WHATSAPP_NUMBER
PASSWORD = "correct horse battery"


@pytest.fixture(autouse=True)
def env(monkeypatch: pytest.MonkeyPatch, tmp_path: Path) -> None:
    monkeypatch.setenv("BRUJULA_ID_KEY", "test-id-key")
    monkeypatch.setenv("BRUJULA_STATE_DIR", str(tmp_path / "state"))
    config = tmp_path / "desk.yml"
    config.write_text("followup_check_seconds: 0\n", encoding="utf-8")
    monkeypatch.setenv("BRUJULA_DESK_CONFIG", str(config))
    staff = tmp_path / "staff.yml"
    monkeypatch.setenv("BRUJULA_DESK_STAFF_FILE", str(staff))
    desk_settings.save_staff_member(
        desk_settings.StaffMember(
            username="ana", name="Ana", password_hash=desk_settings.hash_password(PASSWORD, rounds=4)
        ),
        staff,
    )


@pytest.fixture
async def twilio() -> AsyncIterator[FakeTwilio]:
    async with FakeTwilio() as fake:
        yield fake


class WhatsAppDesk:
    def __init__(self, twilio: FakeTwilio, tmp_path: Path, templates: Mapping[str, str] | None = None) -> None:
        self.twilio = twilio
        self.agent = ScriptedAgent(make_store(tmp_path / "trackers.db"))
        store = ContactStore(f"sqlite:///{tmp_path / 'contacts.db'}", MultiFernet([Fernet(Fernet.generate_key())]))
        self.whatsapp = WhatsAppInput(
            WhatsAppConfig(
                account_sid=twilio.account_sid,
                auth_token=twilio.auth_token,
                whatsapp_from=FROM_US,
                webhook_url=PUBLIC_URL,
                api_base_url=twilio.url,
                template_content_sid="HX" + "b" * 32,
                templates=dict(templates or {}),
            ),
            store=store,
            retry_delays=(0.01,),
        )
        self.contacts = store
        self.desk = DeskInput(storage=DeskStorage(f"sqlite:///{tmp_path / 'desk.db'}"))
        self.client = SanicASGITestClient(make_app(self.agent, self.whatsapp, self.desk))
        self.csrf = ""

    async def migrant_writes(self, body: str) -> None:
        params = incoming_text(body, NUMBER, self.twilio.account_sid, profile_name="Jean")
        signature = RequestValidator(self.twilio.auth_token).compute_signature(PUBLIC_URL, params)
        _, response = await self.client.post(
            "/webhooks/whatsapp/webhook", data=params, headers={"X-Twilio-Signature": signature}
        )
        assert response.status == 200
        await self.whatsapp.tasks.drain(timeout=10)

    async def staff_signs_in(self) -> None:
        _, page = await self.client.get("/desk/login")
        token = csrf_token(page.text)
        await self.client.post("/desk/login", data={"username": "ana", "password": PASSWORD, "csrf_token": token})
        _, console = await self.client.get("/desk")
        meta = re.search(r'<meta name="csrf-token" content="([^"]+)"', console.text)
        assert meta is not None
        self.csrf = meta.group(1)

    async def act(self, ref: str, action: str, body: dict[str, Any] | None = None) -> Any:
        _, response = await self.client.post(
            f"/desk/api/conversations/{ref}/{action}", json=body or {}, headers={"X-CSRF-Token": self.csrf}
        )
        return response

    def sent_bodies(self) -> list:
        return [m.body for m in self.twilio.messages if m.to == f"whatsapp:{NUMBER}"]


async def test_a_whatsapp_user_gets_the_staff_reply_on_whatsapp_and_the_bot_after_hand_back(
    twilio: FakeTwilio, tmp_path: Path
) -> None:
    world = WhatsAppDesk(twilio, tmp_path)
    await world.migrant_writes("Bonjou")
    await world.migrant_writes("mwen vle pale ak yon moun")
    assert any("Mwen note ou vle pale ak yon moun" in body for body in world.sent_bodies())

    await world.staff_signs_in()
    _, queue = await world.client.get("/desk/api/queue")
    [entry] = queue.json["conversations"]
    assert entry["channel"] == "whatsapp" and entry["language"] == "ht"
    assert NUMBER[1:] not in queue.text and personal_data.pseudonymize("whatsapp", NUMBER) not in queue.text

    before = len(world.twilio.messages)
    taken = await world.act(entry["ref"], "take")
    assert taken.json["delivery"] == {"status": "sent", "channel": "whatsapp", "ok": True}
    reply = await world.act(entry["ref"], "reply", {"text": "Bonjou Jean, se Ana. Ki kote ou ye kounye a?"})
    assert reply.json["delivery"]["status"] == "sent"
    new = world.sent_bodies()[-2:]
    assert len(world.twilio.messages) == before + 2
    assert new[0].startswith("Ana, nan ekip resepsyon an, antre nan konvèsasyon an.")
    assert new[1] == "Bonjou Jean, se Ana. Ki kote ou ye kounye a?"

    handled = len(world.agent.handled)
    await world.migrant_writes("Mwen nan Tapachula")
    assert len(world.agent.handled) == handled and len(world.twilio.messages) == before + 2  # bot silent
    _, conversation = await world.client.get(f"/desk/api/conversations/{entry['ref']}")
    assert conversation.json["history"][-1]["text"] == "Mwen nan Tapachula"

    back = await world.act(entry["ref"], "handback")
    assert back.json["delivery"]["status"] == "sent"
    assert world.sent_bodies()[-1].startswith("Ana soti nan konvèsasyon an.")
    await world.migrant_writes("Mèsi")
    assert world.agent.handled[-1] == "Mèsi"  # the bot answers again
    assert len(world.twilio.messages) > before + 3


async def test_outside_the_24_hour_window_the_desk_reply_waits_behind_the_approved_template(
    twilio: FakeTwilio, tmp_path: Path
) -> None:
    world = WhatsAppDesk(twilio, tmp_path)
    await world.migrant_writes("mwen vle pale ak yon moun")
    sender_id = personal_data.pseudonymize("whatsapp", NUMBER)
    world.contacts._written.clear()  # forget the write cache: the person last wrote 24 hours ago
    await world.contacts.touch(sender_id, "whatsapp", f"whatsapp:{NUMBER}", now=time.time() - FREE_TEXT_SECONDS - 60)
    await world.staff_signs_in()
    _, queue = await world.client.get("/desk/api/queue")
    ref = queue.json["conversations"][0]["ref"]
    before = len(world.twilio.messages)
    assert (await world.act(ref, "take")).json["delivery"]["ok"]
    [template] = world.twilio.messages[before:]
    assert template.params["ContentSid"] == "HX" + "b" * 32 and "Body" not in template.params


async def test_a_kreyol_conversation_answered_outside_the_window_gets_the_kreyol_template(
    twilio: FakeTwilio, tmp_path: Path
) -> None:
    world = WhatsAppDesk(twilio, tmp_path, templates={"ht": "HX" + "7" * 32, "fr": "HX" + "f" * 32})
    await world.migrant_writes("mwen vle pale ak yon moun")
    sender_id = personal_data.pseudonymize("whatsapp", NUMBER)
    world.contacts._written.clear()  # forget the write cache: the person last wrote 24 hours ago
    await world.contacts.touch(sender_id, "whatsapp", f"whatsapp:{NUMBER}", now=time.time() - FREE_TEXT_SECONDS - 60)
    await world.staff_signs_in()
    _, queue = await world.client.get("/desk/api/queue")
    [entry] = queue.json["conversations"]
    assert entry["language"] == "ht"
    before = len(world.twilio.messages)
    assert (await world.act(entry["ref"], "take")).json["delivery"]["ok"]
    [template] = world.twilio.messages[before:]
    assert template.params["ContentSid"] == "HX" + "7" * 32 and "Body" not in template.params

    await world.migrant_writes("Mwen la")  # writing back opens the window: the notice waiting for them arrives
    assert any(body.startswith("Ana, nan ekip resepsyon an, antre nan konvèsasyon an.") for body in world.sent_bodies())
