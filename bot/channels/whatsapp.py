"""WhatsApp through Twilio: an authenticated webhook in, the Twilio REST API out.

Webhook: ``POST /webhooks/whatsapp/webhook`` (point the Twilio sender's "A message comes in" URL at
it). Every request must carry a valid ``X-Twilio-Signature`` computed over the public URL given in
``TWILIO_WEBHOOK_URL``; anything else gets ``403`` and is not read. The webhook answers ``200`` at
once with empty TwiML and the reply goes out afterwards through the REST API (``aiohttp``, never
blocking the event loop), with retries on transient errors.

Configuration (environment variables; the same names in lower case without ``TWILIO_`` may be set
under the channel in ``credentials.yml``, see docs/CHANNELS.md):

``TWILIO_ACCOUNT_SID``, ``TWILIO_AUTH_TOKEN``
    The account; the token also checks the webhook signature.
``TWILIO_WHATSAPP_FROM`` or ``TWILIO_MESSAGING_SERVICE_SID``
    Who the replies come from (``whatsapp:+14155238886``), or a messaging service.
``TWILIO_WEBHOOK_URL``
    The public URL Twilio calls, exactly as configured in Twilio (behind a proxy it differs from
    what the server sees).
``TWILIO_TEMPLATE_CONTENT_SID`` (and optionally ``TWILIO_TEMPLATE_CONTENT_SID_EN``, ``_PT``, ``_FR``, ``_HT``)
    The approved template sent when the help desk answers more than 24 hours after the person's
    last message.
``TWILIO_API_BASE_URL``
    Default ``https://api.twilio.com``; tests point it at a local fake.
"""

from __future__ import annotations

import asyncio
import hmac
import logging
from collections.abc import Awaitable, Callable, Mapping
from dataclasses import dataclass, field
from typing import Any
from urllib.parse import parse_qsl, urlsplit, urlunsplit

import aiohttp
from rasa.core.channels.channel import UserMessage
from sanic import response
from sanic.request import Request, RequestParameters
from sanic.response import HTTPResponse
from twilio.base.exceptions import TwilioRestException
from twilio.http import HttpClient
from twilio.http.response import Response as TwilioResponse
from twilio.request_validator import RequestValidator
from twilio.rest import Client

from bot import contacts, personal_data
from bot.channels.rendering import WHATSAPP_LIMIT, as_plain_text, join_and_split, location_command
from bot.channels.webhooks import BufferedOutput, WebhookInput, body_too_large, media_type, with_retries
from bot.conversation.vocabulary import Meta
from bot.handoff import outbox

logger = logging.getLogger(__name__)

CHANNEL = "whatsapp"
DEFAULT_API_BASE = "https://api.twilio.com"
WINDOW_SECONDS = 24 * 3600
# Free text only while safely inside the window: the stored last-message time may lag a minute.
FREE_TEXT_SECONDS = WINDOW_SECONDS - 10 * 60
EMPTY_TWIML = '<?xml version="1.0" encoding="UTF-8"?><Response></Response>'
OUTSIDE_WINDOW_ERROR = 63016  # Twilio: free-form message outside the 24-hour window

ENVIRONMENT = {
    "account_sid": "TWILIO_ACCOUNT_SID",
    "auth_token": "TWILIO_AUTH_TOKEN",
    "whatsapp_from": "TWILIO_WHATSAPP_FROM",
    "messaging_service_sid": "TWILIO_MESSAGING_SERVICE_SID",
    "webhook_url": "TWILIO_WEBHOOK_URL",
    "template_content_sid": "TWILIO_TEMPLATE_CONTENT_SID",
    "api_base_url": "TWILIO_API_BASE_URL",
}
TEMPLATE_LANGUAGES = ("es", "en", "pt", "fr", "ht")


