"""Start the action server and the Rasa server together; Ctrl-C stops both.

``python -m bot.run`` (what ``make run`` calls) serves the web chat and the REST API on
http://localhost:5005 with the embedded defaults of ``endpoints.yml`` (SQLite tracker store).
``--shell`` chats in the terminal instead. ``--endpoints endpoints.production.yml`` switches to
PostgreSQL and Redis.
"""

from __future__ import annotations

import argparse
import os
import signal
import subprocess
import sys
import time
import urllib.request
from pathlib import Path

from bot import paths

ACTION_PORT = 5055


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


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument("--shell", action="store_true", help="chat in this terminal instead of serving HTTP")
    parser.add_argument("--port", type=int, default=5005)
    parser.add_argument("--endpoints", default="endpoints.yml")
    parser.add_argument("--credentials", default="credentials.yml")
    parser.add_argument("--model", default="models/brujula.tar.gz")
    args = parser.parse_args(argv)

    os.chdir(paths.ROOT)
    paths.state_dir()
    bin_dir = Path(sys.executable).parent
    env = {**os.environ, "PYTHONPATH": str(paths.ROOT)}
    actions = subprocess.Popen(  # noqa: S603 - our own interpreter and module
        [str(bin_dir / "python"), "-m", "bot.action_server", "--actions", "actions", "--port", str(ACTION_PORT)],
        env=env,
    )
    if not _wait_for(f"http://127.0.0.1:{ACTION_PORT}/health", actions, timeout=120):
        actions.terminate()
        print("The action server did not start; see the messages above.", file=sys.stderr)
        return 1
    common = ["--model", args.model, "--endpoints", args.endpoints]
    if args.shell:
        rasa_cmd = [str(bin_dir / "rasa"), "shell", *common]
    else:
        rasa_cmd = [
            str(bin_dir / "rasa"), "run", *common, "--credentials", args.credentials,
            "--enable-api", "--interface", "127.0.0.1", "--port", str(args.port),
        ]
        print(f"\n  Brújula is starting. Web chat: http://localhost:{args.port}/chat"
              f"  ·  Desk: http://localhost:{args.port}/desk"
              f"  ·  REST: http://localhost:{args.port}/webhooks/rest/webhook  ·  Ctrl-C stops\n", flush=True)
    rasa = subprocess.Popen(rasa_cmd, env=env)  # noqa: S603 - fixed command line
    stopping: list[int] = []

    def stop(signum: int, _frame: object) -> None:
        stopping.append(signum)

    # Installed explicitly: a shell may start us with SIGINT ignored (background job), and a service
    # manager stops us with SIGTERM; either way both servers must go down cleanly.
    signal.signal(signal.SIGINT, stop)
    signal.signal(signal.SIGTERM, stop)
    while not stopping and rasa.poll() is None and actions.poll() is None:
        time.sleep(0.3)
    for process in (rasa, actions):
        if process.poll() is None:
            process.terminate()
    for process in (rasa, actions):
        try:
            process.wait(timeout=15)
        except subprocess.TimeoutExpired:
            process.kill()
    return 0 if stopping else (rasa.returncode or 0)


if __name__ == "__main__":
    sys.exit(main())
