"""The web chat at /chat, as a browser uses it: the page, its assets, and the message API."""

from __future__ import annotations

import re
from pathlib import Path
from typing import Any

import pytest
from sanic_testing.testing import SanicASGITestClient

from bot.channels.webchat import WebChatInput
from tests.handoff_fakes import ScriptedAgent, make_app, make_store

TOKEN = "b" * 48


@pytest.fixture(autouse=True)
def chat_env(monkeypatch: pytest.MonkeyPatch, tmp_path: Path) -> None:
    monkeypatch.setenv("BRUJULA_ID_KEY", "test-id-key")
    monkeypatch.setenv("BRUJULA_STATE_DIR", str(tmp_path / "state"))
    monkeypatch.setenv("BRUJULA_DESK_CONFIG", str(tmp_path / "no-desk.yml"))


@pytest.fixture
def agent(tmp_path: Path) -> ScriptedAgent:
    return ScriptedAgent(make_store(tmp_path / "trackers.db"))


@pytest.fixture
def client(agent: ScriptedAgent) -> SanicASGITestClient:
    return SanicASGITestClient(make_app(agent, WebChatInput()))


async def say(client: SanicASGITestClient, text: str, token: str = TOKEN, **extra: Any) -> Any:
    _, response = await client.post("/chat/api/messages", json={"text": text, **extra}, headers={"X-Chat-Token": token})
    return response


async def test_the_page_is_served_by_the_bot_with_only_local_assets(client: SanicASGITestClient) -> None:
    _, page = await client.get("/chat", headers={"Accept-Language": "ht,fr;q=0.8"})
    assert page.status == 200 and page.headers["content-type"].startswith("text/html")
    html = page.text
    assert '<html lang="ht">' in html and "<title>Brújula: enfòmasyon pou moun k ap imigre</title>" in html
    assert 'name="viewport" content="width=device-width' in html  # phone-sized screens
    references = re.findall(r'(?:src|href)="([^"]+)"', html)
    assert references and all(ref.startswith("/chat/static/") or ref == "#message" for ref in references)
    assert "connect-src 'self'" in page.headers["content-security-policy"]
    for asset in ("chat.js", "chat.css", "compass.svg"):
        _, response = await client.get(f"/chat/static/{asset}")
        assert response.status == 200
        text = response.text.replace('xmlns="http://www.w3.org/2000/svg"', "")  # a name, not a download
        assert "http://" not in text and "https://" not in text
    _, missing = await client.get("/chat/static/..%2Fwebchat.py")
    assert missing.status == 404


async def test_the_page_is_labelled_for_screen_readers_and_keyboards(client: SanicASGITestClient) -> None:
    _, page = await client.get("/chat?lang=es")
    html = page.text
    assert '<label for="language"' in html and '<select id="language">' in html
    assert '<label for="message"' in html and 'id="message"' in html
    assert 'role="log" aria-live="polite"' in html and 'role="status"' in html
    assert all(f'value="{code}"' in html for code in ("es", "en", "pt", "fr", "ht"))
    assert ">Compartir mi ubicación<" in html and ">Enviar<" in html
    assert 'class="skip" href="#message"' in html  # jump straight to the message box


async def test_a_message_gets_the_bot_replies_whole_with_their_buttons(client: SanicASGITestClient) -> None:
    response = await say(client, "/greet", language="ht", display_text="")
    assert response.status == 200
    messages = response.json["messages"]
    assert messages[0]["text"].startswith("Bonjou, se Brújula")
    assert messages[-1]["buttons"][0]["payload"] == "1"
    assert response.json["handoff"] is None


async def test_the_page_follows_the_conversation_language_the_bot_settled_on(client: SanicASGITestClient) -> None:
    response = await say(client, "mwen bezwen yon doktè, pitit mwen malad", language="en")
    assert response.status == 200
    assert response.json["language"] == "ht"  # chat.js relabels the page in Kreyòl
    assert response.json["messages"][0]["text"].startswith("Eskize m")  # answered in Kreyòl too


async def test_the_history_survives_a_reload_without_silent_commands(client: SanicASGITestClient) -> None:
    await say(client, "/greet", language="es", display_text="")
    await say(client, "/request_human", display_text="Hablar con una persona")
    _, history = await client.get("/chat/api/history", headers={"X-Chat-Token": TOKEN})
    items = history.json["messages"]
    user_texts = [m["text"] for m in items if m["role"] == "user"]
    assert user_texts == ["Hablar con una persona"]  # "/greet" was the page's own, "/request_human" shows its label
    assert history.json["handoff"] == "requested"
    _, other = await client.get("/chat/api/history", headers={"X-Chat-Token": "c" * 48})
    assert other.json["messages"] == []  # another token sees nothing