@dataclass(frozen=True)
class WhatsAppConfig:
    account_sid: str = ""
    auth_token: str = ""
    whatsapp_from: str = ""
    messaging_service_sid: str = ""
    webhook_url: str = ""
    template_content_sid: str = ""
    api_base_url: str = DEFAULT_API_BASE
    templates: Mapping[str, str] = field(default_factory=dict)  # language -> content SID

    @classmethod
    def load(
        cls, credentials: Mapping[str, Any] | None = None, environ: Mapping[str, str] | None = None
    ) -> WhatsAppConfig:
        """Values from ``credentials.yml`` win; the environment fills in the rest."""
        import os

        credentials = credentials or {}
        environ = os.environ if environ is None else environ
        values = {}
        for key, variable in ENVIRONMENT.items():
            value = credentials.get(key) or environ.get(variable) or ""
            values[key] = str(value).strip()
        values["api_base_url"] = values["api_base_url"] or DEFAULT_API_BASE
        templates = {}
        for code in TEMPLATE_LANGUAGES:
            sid = credentials.get(f"template_content_sid_{code}") or environ.get(
                f"TWILIO_TEMPLATE_CONTENT_SID_{code.upper()}"
            )
            if sid:
                templates[code] = str(sid).strip()
        return cls(templates=templates, **values)

    def problems(self) -> list[str]:
        """What keeps the channel from working, in words an operator can act on."""
        found = [
            f"{ENVIRONMENT[key]} is not set"
            for key in ("account_sid", "auth_token", "webhook_url")
            if not getattr(self, key)
        ]
        if not self.whatsapp_from and not self.messaging_service_sid:
            found.append("set TWILIO_WHATSAPP_FROM (whatsapp:+E.164 number) or TWILIO_MESSAGING_SERVICE_SID")
        elif self.whatsapp_from and not self.whatsapp_from.startswith("whatsapp:"):
            found.append("TWILIO_WHATSAPP_FROM must look like whatsapp:+14155238886")
        if self.webhook_url and urlsplit(self.webhook_url).scheme not in ("http", "https"):
            found.append("TWILIO_WEBHOOK_URL must be the full https:// URL configured in Twilio")
        return found

    def template_for(self, language: str | None) -> str:
        return self.templates.get(language or "", "") or self.template_content_sid


class TwilioHttpClient(HttpClient):
    """twilio's async HTTP client interface over one ``aiohttp`` session, optionally at another base URL."""

    def __init__(self, base_url: str = DEFAULT_API_BASE, timeout: float = 10.0) -> None:
        super().__init__(logging.getLogger("twilio.http_client"), is_async=True, timeout=timeout)
        self.base = urlsplit(base_url.rstrip("/"))
        self.rewrite = base_url.rstrip("/") != DEFAULT_API_BASE
        self.session: aiohttp.ClientSession | None = None

    async def request(
        self,
        method: str,
        url: str,
        params: dict[str, object] | None = None,
        data: dict[str, object] | None = None,
        headers: dict[str, str] | None = None,
        auth: tuple[str, str] | None = None,
        timeout: float | None = None,
        allow_redirects: bool = False,
    ) -> TwilioResponse:
        if self.rewrite:  # https://api.twilio.com/2010-04-01/... -> <base>/2010-04-01/...
            target = urlsplit(url)
            url = urlunsplit((self.base.scheme, self.base.netloc, self.base.path + target.path, target.query, ""))
        if self.session is None or self.session.closed:
            self.session = aiohttp.ClientSession()
        async with self.session.request(
            method.upper(),
            url,
            params=params,
            data=data,
            headers=headers,
            auth=aiohttp.BasicAuth(*auth) if auth else None,
            timeout=aiohttp.ClientTimeout(total=timeout or self.timeout),
            allow_redirects=allow_redirects,
        ) as reply:
            return TwilioResponse(reply.status, await reply.text(), reply.headers)

    async def close(self) -> None:
        if self.session is not None and not self.session.closed:
            await self.session.close()


