"""The REST channel drop-in: Rasa's API, plus "never silent" and the desk's messages on the next answer."""

from __future__ import annotations

import json
from pathlib import Path
from typing import Any

import pytest
from sanic_testing.testing import SanicASGITestClient

from bot import desk_settings
from bot.channels.rest import RestInput
from bot.handoff.service import HandoffService
from bot.handoff.storage import DeskStorage
from tests.handoff_fakes import ScriptedAgent, make_app, make_store

URL = "/webhooks/rest/webhook"
ANA = desk_settings.StaffMember(username="ana", name="Ana", password_hash="$2b$04$" + "a" * 53)


@pytest.fixture(autouse=True)
def env(monkeypatch: pytest.MonkeyPatch, tmp_path: Path) -> None:
    monkeypatch.setenv("BRUJULA_ID_KEY", "test-id-key")
    monkeypatch.setenv("BRUJULA_STATE_DIR", str(tmp_path / "state"))
    monkeypatch.setenv("BRUJULA_DESK_CONFIG", str(tmp_path / "none.yml"))


@pytest.fixture
def agent(tmp_path: Path) -> ScriptedAgent:
    return ScriptedAgent(make_store(tmp_path / "trackers.db"))


@pytest.fixture
def client(agent: ScriptedAgent) -> SanicASGITestClient:
    return SanicASGITestClient(make_app(agent, RestInput()))


async def post(client: SanicASGITestClient, body: Any) -> Any:
    _, response = await client.post(URL, json=body)
    return response


async def test_same_url_and_answer_format_as_rasas_rest_channel(client: SanicASGITestClient) -> None:
    _, health = await client.get("/webhooks/rest/")
    assert health.status == 200 and health.json == {"status": "ok"}
    response = await post(client, {"sender": "tester", "message": "hola", "metadata": {"language_hint": "es"}})
    assert response.status == 200
    messages = response.json
    assert all(m["recipient_id"] == "tester" for m in messages)
    assert any("buttons" in m for m in messages) and all("text" in m for m in messages)


async def test_an_action_server_that_is_down_still_gets_the_user_a_reply(tmp_path: Path) -> None:
    client = SanicASGITestClient(make_app(ScriptedAgent(make_store(tmp_path / "t.db"), broken=True), RestInput()))
    response = await post(client, {"sender": "tester", "message": "Necesito un albergue para esta noche"})
    assert response.status == 200
    assert len(response.json) == 1 and "problema técnico" in response.json[0]["text"]


@pytest.mark.parametrize(
    "body",
    [
        b"not json",
        b"[1, 2]",
        json.dumps({"sender": "x" * 300, "message": "hi"}).encode(),
        json.dumps({"sender": "a", "message": 5}).encode(),
        json.dumps({"sender": "a", "message": "hi", "metadata": "nope"}).encode(),
        json.dumps({"sender": "a", "message": "x" * 20_001}).encode(),
    ],
)
async def test_bad_requests_get_400_with_a_reason(
    client: SanicASGITestClient,
    agent: ScriptedAgent,
    body: bytes,
) -> None:
    _, response = await client.post(URL, content=body, headers={"Content-Type": "application/json"})
    assert response.status == 400 and response.json["message"]
    assert agent.handled == []


async def test_while_a_person_holds_it_the_bot_is_silent_and_desk_messages_come_with_the_next_answer(
    client: SanicASGITestClient, agent: ScriptedAgent, tmp_path: Path
) -> None:
    await post(client, {"sender": "api-user-1", "message": "/request_human", "metadata": {"language_hint": "en"}})
    service = HandoffService(lambda: agent, DeskStorage(f"sqlite:///{tmp_path / 'desk.db'}"))
    ref = (await service.entries())[0].ref
    _, taken = await service.take(ANA, ref)
    assert taken.status == "next_message"
    first = await post(client, {"sender": "api-user-1", "message": "Hello? Anyone there?"})
    assert [m["text"] for m in first.json] == [
        "Ana, from the help-desk team, has joined the conversation. A person is answering you now."
    ]
    await service.reply(ANA, ref, "Hi, I'm Ana. How can I help?")
    second = await post(client, {"sender": "api-user-1", "message": "I lost my passport"})
    assert [m["text"] for m in second.json] == ["Hi, I'm Ana. How can I help?"]
    assert second.json[0]["custom"] == {"from": "staff", "kind": "staff_reply"}
    assert agent.handled == ["/request_human"]  # the bot was never asked while Ana held it


async def test_streaming_answers_come_as_json_lines(client: SanicASGITestClient) -> None:
    _, response = await client.post(URL + "?stream=true", json={"sender": "s", "message": "hola"})
    assert response.status == 200
    lines = [json.loads(line) for line in response.text.splitlines() if line.strip()]
    assert lines and all(line["recipient_id"] == "s" for line in lines)
