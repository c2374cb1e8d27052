"""Rasa's action-server requests are tried again only when they never reached the server."""

from __future__ import annotations

import asyncio
import socket
from typing import cast

from aiohttp import web
from rasa.utils.endpoints import EndpointConfig

from bot import action_client


def free_port() -> int:
    with socket.socket() as probe:
        probe.bind(("127.0.0.1", 0))
        return int(probe.getsockname()[1])


async def serve(port: int, status: int, calls: list[int], delay: float = 0.0) -> web.AppRunner:
    await asyncio.sleep(delay)

    async def webhook(request: web.Request) -> web.Response:
        calls.append(1)
        return web.json_response({"events": [], "responses": []}, status=status)

    app = web.Application()
    app.router.add_post("/webhook", webhook)
    runner = web.AppRunner(app)
    await runner.setup()
    await web.TCPSite(runner, "127.0.0.1", port).start()
    return runner


async def test_a_request_refused_while_the_action_server_restarts_is_sent_again() -> None:
    action_client.install()
    port, calls = free_port(), cast(list[int], [])
    starting = asyncio.ensure_future(serve(port, 200, calls, delay=0.05))  # up after the first try
    answer = await EndpointConfig(f"http://127.0.0.1:{port}/webhook").request(json={"next_action": "x"}, method="post")
    await (await starting).cleanup()
    assert answer == {"events": [], "responses": []} and calls == [1]


async def test_a_request_the_action_server_received_is_never_sent_twice() -> None:
    action_client.install()
    port, calls = free_port(), cast(list[int], [])
    runner = await serve(port, 500, calls)
    try:
        await EndpointConfig(f"http://127.0.0.1:{port}/webhook").request(json={}, method="post")
    except Exception:  # Rasa's ClientResponseError for the 500
        pass
    await runner.cleanup()
    assert calls == [1]  # the action may have run: it is not run again