async def test_asking_for_a_person_says_what_happens_next_and_gives_emergency_numbers(
    client: SanicASGITestClient, tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    config = tmp_path / "desk.yml"
    config.write_text("expected_wait_minutes: 15\n", encoding="utf-8")
    monkeypatch.setenv("BRUJULA_DESK_CONFIG", str(config))
    response = await say(client, "/request_human", language="en")
    texts = [m["text"] for m in response.json["messages"]]
    assert "The team expects a wait of about 15 minutes." in texts[0]
    assert texts[1].startswith("🚨")
    assert response.json["handoff"] == "requested"


@pytest.mark.parametrize(
    "body, headers, status, code",
    [
        ({"text": "hola"}, {}, 400, "token"),
        ({"text": "hola"}, {"X-Chat-Token": "short"}, 400, "token"),
        ({"text": ""}, {"X-Chat-Token": TOKEN}, 400, "empty"),
        ({"text": 42}, {"X-Chat-Token": TOKEN}, 400, "empty"),
        ({"text": "x" * 2001}, {"X-Chat-Token": TOKEN}, 413, "too_long"),
        ({"text": '/share_location{"lat": 95, "lon": 0}'}, {"X-Chat-Token": TOKEN}, 400, "location"),
        ({"text": "/share_location{lat: 1}"}, {"X-Chat-Token": TOKEN}, 400, "location"),
    ],
)
async def test_bad_messages_get_a_clear_4xx(
    client: SanicASGITestClient, agent: ScriptedAgent, body: Any, headers: Any, status: int, code: str
) -> None:
    _, response = await client.post("/chat/api/messages", json=body, headers=headers)
    assert response.status == status and response.json["error"] == code
    assert agent.handled == []


async def test_non_json_and_huge_bodies_are_refused(client: SanicASGITestClient) -> None:
    form = {"X-Chat-Token": TOKEN, "Content-Type": "application/x-www-form-urlencoded"}
    _, not_json = await client.post("/chat/api/messages", content=b"text=hola", headers=form)
    assert not_json.status == 400
    _, broken = await client.post(
        "/chat/api/messages", content=b'{"text": ', headers={"X-Chat-Token": TOKEN, "Content-Type": "application/json"}
    )
    assert broken.status == 400
    _, huge = await client.post(
        "/chat/api/messages",
        content=b"{" + b" " * 20000 + b"}",
        headers={"X-Chat-Token": TOKEN, "Content-Type": "application/json"},
    )
    assert huge.status == 413


async def test_a_shared_location_reaches_rasa_rounded_to_about_100_metres(
    client: SanicASGITestClient, agent: ScriptedAgent
) -> None:
    response = await say(
        client, '/share_location{"lat": 4.609712, "lon": -74.081749}', display_text="📍 Ubicación compartida"
    )
    assert response.status == 200
    assert agent.handled == ['/share_location{"lat": 4.61, "lon": -74.082}']
    _, history = await client.get("/chat/api/history", headers={"X-Chat-Token": TOKEN})
    assert history.json["messages"][0] == {
        **history.json["messages"][0],
        "role": "user",
        "text": "📍 Ubicación compartida",
    }


async def test_the_user_hears_back_even_when_the_bot_is_broken(tmp_path: Path) -> None:
    client = SanicASGITestClient(make_app(ScriptedAgent(make_store(tmp_path / "t.db"), broken=True), WebChatInput()))
    response = await say(client, "Mwen bezwen yon kote pou m dòmi aswè a", language="ht")
    assert response.status == 200
    assert "pwoblèm teknik" in response.json["messages"][0]["text"]


async def test_the_rasa_conversation_id_is_a_keyed_hash_of_the_token(
    client: SanicASGITestClient, agent: ScriptedAgent
) -> None:
    await say(client, "hola")
    keys = list(await agent.tracker_store.keys())
    assert keys == [WebChatInput.sender_id(TOKEN)]
    assert TOKEN not in keys[0] and keys[0].startswith("webchat-")


async def test_updates_bring_only_desk_messages_and_the_hand_off_state(client: SanicASGITestClient) -> None:
    await say(client, "/request_human")
    _, updates = await client.get("/chat/api/updates?after=0", headers={"X-Chat-Token": TOKEN})
    assert updates.json["messages"] == [] and updates.json["handoff"] == "requested"
    _, bad = await client.get("/chat/api/updates?after=yesterday", headers={"X-Chat-Token": TOKEN})
    assert bad.status == 400


@pytest.mark.parametrize("language", ["es", "en", "pt", "fr", "ht"])
async def test_the_first_screen_is_the_greeting_and_the_menu_in_the_browser_language_once(
    client: SanicASGITestClient, language: str
) -> None:
    from bot import content
    from bot.language import translated

    snapshot = content.current()
    _, empty = await client.get("/chat/api/history", headers={"X-Chat-Token": TOKEN})
    assert empty.json["messages"] == []  # chat.js greets only a conversation with nothing in it
    response = await say(client, "/greet", language=language, display_text="")
    texts = [m["text"] for m in response.json["messages"]]
    assert texts[0] == snapshot.text("intro", language)
    assert texts[1] == snapshot.text("main_menu_title", language)
    stages = [translated(stage.title, language) for stage in snapshot.menu.stages]
    assert [b["title"] for b in response.json["messages"][1]["buttons"]] == [
        f"{number} · {title}" for number, title in enumerate(stages, start=1)
    ]
    # a reload shows the greeting again from the history, once, with no "/greet" from the user
    _, history = await client.get("/chat/api/history", headers={"X-Chat-Token": TOKEN})
    shown = [m["text"] for m in history.json["messages"]]
    assert shown.count(snapshot.text("intro", language)) == 1
    assert [m for m in history.json["messages"] if m["role"] == "user"] == []
