"""A fake of the part of the Twilio REST API Brújula uses: creating a Message."""

from __future__ import annotations

import asyncio
import base64
import itertools
import uuid
from dataclasses import dataclass
from typing import Any

from aiohttp import web

from tests.fakes._server import FakeServer

OUR_WHATSAPP_NUMBER = "whatsapp:+14155238886"  # Twilio's WhatsApp sandbox number


def incoming_text(
    body: str, sender: str, account_sid: str, profile_name: str = "Ana", sid: str | None = None, **extra: str
) -> dict[str, str]:
    """The form fields Twilio posts to the webhook when ``sender`` (+E.164) writes ``body`` on WhatsApp."""
    params = {
        "SmsMessageSid": sid or f"SM{uuid.uuid4().hex}",
        "NumMedia": "0",
        "ProfileName": profile_name,
        "WaId": sender[1:],
        "SmsStatus": "received",
        "Body": body,
        "To": OUR_WHATSAPP_NUMBER,
        "NumSegments": "1",
        "From": f"whatsapp:{sender}",
        "ApiVersion": "2010-04-01",
        "AccountSid": account_sid,
    }
    params["MessageSid"] = params["SmsMessageSid"]
    params.update(extra)
    return params


@dataclass
class SentMessage:
    account_sid: str
    params: dict[str, str]

    @property
    def to(self) -> str:
        return self.params.get("To", "")

    @property
    def body(self) -> str:
        return self.params.get("Body", "")


class FakeTwilio(FakeServer):
    """Accepts ``POST /2010-04-01/Accounts/{sid}/Messages.json`` with the right basic auth."""

    def __init__(self, account_sid: str = "AC" + "0" * 32, auth_token: str = "test-auth-token") -> None:
        super().__init__()
        self.account_sid, self.auth_token = account_sid, auth_token
        self.messages: list[SentMessage] = []
        self.attempts = 0
        self.delay = 0.0  # seconds before answering, to see that sending does not block the bot
        self._failures: list[tuple[int, int]] = []  # (HTTP status, Twilio error code), consumed in order
        self._ids = itertools.count(1)
        self.app.router.add_post("/2010-04-01/Accounts/{sid}/Messages.json", self._create)

    def fail_next(self, times: int = 1, status: int = 503, code: int = 20500) -> None:
        """The next ``times`` requests fail with ``status`` (and Twilio error ``code``)."""
        self._failures.extend([(status, code)] * times)

    async def wait_for(self, count: int, timeout: float = 5.0) -> list[SentMessage]:
        await self._wait(lambda: len(self.messages) >= count, timeout)
        return self.messages

    def _authorised(self, request: web.Request, sid: str) -> bool:
        header = request.headers.get("Authorization", "")
        if not header.startswith("Basic "):
            return False
        user, _, password = base64.b64decode(header[6:]).decode().partition(":")
        return user == self.account_sid == sid and password == self.auth_token

    async def _create(self, request: web.Request) -> web.Response:
        self.attempts += 1
        sid = request.match_info["sid"]
        if not self._authorised(request, sid):
            return web.json_response({"code": 20003, "message": "Authenticate", "status": 401}, status=401)
        params = {key: value for key, value in (await request.post()).items() if isinstance(value, str)}
        if self._failures:
            status, code = self._failures.pop(0)
            return web.json_response({"code": code, "message": f"fake failure {code}", "status": status}, status=status)
        if not params.get("To") or not (params.get("Body") or params.get("ContentSid")):
            return web.json_response({"code": 21602, "message": "Message body is required.", "status": 400}, status=400)
        if self.delay:
            await asyncio.sleep(self.delay)
        self.messages.append(SentMessage(sid, params))
        if self.on_message is not None:
            self.on_message(params["To"])
        await self._notify()
        number = next(self._ids)
        return web.json_response(self._instance(sid, number, params), status=201)

    @staticmethod
    def _instance(sid: str, number: int, params: dict[str, str]) -> dict[str, Any]:
        return {
            "sid": f"SM{number:032x}",
            "account_sid": sid,
            "to": params.get("To"),
            "from": params.get("From"),
            "messaging_service_sid": params.get("MessagingServiceSid"),
            "body": params.get("Body", ""),
            "status": "queued",
            "num_segments": "1",
            "num_media": "0",
            "direction": "outbound-api",
            "api_version": "2010-04-01",
            "price": None,
            "price_unit": "USD",
            "error_code": None,
            "error_message": None,
            "uri": f"/2010-04-01/Accounts/{sid}/Messages/SM{number:032x}.json",
            "date_created": None,
            "date_sent": None,
            "date_updated": None,
            "subresource_uris": {},
        }