def _transient(error: BaseException) -> float | None:
    if isinstance(error, TwilioRestException):
        return 0 if error.status == 429 or error.status >= 500 else None
    if isinstance(error, aiohttp.ClientError | asyncio.TimeoutError | OSError):
        return 0
    return None


class TwilioSender:
    """Sends WhatsApp messages through the Twilio REST API, with retries; logs instead of raising."""

    def __init__(
        self, config: WhatsAppConfig, retry_delays: tuple[float, ...] = (0.5, 2.0), timeout: float = 10.0
    ) -> None:
        self.config = config
        self.retry_delays = retry_delays
        self.timeout = timeout
        self._client: Client | None = None
        self._http: TwilioHttpClient | None = None
        self._loop: asyncio.AbstractEventLoop | None = None

    def client(self) -> Client:
        loop = asyncio.get_running_loop()
        if self._client is None or self._loop is not loop:  # an aiohttp session belongs to one loop
            self._http = TwilioHttpClient(self.config.api_base_url, self.timeout)
            self._client = Client(self.config.account_sid, self.config.auth_token, http_client=self._http)
            self._loop = loop
        return self._client

    async def send(
        self,
        to: str,
        sender_id: str,
        body: str | None = None,
        content_sid: str | None = None,
        what: str = "reply",
        persistent_action: list[str] | None = None,
    ) -> bool:
        """One message (a text or a template) to ``to``; ``sender_id`` only names it in the log.

        ``persistent_action`` (``["geo:lat,lon|label"]``) makes it a WhatsApp location message.
        """
        kwargs: dict[str, Any] = {"to": to}
        if self.config.messaging_service_sid:
            kwargs["messaging_service_sid"] = self.config.messaging_service_sid
        else:
            kwargs["from_"] = self.config.whatsapp_from
        if content_sid:
            kwargs["content_sid"] = content_sid
        else:
            kwargs["body"] = body or ""
        if persistent_action:
            kwargs["persistent_action"] = persistent_action
        messages = self.client().messages
        try:
            await with_retries(
                lambda: messages.create_async(**kwargs),
                _transient,
                self.retry_delays,
                f"WhatsApp {what} to {sender_id}",
            )
            return True
        except TwilioRestException as error:
            # error.msg may quote the phone number: log the status and Twilio's error code only
            why = (
                " (outside the 24-hour window: only an approved template may be sent)"
                if error.code == OUTSIDE_WINDOW_ERROR
                else ""
            )
            logger.error(
                "Twilio refused the WhatsApp %s to %s: HTTP %s, Twilio error %s%s",
                what,
                sender_id,
                error.status,
                error.code,
                why,
            )
        except Exception as error:
            logger.error("The WhatsApp %s to %s could not be sent: %s", what, sender_id, type(error).__name__)
        return False

    async def send_texts(self, to: str, sender_id: str, texts: list[str], what: str = "reply") -> bool:
        """``texts`` joined and cut at 1,600 characters, in order; stops at the first failure."""
        chunks = join_and_split(texts, WHATSAPP_LIMIT)
        for chunk in chunks:
            if not await self.send(to, sender_id, body=chunk, what=what):
                return False
        return bool(chunks)

    async def close(self) -> None:
        if self._http is not None:
            await self._http.close()


class WhatsAppOutput(BufferedOutput):
    """Sends a turn's replies as one WhatsApp message (or as few as 1,600 chars allow).

    One message per turn also costs the NGO one message instead of three.
    """

    channel_name = CHANNEL

    def __init__(self, sender: TwilioSender, address: str, sender_id: str) -> None:
        super().__init__()
        self.sender, self.address, self.sender_id = sender, address, sender_id

    async def flush(self) -> bool:
        parts = self.take_parts()
        texts = [as_plain_text(part) for part in parts]
        pins = [part.location for part in parts if part.location]
        if not any(texts):
            return True
        sent = await self.sender.send_texts(self.address, self.sender_id, texts)
        if sent and pins:  # the first place as a location message: one tap opens it in the map app
            pin = pins[0]
            await self.sender.send(
                self.address,
                self.sender_id,
                body=pin["label"] or "📍",
                persistent_action=[f"geo:{pin['lat']},{pin['lon']}|{pin['label']}"],
                what="location",
            )
        return sent


