"""A fake of the Telegram Bot API methods Brújula calls (``POST /bot<token>/<method>``)."""

from __future__ import annotations

import itertools
import json
import time
from dataclasses import dataclass
from typing import Any

from aiohttp import web

from tests.fakes._server import FakeServer


@dataclass
class Call:
    method: str
    params: dict[str, Any]

    @property
    def text(self) -> str:
        return str(self.params.get("text", ""))

    @property
    def chat_id(self) -> int:
        return int(self.params["chat_id"])

    @property
    def keyboard(self) -> list[list[dict[str, Any]]]:
        markup = self.params.get("reply_markup") or {}
        return markup.get("inline_keyboard", []) if isinstance(markup, dict) else []

    @property
    def callback_data(self) -> list[str]:
        return [button["callback_data"] for row in self.keyboard for button in row]


def _decode(value: str) -> Any:
    if value[:1] in "{[":
        try:
            return json.loads(value)
        except ValueError:
            return value
    return value


class FakeTelegram(FakeServer):
    """Answers like the Bot API; records every call; can fail on demand."""

    def __init__(self, token: str = "123456:TEST-token") -> None:
        super().__init__()
        self.token = token
        self.calls: list[Call] = []
        self._failures: dict[str, list[tuple[int, str, int | None]]] = {}
        self._message_ids = itertools.count(1000)
        self.app.router.add_post("/bot{token}/{method}", self._call)

    def fail_next(
        self,
        method: str,
        times: int = 1,
        status: int = 502,
        description: str = "Bad Gateway",
        retry_after: int | None = None,
    ) -> None:
        self._failures.setdefault(method, []).extend([(status, description, retry_after)] * times)

    def sent(self, method: str = "sendMessage") -> list[Call]:
        return [call for call in self.calls if call.method == method]

    async def wait_for(self, count: int, method: str = "sendMessage", timeout: float = 5.0) -> list[Call]:
        await self._wait(lambda: len(self.sent(method)) >= count, timeout)
        return self.sent(method)

    async def _params(self, request: web.Request) -> dict[str, Any]:
        if request.content_type == "application/json":
            data = await request.json()  # python-telegram-bot sends objects JSON-encoded as strings here too
            if not isinstance(data, dict):
                return {}
            return {key: _decode(value) if isinstance(value, str) else value for key, value in data.items()}
        form = await request.post()
        return {key: _decode(value) for key, value in form.items() if isinstance(value, str)}

    async def _call(self, request: web.Request) -> web.Response:
        if request.match_info["token"] != self.token:
            return web.json_response({"ok": False, "error_code": 401, "description": "Unauthorized"}, status=401)
        method = request.match_info["method"]
        params = await self._params(request)
        failures = self._failures.get(method)
        if failures:
            status, description, retry_after = failures.pop(0)
            body: dict[str, Any] = {"ok": False, "error_code": status, "description": description}
            if retry_after is not None:
                body["parameters"] = {"retry_after": retry_after}
            return web.json_response(body, status=status)
        self.calls.append(Call(method, params))
        if self.on_message is not None and method == "sendMessage":
            self.on_message(str(params["chat_id"]))
        await self._notify()
        return web.json_response({"ok": True, "result": self._result(method, params)})

    def _result(self, method: str, params: dict[str, Any]) -> Any:
        if method == "sendLocation":
            return {
                "message_id": next(self._message_ids),
                "date": int(time.time()),
                "chat": {"id": int(params["chat_id"]), "type": "private"},
                "from": {"id": 123456, "is_bot": True, "first_name": "Brújula"},
                "location": {"latitude": float(params["latitude"]), "longitude": float(params["longitude"])},
            }
        if method == "sendMessage":
            result = {
                "message_id": next(self._message_ids),
                "date": int(time.time()),
                "chat": {"id": int(params["chat_id"]), "type": "private"},
                "from": {"id": 123456, "is_bot": True, "first_name": "Brújula"},
                "text": params.get("text", ""),
            }
            if isinstance(params.get("reply_markup"), dict):
                result["reply_markup"] = params["reply_markup"]
            return result
        if method == "getMe":
            return {"id": 123456, "is_bot": True, "first_name": "Brújula", "username": "BrujulaTestBot"}
        if method == "getWebhookInfo":
            return {"url": "", "has_custom_certificate": False, "pending_update_count": 0}
        return True
