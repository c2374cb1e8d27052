"""The web chat at ``/chat``: a page served by the bot itself, for desks and for anyone with a browser.

Registered in ``credentials.yml`` as ``bot.channels.webchat.WebChatInput:`` (no keys). Every asset
comes from this server (``bot/channels/static/``): desks often have poor internet, and no third
party learns who chats.

The page keeps a random token in the tab's ``sessionStorage`` (closing the tab at a shared desk PC
ends the conversation on screen) and sends it as ``X-Chat-Token``. Rasa never sees the token, only
``pseudonymize("webchat", token)``; knowing a conversation's id does not let anyone read it.

API (JSON, all under ``/chat/api``):

* ``POST messages`` ``{"text", "language"?, "display_text"?}``: the bot's replies (through
  :func:`bot.channels.delivery.deliver`, so the user always hears back and stays unanswered by the bot
  while a person holds the conversation);
* ``GET history``: the conversation so far (a reload keeps it);
* ``GET updates?after=<unix time>``: messages from the desk (staff replies, hand-off notices), which
  the page polls for; they are read from the tracker store, so any Rasa replica can answer.

A location shared from the browser is sent to Rasa as ``/share_location{"lat": .., "lon": ..}``,
rounded to about 100 m.
"""

from __future__ import annotations

import json
import logging
import re
import time
import uuid
from collections.abc import Awaitable, Callable
from pathlib import Path
from typing import Any, Text

from rasa.core.channels.channel import CollectingOutputChannel, InputChannel, UserMessage
from rasa.shared.core.trackers import DialogueStateTracker
from sanic import Blueprint, response
from sanic.request import Request
from sanic.response import HTTPResponse

from bot import content, personal_data, trackers, web_pages
from bot.channels.delivery import deliver
from bot.channels.rendering import location_command, message_parts
from bot.conversation.vocabulary import Meta, Slot
from bot.handoff import records

logger = logging.getLogger(__name__)

CHANNEL = "webchat"
STATIC_DIR = Path(__file__).parent / "static"
TEMPLATE_DIR = Path(__file__).parent / "templates"  # pages as HTML files with $placeholders
STATIC_FILES = ("chat.js", "chat.css", "compass.svg")
TOKEN = re.compile(r"^[A-Za-z0-9_-]{32,64}$")
MAX_TEXT = 2000
MAX_BODY = 16 * 1024
# Pushed messages are looked up this far before the page's cursor: a desk message is stamped when it is
# created and saved a moment later, so a poll in between must not make the page skip it for good.
CURSOR_MARGIN_SECONDS = 30.0
LOCATION = re.compile(r"^/share_location\s*(\{.*\})\s*$", re.DOTALL)

CHAT_KEYS = (
    "chat_title",
    "chat_language",
    "chat_messages",
    "chat_input_label",
    "chat_send",
    "chat_share_location",
    "chat_location_shared",
    "chat_location_failed",
    "chat_new",
    "chat_new_confirm",
    "chat_you",
    "chat_staff",
    "chat_offline",
    "chat_sending",
    "chat_waiting_person",
    "chat_with_person",
    "chat_privacy",
)

PAGE = web_pages.template(TEMPLATE_DIR, "chat.html")


class WebChatOutput(CollectingOutputChannel):
    """Collects the bot's replies for the HTTP answer, each message whole (answers keep their source line)."""

    @classmethod
    def name(cls) -> Text:
        return CHANNEL

    async def send_text_message(self, recipient_id: Text, text: Text, **kwargs: Any) -> None:
        await self._persist_message(self._message(recipient_id, text=text))


def _reply_items(messages: list[dict[str, Any]]) -> list[dict[str, Any]]:
    """The bot's replies as the page shows them (the same shape as :func:`bot.handoff.records.history`)."""
    items = []
    for message in messages:
        parts = message_parts(message)
        text, buttons = parts.text, records.button_fields(parts.buttons)
        if text or buttons:
            item: dict[str, Any] = {"role": "bot", "text": text, "id": uuid.uuid4().hex, "at": time.time()}
            if buttons:
                item["buttons"] = buttons
            items.append(item)
    return items


def _canonical_location(text: str) -> str | None:
    """``/share_location{...}`` with valid coordinates, rounded to 3 decimals (about 100 m); else ``None``."""
    match = LOCATION.match(text)
    if not match:
        return None
    try:
        data = json.loads(match.group(1))
    except ValueError:
        return None
    return location_command(data.get("lat"), data.get("lon")) if isinstance(data, dict) else None


