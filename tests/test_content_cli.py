"""``python -m bot.content check|coverage|gaps|status`` as an NGO editor or an operator runs them."""

from __future__ import annotations

import json
import shutil
import threading
from collections.abc import Iterator
from datetime import date
from http.server import BaseHTTPRequestHandler, HTTPServer
from pathlib import Path

import pytest

from bot import paths
from bot.content import gaps
from bot.content.__main__ import main


@pytest.fixture
def content_dir(tmp_path: Path) -> Path:
    root = tmp_path / "content"
    shutil.copytree(paths.ROOT / "content", root)
    return root


def test_check_passes_on_the_shipped_content(capsys: pytest.CaptureFixture[str]) -> None:
    assert main(["check"]) == 0
    out = capsys.readouterr().out
    assert "0 error(s)" in out and "OK: the bot can use this content." in out


def test_check_lists_every_error_and_exits_non_zero(content_dir: Path, capsys: pytest.CaptureFixture[str]) -> None:
    places = content_dir / "places" / "mx.yml"
    text = places.read_text(encoding="utf-8")
    text = text.replace("    lat: 14.9057", '    lat: "14,9057"', 1).replace("type: shelter", "type: shelterr", 1)
    places.write_text(text, encoding="utf-8")

    assert main(["check", "--content", str(content_dir)]) == 1

    out = capsys.readouterr().out
    assert 'lat: must be a number between -90 and 90, got "14,9057" (use a dot, not a comma)' in out
    assert 'type: "shelterr" is not a place type (did you mean "shelter"?' in out
    assert "2 error(s)" in out
    assert "keeps serving the last good version" in out


def test_strict_check_fails_on_warnings(content_dir: Path) -> None:
    topic = content_dir / "topics" / "ask_zz.yml"
    case = (Path(__file__).parent / "content_cases" / "27_topic_missing_translation.yml").read_text(encoding="utf-8")
    topic.write_text(case, encoding="utf-8")
    assert main(["check", "--content", str(content_dir)]) == 0
    assert main(["check", "--content", str(content_dir), "--strict"]) == 1


def test_coverage_writes_the_matrix_as_markdown(tmp_path: Path, capsys: pytest.CaptureFixture[str]) -> None:
    output = tmp_path / "COVERAGE.md"
    assert main(["coverage", "--output", str(output)]) == 0
    markdown = output.read_text(encoding="utf-8")
    assert markdown.startswith("# Content coverage")
    header = "| topic | VE | CO | EC | PE | CL | BR | PA | CR | NI | HN | SV | GT | MX | HT | DO |"
    assert header in markdown
    assert "| ask_shelter |" in markdown and "## Languages" in markdown
    assert "## Places: countries × kinds of place" in markdown and "| MX |" in markdown
    assert "## Emergency numbers" in markdown
    assert capsys.readouterr().out.startswith("# Content coverage")


def test_coverage_marks_missing_languages_and_general_only_cells(content_dir: Path, tmp_path: Path) -> None:
    case = (Path(__file__).parent / "content_cases" / "27_topic_missing_translation.yml").read_text(encoding="utf-8")
    (content_dir / "topics" / "ask_zz.yml").write_text(case, encoding="utf-8")
    output = tmp_path / "COVERAGE.md"
    assert main(["coverage", "--content", str(content_dir), "--output", str(output), "--countries", "co,mx"]) == 0
    assert "| ask_zz | −fr,ht | · |" in output.read_text(encoding="utf-8")


def test_gaps_prints_the_most_frequent_questions(tmp_path: Path, capsys: pytest.CaptureFixture[str]) -> None:
    path = tmp_path / "gaps.jsonl"
    for _ in range(2):
        gaps.record("¿Puedo llevar a mi perro?", "es", today=date.today(), path=path)
    gaps.record("Can I bring my dog?", "en", today=date.today(), path=path)

    assert main(["gaps", "--file", str(path), "--days", "7"]) == 0

    out = capsys.readouterr().out
    assert "## es" in out and "| 2 | ¿Puedo llevar a mi perro? |" in out
    assert "## en" in out and "| 1 | Can I bring my dog? |" in out


def test_gaps_with_nothing_recorded_says_so(tmp_path: Path, capsys: pytest.CaptureFixture[str]) -> None:
    assert main(["gaps", "--file", str(tmp_path / "none.jsonl")]) == 0
    assert "No unanswered questions recorded" in capsys.readouterr().out


@pytest.fixture
def status_server() -> Iterator[tuple[str, dict]]:
    served: dict = {}

    class Handler(BaseHTTPRequestHandler):
        def do_GET(self) -> None:  # noqa: N802
            body = json.dumps(served).encode()
            self.send_response(200)
            self.send_header("Content-Type", "application/json")
            self.end_headers()
            self.wfile.write(body)

        def log_message(self, *args: object) -> None:
            pass

    server = HTTPServer(("127.0.0.1", 0), Handler)
    thread = threading.Thread(target=server.serve_forever, daemon=True)
    thread.start()
    try:
        yield f"http://127.0.0.1:{server.server_port}/status", served
    finally:
        server.shutdown()
        server.server_close()


def test_status_shows_the_served_version_and_a_refused_edit(
    status_server: tuple[str, dict], capsys: pytest.CaptureFixture[str]
) -> None:
    url, served = status_server
    served.update(
        {
            "status": "ok",
            "content": {
                "version": "abc123",
                "loaded_at": "2026-11-25T09:00:00Z",
                "content_dir": "/srv/content",
                "places": 74,
                "last_error": None,
            },
        }
    )
    assert main(["status", "--url", url]) == 0
    assert "Serving content version abc123 (loaded 2026-11-25T09:00:00Z UTC)" in capsys.readouterr().out

    served["content"]["last_error"] = {"at": "2026-11-25T09:01:00Z", "problems": ["content/places/mx.yml:8 lat: ..."]}
    assert main(["status", "--url", url]) == 1
    out = capsys.readouterr().out
    assert "Last edit REFUSED at 2026-11-25T09:01:00Z UTC" in out and "content/places/mx.yml:8 lat: ..." in out


def test_status_without_a_server_checks_the_local_content(capsys: pytest.CaptureFixture[str]) -> None:
    assert main(["status", "--url", "http://127.0.0.1:9/status"]) == 1
    out = capsys.readouterr().out
    assert "did not answer" in out and "loads: version" in out
