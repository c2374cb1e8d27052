"""``make run`` keeps Rasa up when the action server dies (issue 12, defect 2).

The full test starts ``python -m bot.run`` with the trained model on free loopback ports, kills the
action server mid-run, checks a message still gets the technical-problem answer with emergency numbers,
and that the action server comes back and answers normally again.
"""

from __future__ import annotations

import json
import os
import signal
import socket
import subprocess
import sys
import time
import urllib.request
import uuid
from pathlib import Path
from typing import Any

import pytest

from bot import content
from bot.run import Supervised
from tests.handoff_fakes import ROOT


def free_port() -> int:
    with socket.socket() as probe:
        probe.bind(("127.0.0.1", 0))
        return int(probe.getsockname()[1])


def test_a_dead_child_is_started_again_with_growing_delays() -> None:
    started: list[subprocess.Popen[bytes]] = []

    def start() -> subprocess.Popen[bytes]:
        started.append(subprocess.Popen([sys.executable, "-c", "import time; time.sleep(60)"]))  # noqa: S603
        return started[-1]

    child = Supervised("sleeper", start, delays=(0.2, 0.4))
    try:
        child.process.kill()
        child.process.wait()
        now = time.monotonic()
        child.check(now)
        assert len(started) == 1 and child.restart_at == pytest.approx(now + 0.2)
        child.check(now + 0.1)
        assert len(started) == 1  # still waiting
        child.check(now + 0.25)
        assert len(started) == 2 and child.process.poll() is None
        child.process.kill()
        child.process.wait()
        child.check(now + 1)
        assert child.restart_at == pytest.approx(now + 1.4)  # the second failure waits longer
    finally:
        for process in started:
            process.kill()
            process.wait()


def post(port: int, sender: str, text: str) -> list[dict[str, Any]]:
    request = urllib.request.Request(
        f"http://127.0.0.1:{port}/webhooks/rest/webhook",
        data=json.dumps({"sender": sender, "message": text}).encode(),
        headers={"Content-Type": "application/json"},
    )
    with urllib.request.urlopen(request, timeout=60) as response:  # noqa: S310 - loopback
        return json.loads(response.read())


def children(pid: int) -> list[int]:
    found = Path(f"/proc/{pid}/task/{pid}/children").read_text().split()
    return [int(child) for child in found]


def action_server_pid(run_pid: int) -> int | None:
    for child in children(run_pid):
        try:
            if b"bot.action_server" in Path(f"/proc/{child}/cmdline").read_bytes():
                return child
        except OSError:
            continue
    return None


def wait_until(check: Any, timeout: float) -> Any:
    deadline = time.monotonic() + timeout
    while time.monotonic() < deadline:
        try:
            result = check()
            if result:
                return result
        except OSError:
            pass
        time.sleep(0.5)
    raise AssertionError(f"not ready within {timeout}s")


def test_rasa_stays_up_and_answers_with_emergency_numbers_while_the_action_server_restarts(tmp_path: Path) -> None:
    model = ROOT / "models" / "brujula.tar.gz"
    assert model.exists(), "train the model first (make train): make pytest does"
    port, action_port = free_port(), free_port()
    env = {
        **os.environ,
        "BRUJULA_STATE_DIR": str(tmp_path / "state"),
        "BRUJULA_ID_KEY": "test-id-key",
        "BRUJULA_GAPS_FILE": str(tmp_path / "gaps.jsonl"),
    }
    log = (tmp_path / "run.log").open("wb")  # a file, not a pipe: an unread pipe would block Rasa's logging
    run = subprocess.Popen(
        [
            sys.executable,
            "-m",
            "bot.run",
            "--port",
            str(port),  # noqa: S603
            "--action-port",
            str(action_port),
        ],
        cwd=ROOT,
        env=env,
        stdout=log,
        stderr=log,
    )
    sender = f"supervisor-{uuid.uuid4().hex[:8]}"
    try:
        wait_until(lambda: post(port, sender, "hola"), timeout=420)
        technical = content.current().text("technical_problem", "es")
        first = action_server_pid(run.pid)
        assert first is not None
        os.kill(first, signal.SIGKILL)
        answer = post(port, sender, "hola")
        assert run.poll() is None  # Rasa did not go down with it
        # Never silent: the technical-problem text with emergency numbers, or (when the refused request was
        # sent again to the restarted action server) the normal answer.
        assert answer and all(m.get("text") for m in answer)
        assert [m.get("text") for m in answer] == [technical] or technical not in [m.get("text") for m in answer]
        assert "911" in technical and "123" in technical
        wait_until(lambda: (action_server_pid(run.pid) or 0) not in (0, first), timeout=30)
        back = wait_until(lambda: [m for m in post(port, sender, "hola") if m.get("text") != technical], timeout=90)
        assert back  # answered normally again once the action server is back
    finally:
        run.send_signal(signal.SIGTERM)
        try:
            run.wait(timeout=30)
        except subprocess.TimeoutExpired:
            run.kill()
            run.wait()
        log.close()
