"""The desk console over HTTP: sign-in, sessions, CSRF, the queue, and a staff member's whole hand-off."""

from __future__ import annotations

import re
import time
from pathlib import Path
from typing import Any

import pytest
from sanic_testing.testing import SanicASGITestClient

from bot import desk_settings, personal_data
from bot.channels.webchat import WebChatInput
from bot.handoff.desk import SESSION_COOKIE, DeskInput
from bot.handoff.storage import DeskStorage
from tests.handoff_fakes import ScriptedAgent, csrf_token, make_app, make_store

PASSWORD = "correct horse battery"
TOKEN = "a" * 40  # the web chat's token for "the migrant"


@pytest.fixture(autouse=True)
def desk_env(monkeypatch: pytest.MonkeyPatch, tmp_path: Path) -> Path:
    monkeypatch.setenv("BRUJULA_ID_KEY", "test-id-key")
    monkeypatch.setenv("BRUJULA_STATE_DIR", str(tmp_path / "state"))
    config = tmp_path / "desk.yml"
    config.write_text(
        "followup_check_seconds: 0\nlogin_max_failures: 3\nsession_idle_minutes: 30\n" "expected_wait_minutes: 20\n",
        encoding="utf-8",
    )
    monkeypatch.setenv("BRUJULA_DESK_CONFIG", str(config))
    staff_file = tmp_path / "staff.yml"
    monkeypatch.setenv("BRUJULA_DESK_STAFF_FILE", str(staff_file))
    for username, name in (("ana", "Ana"), ("ben", "Ben")):
        desk_settings.save_staff_member(
            desk_settings.StaffMember(
                username=username,
                name=name,
                password_hash=desk_settings.hash_password(PASSWORD, rounds=4),
                languages=["ht", "es"],
            ),
            staff_file,
        )
    return tmp_path


class Desk:
    """A browser's view of the desk: one cookie jar, the CSRF token of its page."""

    def __init__(self, tmp_path: Path, agent: ScriptedAgent | None = None) -> None:
        self.agent = agent or ScriptedAgent(make_store(tmp_path / "trackers.db"))
        self.storage = DeskStorage(f"sqlite:///{tmp_path / 'desk.db'}")
        self.desk = DeskInput(storage=self.storage)
        self.webchat = WebChatInput()
        self.app = make_app(self.agent, self.desk, self.webchat)
        self.client = SanicASGITestClient(self.app)
        self.csrf = ""

    async def sign_in(self, username: str = "ana", password: str = PASSWORD) -> Any:
        _, page = await self.client.get("/desk/login")
        token = csrf_token(page.text)
        _, response = await self.client.post(
            "/desk/login", data={"username": username, "password": password, "csrf_token": token}
        )
        return response

    async def open_console(self) -> Any:
        _, response = await self.client.get("/desk")
        match = re.search(r'<meta name="csrf-token" content="([^"]+)"', response.text)
        self.csrf = match.group(1) if match else ""
        return response

    async def queue(self) -> Any:
        _, response = await self.client.get("/desk/api/queue")
        return response

    async def act(
        self, ref: str, action: str, body: dict[str, Any] | None = None, headers: dict[str, str] | None = None
    ) -> Any:
        sent = {"X-CSRF-Token": self.csrf} if headers is None else headers
        _, response = await self.client.post(f"/desk/api/conversations/{ref}/{action}", json=body or {}, headers=sent)
        return response

    async def chat(self, text: str, token: str = TOKEN, **extra: Any) -> Any:
        _, response = await self.client.post(
            "/chat/api/messages", json={"text": text, **extra}, headers={"X-Chat-Token": token}
        )
        return response

    def audit(self, **filters: Any) -> list:
        return self.storage.audit_entries(**filters)


@pytest.fixture
def desk(desk_env: Path) -> Desk:
    return Desk(desk_env)


async def signed_in(desk: Desk) -> Desk:
    assert (await desk.sign_in()).status == 303
    assert (await desk.open_console()).status == 200
    return desk


# -- sign-in -----------------------------------------------------------------------------------
async def test_the_console_needs_a_login_and_the_login_page_speaks_the_staff_language(desk: Desk) -> None:
    _, response = await desk.client.get("/desk")
    assert response.status == 303 and response.headers["location"].startswith("/desk/login")
    _, page = await desk.client.get("/desk/login?lang=ht")
    assert page.status == 200 and 'lang="ht"' in page.text
    assert "Non itilizatè" in page.text and "Modpas" in page.text
    _, api = await desk.client.get("/desk/api/queue")
    assert api.status == 401 and api.json["error"] == "unauthenticated"


