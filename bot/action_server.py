"""The action server: rasa_sdk's, plus live content reload and a ``/status`` endpoint.

``python -m bot.action_server`` (what ``bot.run`` starts) serves the actions in ``actions/`` on port
5055 like ``python -m rasa_sdk`` does, and also

* watches ``content/`` in the background: an edit is live within about a second, with no restart and
  no retraining; a broken edit is refused (the last good version keeps serving) and every problem is
  logged at once with its file and line;
* keeps a copy of the last version that loaded cleanly in ``<state dir>/content-last-good`` so that a
  restart after a broken edit still serves the bot;
* answers ``GET /status`` with the content version being served (hash and load time), the number of
  places, and the last refused edit with its problems.
"""

from __future__ import annotations

import argparse
import logging
import os
import time
from typing import Any

from sanic import Sanic, response
from sanic.request import Request
from sanic.response import HTTPResponse

from bot import paths
from bot.content import store as content_store

logger = logging.getLogger(__name__)

DEFAULT_PORT = 5055
WATCH_INTERVAL = 1.0


def create_app(
    action_package: str = "actions",
    store: content_store.ContentStore | None = None,
    watch_interval: float = WATCH_INTERVAL,
) -> Sanic:
    """rasa_sdk's action app with the content watcher and ``/status``.

    Args:
        action_package: the package the actions are registered from.
        store: the content store to serve and report on (default: the process-wide one, which the
            actions read through ``bot.content.current()``).
        watch_interval: seconds between checks for edits.
    """
    from rasa_sdk.endpoint import create_app as create_rasa_sdk_app

    if store is None:
        store = content_store.default_store()
        if store.keep_copy is None:
            store.keep_copy = paths.state_dir() / "content-last-good"
    app = create_rasa_sdk_app(action_package)
    started = time.time()

    @app.listener("before_server_start")
    async def start_watching(_app: Sanic, _loop: Any) -> None:
        try:
            store.refresh()
        except content_store.ContentError:
            logger.error("No usable content: fix the problems above (python -m bot.content check)")
        store.watch(watch_interval)

    @app.listener("after_server_stop")
    async def stop_watching(_app: Sanic, _loop: Any) -> None:
        store.stop_watching()

    @app.get("/status")
    async def status(_request: Request) -> HTTPResponse:
        served = store.status()
        state = "ok" if served["last_error"] is None else "edit_refused"
        if served["version"] is None:
            state = "no_content"
        body = {"status": state, "uptime_seconds": round(time.time() - started), "content": served}
        return response.json(body, status=503 if state == "no_content" else 200)

    return app


def main(argv: list[str] | None = None) -> None:
    parser = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument("--actions", default="actions", help="package with the actions (default: actions)")
    parser.add_argument("--port", type=int, default=int(os.environ.get("BRUJULA_ACTION_PORT", DEFAULT_PORT)))
    parser.add_argument("--host", default=os.environ.get("SANIC_HOST", "127.0.0.1"))
    parser.add_argument("--watch-interval", type=float, default=WATCH_INTERVAL)
    parser.add_argument("--log-level", default=os.environ.get("LOG_LEVEL", "INFO"))
    args = parser.parse_args(argv)
    logging.basicConfig(level=args.log_level.upper(), format="%(asctime)s %(levelname)s %(name)s: %(message)s")
    app = create_app(args.actions, watch_interval=args.watch_interval)
    logger.info("Action server on http://%s:%d (status: /status)", args.host, args.port)
    app.run(host=args.host, port=args.port, workers=1, access_log=False)


if __name__ == "__main__":
    main()
