"""Telegram through python-telegram-bot: a webhook checked by Telegram's secret token, replies with inline keyboards.

Webhook: ``POST /webhooks/telegram/webhook``, registered with ``python -m bot.channels.telegram_setup
set-webhook``. Telegram sends the secret token chosen at registration in the header
``X-Telegram-Bot-Api-Secret-Token``; a request without it gets ``403``. Updates are parsed with
``telegram.Update.de_json`` and acknowledged at once; the answer is sent in the background.

Handled: text, ``/start`` ``/language`` ``/menu`` ``/help``, taps on inline-keyboard buttons,
locations, edited messages (answered as new ones) and media (the "only text for now" reply and the
menu). Updates of other kinds, from group chats, or already seen are acknowledged and ignored.

Configuration (environment; see docs/CHANNELS.md):

``TELEGRAM_BOT_TOKEN``
    From BotFather.
``TELEGRAM_SECRET_TOKEN``
    1-256 characters ``A-Z a-z 0-9 _ -``, e.g. ``openssl rand -hex 32``.
``TELEGRAM_WEBHOOK_URL``
    The public https URL of the webhook (used by ``set-webhook``).
``TELEGRAM_API_BASE_URL``
    Default ``https://api.telegram.org``; tests point it at a local fake.
"""

from __future__ import annotations

import asyncio
import hmac
import logging
import os
import re
from collections import OrderedDict
from collections.abc import Awaitable, Callable, Mapping
from dataclasses import dataclass, field
from datetime import timedelta
from typing import Any

import aiohttp
from rasa.core.channels.channel import UserMessage
from sanic import response
from sanic.request import Request
from sanic.response import HTTPResponse
from telegram import Bot, InlineKeyboardButton, InlineKeyboardMarkup, Message, Update
from telegram.error import BadRequest, Forbidden, NetworkError, RetryAfter, TelegramError, TimedOut
from telegram.request import BaseRequest, RequestData

from bot import contacts, language, personal_data, web_pages
from bot.channels.delivery import read_state
from bot.channels.rendering import (
    LANGUAGE_HINT,
    TELEGRAM_LIMIT,
    UNREADABLE_LOCATION,
    button_line,
    join_and_split,
    location_command,
    merge_turn,
    split_text,
    ui_text,
)
from bot.channels.webhooks import BufferedOutput, WebhookInput, body_too_large, media_type, with_retries
from bot.conversation.vocabulary import Meta
from bot.handoff import outbox

logger = logging.getLogger(__name__)
# python-telegram-bot logs chat ids, texts and the token-bearing URL at DEBUG: not in Brújula's logs.
logging.getLogger("telegram").setLevel(logging.INFO)

CHANNEL = "telegram"
DEFAULT_API_BASE = "https://api.telegram.org"
SECRET_HEADER = "X-Telegram-Bot-Api-Secret-Token"  # noqa: S105 - a header name
CALLBACK_DATA_LIMIT = 64  # bytes, Bot API limit for callback_data
ALLOWED_UPDATES = ("message", "edited_message", "callback_query")
_SECRET_FORMAT = re.compile(r"^[A-Za-z0-9_-]{1,256}$")
# Slash commands people type (or pick from the bot's menu) and the intent each one means.
COMMANDS = {
    "start": "/greet",
    "language": "/set_language",
    "lang": "/set_language",
    "idioma": "/set_language",
    "langue": "/set_language",
    "menu": "/main_menu",
    "help": "/main_menu",
    "ayuda": "/main_menu",
    "ajuda": "/main_menu",
    "aide": "/main_menu",
}
MEDIA_FIELDS = (
    "photo",
    "voice",
    "audio",
    "video",
    "video_note",
    "document",
    "sticker",
    "animation",
    "contact",
    "poll",
    "dice",
    "game",
    "story",
    "paid_media",
)

ENVIRONMENT = {
    "token": "TELEGRAM_BOT_TOKEN",
    "secret_token": "TELEGRAM_SECRET_TOKEN",
    "webhook_url": "TELEGRAM_WEBHOOK_URL",
    "api_base_url": "TELEGRAM_API_BASE_URL",
}


