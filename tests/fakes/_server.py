"""A tiny aiohttp server on 127.0.0.1 that records what it receives."""

from __future__ import annotations

import asyncio
from collections.abc import Callable
from typing import Any

from aiohttp import web


class FakeServer:
    """Base class: ``async with Fake() as fake`` serves on ``fake.url`` until the block ends."""

    def __init__(self) -> None:
        self.app = web.Application(client_max_size=2 * 1024 * 1024)
        self.runner: web.AppRunner | None = None
        self.port = 0
        self._changed: asyncio.Condition | None = None
        # called with the recipient of every message delivered (the benchmark measures with it)
        self.on_message: Callable[[str], None] | None = None

    @property
    def url(self) -> str:
        return f"http://127.0.0.1:{self.port}"

    async def start(self, port: int = 0) -> FakeServer:
        self._changed = asyncio.Condition()
        self.runner = web.AppRunner(self.app, access_log=None)
        await self.runner.setup()
        site = web.TCPSite(self.runner, "127.0.0.1", port)
        await site.start()
        server: Any = site._server  # an asyncio.Server: the port the system chose
        self.port = server.sockets[0].getsockname()[1]
        return self

    async def stop(self) -> None:
        if self.runner is not None:
            await self.runner.cleanup()

    async def __aenter__(self) -> Any:
        return await self.start()

    async def __aexit__(self, *exc: Any) -> None:
        await self.stop()

    async def _notify(self) -> None:
        if self._changed is not None:
            async with self._changed:
                self._changed.notify_all()

    async def _wait(self, ready: Any, timeout: float) -> None:
        assert self._changed is not None
        async with self._changed:
            await asyncio.wait_for(self._changed.wait_for(ready), timeout)