async def test_a_wrong_password_is_refused_and_written_to_the_audit_log(desk: Desk) -> None:
    response = await desk.sign_in(password="not the password")
    assert response.status == 401
    assert "Usuario o contraseña incorrectos." in response.text  # Spanish: no language chosen
    assert SESSION_COOKIE not in response.cookies
    assert (await desk.queue()).status == 401
    unknown = await desk.sign_in(username="mallory")
    assert unknown.status == 401  # same answer for an unknown name: nothing to learn
    actions = [(row["staff"], row["action"]) for row in desk.audit()]
    assert ("ana", "login_failed") in actions and ("mallory", "login_failed") in actions


async def test_login_is_rate_limited_even_for_the_right_password(desk: Desk) -> None:
    for _ in range(3):
        assert (await desk.sign_in(password="guess")).status == 401
    blocked = await desk.sign_in()
    assert blocked.status == 429
    assert int(blocked.headers["retry-after"]) > 0
    assert (await desk.queue()).status == 401
    assert any(row["action"] == "login_blocked" for row in desk.audit())


async def test_a_good_login_opens_the_console_with_a_strict_session_cookie(desk: Desk) -> None:
    response = await desk.sign_in()
    assert response.status == 303
    cookie = response.headers["set-cookie"]
    assert f"{SESSION_COOKIE}=" in cookie
    for flag in ("HttpOnly", "SameSite=Strict", "Path=/desk"):
        assert flag in cookie
    console = await desk.open_console()
    assert console.status == 200 and desk.csrf
    assert "default-src 'none'" in console.headers["content-security-policy"]
    assert all(src.startswith("/desk/static/") for src in re.findall(r'(?:src|href)="([^"]+)"', console.text))
    assert desk.audit(staff="ana")[0]["action"] == "login"


async def test_an_idle_session_expires_and_the_console_says_so(desk: Desk) -> None:
    await signed_in(desk)
    assert (await desk.queue()).status == 200
    with desk.storage.engine.begin() as conn:  # 31 minutes without activity
        conn.execute(desk_settings_table().update().values(last_seen=time.time() - 31 * 60))
    expired = await desk.queue()
    assert expired.status == 401 and expired.json["error"] == "session_expired"
    _, page = await desk.client.get("/desk")
    assert page.status == 303 and "expired=1" in page.headers["location"]
    _, login = await desk.client.get(page.headers["location"])
    assert "Tu sesión expiró. Vuelve a entrar." in login.text


async def test_a_session_also_ends_after_its_maximum_length(desk: Desk) -> None:
    await signed_in(desk)
    with desk.storage.engine.begin() as conn:  # signed in 13 hours ago, active a second ago
        conn.execute(desk_settings_table().update().values(created_at=time.time() - 13 * 3600, last_seen=time.time()))
    assert (await desk.queue()).json["error"] == "session_expired"


async def test_signing_out_ends_the_session(desk: Desk) -> None:
    await signed_in(desk)
    _, response = await desk.client.post("/desk/logout", data={"csrf_token": desk.csrf})
    assert response.status == 303
    assert (await desk.queue()).status == 401
    assert desk.audit(staff="ana")[0]["action"] == "logout"


def desk_settings_table() -> Any:
    from bot.handoff.storage import sessions_table

    return sessions_table


# -- CSRF --------------------------------------------------------------------------------------
async def test_state_changes_without_the_csrf_token_are_refused_and_audited(desk: Desk) -> None:
    await desk.chat("/request_human")
    await signed_in(desk)
    ref = (await desk.queue()).json["conversations"][0]["ref"]
    missing = await desk.act(ref, "take", headers={})
    forged = await desk.act(ref, "take", headers={"X-CSRF-Token": "forged"})
    other_site = await desk.act(ref, "take", headers={"X-CSRF-Token": desk.csrf, "Origin": "https://evil.example"})
    for response in (missing, forged, other_site):
        assert response.status == 403 and response.json["error"] == "csrf"
    assert (await desk.queue()).json["conversations"][0]["status"] == "requested"  # nothing happened
    assert sum(row["action"] == "csrf_rejected" for row in desk.audit()) == 3
    _, logout = await desk.client.post("/desk/logout", data={})
    assert logout.status == 403
    assert (await desk.act(ref, "take")).status == 200  # the page's own token works