@dataclass(frozen=True)
class TelegramConfig:
    token: str = ""
    secret_token: str = ""
    webhook_url: str = ""
    api_base_url: str = DEFAULT_API_BASE

    @classmethod
    def load(
        cls, credentials: Mapping[str, Any] | None = None, environ: Mapping[str, str] | None = None
    ) -> TelegramConfig:
        """Values from ``credentials.yml`` win; the environment fills in the rest."""
        credentials = credentials or {}
        environ = os.environ if environ is None else environ
        # credentials.yml keys are the variable names in lower case without "TELEGRAM_" (bot_token, ...)
        values = {
            key: str(credentials.get(variable[len("TELEGRAM_") :].lower()) or environ.get(variable) or "").strip()
            for key, variable in ENVIRONMENT.items()
        }
        values["api_base_url"] = (values["api_base_url"] or DEFAULT_API_BASE).rstrip("/")
        return cls(**values)

    def problems(self) -> list[str]:
        found = []
        if not self.token:
            found.append("TELEGRAM_BOT_TOKEN is not set")
        if not self.secret_token:
            found.append("TELEGRAM_SECRET_TOKEN is not set")
        elif not _SECRET_FORMAT.match(self.secret_token):
            found.append("TELEGRAM_SECRET_TOKEN must be 1-256 characters among A-Z a-z 0-9 _ -")
        return found


def _transient(error: BaseException) -> float | None:
    if isinstance(error, RetryAfter):
        wait = error.retry_after
        seconds = wait.total_seconds() if isinstance(wait, timedelta) else float(wait)
        return min(max(seconds, 0.1), 30.0)
    if isinstance(error, BadRequest | Forbidden):
        return None
    if isinstance(error, NetworkError):  # includes TimedOut
        return 0
    return None


def keyboard(buttons: list[dict[str, Any]]) -> tuple[InlineKeyboardMarkup | None, list[str]]:
    """An inline keyboard for ``buttons``, and text lines for buttons that cannot be one.

    A payload longer than Telegram's 64 bytes would make Telegram refuse the whole message, so such
    a button is written under the text instead.
    """
    keys: list[InlineKeyboardButton] = []
    leftover: list[str] = []
    for button in buttons:
        title = str(button.get("title") or "").strip()
        payload = str(button.get("payload") or "").strip()
        if not payload or len(payload.encode()) > CALLBACK_DATA_LIMIT:
            logger.warning("Telegram: a button payload is empty or over %d bytes; shown as text", CALLBACK_DATA_LIMIT)
            line = button_line(button)
            if line:
                leftover.append(line)
            continue
        keys.append(InlineKeyboardButton(title or payload, callback_data=payload))
    if not keys:
        return None, leftover
    if all(len(key.text) <= 12 for key in keys):  # ✔ ✘, short choices: side by side
        rows = [keys[i : i + 3] for i in range(0, len(keys), 3)]
    else:
        rows = [[key] for key in keys]
    return InlineKeyboardMarkup(rows), leftover


class KeyboardMemory:
    """Which messages carry each chat's current keyboards.

    A menu button's payload ("2") means something only in the menu it belongs to; a tap on an older
    keyboard would pick option 2 of whatever menu is current. Such taps are refused with a short
    notice. Memory is per process and bounded; an unknown chat accepts every tap.
    """

    def __init__(self, size: int = 50_000) -> None:
        self.size = size
        self._latest: OrderedDict[int, frozenset[int]] = OrderedDict()

    def remember(self, chat_id: int, message_ids: list[int]) -> None:
        self._latest[chat_id] = frozenset(message_ids)
        self._latest.move_to_end(chat_id)
        if len(self._latest) > self.size:
            self._latest.popitem(last=False)

    def is_stale(self, chat_id: int, message_id: int | None) -> bool:
        latest = self._latest.get(chat_id)
        return latest is not None and message_id is not None and message_id not in latest


@dataclass(frozen=True)
class Event:
    """What a Telegram update asks Brújula to answer."""

    update_id: int
    chat_id: int
    sender_id: str
    text: str = ""
    media: tuple[str, ...] = ()
    metadata: dict[str, Any] = field(default_factory=dict)
    callback_id: str | None = None
    callback_message_id: int | None = None


def command_text(text: str) -> tuple[str, str | None]:
    """The text for Rasa, and a language hint from ``/start <lang>`` deep links (t.me/bot?start=ht)."""
    if not text.startswith("/"):
        return text, None
    word, _, rest = text[1:].partition(" ")
    name = word.split("@", 1)[0].lower()
    intent = COMMANDS.get(name)
    if intent is None:
        return text, None
    argument = rest.strip().lower()
    hint = argument if name == "start" and argument in language.SUPPORTED else None
    return intent, hint


