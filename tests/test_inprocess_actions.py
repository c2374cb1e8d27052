"""Actions run inside the Rasa server (``action_endpoint: url: inprocess:actions``) answer exactly as the action
server does, and a failure still ends in an answer for the user.

Needs ``models/brujula.tar.gz`` (``make test`` trains first) and starts a real action server on 127.0.0.1.
"""

from __future__ import annotations

from pathlib import Path
from typing import Any

import pytest
from rasa.core.agent import Agent
from rasa.core.channels.channel import CollectingOutputChannel, UserMessage
from rasa.utils.endpoints import EndpointConfig

from bot import inprocess_actions, rasa_speedups
from bot.channels.delivery import deliver
from bot.inprocess_actions import InProcessActionEndpoint
from tests.test_end_to_end import action_server, agent_for  # noqa: F401 - the fixture is used by name

CONVERSATION = (
    "hola",
    "necesito un albergue en lima",
    "1",
    "I need a doctor in Bogotá",
    "pale kreyol",
    "mwen bezwen yon avoka",
    "je cherche du travail",
    "me tienen secuestrado en tapachula, ayuda",
    "menu",
    "gracias",
)


async def talk(agent: Agent, sender: str) -> list[list[dict[str, Any]]]:
    replies = []
    for text in CONVERSATION:
        output = CollectingOutputChannel()
        await deliver(agent.handle_message, UserMessage(text, output, sender, input_channel="rest"), agent)
        replies.append(output.messages)
    return replies


def without_times(agent_events: list[dict[str, Any]]) -> list[dict[str, Any]]:
    kept = []
    for event in agent_events:
        event = {key: value for key, value in event.items() if key not in ("timestamp", "message_id")}
        if str(event.get("name", "")).endswith("_at"):  # a clock time slot (when the hand-off was asked for)
            event["value"] = type(event["value"]).__name__
        if "parse_data" in event:  # a fresh id per message
            event["parse_data"] = {k: v for k, v in event["parse_data"].items() if k != "message_id"}
        kept.append(event)
    return kept


async def stored(agent: Agent, sender: str) -> list[dict[str, Any]]:
    tracker = await agent.tracker_store.retrieve(sender)
    assert tracker is not None
    return without_times([event.as_dict() for event in tracker.events])


async def test_in_process_actions_give_the_same_replies_and_events_as_the_action_server(
    tmp_path: Path,
    action_server: str,  # noqa: F811
) -> None:
    (tmp_path / "remote").mkdir()
    (tmp_path / "local").mkdir()
    remote = await agent_for(tmp_path / "remote", action_server)
    local = await agent_for(tmp_path / "local", "inprocess:actions")
    remote_replies = await talk(remote, "same-user")
    local_replies = await talk(local, "same-user")

    assert isinstance(local.action_endpoint, InProcessActionEndpoint)
    assert isinstance(local.processor.action_endpoint, InProcessActionEndpoint)
    assert not isinstance(remote.action_endpoint, InProcessActionEndpoint)
    assert local_replies == remote_replies
    kreyol = ("Mwen", "mwen", " ou ", "poko konfime")  # the turn after "pale kreyol" is answered in Kreyòl
    assert any(word in message.get("text", "") for message in local_replies[5] for word in kreyol)
    assert await stored(local, "same-user") == await stored(remote, "same-user")


async def test_an_action_that_fails_in_process_still_gets_the_user_the_technical_problem_answer(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    agent = await agent_for(tmp_path, "inprocess:actions")
    inprocess_actions.install(agent)

    async def broken(_call: Any) -> None:
        raise RuntimeError("an action bug")

    monkeypatch.setattr(agent.action_endpoint.executor, "run", broken)
    output = CollectingOutputChannel()
    message = UserMessage("necesito un albergue en lima", output, "broken-user", input_channel="rest")
    delivered = await deliver(agent.handle_message, message, agent)

    assert delivered.replies == 1
    assert "problema técnico" in output.messages[0]["text"]
    assert "123" in output.messages[0]["text"]


async def test_a_rejected_action_is_reported_to_rasa_as_the_action_server_would() -> None:
    from rasa_sdk.interfaces import ActionExecutionRejection

    endpoint = InProcessActionEndpoint("actions")

    async def rejecting(_call: Any) -> None:
        raise ActionExecutionRejection("action_topic", "not now")

    endpoint.executor.run = rejecting
    from rasa.core.actions.action import ActionExecutionRejection as RasaRejection
    from rasa.core.actions.action import RemoteAction
    from rasa.shared.core.domain import Domain
    from rasa.shared.core.trackers import DialogueStateTracker

    action = RemoteAction("action_topic", endpoint)
    with pytest.raises(RasaRejection):
        await action.run(CollectingOutputChannel(), None, DialogueStateTracker("x", []), Domain.empty())


def test_only_an_inprocess_url_is_swapped_and_only_once() -> None:
    class FakeAgent:
        processor = None

        def __init__(self, url: str | None) -> None:
            self.action_endpoint = EndpointConfig(url=url) if url else None

    http = FakeAgent("http://127.0.0.1:5055/webhook")
    assert not inprocess_actions.install(http)
    assert type(http.action_endpoint) is EndpointConfig
    assert not inprocess_actions.install(FakeAgent(None))
    assert not inprocess_actions.install(None)

    local = FakeAgent("inprocess:actions")
    assert inprocess_actions.install(local)
    swapped = local.action_endpoint
    assert isinstance(swapped, InProcessActionEndpoint)
    assert "action_greet" in swapped.executor.actions  # the package's actions are registered
    assert not inprocess_actions.install(local)
    assert local.action_endpoint is swapped


@pytest.mark.parametrize(
    "answer",
    [
        {"events": [{"event": "no_such_event"}]},
        {"events": [{"event": "slot", "name": "language"}], "responses": "not a list"},
        {"events": "not a list"},
    ],
)
def test_answers_are_still_validated_against_rasas_schema_after_install(answer: dict[str, Any]) -> None:
    from jsonschema import ValidationError
    from rasa.core.actions.action import RemoteAction

    rasa_speedups.apply()
    with pytest.raises(ValidationError):
        RemoteAction("action_greet", None)._validate_action_result(answer)
    good = {"events": [{"event": "slot", "name": "language", "value": "es"}], "responses": [{"text": "hola"}]}
    assert RemoteAction("action_greet", None)._validate_action_result(good)


async def test_in_process_actions_work_without_the_delivery_too(tmp_path: Path) -> None:
    """``rasa shell`` and Rasa's HTTP API do not go through our channels: the actions must still run."""
    agent = await agent_for(tmp_path, "inprocess:actions")
    replies = await agent.handle_text("hola", sender_id="shell-user") or []
    assert "Brújula" in replies[0]["text"]
    assert [button["payload"] for button in replies[1]["buttons"]] == ["1", "2", "3", "4", "5"]