async def test_a_login_form_posted_from_elsewhere_is_refused(desk: Desk) -> None:
    _, response = await desk.client.post(
        "/desk/login", data={"username": "ana", "password": PASSWORD, "csrf_token": "made-up"}
    )
    assert response.status == 403
    assert SESSION_COOKIE not in response.cookies


# -- the queue and the hand-off ------------------------------------------------------------------
async def test_the_queue_shows_who_waits_with_language_channel_wait_urgency_and_no_addresses(desk: Desk) -> None:
    await desk.chat("Bonjou")
    await desk.chat("/request_human", display_text="Pale ak yon moun")
    whatsapp_sender = personal_data.pseudonymize("whatsapp", "+573001234567")
    from rasa.core.channels.channel import CollectingOutputChannel, UserMessage

    await desk.agent.handle_message(
        UserMessage(
            "/report_emergency",
            CollectingOutputChannel(),
            whatsapp_sender,
            input_channel="whatsapp",
            metadata={"language_hint": "es"},
        )
    )
    await signed_in(desk)
    response = await desk.queue()
    assert response.status == 200
    entries = response.json["conversations"]
    assert [e["channel"] for e in entries] == ["whatsapp", "webchat"]  # the emergency first
    urgent, waiting = entries
    assert urgent["urgent"] and urgent["reason"] == "emergency"
    assert not waiting["urgent"] and waiting["reason"] == "request" and waiting["language"] == "ht"
    assert waiting["waited_seconds"] >= 0 and waiting["status"] == "requested"
    assert any("Pale ak yon moun" in m["text"] for m in waiting["last_messages"])
    body = response.text
    assert "573001234567" not in body and whatsapp_sender not in body
    assert WebChatInput.sender_id(TOKEN) not in body and TOKEN not in body
    assert re.fullmatch(r"[0-9a-f]{32}", urgent["ref"]) and re.fullmatch(r"[0-9A-F]{8}", urgent["short_id"])


async def test_a_staff_member_takes_replies_and_hands_back_while_the_bot_stays_quiet(desk: Desk) -> None:
    await desk.chat("Bonjou")
    asked = await desk.chat("/request_human")
    assert asked.json["handoff"] == "requested"
    assert "Ekip la kalkile w ap tann anviwon 20 minit." in asked.json["messages"][0]["text"]
    await signed_in(desk)
    ref = (await desk.queue()).json["conversations"][0]["ref"]

    taken = await desk.act(ref, "take")
    assert taken.status == 200 and taken.json["delivery"]["status"] == "in_chat"
    _, conversation = await desk.client.get(f"/desk/api/conversations/{ref}")
    assert conversation.json["status"] == "active" and conversation.json["mine"]
    assert conversation.json["staff_name"] == "Ana"

    before = len(desk.agent.handled)
    quiet = await desk.chat("Mwen bezwen èd pou papye yo")
    assert quiet.status == 200 and quiet.json["messages"] == [] and quiet.json["handoff"] == "active"
    assert len(desk.agent.handled) == before  # the bot was not asked
    _, conversation = await desk.client.get(f"/desk/api/conversations/{ref}")
    assert conversation.json["history"][-1] == {
        **conversation.json["history"][-1],
        "role": "user",
        "text": "Mwen bezwen èd pou papye yo",
    }

    replied = await desk.act(ref, "reply", {"text": "Bonjou, se Ana. Ki papye ou genyen?"})
    assert replied.status == 200
    _, updates = await desk.client.get("/chat/api/updates?after=0", headers={"X-Chat-Token": TOKEN})
    texts = [m["text"] for m in updates.json["messages"]]
    assert texts[0].startswith("Ana, nan ekip resepsyon an, antre nan konvèsasyon an.")
    assert texts[1] == "Bonjou, se Ana. Ki papye ou genyen?"
    assert updates.json["messages"][1]["role"] == "staff" and updates.json["messages"][1]["staff_name"] == "Ana"

    back = await desk.act(ref, "handback")
    assert back.status == 200
    assert (await desk.queue()).json["conversations"] == []
    answered = await desk.chat("Mèsi")
    assert answered.json["handoff"] is None and answered.json["messages"]  # the bot answers again
    assert desk.agent.handled[-1] == "Mèsi"

    actions = [row["action"] for row in reversed(desk.audit(staff="ana"))]
    assert actions == ["login", "take", "view", "reply", "hand_back"]
    assert {row["conversation"] for row in desk.audit(staff="ana") if row["action"] != "login"} == {ref}
    assert all(row["at"] > 0 for row in desk.audit())


