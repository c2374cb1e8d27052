"""The last good content in EVERY process: a broken edit, then a restart, must not take the Rasa side down.

The Rasa process (channels, /chat, the desk, the city recogniser) reads content through
``bot.content.current()`` exactly like the action server. Before the fix, only the action server kept
a copy of the last good version, so a Rasa process started after a broken edit raised ContentError.
"""

from __future__ import annotations

import json
import os
import shutil
import subprocess
import sys
from collections.abc import Iterator
from pathlib import Path

import pytest

from bot import content, paths
from bot.content import store

BROKEN = ("    type: shelter", "    type: shelterr")
# What a fresh Rasa-side process does to answer a message: take the content snapshot, recognise a city
# in the text with it (the NLU city recogniser), and read a UI text (channels' fallback messages).
RASA_SIDE = """
import json
from bot import content, gazetteer
snapshot = content.current()
cities = [m.value for m in gazetteer.find("estoy en Tapachula", snapshot)]
served = content.store.default_store().status()
print(json.dumps({"version": snapshot.version, "cities": cities, "hello": snapshot.text("technical_problem", "es"),
                  "served_from": served["served_from"], "refused": served["last_error"] is not None}))
"""


@pytest.fixture
def environment(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> Iterator[dict[str, str]]:
    root = tmp_path / "content"
    shutil.copytree(paths.ROOT / "content", root)
    env = {
        **os.environ,
        "BRUJULA_CONTENT_DIR": str(root),
        "BRUJULA_STATE_DIR": str(tmp_path / "state"),
        "PYTHONPATH": str(paths.ROOT),
    }
    monkeypatch.setenv("BRUJULA_CONTENT_DIR", env["BRUJULA_CONTENT_DIR"])
    monkeypatch.setenv("BRUJULA_STATE_DIR", env["BRUJULA_STATE_DIR"])
    store.reset_default_store()
    yield env
    store.reset_default_store()


def _break(root: Path) -> None:
    path = root / "places" / "mx.yml"
    text = path.read_text(encoding="utf-8")
    assert BROKEN[0] in text
    path.write_text(text.replace(*BROKEN, 1), encoding="utf-8")


def _fresh_process(env: dict[str, str]) -> dict[str, object]:
    done = subprocess.run(
        [sys.executable, "-c", RASA_SIDE], env=env, capture_output=True, text=True, timeout=120, check=False
    )
    assert done.returncode == 0, done.stderr[-2000:]
    return json.loads(done.stdout.strip().splitlines()[-1])


def test_a_rasa_process_started_after_a_broken_edit_serves_the_last_good_version(
    environment: dict[str, str],
) -> None:
    first = _fresh_process(environment)  # the bot ran once with good content
    assert first["cities"] == ["Tapachula"] and not first["refused"]

    _break(Path(environment["BRUJULA_CONTENT_DIR"]))
    restarted = _fresh_process(environment)  # then a broken edit and a restart

    assert restarted["version"] == first["version"]
    assert restarted["cities"] == ["Tapachula"]
    assert restarted["hello"] == first["hello"]
    assert restarted["refused"] is True
    assert str(restarted["served_from"]).startswith(environment["BRUJULA_STATE_DIR"])


def test_in_process_a_fresh_default_store_after_a_broken_edit_serves_the_kept_copy(
    environment: dict[str, str],
) -> None:
    good = content.current().version
    _break(Path(environment["BRUJULA_CONTENT_DIR"]))
    store.reset_default_store()  # what a restart does

    assert content.current().version == good
    status = store.default_store().status()
    assert status["last_error"] is not None and "shelterr" in status["last_error"]["message"]


def test_the_kept_copy_follows_good_edits_only(environment: dict[str, str]) -> None:
    root = Path(environment["BRUJULA_CONTENT_DIR"])
    content.current()
    kept = store.kept_copy_dir(root)
    assert (kept / ".version").read_text(encoding="utf-8") == content.current().version

    _break(root)
    store.default_store().refresh()

    # The broken file was never copied: the kept copy still loads.
    assert store.load(kept).version == (kept / ".version").read_text(encoding="utf-8")


def test_each_content_folder_has_its_own_kept_copy(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setenv("BRUJULA_STATE_DIR", str(tmp_path / "state"))
    assert store.kept_copy_dir(paths.ROOT / "content") == tmp_path / "state" / "content-last-good"
    assert store.kept_copy_dir(tmp_path / "a") != store.kept_copy_dir(tmp_path / "b")
