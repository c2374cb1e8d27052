"""The trained model, a real action server and the SQLite tracker store, talking like a user would.

Needs ``models/brujula.tar.gz``: ``make test`` trains before running pytest.
"""

from __future__ import annotations

import socket
import sqlite3
import subprocess
import sys
import time
import urllib.request
from collections.abc import Iterator
from pathlib import Path
from typing import Any

import pytest
from rasa.core.agent import Agent, load_agent
from rasa.core.channels.channel import CollectingOutputChannel, UserMessage
from rasa.core.utils import AvailableEndpoints

from bot.channels.delivery import deliver
from bot.paths import ROOT

MODEL = ROOT / "models" / "brujula.tar.gz"


def free_port() -> int:
    with socket.socket() as sock:
        sock.bind(("127.0.0.1", 0))
        return int(sock.getsockname()[1])


@pytest.fixture(scope="module")
def action_server() -> Iterator[str]:
    port = free_port()
    process = subprocess.Popen(  # noqa: S603
        [sys.executable, "-m", "rasa_sdk", "--actions", "actions", "--port", str(port)],
        cwd=ROOT,
        stdout=subprocess.DEVNULL,
        stderr=subprocess.DEVNULL,
    )
    url = f"http://127.0.0.1:{port}"
    deadline = time.monotonic() + 90
    while time.monotonic() < deadline:
        try:
            urllib.request.urlopen(f"{url}/health", timeout=1)  # noqa: S310
            break
        except OSError:
            time.sleep(0.3)
    else:
        process.kill()
        raise RuntimeError("action server did not start")
    yield f"{url}/webhook"
    process.terminate()
    process.wait(timeout=10)


def endpoints_file(tmp_path: Path, action_url: str) -> Path:
    path = tmp_path / "endpoints.yml"
    path.write_text(
        f"action_endpoint:\n  url: {action_url}\n"
        "tracker_store:\n  type: bot.tracker_store.PrivacyTrackerStore\n"
        f"  backend: {{type: sql, dialect: sqlite, db: {tmp_path / 'trackers.db'}}}\n"
    )
    return path


async def agent_for(tmp_path: Path, action_url: str) -> Agent:
    assert MODEL.exists(), "models/brujula.tar.gz is missing: run `make train` (make test does it)"
    endpoints = AvailableEndpoints.read_endpoints(str(endpoints_file(tmp_path, action_url)))
    return await load_agent(model_path=str(MODEL), endpoints=endpoints)


async def say(agent: Agent, sender: str, text: str) -> list[dict[str, Any]]:
    return await agent.handle_text(text, sender_id=sender) or []


def stored_events(db: Path, sender: str) -> int:
    with sqlite3.connect(db) as connection:
        return int(connection.execute("select count(*) from events where sender_id = ?", (sender,)).fetchone()[0])


async def test_a_conversation_in_spanish_then_kreyol_then_deleted(tmp_path: Path, action_server: str) -> None:
    agent = await agent_for(tmp_path, action_server)
    sender = "e2e-user"
    hello = await say(agent, sender, "hola buenas")
    assert "Brújula" in hello[0]["text"]
    assert [b["payload"] for b in hello[1]["buttons"]] == ["1", "2", "3", "4", "5"]

    stage = await say(agent, sender, "2")
    assert "En el camino" in stage[0]["text"]

    emergency = await say(agent, sender, "me tienen secuestrado en tapachula, ayuda")
    assert "911" in emergency[0]["text"]  # Tapachula is in Mexico: Mexico's numbers come first

    switched = await say(agent, sender, "pale kreyol")
    assert "kreyòl" in switched[0]["text"]
    answer = await say(agent, sender, "mwen bezwen yon doktè")
    assert "poko konfime" in answer[-1]["text"]  # answered in Kreyòl with the provenance line

    db = tmp_path / "trackers.db"
    assert stored_events(db, sender) > 10
    await say(agent, sender, "efase tout done m yo")
    done = await say(agent, sender, "wi")
    assert "efase" in done[0]["text"]  # confirmed in the conversation language
    assert stored_events(db, sender) == 0


async def test_action_server_down_still_gets_the_user_an_answer(tmp_path: Path) -> None:
    agent = await agent_for(tmp_path, f"http://127.0.0.1:{free_port()}/webhook")
    output = CollectingOutputChannel()
    message = UserMessage("necesito un albergue en lima", output, "e2e-down", input_channel="rest")
    sent = (await deliver(agent.handle_message, message, agent)).replies
    assert sent == 1
    assert "problema técnico" in output.messages[0]["text"]
    assert "123" in output.messages[0]["text"]  # emergency numbers even when everything else fails