class AiohttpRequest(BaseRequest):
    """python-telegram-bot's HTTP layer over ``aiohttp``.

    The default (httpx) costs several milliseconds of CPU per call under concurrent load; aiohttp,
    already used for WhatsApp, a fraction of that (see scripts/bench_channels.py). ``telegram.Bot``
    does the rest as usual: building requests, parsing replies, raising its errors.
    """

    def __init__(self, connect_timeout: float = 5.0, read_timeout: float = 10.0, pool_size: int = 64) -> None:
        self._connect_timeout, self._read_timeout, self._pool_size = connect_timeout, read_timeout, pool_size
        self._session: aiohttp.ClientSession | None = None

    @property
    def read_timeout(self) -> float | None:
        return self._read_timeout

    async def initialize(self) -> None:
        self._open()

    async def shutdown(self) -> None:
        if self._session is not None and not self._session.closed:
            await self._session.close()

    def _open(self) -> aiohttp.ClientSession:
        if self._session is None or self._session.closed:
            self._session = aiohttp.ClientSession(connector=aiohttp.TCPConnector(limit=self._pool_size))
        return self._session

    async def do_request(
        self,
        url: str,
        method: str,
        request_data: RequestData | None = None,
        read_timeout: Any = BaseRequest.DEFAULT_NONE,
        write_timeout: Any = BaseRequest.DEFAULT_NONE,
        connect_timeout: Any = BaseRequest.DEFAULT_NONE,
        pool_timeout: Any = BaseRequest.DEFAULT_NONE,
    ) -> tuple[int, bytes]:
        def seconds(value: Any, default: float | None) -> float | None:
            return default if value is BaseRequest.DEFAULT_NONE else value

        timeout = aiohttp.ClientTimeout(
            sock_connect=seconds(connect_timeout, self._connect_timeout),
            sock_read=seconds(read_timeout, self._read_timeout),
        )
        data: Any = None
        headers: dict[str, str] = {}
        if request_data is not None and request_data.contains_files:
            form = aiohttp.FormData()
            for name, value in request_data.json_parameters.items():
                form.add_field(name, value)
            for name, part in request_data.multipart_data.items():
                filename, content = part[0], part[1]
                form.add_field(name, content, filename=filename, content_type=part[2] if len(part) > 2 else None)
            data = form
        elif request_data is not None:
            data, headers = request_data.json_payload, {"Content-Type": "application/json"}
        try:
            async with self._open().request(method, url, data=data, headers=headers, timeout=timeout) as reply:
                return reply.status, await reply.read()
        except asyncio.TimeoutError as error:
            raise TimedOut from error
        except aiohttp.ClientError as error:
            raise NetworkError(f"aiohttp: {type(error).__name__}") from error


class TelegramOutput(BufferedOutput):
    """Sends a turn's replies merged, each keyboard under the text it belongs to."""

    channel_name = CHANNEL

    def __init__(self, channel: TelegramInput, chat_id: int, sender_id: str) -> None:
        super().__init__()
        self.channel, self.chat_id, self.sender_id = channel, chat_id, sender_id

    async def flush(self) -> bool:
        keyboard_messages: list[int] = []
        parts = self.take_parts()
        pins = [part.location for part in parts if part.location]
        for outgoing in merge_turn(parts):
            markup, leftover = keyboard(outgoing.buttons)
            text = "\n".join([outgoing.text, *leftover]).strip() or "👇"
            chunks = split_text(text, TELEGRAM_LIMIT)
            for number, chunk in enumerate(chunks, start=1):
                last = number == len(chunks)
                sent = await self.channel.send_message(self.chat_id, self.sender_id, chunk, markup if last else None)
                if sent is None:
                    return False
                if last and markup is not None:
                    keyboard_messages.append(sent.message_id)
        if keyboard_messages:
            self.channel.keyboards.remember(self.chat_id, keyboard_messages)
        if pins:  # the first place as a map pin: one tap opens it in the map app
            await self.channel.send_location(self.chat_id, self.sender_id, pins[0]["lat"], pins[0]["lon"])
        return True


