"""One read of the stored conversation per message: Rasa reuses the tracker the delivery just read, unless
something was stored in between.

Needs ``models/brujula.tar.gz`` (``make test`` trains first); actions run in-process.
"""

from __future__ import annotations

import asyncio
from pathlib import Path
from typing import Any

import pytest
from rasa.core.channels.channel import CollectingOutputChannel, UserMessage
from rasa.shared.core.events import SlotSet

from bot.channels.delivery import deliver
from tests.test_end_to_end import agent_for


def count_backend_reads(agent: Any, monkeypatch: pytest.MonkeyPatch) -> list[str]:
    store = agent.tracker_store
    privacy = getattr(store, "_tracker_store", store)  # behind Rasa's FailSafeTrackerStore
    reads: list[str] = []
    original = privacy.backend.retrieve

    async def counting(sender_id: str) -> Any:
        reads.append(sender_id)
        return await original(sender_id)

    monkeypatch.setattr(privacy.backend, "retrieve", counting)
    return reads


async def test_each_message_reads_the_conversation_once(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    agent = await agent_for(tmp_path, "inprocess:actions")
    reads = count_backend_reads(agent, monkeypatch)
    texts = ["hola", "necesito un albergue en lima", "1", "gracias"]
    answers = []
    for text in texts:
        output = CollectingOutputChannel()
        await deliver(agent.handle_message, UserMessage(text, output, "once-user", input_channel="rest"), agent)
        answers.append(output.messages)
    # before: two per message (the delivery's, then Rasa's); now one, plus Rasa's own at the very first
    # message, when the delivery found nothing stored to offer
    assert len(reads) == len(texts) + 1
    assert "Brújula" in answers[0][0]["text"]
    assert all(answer for answer in answers)
    stored = await agent.tracker_store.retrieve("once-user")
    assert [e.text for e in stored.events if e.type_name == "user"] == texts  # type: ignore[union-attr]


async def test_something_stored_between_the_read_and_rasa_is_not_lost(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    agent = await agent_for(tmp_path, "inprocess:actions")
    output = CollectingOutputChannel()
    await deliver(agent.handle_message, UserMessage("hola", output, "race-user", input_channel="rest"), agent)

    read_done, written = asyncio.Event(), asyncio.Event()

    async def desk() -> None:  # e.g. a desk action on another request, after the delivery read
        await read_done.wait()
        tracker = await agent.tracker_store.retrieve("race-user")
        tracker.update(SlotSet("country", "PE"))  # type: ignore[union-attr]
        await agent.tracker_store.save(tracker)  # type: ignore[arg-type]
        written.set()

    async def desk_writes_first(message: UserMessage) -> None:
        read_done.set()
        await written.wait()
        await agent.handle_message(message)

    desk_task = asyncio.ensure_future(desk())
    reads = count_backend_reads(agent, monkeypatch)
    output = CollectingOutputChannel()
    await deliver(desk_writes_first, UserMessage("gracias", output, "race-user", input_channel="rest"), agent)
    await desk_task
    assert len(reads) == 3  # the delivery, the desk, and Rasa again: the offered tracker was out of date
    stored = await agent.tracker_store.retrieve("race-user")
    assert stored.get_slot("country") == "PE"  # type: ignore[union-attr]
    assert [e.text for e in stored.events if e.type_name == "user"] == ["hola", "gracias"]  # type: ignore[union-attr]