@pytest.mark.parametrize(
    ("text", "expected"),
    [
        ("", "vacío"),
        ("   ", "vacío"),
        ("🙏🙏😭", "🙂"),
        ("necesito un medico, mi hijo tiene fiebre y no tenemos papeles. " * 200, "muy largo"),
        ("\x00\x01\x02\x03\x04\x05binary\x06\x07\x08\x0e\x0f", "No pude leer"),
        ("أين أجد مأوى الليلة", "kreyòl"),
        ("我需要帮助", "kreyòl"),
    ],
    ids=["empty", "blank", "emoji", "10k-chars", "binary", "arabic", "chinese"],
)
async def test_bad_input_gets_a_short_clear_answer_from_the_real_model(
    tmp_path: Path,
    action_server: str,
    text: str,
    expected: str,
) -> None:
    agent = await agent_for(tmp_path, action_server)
    replies = await say(agent, "e2e-bad-input", text)
    assert replies, "the bot must never be silent"
    assert expected in replies[0]["text"]


async def test_the_real_rasa_turn_reports_its_saved_conversation_to_the_channel(
    tmp_path: Path, action_server: str
) -> None:
    agent = await agent_for(tmp_path, action_server)
    output = CollectingOutputChannel()
    message = UserMessage("quiero hablar con una persona", output, "e2e-saved", input_channel="webchat")
    delivered = await deliver(agent.handle_message, message, agent)
    assert delivered.replies >= 1
    saved = delivered.tracker_after  # no second read of the store: the channel gets what Rasa saved
    assert saved is not None and saved.get_slot("handoff") == "requested"


# (I'm in Colombia, a work question, "and in <country>?", "how much does it cost?", "and for school?")
THREADS = {
    "es": (
        "estoy en Colombia",
        "necesito trabajo",
        "y en Perú?",
        "PE",
        "cuánto cuesta?",
        "y para la escuela de mis hijos?",
    ),
    "en": ("I'm in Colombia", "i need a job", "and in Peru?", "PE", "how much does it cost?", "and for school?"),
    "pt": ("estou na Colômbia", "preciso de trabalho", "e no Chile?", "CL", "quanto custa isso?", "e para a escola?"),
    "fr": (
        "je suis en Colombie",
        "je cherche du travail",
        "et au Mexique ?",
        "MX",
        "combien ça coûte ?",
        "et pour l'école des enfants ?",
    ),
    "ht": ("mwen nan Kolonbi", "mwen bezwen travay", "e an Ayiti?", "HT", "konbyen sa koute?", "e pou lekòl la?"),
}


async def test_the_thread_is_kept_with_the_real_model_in_five_languages(tmp_path: Path, action_server: str) -> None:
    from bot import content
    from bot.conversation.context import ANSWER_LINES
    from bot.conversation.topics import part_of

    snapshot = content.current()

    def first_line(topic: str, country: str, language: str, about: str | None = None) -> str:
        """The first line of the answer, or of its part about costs/documents/time that a follow-up shows."""
        answer = snapshot.topic_answer(topic, country, language)
        assert answer is not None
        text = (part_of(answer.text, ANSWER_LINES[about]) if about else None) or answer.text
        return text.strip().splitlines()[0]

    def text_of(replies: list[dict[str, Any]]) -> str:
        return "\n".join(reply.get("text") or "" for reply in replies)

    agent = await agent_for(tmp_path, action_server)
    for language, (where, work, elsewhere, code, cost, school) in THREADS.items():
        sender = f"e2e-thread-{language}"
        noted = text_of(await say(agent, sender, where))
        assert snapshot.country_name("CO", language) in noted.splitlines()[0]  # "Noted: you are in Colombia."
        assert snapshot.text("main_menu_title", language) in noted  # then the menu, not a topic
        assert first_line("ask_work", "CO", language) in text_of(await say(agent, sender, work))
        moved = text_of(await say(agent, sender, elsewhere))
        assert first_line("ask_work", code, language) in moved, language  # same topic, new country
        followup = text_of(await say(agent, sender, cost))
        assert snapshot.text("topic_ask_work", language) in followup.splitlines()[0]
        assert first_line("ask_work", code, language, about="cost") in followup
        assert first_line("ask_education", code, language) in text_of(await say(agent, sender, school))

    nearest = "e2e-thread-nearest"
    await say(agent, nearest, "necesito un albergue en Tapachula")
    places = text_of(await say(agent, nearest, "dónde queda el más cercano?"))
    assert "Albergue" in places and "Cruz Roja" not in places