class WebChatInput(InputChannel):
    """Serves the chat page and its small JSON API inside the Rasa server."""

    @classmethod
    def name(cls) -> Text:
        return CHANNEL

    @classmethod
    def from_credentials(cls, credentials: dict[Text, Any] | None) -> WebChatInput:
        return cls()

    def url_prefix(self) -> Text:
        return "/chat"  # urljoin("/webhooks/", "/chat") == "/chat"

    @staticmethod
    def sender_id(token: str) -> str:
        return personal_data.pseudonymize(CHANNEL, token)

    def blueprint(self, on_new_message: Callable[[UserMessage], Awaitable[Any]]) -> Blueprint:
        chat = Blueprint(f"brujula_webchat_{id(self)}", __name__)

        def token_of(request: Request) -> str | None:
            token = request.headers.get("x-chat-token") or ""
            return token if TOKEN.match(token) else None

        def status_of(tracker: DialogueStateTracker | None) -> dict[str, Any]:
            if tracker is None:
                return {"handoff": None}
            view = records.read_view(tracker, history_limit=1)
            # The page's own labels follow the conversation language once the bot has settled it.
            return {"handoff": view.status, "staff_name": view.staff_name, "language": tracker.get_slot(Slot.LANGUAGE)}

        async def conversation(request: Request, token: str) -> DialogueStateTracker | HTTPResponse:
            """The token's conversation, or the answer to give instead (still starting, nothing said yet)."""
            agent = getattr(request.app.ctx, "agent", None)
            if trackers.store_of(agent) is None:
                return web_pages.error(503, "starting", "The assistant is starting; try again in a moment.")
            tracker = await trackers.tracker_if_ready(agent, self.sender_id(token))
            if tracker is None:
                return web_pages.json_response({"messages": [], "handoff": None, "now": time.time()})
            return tracker

        @chat.middleware("request")
        async def limit_size(request: Request) -> HTTPResponse | None:
            if len(request.body or b"") > MAX_BODY:
                return web_pages.error(413, "too_large", "Message too large.")
            return None

        @chat.route("/", methods=["GET"], strict_slashes=False)
        async def page(request: Request) -> HTTPResponse:
            snapshot = content.current()
            lang = web_pages.pick_language(request)
            html_page = web_pages.render(
                PAGE,
                lang=lang,
                title=snapshot.text("chat_title", lang),
                texts_html=web_pages.script_json(web_pages.texts(CHAT_KEYS, snapshot)),
                names_html=web_pages.script_json(web_pages.LANGUAGE_NAMES),
                language_label=snapshot.text("chat_language", lang),
                language_options_html=web_pages.language_options(lang),
                new_label=snapshot.text("chat_new", lang),
                messages_label=snapshot.text("chat_messages", lang),
                input_label=snapshot.text("chat_input_label", lang),
                send_label=snapshot.text("chat_send", lang),
                location_label=snapshot.text("chat_share_location", lang),
                privacy=snapshot.text("chat_privacy", lang),
            )
            return web_pages.with_headers(response.html(html_page))

        @chat.route("/static/<name:str>", methods=["GET"])
        async def static(request: Request, name: str) -> HTTPResponse:
            return web_pages.static_file(STATIC_DIR, name, STATIC_FILES)

        @chat.route("/api/messages", methods=["POST"])
        async def message(request: Request) -> HTTPResponse:
            token = token_of(request)
            if token is None:
                return web_pages.error(400, "token", "Send the X-Chat-Token header (32-64 letters, digits, - or _).")
            body = web_pages.json_body(request)
            if not isinstance(body, dict):
                return web_pages.error(400, "bad_request", 'Send JSON like {"text": "hola"}.')
            text = body.get("text")
            if not isinstance(text, str) or not text.strip():
                return web_pages.error(400, "empty", "The message has no text.")
            if len(text) > MAX_TEXT:
                return web_pages.error(413, "too_long", f"A message can have at most {MAX_TEXT} characters.")
            text = text.strip()
            if text.startswith("/share_location"):
                location = _canonical_location(text)
                if location is None:
                    return web_pages.error(400, "location", "lat must be within -90..90 and lon within -180..180.")
                text = location
            metadata: dict[str, Any] = {}
            language = body.get("language")
            if language in web_pages.LANGUAGES:
                metadata[Meta.LANGUAGE_HINT] = language
            display = body.get("display_text")
            if isinstance(display, str):
                metadata[Meta.DISPLAY_TEXT] = display.strip()[:200]
            sender_id = self.sender_id(token)
            output = WebChatOutput()
            agent = getattr(request.app.ctx, "agent", None)
            user_message = UserMessage(text, output, sender_id, input_channel=CHANNEL, metadata=metadata)
            delivered = await deliver(on_new_message, user_message, agent)
            return web_pages.json_response(
                {
                    "messages": _reply_items(output.messages),
                    **status_of(await delivered.after(agent)),
                    "now": time.time(),
                }
            )

        @chat.route("/api/history", methods=["GET"])
        async def history(request: Request) -> HTTPResponse:
            token = token_of(request)
            if token is None:
                return web_pages.error(400, "token", "Send the X-Chat-Token header.")
            tracker = await conversation(request, token)
            if isinstance(tracker, HTTPResponse):
                return tracker
            view = records.read_view(tracker, history_limit=200)
            return web_pages.json_response(
                {
                    "messages": [item.as_dict() for item in view.history],
                    "handoff": view.status,
                    "staff_name": view.staff_name,
                    "now": time.time(),
                }
            )

        @chat.route("/api/updates", methods=["GET"])
        async def updates(request: Request) -> HTTPResponse:
            token = token_of(request)
            if token is None:
                return web_pages.error(400, "token", "Send the X-Chat-Token header.")
            try:
                after = float(request.args.get("after", "0"))
            except ValueError:
                return web_pages.error(400, "after", "after must be a Unix time in seconds.")
            tracker = await conversation(request, token)
            if isinstance(tracker, HTTPResponse):
                return tracker
            view = records.read_view(tracker, history_limit=1)
            pushed = records.pushed_since(tracker, after - CURSOR_MARGIN_SECONDS)
            return web_pages.json_response(
                {
                    "messages": [item.as_dict() for item in pushed],
                    "handoff": view.status,
                    "staff_name": view.staff_name,
                    "now": time.time(),
                }
            )

        return chat