@dataclass(frozen=True)
class Inbound:
    """What a Twilio webhook asks Brújula to answer."""

    sender_id: str
    address: str
    message_sid: str
    text: str = ""
    media: tuple[str, ...] = ()
    forwarded: bool = False  # Twilio's Forwarded / FrequentlyForwarded: the offer check reads it


class WhatsAppInput(WebhookInput):
    """The WhatsApp channel (Twilio). Register as ``bot.channels.whatsapp.WhatsAppInput`` in credentials.yml."""

    channel_name = CHANNEL
    label = "WhatsApp"
    config_type = WhatsAppConfig
    config: WhatsAppConfig

    def __init__(
        self,
        config: WhatsAppConfig | None = None,
        store: contacts.ContactStore | None = None,
        retry_delays: tuple[float, ...] = (0.5, 2.0),
    ) -> None:
        super().__init__(config, store)
        self.validator = RequestValidator(self.config.auth_token)
        self.sender = TwilioSender(self.config, retry_delays=retry_delays)

    def signed(self, url: str, form: RequestParameters, signature: str) -> bool:
        """Twilio's signature check; the exact URL first (one HMAC), then twilio's with/without-port variants."""
        if hmac.compare_digest(self.validator.compute_signature(url, form), signature):
            return True
        return bool(self.validator.validate(url, form, signature))

    def public_url(self, request: Request) -> str:
        url = self.config.webhook_url
        if request.query_string and "?" not in url:
            url = f"{url}?{request.query_string}"
        return url

    async def close_sender(self) -> None:
        await self.sender.close()

    async def receive(self, request: Request, on_new_message: Callable[[UserMessage], Awaitable[Any]]) -> HTTPResponse:
        """Check and acknowledge a Twilio webhook; the answer is sent in the background."""
        if body_too_large(request):
            return response.text("request too large", status=413)
        if media_type(request) != "application/x-www-form-urlencoded":
            return response.text("expected application/x-www-form-urlencoded", status=415)
        form = _form(request.body)
        if form is None:
            return response.text("the body is not a UTF-8 form", status=400)
        signature = request.headers.get("X-Twilio-Signature", "")
        if not signature or not self.signed(self.public_url(request), form, signature):
            logger.warning(
                "WhatsApp webhook: %s X-Twilio-Signature, request dropped (is TWILIO_WEBHOOK_URL "
                "exactly the URL set in Twilio?)",
                "wrong" if signature else "missing",
            )
            return response.text("invalid signature", status=403)
        params = {key: str(form.get(key) or "") for key in form}
        if "MessageStatus" in params and "Body" not in params:
            self._log_status(params)
            return _twiml()
        raw_from, message_sid = params.get("From", "").strip(), params.get("MessageSid", "").strip()
        if not raw_from or not message_sid:
            return response.text("From and MessageSid are required", status=400)
        if not await self.first_delivery(message_sid):
            logger.info("WhatsApp: message %s received twice, answered once", message_sid)
            return _twiml()
        inbound = self.parse(params, raw_from, message_sid)
        agent = getattr(request.app.ctx, "agent", None)
        self.tasks.spawn(self.answer(inbound, on_new_message, agent))
        return _twiml()

    @staticmethod
    def parse(params: Mapping[str, str], raw_from: str, message_sid: str) -> Inbound:
        number = raw_from.split(":", 1)[1] if raw_from.startswith("whatsapp:") else raw_from
        sender_id = personal_data.pseudonymize(CHANNEL, number)
        if params.get("Latitude") or params.get("Longitude"):
            command = location_command(params.get("Latitude"), params.get("Longitude"))
            if command:
                return Inbound(sender_id, raw_from, message_sid, text=command)
        text = params.get("ButtonPayload") or params.get("Body") or ""  # a template's quick-reply button
        if text.strip():
            forwarded = any(params.get(flag, "").lower() == "true" for flag in ("Forwarded", "FrequentlyForwarded"))
            return Inbound(sender_id, raw_from, message_sid, text=text, forwarded=forwarded)
        try:
            count = int(params.get("NumMedia") or 0)
        except ValueError:
            count = 0
        kinds = tuple(params.get(f"MediaContentType{i}", "") or "unknown" for i in range(min(count, 10)))
        # no text and no media: a reaction, a poll or another message type Twilio passes on empty
        return Inbound(sender_id, raw_from, message_sid, media=kinds or ("unsupported",))

    async def answer(
        self, inbound: Inbound, on_new_message: Callable[[UserMessage], Awaitable[Any]], agent: Any
    ) -> None:
        output = WhatsAppOutput(self.sender, inbound.address, inbound.sender_id)
        waiting = await self.remember_contact(inbound.sender_id, inbound.address, window_seconds=FREE_TEXT_SECONDS)
        if waiting:  # the help desk answered while the window was closed: deliver it now
            await self.sender.send_texts(inbound.address, inbound.sender_id, waiting, what="waiting reply")
        await self.answer_turn(
            output,
            on_new_message,
            agent,
            inbound.sender_id,
            inbound.text,
            inbound.media,
            metadata={Meta.FORWARDED: True} if inbound.forwarded else {},
            message_id=inbound.message_sid,
        )

    @staticmethod
    def _log_status(params: Mapping[str, str]) -> None:
        if params.get("MessageStatus") in ("failed", "undelivered"):
            logger.warning(
                "WhatsApp message %s %s (Twilio error %s)",
                params.get("MessageSid", "?"),
                params.get("MessageStatus"),
                params.get("ErrorCode", "?"),
            )

    async def send_proactive(
        self, sender_id: str, texts: list[str], language: str | None = None, now: float | None = None
    ) -> bool:
        """Send the help desk's ``texts`` to ``sender_id``, respecting WhatsApp's 24-hour window.

        Inside the window the texts go out as they are. Outside it only an approved template may be
        sent: the template (``TWILIO_TEMPLATE_CONTENT_SID``, per ``language`` if configured) invites
        the person to write back, and the texts wait, encrypted, until they do.

        Returns:
            True if the texts were sent, or the template was sent (now or earlier) and the texts wait.
        """
        contact = await self.proactive_contact(sender_id)
        if contact is None or self.store is None:  # proactive_contact checked the store too; mypy cannot tell
            return False
        if contact.seconds_since_inbound(now) < FREE_TEXT_SECONDS:
            return await self.sender.send_texts(contact.address, sender_id, texts, what="proactive message")
        if contact.waiting:
            await self.store.add_pending(sender_id, texts)
            return True
        template = self.config.template_for(language)
        if not template:
            logger.error(
                "WhatsApp proactive message to %s not sent: the 24-hour window is closed and "
                "TWILIO_TEMPLATE_CONTENT_SID is not set",
                sender_id,
            )
            return False
        if not await self.sender.send(contact.address, sender_id, content_sid=template, what="template"):
            return False
        await self.store.add_pending(sender_id, texts)
        logger.info("WhatsApp: window closed for %s, template sent, reply kept until they write", sender_id)
        return True


def _form(body: bytes) -> RequestParameters | None:
    """The posted form with empty values kept: Twilio signs ``Body=`` too, and Sanic's parser drops it."""
    try:
        pairs = parse_qsl(body.decode("utf-8"), keep_blank_values=True)
    except (UnicodeDecodeError, ValueError):
        return None
    form = RequestParameters()
    for key, value in pairs:
        form.setdefault(key, []).append(value)
    return form


def _twiml() -> HTTPResponse:
    return response.text(EMPTY_TWIML, content_type="text/xml")


outbox.register(CHANNEL, WhatsAppInput.proactive_send)
