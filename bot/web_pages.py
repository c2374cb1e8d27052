"""Small helpers shared by the web chat and the desk: page texts, languages, static files, headers."""

from __future__ import annotations

import html
import json
import mimetypes
from collections.abc import Iterable, Mapping
from pathlib import Path
from string import Template
from typing import Any

from sanic import response
from sanic.request import Request
from sanic.response import HTTPResponse

from bot import content
from bot.content import Content
from bot.language import LANGUAGE_NAMES, SUPPORTED

LANGUAGES = SUPPORTED

# Every page and API answer of the chat and the desk carries these. Nothing is loaded from elsewhere.
SECURITY_HEADERS = {
    "Content-Security-Policy": (
        "default-src 'none'; script-src 'self'; style-src 'self'; img-src 'self' data:; connect-src 'self'; "
        "form-action 'self'; frame-ancestors 'none'; base-uri 'none'"
    ),
    "X-Content-Type-Options": "nosniff",
    "X-Frame-Options": "DENY",
    "Referrer-Policy": "same-origin",  # "no-referrer" would make browsers send "Origin: null" on form posts
}


def with_headers(resp: HTTPResponse, cache: bool = False) -> HTTPResponse:
    for name, value in SECURITY_HEADERS.items():
        resp.headers[name] = value
    resp.headers["Cache-Control"] = "public, max-age=300" if cache else "no-store"
    return resp


def json_response(body: object, status: int = 200, headers: Mapping[str, str] | None = None) -> HTTPResponse:
    resp = response.json(body, status=status, headers=dict(headers or {}))
    return with_headers(resp)


def error(status: int, code: str, message: str, headers: Mapping[str, str] | None = None) -> HTTPResponse:
    return json_response({"error": code, "message": message}, status=status, headers=headers)


MAX_JSON_DEPTH = 32  # no request of ours nests deeper; a 100,000-deep body must get a 400, not a 500


def load_json(raw: bytes | str | None) -> Any:
    """Parse a request body as JSON.

    Raises:
        ValueError: not UTF-8, not JSON, or nested deeper than :data:`MAX_JSON_DEPTH` (Python's parser
            would otherwise hit its recursion limit and turn a bad request into a server error).
    """
    try:
        data = json.loads(raw or b"")
    except RecursionError:
        raise ValueError("JSON nested too deeply") from None
    except UnicodeDecodeError:
        raise ValueError("the body is not UTF-8") from None
    stack: list[tuple[Any, int]] = [(data, 1)]
    while stack:
        value, depth = stack.pop()
        if isinstance(value, dict | list):
            if depth > MAX_JSON_DEPTH:
                raise ValueError("JSON nested too deeply")
            children = value.values() if isinstance(value, dict) else value
            stack.extend((child, depth + 1) for child in children)
    return data


def json_body(request: Request) -> Any:
    """The request's JSON body, or ``None`` when it is missing, not JSON, or sent with another content type."""
    if not (request.content_type or "").startswith("application/json"):
        return None
    try:
        return load_json(request.body)
    except ValueError:
        return None


def texts(keys: Iterable[str], snapshot: Content | None = None) -> dict[str, dict[str, str]]:
    """``{language: {key: text}}`` for the page's own labels, straight from ``content/ui.yml``."""
    snapshot = snapshot or content.current()
    keys = list(keys)
    result: dict[str, dict[str, str]] = {}
    for lang in LANGUAGES:
        # Raw templates: the page fills in {name}, {minutes}... itself.
        result[lang] = {
            key: (snapshot.ui.get(key) or {}).get(lang) or (snapshot.ui.get(key) or {}).get("es") or key for key in keys
        }
    return result


def script_json(data: object) -> str:
    """JSON safe to put inside ``<script type="application/json">`` (no way to close the tag)."""
    return json.dumps(data, ensure_ascii=False).replace("<", "\\u003c").replace(">", "\\u003e").replace("&", "\\u0026")


def pick_language(request: Request, *preferred: str | None) -> str:
    """``?lang=``, then the given preferences, then the browser's Accept-Language, then Spanish."""
    for candidate in (request.args.get("lang"), *preferred):
        if candidate in LANGUAGES:
            return str(candidate)
    for part in (request.headers.get("accept-language") or "").split(","):
        code = part.split(";")[0].strip().lower()[:2]
        if code in LANGUAGES:
            return code
    return "es"


def render(template: str, **values: str) -> str:
    """Fill ``$name`` placeholders; values are HTML-escaped unless the name ends with ``_html``."""
    safe = {key: value if key.endswith("_html") else html.escape(value, quote=True) for key, value in values.items()}
    return Template(template).substitute(safe)


def template(folder: Path, name: str) -> str:
    """A page kept as an HTML file with ``$name`` placeholders (filled by :func:`render`), read once at import."""
    return (folder / name).read_text(encoding="utf-8")


def language_options(selected: str) -> str:
    return "".join(
        f'<option value="{code}" lang="{code}"{" selected" if code == selected else ""}>{name}</option>'
        for code, name in LANGUAGE_NAMES.items()
    )


def static_file(folder: Path, name: str, allowed: Iterable[str]) -> HTTPResponse:
    """One of the ``allowed`` files of ``folder``, or 404: no directory listing, no path tricks."""
    if name not in set(allowed):
        return with_headers(response.text("not found", status=404))
    path = folder / name
    mime = mimetypes.guess_type(name)[0] or "application/octet-stream"
    if mime.startswith("text/") or mime in ("application/javascript", "image/svg+xml"):
        mime += "; charset=utf-8"
    return with_headers(response.raw(path.read_bytes(), content_type=mime), cache=True)