async def test_two_staff_cannot_hold_the_same_conversation(desk: Desk, desk_env: Path) -> None:
    await desk.chat("/request_human")
    await signed_in(desk)
    ref = (await desk.queue()).json["conversations"][0]["ref"]
    assert (await desk.act(ref, "take")).status == 200
    ben = Desk(desk_env, agent=desk.agent)
    ben.storage = desk.storage
    await signed_in_as(ben, "ben")
    refused = await ben.act(ref, "take")
    assert refused.status == 409 and refused.json["error"] == "taken"
    assert (await ben.act(ref, "reply", {"text": "hola"})).json["error"] == "taken"
    assert (await desk.act(ref, "release")).status == 200  # Ana ends her shift
    assert (await ben.act(ref, "take")).status == 200


async def signed_in_as(desk: Desk, username: str) -> None:
    assert (await desk.sign_in(username=username)).status == 303
    await desk.open_console()


async def test_bad_desk_requests_get_clear_errors_not_500(desk: Desk) -> None:
    await desk.chat("/request_human")
    await signed_in(desk)
    ref = (await desk.queue()).json["conversations"][0]["ref"]
    assert (await desk.act(ref, "reply", {"text": "hola"})).json["error"] == "not_taken"
    await desk.act(ref, "take")
    assert (await desk.act(ref, "reply", {"text": "   "})).status == 400
    assert (await desk.act(ref, "reply", {"text": "x" * 5000})).json["error"] == "too_long"
    assert (await desk.act(ref, "reply", {"wrong": 1})).status == 400
    assert (await desk.act("0" * 32, "take")).status == 404
    assert (await desk.act(ref, "explode")).status == 404
    _, missing = await desk.client.get("/desk/api/conversations/" + "0" * 32)
    assert missing.status == 404
    _, static = await desk.client.get("/desk/static/../desk.py")
    assert static.status == 404


async def test_the_desk_serves_its_own_static_files(desk: Desk) -> None:
    _, script = await desk.client.get("/desk/static/desk.js")
    _, style = await desk.client.get("/desk/static/desk.css")
    assert script.status == 200 and "javascript" in script.headers["content-type"]
    assert style.status == 200 and "text/css" in style.headers["content-type"]
    assert "http://" not in script.text and "https://" not in script.text


# -- checking an offer a migrant shows at the desk ----------------------------------------------------
async def test_staff_check_a_pasted_offer_and_see_the_signs_explained_in_their_language(desk: Desk) -> None:
    await signed_in(desk)
    offer = "Trabajo en Canada, visa garantizada, solo tienes que pagar 300 dolares de inscripcion"
    _, response = await desk.client.post(
        "/desk/api/check-offer", json={"text": offer, "language": "en"}, headers={"X-CSRF-Token": desk.csrf}
    )
    assert response.status == 200
    assert response.json["level"] == "high"
    flags = {flag["id"]: flag for flag in response.json["flags"]}
    assert "guaranteed_papers" in flags
    assert flags["guaranteed_papers"]["quote"] in offer
    assert "authorities decide" in flags["guaranteed_papers"]["explanation"]
    assert offer not in str(desk.audit())  # the pasted text is not kept


async def test_the_offer_check_needs_a_signed_in_session_and_its_csrf_token(desk: Desk) -> None:
    _, anonymous = await desk.client.post("/desk/api/check-offer", json={"text": "hola"})
    assert anonymous.status in (401, 403)
    await signed_in(desk)
    _, forged = await desk.client.post("/desk/api/check-offer", json={"text": "hola"})
    assert forged.status == 403
    _, huge = await desk.client.post(
        "/desk/api/check-offer", json={"text": "x" * 6000}, headers={"X-CSRF-Token": desk.csrf}
    )
    assert huge.status == 413
