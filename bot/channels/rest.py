"""Drop-in replacement for Rasa's ``rest`` channel, at the same URL, that never leaves a user unanswered.

``credentials.yml``: ``bot.channels.rest.RestInput:`` instead of ``rest:``. Same API:

* ``GET /webhooks/rest/`` -> ``{"status": "ok"}``;
* ``POST /webhooks/rest/webhook`` ``{"sender": "...", "message": "...", "metadata": {...}}`` -> a JSON
  list of ``{"recipient_id", "text", "buttons"?, ...}``; ``?stream=true`` streams them as JSON lines.

Differences that matter:

* messages go through :func:`bot.channels.delivery.deliver`: with the action server down the user still
  gets the "technical problem" message with emergency numbers, and while a person holds the
  conversation the bot stays silent;
* messages a person sent from the desk since the user's previous message come first in the answer
  (REST cannot be written to later, so they wait for the next message);
* bad requests get a 400 with a reason instead of a 500.

The ``sender`` is the client's own id and is stored as it is: clients must not use phone numbers
(use :func:`bot.personal_data.pseudonymize` first).
"""

from __future__ import annotations

import asyncio
import json
import logging
from collections.abc import Awaitable, Callable
from typing import Any, Text

from rasa.core.channels.channel import CollectingOutputChannel, InputChannel, UserMessage
from rasa.core.channels.rest import QueueOutputChannel
from sanic import Blueprint, response
from sanic.request import Request
from sanic.response import HTTPResponse, ResponseStream

from bot import web_pages
from bot.channels.delivery import deliver, pushed_before_this_message

logger = logging.getLogger(__name__)

# Longer than anyone writes on purpose: a 10,000-character paste is still answered (the NLU reads its
# start and the bot says so); beyond this the request is refused with a 400.
MAX_MESSAGE = 20_000
MAX_SENDER = 255  # the SQL tracker store's column
MAX_BODY = 256 * 1024  # a message, its sender and some metadata; anything bigger is refused with a 413


def _bad_request(reason: str) -> HTTPResponse:
    return response.json({"error": "bad_request", "message": reason}, status=400)


class RestInput(InputChannel):
    """Rasa's REST channel, going through :func:`bot.channels.delivery.deliver`."""

    @classmethod
    def name(cls) -> Text:
        return "rest"

    @classmethod
    def from_credentials(cls, credentials: dict[Text, Any] | None) -> RestInput:
        return cls()

    @staticmethod
    def _parse(request: Request) -> Any:
        """``(sender, text, metadata, input_channel)`` or an error text."""
        try:
            body = web_pages.load_json(request.body)
        except ValueError as problem:
            return f"The body must be JSON ({problem})."
        if not isinstance(body, dict):
            return 'Send a JSON object like {"sender": "abc", "message": "hola"}.'
        # No default sender: every client without one would share one conversation (and its history).
        sender = body.get("sender")
        message = body.get("message")
        metadata = body.get("metadata")
        if not isinstance(sender, str) or not sender.strip() or len(sender) > MAX_SENDER:
            return f"sender must be a non-empty string of at most {MAX_SENDER} characters."
        if message is not None and not isinstance(message, str):
            return "message must be a string."
        if isinstance(message, str) and len(message) > MAX_MESSAGE:
            return f"message can have at most {MAX_MESSAGE} characters."
        if metadata is not None and not isinstance(metadata, dict):
            return "metadata must be a JSON object."
        # input_channel is not the client's to choose: it decides how desk replies are delivered.
        return sender, message or "", metadata, RestInput.name()

    def blueprint(self, on_new_message: Callable[[UserMessage], Awaitable[Any]]) -> Blueprint:
        webhook = Blueprint(f"brujula_rest_{id(self)}", __name__)

        @webhook.route("/", methods=["GET"])
        async def health(request: Request) -> HTTPResponse:
            return response.json({"status": "ok"})

        @webhook.route("/webhook", methods=["POST"])
        async def receive(request: Request) -> HTTPResponse | ResponseStream:
            if len(request.body or b"") > MAX_BODY:
                return response.json({"error": "too_large", "message": f"At most {MAX_BODY} bytes."}, status=413)
            parsed = self._parse(request)
            if isinstance(parsed, str):
                return _bad_request(parsed)
            sender, text, metadata, input_channel = parsed
            agent = getattr(request.app.ctx, "agent", None)
            stream = str(request.args.get("stream", "false")).lower() == "true"

            if stream:
                queue: asyncio.Queue = asyncio.Queue()

                async def produce() -> None:
                    try:
                        message = UserMessage(
                            text, QueueOutputChannel(queue), sender, input_channel=input_channel, metadata=metadata
                        )
                        delivered = await deliver(on_new_message, message, agent)
                        for pending in pushed_before_this_message(await delivered.after(agent), sender):
                            await queue.put(pending)
                    finally:
                        await queue.put(None)

                async def write(resp: Any) -> None:
                    task = asyncio.ensure_future(produce())
                    while True:
                        item = await queue.get()
                        if item is None:
                            break
                        await resp.write(json.dumps(item) + "\n")
                    await task

                return response.stream(write, content_type="text/event-stream")

            collector = CollectingOutputChannel()
            message = UserMessage(text, collector, sender, input_channel=input_channel, metadata=metadata)
            delivered = await deliver(on_new_message, message, agent)
            pending = pushed_before_this_message(await delivered.after(agent), sender)
            return response.json(pending + collector.messages)

        return webhook
