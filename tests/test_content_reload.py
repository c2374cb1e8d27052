"""Live reload: edits are served within seconds, broken edits are refused, and the status says which version."""

from __future__ import annotations

import itertools
import logging
import shutil
import time
from pathlib import Path
from typing import Callable

import pytest
from sanic import Sanic

from bot import paths
from bot.action_server import create_app
from bot.content.store import ContentError, ContentStore

_app_numbers = itertools.count()
MX_FILE = "places/mx.yml"
NAME = "Albergue Jesús el Buen Pastor del Pobre y el Migrante"


@pytest.fixture
def content_dir(tmp_path: Path) -> Path:
    root = tmp_path / "content"
    shutil.copytree(paths.ROOT / "content", root)
    return root


def _edit(root: Path, old: str, new: str) -> None:
    path = root / MX_FILE
    text = path.read_text(encoding="utf-8")
    assert old in text
    path.write_text(text.replace(old, new, 1), encoding="utf-8")


def _wait_for(condition: Callable[[], bool], timeout: float = 5.0) -> float:
    started = time.monotonic()
    while time.monotonic() - started < timeout:
        if condition():
            return time.monotonic() - started
        time.sleep(0.05)
    raise AssertionError(f"not within {timeout} s")


def _place_names(store: ContentStore) -> set[str]:
    return {place.name for place in store.get().places}


def test_an_edit_is_served_within_five_seconds_without_restart(content_dir: Path) -> None:
    store = ContentStore(content_dir, check_interval=0.2)
    first = store.get().version
    store.watch(interval=0.2)
    try:
        _edit(content_dir, NAME, "Albergue Buen Pastor (renamed)")
        took = _wait_for(
            lambda: store._content is not None
            and "Albergue Buen Pastor (renamed)" in {p.name for p in store._content.places}
        )
    finally:
        store.stop_watching()
    assert took < 5
    assert store.get().version != first
    assert store.reloads == 2


def test_a_broken_edit_is_refused_and_logged_with_file_and_line(
    content_dir: Path, caplog: pytest.LogCaptureFixture
) -> None:
    store = ContentStore(content_dir, check_interval=0)
    good = store.get()
    caplog.set_level(logging.ERROR, logger="bot.content.store")

    _edit(content_dir, "    lat: 14.9057", '    lat: "14,9057"')
    served = store.get()

    assert served is good  # the last good version keeps serving
    assert NAME in _place_names(store)
    assert store.last_error is not None
    assert "content/places/mx.yml:" in caplog.text
    assert 'lat: must be a number between -90 and 90, got "14,9057"' in caplog.text
    status = store.status()
    assert status["version"] == good.version
    assert status["last_error"]["problems"][0].startswith("content/places/mx.yml:")

    _edit(content_dir, '    lat: "14,9057"', "    lat: 14.9057")
    assert store.get().version != ""
    assert store.last_error is None and store.status()["last_error"] is None


def test_a_restart_after_a_broken_edit_serves_the_kept_copy(content_dir: Path, tmp_path: Path) -> None:
    kept = tmp_path / "state" / "content-last-good"
    kept.parent.mkdir()
    good_version = ContentStore(content_dir, keep_copy=kept).get().version
    assert (kept / ".version").read_text(encoding="utf-8") == good_version

    _edit(content_dir, "    type: shelter", "    type: shelterr")
    restarted = ContentStore(content_dir, keep_copy=kept)

    assert restarted.get().version == good_version
    assert restarted.status()["served_from"] == str(kept)
    assert "shelterr" in str(restarted.last_error)


def test_without_any_good_version_the_error_is_raised(content_dir: Path) -> None:
    _edit(content_dir, "    type: shelter", "    type: shelterr")
    with pytest.raises(ContentError, match='type: "shelterr" is not a place type'):
        ContentStore(content_dir).get()


@pytest.fixture
def server(content_dir: Path) -> tuple[Sanic, ContentStore]:
    store = ContentStore(content_dir, check_interval=0)
    store.get()
    app = create_app("actions", store=store, watch_interval=0.2)
    app.name = f"brujula_actions_test_{next(_app_numbers)}"
    return app, store


async def test_status_endpoint_reports_version_time_and_last_error(
    server: tuple[Sanic, ContentStore], content_dir: Path
) -> None:
    app, store = server
    _request, response = await app.asgi_client.get("/status")
    assert response.status == 200
    body = response.json
    assert body["status"] == "ok"
    assert body["content"]["version"] == store.get().version
    assert body["content"]["loaded_at"].endswith("Z")
    assert body["content"]["places"] >= 50
    assert body["content"]["last_error"] is None

    _edit(content_dir, "    lat: 14.9057", "    lat: 194.9057")
    store.refresh()
    _request, response = await app.asgi_client.get("/status")
    assert response.json["status"] == "edit_refused"
    problems = response.json["content"]["last_error"]["problems"]
    assert problems[0].endswith("lat: must be a number between -90 and 90, got 194.9057")


async def test_status_is_503_when_no_content_could_ever_load(tmp_path: Path) -> None:
    store = ContentStore(tmp_path / "missing")
    app = create_app("actions", store=store)
    app.name = f"brujula_actions_test_{next(_app_numbers)}"
    _request, response = await app.asgi_client.get("/status")
    assert response.status == 503
    assert response.json["status"] == "no_content"


async def test_the_action_server_still_runs_actions(server: tuple[Sanic, ContentStore]) -> None:
    app, _store = server
    _request, response = await app.asgi_client.get("/actions")
    assert {"name": "action_share_location"} in response.json