class TelegramInput(WebhookInput):
    """The Telegram channel. Register as ``bot.channels.telegram.TelegramInput`` in credentials.yml."""

    channel_name = CHANNEL
    label = "Telegram"
    config_type = TelegramConfig
    config: TelegramConfig

    def __init__(
        self,
        config: TelegramConfig | None = None,
        store: contacts.ContactStore | None = None,
        retry_delays: tuple[float, ...] = (0.5, 2.0),
    ) -> None:
        super().__init__(config, store)
        self.retry_delays = retry_delays
        self.keyboards = KeyboardMemory()
        self._bot: Bot | None = None
        self._loop: asyncio.AbstractEventLoop | None = None

    def bot(self) -> Bot:
        """The Bot API client for the running event loop (an HTTP connection pool belongs to one loop)."""
        loop = asyncio.get_running_loop()
        if self._bot is None or self._loop is not loop:
            self._bot = Bot(
                self.config.token,
                base_url=f"{self.config.api_base_url}/bot",
                request=AiohttpRequest(),
                get_updates_request=AiohttpRequest(pool_size=1),
            )
            self._loop = loop
        return self._bot

    async def close_sender(self) -> None:
        if self._bot is not None:
            await self._bot.shutdown()

    # -- in ---------------------------------------------------------------------------------
    async def receive(self, request: Request, on_new_message: Callable[[UserMessage], Awaitable[Any]]) -> HTTPResponse:
        """Check and acknowledge one update; the answer is sent in the background."""
        secret = request.headers.get(SECRET_HEADER, "")
        if not hmac.compare_digest(secret.encode(), self.config.secret_token.encode()):
            logger.warning("Telegram webhook: %s secret token, request dropped", "wrong" if secret else "missing")
            return response.text("invalid secret token", status=403)
        if body_too_large(request):
            return response.text("request too large", status=413)
        if media_type(request) != "application/json":
            return response.text("expected application/json", status=415)
        try:
            data = web_pages.load_json(request.body)
        except ValueError:
            return response.text("invalid JSON", status=400)
        update_id = data.get("update_id") if isinstance(data, dict) else None
        if not isinstance(update_id, int) or isinstance(update_id, bool):
            return response.text("an Update object with an integer update_id is expected", status=400)
        if not await self.first_delivery(str(update_id)):
            logger.info("Telegram: update %d received twice, answered once", update_id)
            return _ok()
        try:
            update = Update.de_json(data, self.bot())
        except Exception as error:  # authenticated but unreadable: retrying would not help
            logger.warning("Telegram: update %d could not be read (%s), ignored", update_id, type(error).__name__)
            return _ok()
        event = self.parse(update)
        if event is None:
            return _ok()
        agent = getattr(request.app.ctx, "agent", None)
        self.tasks.spawn(self.answer(event, on_new_message, agent))
        return _ok()

    def parse(self, update: Update) -> Event | None:
        """The :class:`Event` to answer, or None for what Brújula ignores (and says why in the log)."""
        query = update.callback_query
        if query is not None:
            message = query.message
            if message is None or message.chat.type != "private" or not query.data:
                self.tasks.spawn(self.answer_callback(query.id))
                logger.info("Telegram: update %d is a button tap Brújula cannot use, ignored", update.update_id)
                return None
            hint = query.from_user.language_code if query.from_user else None
            return Event(
                update.update_id,
                message.chat.id,
                personal_data.pseudonymize(CHANNEL, str(message.chat.id)),
                text=str(query.data),
                metadata={LANGUAGE_HINT: hint} if hint else {},
                callback_id=query.id,
                callback_message_id=message.message_id,
            )
        edited = update.edited_message is not None
        message = update.message or update.edited_message
        if message is None:
            logger.info("Telegram: update %d of a kind Brújula does not handle, ignored", update.update_id)
            return None
        if message.chat is None:  # not a real Telegram message (no chat to answer): acknowledged, logged
            logger.warning("Telegram: update %d has a message without a chat, ignored", update.update_id)
            return None
        if message.chat.type != "private" or (message.from_user is not None and message.from_user.is_bot):
            logger.info("Telegram: update %d is not from a private chat with a person, ignored", update.update_id)
            return None
        sender_id = personal_data.pseudonymize(CHANNEL, str(message.chat.id))
        metadata: dict[str, Any] = {}
        if message.from_user is not None and message.from_user.language_code:
            metadata[LANGUAGE_HINT] = message.from_user.language_code
        if edited:
            metadata[Meta.EDITED] = True
        if message.forward_origin is not None:  # forwarded from someone else: the offer check reads it
            metadata[Meta.FORWARDED] = True
        place = message.location or (message.venue.location if message.venue else None)
        if place is not None:
            if edited:  # a live location moving: one answer is enough
                return None
            command = location_command(place.latitude, place.longitude)
            if command:
                return Event(update.update_id, message.chat.id, sender_id, text=command, metadata=metadata)
            # coordinates out of range or NaN: say so rather than stay silent
            return Event(update.update_id, message.chat.id, sender_id, media=(UNREADABLE_LOCATION,), metadata=metadata)
        text = message.text or message.caption or ""
        if text.strip():
            text, hint = command_text(text)
            if hint:
                metadata[LANGUAGE_HINT] = hint
            return Event(update.update_id, message.chat.id, sender_id, text=text, metadata=metadata)
        kinds = tuple(name for name in MEDIA_FIELDS if getattr(message, name, None))
        if not kinds:
            logger.info("Telegram: update %d carries nothing to answer (a service message), ignored", update.update_id)
            return None
        return Event(update.update_id, message.chat.id, sender_id, media=kinds, metadata=metadata)

    async def answer(self, event: Event, on_new_message: Callable[[UserMessage], Awaitable[Any]], agent: Any) -> None:
        await self.remember_contact(event.sender_id, str(event.chat_id))
        if event.callback_id is not None:
            if self.keyboards.is_stale(event.chat_id, event.callback_message_id):
                lang = (await read_state(agent, event.sender_id, event.metadata.get(LANGUAGE_HINT))).language
                notice = ui_text("menu_expired", lang, "This menu is out of date: use the latest message.")
                await self.answer_callback(event.callback_id, notice)
                return
            self.tasks.spawn(self.answer_callback(event.callback_id))
        output = TelegramOutput(self, event.chat_id, event.sender_id)
        await self.answer_turn(
            output,
            on_new_message,
            agent,
            event.sender_id,
            event.text,
            event.media,
            metadata=event.metadata,
            message_id=str(event.update_id),
        )

    # -- out --------------------------------------------------------------------------------
    async def send_message(
        self, chat_id: int, sender_id: str, text: str, markup: InlineKeyboardMarkup | None = None, what: str = "reply"
    ) -> Message | None:
        """One message, retried on flood control and network errors; None (logged) if it could not go."""
        bot = self.bot()
        try:
            return await with_retries(
                lambda: bot.send_message(chat_id=chat_id, text=text, reply_markup=markup),
                _transient,
                self.retry_delays,
                f"Telegram {what} to {sender_id}",
            )
        except Forbidden:
            logger.warning("Telegram: %s has blocked the bot or left; %s not sent", sender_id, what)
        except TelegramError as error:
            logger.error("Telegram refused the %s to %s: %s (%s)", what, sender_id, type(error).__name__, error.message)
        except Exception as error:
            logger.error("The Telegram %s to %s could not be sent: %s", what, sender_id, type(error).__name__)
        return None

    async def send_location(self, chat_id: int, sender_id: str, lat: float, lon: float) -> bool:
        """A map pin (a place's exact point); False (logged) if it could not go."""
        bot = self.bot()
        try:
            await with_retries(
                lambda: bot.send_location(chat_id=chat_id, latitude=lat, longitude=lon),
                _transient,
                self.retry_delays,
                f"Telegram location to {sender_id}",
            )
            return True
        except Exception as error:
            logger.error("The Telegram location to %s could not be sent: %s", sender_id, type(error).__name__)
            return False

    async def answer_callback(self, callback_id: str, text: str | None = None) -> None:
        """Stop the button's loading spinner (and show ``text`` as a short notice)."""
        try:
            await self.bot().answer_callback_query(callback_id, text=text)
        except Exception as error:  # a tap older than a few minutes cannot be answered: harmless
            logger.info("Telegram: button tap not acknowledged (%s)", type(error).__name__)

    async def send_proactive(self, sender_id: str, texts: list[str], language: str | None = None) -> bool:
        """Send the help desk's ``texts`` to ``sender_id`` (Telegram has no reply window)."""
        contact = await self.proactive_contact(sender_id)
        if contact is None:
            return False
        chunks = join_and_split(texts, TELEGRAM_LIMIT)
        for chunk in chunks:
            if await self.send_message(int(contact.address), sender_id, chunk, what="proactive message") is None:
                return False
        return bool(chunks)


def _ok() -> HTTPResponse:
    return response.empty(status=200)


outbox.register(CHANNEL, TelegramInput.proactive_send)
