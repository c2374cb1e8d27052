"""Start the action server and the Rasa server together; Ctrl-C stops both.

``python -m bot.run`` (what ``make run`` calls) serves the web chat and the REST API on
http://localhost:5005 with the embedded defaults of ``endpoints.yml`` (SQLite tracker store).
``--shell`` chats in the terminal instead. ``--endpoints endpoints.production.yml`` switches to
PostgreSQL and Redis (``scripts/prod.sh`` starts two of these behind nginx).

The action server is supervised: if it dies, Rasa stays up (people get the technical-problem answer
with emergency numbers meanwhile) and the action server is started again, waiting 1, 2, 4... up to
30 seconds between tries.
"""

from __future__ import annotations

import argparse
import logging
import os
import signal
import subprocess
import sys
import time
import urllib.request
from collections.abc import Callable
from pathlib import Path

import yaml

from bot import paths

logger = logging.getLogger("bot.run")

ACTION_PORT = 5055
RESTART_DELAYS = (1.0, 2.0, 4.0, 8.0, 16.0, 30.0)
STABLE_SECONDS = 60.0  # up this long: the next crash starts the back-off from the beginning again


def _wait_for(url: str, process: subprocess.Popen[bytes], timeout: float) -> bool:
    deadline = time.monotonic() + timeout
    while time.monotonic() < deadline:
        if process.poll() is not None:
            return False
        try:
            with urllib.request.urlopen(url, timeout=2):  # noqa: S310 - loopback health check
                return True
        except OSError:
            time.sleep(0.5)
    return False


class Supervised:
    """A child process started again (with back-off) whenever it exits while we are running."""

    def __init__(
        self, name: str, start: Callable[[], subprocess.Popen[bytes]], delays: tuple[float, ...] = RESTART_DELAYS
    ) -> None:
        self.name = name
        self._start = start
        self.delays = delays
        self.process = start()
        self.started_at = time.monotonic()
        self.failures = 0
        self.restart_at: float | None = None
        self.restarts = 0

    def check(self, now: float | None = None) -> None:
        """Call regularly: notices an exit and restarts when its back-off delay has passed."""
        now = time.monotonic() if now is None else now
        if self.restart_at is None:
            if self.process.poll() is None:
                if now - self.started_at > STABLE_SECONDS:
                    self.failures = 0
                return
            delay = self.delays[min(self.failures, len(self.delays) - 1)]
            self.failures += 1
            self.restart_at = now + delay
            print(
                f"  {self.name} stopped (exit code {self.process.returncode}); restarting in {delay:.0f}s. "
                "Meanwhile people get the technical-problem answer with emergency numbers.",
                file=sys.stderr,
                flush=True,
            )
            return
        if now >= self.restart_at:
            self.restart_at = None
            self.process = self._start()
            self.started_at = now
            self.restarts += 1
            print(f"  {self.name} started again (restart {self.restarts}).", file=sys.stderr, flush=True)

    def stop(self) -> None:
        if self.process.poll() is None:
            self.process.terminate()

    def wait(self, timeout: float) -> None:
        try:
            self.process.wait(timeout=timeout)
        except subprocess.TimeoutExpired:
            self.process.kill()


def endpoints_for(endpoints: str, action_port: int) -> str:
    """``endpoints`` itself, or (another action port) a copy in the state folder pointing to that port."""
    if action_port == ACTION_PORT:
        return endpoints
    data = yaml.safe_load(Path(endpoints).read_text(encoding="utf-8")) or {}
    data["action_endpoint"] = {"url": f"http://127.0.0.1:{action_port}/webhook"}
    target = paths.state_dir() / f"endpoints.actions-{action_port}.yml"
    target.write_text(yaml.safe_dump(data, sort_keys=False), encoding="utf-8")
    return str(target)


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument("--shell", action="store_true", help="chat in this terminal instead of serving HTTP")
    parser.add_argument("--port", type=int, default=5005)
    parser.add_argument("--action-port", type=int, default=int(os.environ.get("BRUJULA_ACTION_PORT") or ACTION_PORT))
    parser.add_argument("--interface", default="127.0.0.1", help="address Rasa listens on")
    parser.add_argument("--endpoints", default="endpoints.yml")
    parser.add_argument("--credentials", default="credentials.yml")
    parser.add_argument("--model", default="models/brujula.tar.gz")
    args = parser.parse_args(argv)

    os.chdir(paths.ROOT)
    paths.state_dir()
    bin_dir = Path(sys.executable).parent
    env = {**os.environ, "PYTHONPATH": str(paths.ROOT)}
    action_cmd = [
        str(bin_dir / "python"),
        "-m",
        "bot.action_server",
        "--actions",
        "actions",
        "--port",
        str(args.action_port),
    ]

    def start_actions() -> subprocess.Popen[bytes]:
        return subprocess.Popen(action_cmd, env=env)  # noqa: S603 - our own interpreter and module

    actions = Supervised("The action server", start_actions)
    if not _wait_for(f"http://127.0.0.1:{args.action_port}/health", actions.process, timeout=120):
        actions.stop()
        print("The action server did not start; see the messages above.", file=sys.stderr)
        return 1
    common = ["--model", args.model, "--endpoints", endpoints_for(args.endpoints, args.action_port)]
    if args.shell:
        rasa_cmd = [str(bin_dir / "rasa"), "shell", *common]
    else:
        rasa_cmd = [
            str(bin_dir / "rasa"),
            "run",
            *common,
            "--credentials",
            args.credentials,
            "--enable-api",
            "--interface",
            args.interface,
            "--port",
            str(args.port),
        ]
        print(
            f"\n  Brújula is starting. Web chat: http://localhost:{args.port}/chat"
            f"  ·  Desk: http://localhost:{args.port}/desk"
            f"  ·  REST: http://localhost:{args.port}/webhooks/rest/webhook  ·  Ctrl-C stops\n",
            flush=True,
        )
    rasa = subprocess.Popen(rasa_cmd, env=env)  # noqa: S603 - fixed command line
    stopping: list[int] = []

    def stop(signum: int, _frame: object) -> None:
        stopping.append(signum)

    # Installed explicitly: a shell may start us with SIGINT ignored (background job), and a service
    # manager stops us with SIGTERM; either way both servers must go down cleanly.
    signal.signal(signal.SIGINT, stop)
    signal.signal(signal.SIGTERM, stop)
    while not stopping and rasa.poll() is None:
        actions.check()  # Rasa stays up without it: delivery answers with the technical-problem text
        time.sleep(0.3)
    if rasa.poll() is None:
        rasa.terminate()
    actions.stop()
    try:
        rasa.wait(timeout=15)
    except subprocess.TimeoutExpired:
        rasa.kill()
    actions.wait(timeout=15)
    return 0 if stopping else (rasa.returncode or 0)


if __name__ == "__main__":
    sys.exit(main())
