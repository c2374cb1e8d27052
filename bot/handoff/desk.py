"""The desk console at ``/desk``: staff sign in, see who waits, take a conversation, reply, hand it back.

Registered in ``credentials.yml`` as ``bot.handoff.desk.DeskInput:`` (no keys: the configuration comes
from ``desk.yml`` and the environment, see :mod:`bot.desk_settings`). It is an input channel only
so that the Rasa server mounts it and hands it the agent; it never passes messages to the bot.

Security:

* staff accounts from configuration, passwords as bcrypt hashes, checked off the event loop;
* sessions: random tokens (stored hashed), HttpOnly + SameSite=Strict cookie on ``/desk``, expiring
  after ``session_idle_minutes`` without activity and ``session_max_hours`` in all;
* login limit counted before the password check, per (address, user name) with a doubling wait after
  ``login_max_failures``, plus a looser limit per address; never per user name alone, so nobody can lock
  staff out from another address;
* CSRF: every state-changing request needs the session's token (``X-CSRF-Token`` header or
  ``csrf_token`` field) and, when the browser sends one, an ``Origin`` of this same host; the login
  form uses a double-submit cookie;
* every staff action (sign-in, view, take, reply, hand back, return to queue, sign-out) and every
  refused attempt is written to the audit log; conversations appear only by a keyed pseudonym.
"""

from __future__ import annotations

import asyncio
import hmac
import logging
import math
import secrets
from collections.abc import Awaitable, Callable
from pathlib import Path
from typing import Any, Text
from urllib.parse import urlsplit

from rasa.core.channels.channel import InputChannel, UserMessage
from sanic import Blueprint, response
from sanic.request import Request
from sanic.response import HTTPResponse

from bot import content, desk_settings, offers, web_pages
from bot.handoff import records
from bot.handoff.service import HandoffService
from bot.handoff.storage import DeskStorage, StaffSession

logger = logging.getLogger(__name__)

STATIC_DIR = Path(__file__).parent / "static"
TEMPLATE_DIR = Path(__file__).parent / "templates"  # pages as HTML files with $placeholders
STATIC_FILES = ("desk.js", "desk.css")
SESSION_COOKIE = "brujula_desk"
LOGIN_CSRF_COOKIE = "brujula_desk_login"
ADDRESS_LIMIT_FACTOR = 4  # an address may try several accounts (a shared office), not unboundedly
PATH = "/desk"
MAX_BODY = 16 * 1024

DESK_KEYS = (
    "desk_title",
    "desk_sign_in_heading",
    "desk_username",
    "desk_password",
    "desk_sign_in",
    "desk_sign_out",
    "desk_login_failed",
    "desk_login_blocked",
    "desk_session_expired",
    "desk_form_expired",
    "desk_no_staff",
    "desk_signed_in_as",
    "desk_queue",
    "desk_queue_empty",
    "desk_urgent",
    "desk_reason_request",
    "desk_reason_emergency",
    "desk_reason_missing_person",
    "desk_reason_fallbacks",
    "desk_status_requested",
    "desk_status_active",
    "desk_waited",
    "desk_minutes",
    "desk_channel",
    "desk_language",
    "desk_open_conversation",
    "desk_take",
    "desk_reply_label",
    "desk_send",
    "desk_hand_back",
    "desk_release",
    "desk_history",
    "desk_role_user",
    "desk_role_bot",
    "desk_role_desk",
    "desk_select",
    "desk_sent",
    "desk_delivery_failed",
    "desk_delivery_next",
    "desk_followup_sent",
    "desk_err_taken",
    "desk_err_not_waiting",
    "desk_err_not_taken",
    "desk_err_not_found",
    "desk_err_empty",
    "desk_err_too_long",
    "desk_err_network",
    "chat_language",
    "desk_check_heading",
    "desk_check_label",
    "desk_check_button",
    "desk_check_found",
    "offer_level_high",
    "offer_level_some",
    "offer_none_found",
)
OFFER_TEXT_LIMIT = 5000  # characters: a forwarded offer, not a document

LOGIN_PAGE = web_pages.template(TEMPLATE_DIR, "login.html")

CONSOLE_PAGE = web_pages.template(TEMPLATE_DIR, "console.html")


def _same_origin(request: Request) -> bool:
    """A browser's Origin (or Referer) must name this host; requests without either (curl) pass on the token."""
    origin = request.headers.get("origin") or request.headers.get("referer")
    if not origin:
        return True
    host = request.headers.get("x-forwarded-host") or request.headers.get("host") or ""
    return urlsplit(origin).netloc == host


def _is_https(request: Request) -> bool:
    return request.scheme == "https" or request.headers.get("x-forwarded-proto", "").split(",")[0].strip() == "https"


class DeskInput(InputChannel):
    """Serves the staff console at ``/desk`` inside the Rasa server."""

    @classmethod
    def name(cls) -> Text:
        return "desk"

    @classmethod
    def from_credentials(cls, credentials: dict[Text, Any] | None) -> DeskInput:
        return cls()

    def __init__(
        self,
        storage: DeskStorage | None = None,
        settings_getter: Callable[[], desk_settings.DeskSettings] = desk_settings.load_settings,
        staff_getter: Callable[[], dict[str, desk_settings.StaffMember]] = desk_settings.load_staff,
    ) -> None:
        self._storage = storage
        self.settings_getter = settings_getter
        self.staff_getter = staff_getter
        self._app: Any = None
        self._service: HandoffService | None = None
        self._viewed: set[tuple[str, str]] = set()

    def url_prefix(self) -> Text:
        return PATH  # urljoin("/webhooks/", "/desk") == "/desk": the console lives at the site root

    @property
    def storage(self) -> DeskStorage:
        if self._storage is None:
            url = desk_settings.database_url()
            self._storage = DeskStorage(url)
            logger.info("Desk database: %s", self._storage.url_for_logs)
        return self._storage

    def _agent(self) -> Any:
        return getattr(self._app.ctx, "agent", None) if self._app is not None else None

    @property
    def service(self) -> HandoffService:
        if self._service is None:
            self._service = HandoffService(self._agent, self.storage, self.settings_getter)
        return self._service

    # -- sessions and protection ----------------------------------------------------------------
    async def _session(self, request: Request) -> tuple[StaffSession | None, str]:
        settings = self.settings_getter()
        token = request.cookies.get(SESSION_COOKIE, "")
        session, reason = await self.storage.run(
            self.storage.check_session, token, settings.session_idle_minutes * 60, settings.session_max_hours * 3600
        )
        if session is not None and session.username not in self.staff_getter():
            await self.storage.run(self.storage.end_session, token)  # account removed or disabled meanwhile
            return None, "missing"
        return session, reason

    async def _guard(
        self, request: Request, changes_state: bool
    ) -> tuple[desk_settings.StaffMember | None, HTTPResponse | None]:
        session, reason = await self._session(request)
        if session is None:
            code = "session_expired" if reason == "expired" else "unauthenticated"
            return None, web_pages.error(401, code, "Sign in again.")
        member = self.staff_getter()[session.username]
        if changes_state:
            sent = request.headers.get("x-csrf-token") or ""
            if not (_same_origin(request) and sent and hmac.compare_digest(sent, session.csrf_token)):
                await self.storage.run(
                    self.storage.audit,
                    member.username,
                    "csrf_rejected",
                    None,
                    {"path": request.path},
                    request.remote_addr or request.ip,
                )
                return None, web_pages.error(403, "csrf", "This request did not come from the desk page.")
        return member, None

    def _cookie(self, resp: HTTPResponse, request: Request, name: str, value: str, max_age: int | None) -> None:
        resp.cookies[name] = value
        cookie = resp.cookies[name]
        cookie["path"] = PATH
        cookie["httponly"] = True
        cookie["samesite"] = "Strict"
        secure = self.settings_getter().secure_cookies
        if secure is True or (secure == "auto" and _is_https(request)):
            cookie["secure"] = True
        if max_age is not None:
            cookie["max-age"] = max_age

    # -- pages ----------------------------------------------------------------------------------
    def _login_page(
        self,
        request: Request,
        lang: str,
        message_key: str | None = None,
        status: int = 200,
        username: str = "",
        **values: Any,
    ) -> HTTPResponse:
        snapshot = content.current()
        csrf = request.cookies.get(LOGIN_CSRF_COOKIE) or secrets.token_urlsafe(24)
        if message_key is None and not self.staff_getter():
            message_key = "desk_no_staff"
        message_html = ""
        if message_key:
            message_html = (
                f'<p class="message" role="alert">'
                f'{web_pages.render("$m", m=snapshot.text(message_key, lang, **values))}</p>'
            )
        links = " · ".join(
            f'<a href="/desk/login?lang={code}" lang="{code}"{" aria-current=true" if code == lang else ""}>{name}</a>'
            for code, name in web_pages.LANGUAGE_NAMES.items()
        )
        page = web_pages.render(
            LOGIN_PAGE,
            lang=lang,
            title=snapshot.text("desk_title", lang),
            heading=snapshot.text("desk_sign_in_heading", lang),
            language_label=snapshot.text("chat_language", lang),
            language_links_html=links,
            message_html=message_html,
            csrf=csrf,
            username=username,
            username_label=snapshot.text("desk_username", lang),
            password_label=snapshot.text("desk_password", lang),
            submit=snapshot.text("desk_sign_in", lang),
        )
        resp = web_pages.with_headers(response.html(page, status=status))
        self._cookie(resp, request, LOGIN_CSRF_COOKIE, csrf, max_age=3600)
        return resp

    def _console_page(self, request: Request, member: desk_settings.StaffMember, session: StaffSession) -> HTTPResponse:
        snapshot = content.current()
        lang = web_pages.pick_language(request, *(member.languages or []))
        user = {"username": member.username, "name": member.name, "language": lang}
        page = web_pages.render(
            CONSOLE_PAGE,
            lang=lang,
            csrf=session.csrf_token,
            title=snapshot.text("desk_title", lang),
            texts_html=web_pages.script_json(web_pages.texts(DESK_KEYS, snapshot)),
            user_html=web_pages.script_json(user),
            language_label=snapshot.text("chat_language", lang),
            language_options_html=web_pages.language_options(lang),
            sign_out=snapshot.text("desk_sign_out", lang),
            queue_heading=snapshot.text("desk_queue", lang),
            select=snapshot.text("desk_select", lang),
        )
        return web_pages.with_headers(response.html(page))

    # -- login ----------------------------------------------------------------------------------
    async def _login(self, request: Request) -> HTTPResponse:
        lang = web_pages.pick_language(request)
        settings = self.settings_getter()
        ip = request.remote_addr or request.ip
        form = request.form or {}
        username = str(form.get("username") or "").strip().lower()[:40]
        password = str(form.get("password") or "")
        sent_csrf = str(form.get("csrf_token") or "")
        cookie_csrf = request.cookies.get(LOGIN_CSRF_COOKIE, "")
        if not (sent_csrf and cookie_csrf and hmac.compare_digest(sent_csrf, cookie_csrf) and _same_origin(request)):
            await self.storage.run(self.storage.audit, username or "?", "login_csrf_rejected", None, None, ip)
            return self._login_page(request, lang, "desk_form_expired", status=403, username=username)
        # Per address and account (with backoff), and a looser limit per address: counted before the check.
        limits = {
            f"ip:{ip}|user:{username}": settings.login_max_failures,
            f"ip:{ip}": settings.login_max_failures * ADDRESS_LIMIT_FACTOR,
        }
        window = settings.login_window_minutes * 60
        wait = await self.storage.run(self.storage.begin_login_attempt, limits, window)
        if wait > 0:
            await self.storage.run(self.storage.audit, username or "?", "login_blocked", None, None, ip)
            minutes = max(1, math.ceil(wait / 60))
            resp = self._login_page(request, lang, "desk_login_blocked", status=429, username=username, minutes=minutes)
            resp.headers["Retry-After"] = str(int(math.ceil(wait)))
            return resp
        member = self.staff_getter().get(username)
        valid = False
        try:
            valid = await asyncio.get_running_loop().run_in_executor(
                None, desk_settings.check_password, member, password
            )
        finally:
            await self.storage.run(self.storage.end_login_attempt, limits, bool(valid and member is not None))
        if not valid or member is None:
            shown = username if desk_settings.USERNAME.match(username) else "?"
            await self.storage.run(self.storage.audit, shown, "login_failed", None, None, ip)
            return self._login_page(request, lang, "desk_login_failed", status=401, username=username)
        await self.storage.run(
            self.storage.purge_sessions, settings.session_idle_minutes * 60, settings.session_max_hours * 3600
        )
        session = await self.storage.run(self.storage.create_session, member.username)
        await self.storage.run(self.storage.audit, member.username, "login", None, None, ip)
        resp = web_pages.with_headers(response.redirect(f"{PATH}?lang={lang}", status=303))
        self._cookie(resp, request, SESSION_COOKIE, session.token, max_age=None)
        return resp

    # -- the blueprint --------------------------------------------------------------------------
    def blueprint(self, on_new_message: Callable[[UserMessage], Awaitable[Any]]) -> Blueprint:
        desk = Blueprint(f"brujula_desk_{id(self)}", __name__)
        channel = self

        @desk.listener("after_server_start")
        async def start(app: Any, _loop: Any) -> None:
            channel._app = app
            channel.service.start_monitor()

        @desk.listener("before_server_stop")
        async def stop(app: Any, _loop: Any) -> None:
            await channel.service.stop_monitor()

        @desk.middleware("request")
        async def remember_app(request: Request) -> HTTPResponse | None:
            channel._app = request.app
            if len(request.body or b"") > MAX_BODY:
                return web_pages.error(413, "too_large", "Request too large.")
            return None

        @desk.route("/", methods=["GET"], strict_slashes=False)
        async def console(request: Request) -> HTTPResponse:
            session, reason = await channel._session(request)
            if session is None:
                target = f"{PATH}/login?expired=1" if reason == "expired" else f"{PATH}/login"
                lang = request.args.get("lang")
                if lang in web_pages.LANGUAGES:
                    target += ("&" if "?" in target else "?") + f"lang={lang}"
                return web_pages.with_headers(response.redirect(target, status=303))
            return channel._console_page(request, channel.staff_getter()[session.username], session)

        @desk.route("/login", methods=["GET"])
        async def login_form(request: Request) -> HTTPResponse:
            lang = web_pages.pick_language(request)
            return channel._login_page(request, lang, "desk_session_expired" if request.args.get("expired") else None)

        @desk.route("/login", methods=["POST"])
        async def login(request: Request) -> HTTPResponse:
            return await channel._login(request)

        @desk.route("/logout", methods=["POST"])
        async def logout(request: Request) -> HTTPResponse:
            session, _ = await channel._session(request)
            if session is not None:
                sent = str((request.form or {}).get("csrf_token") or request.headers.get("x-csrf-token") or "")
                if not (sent and hmac.compare_digest(sent, session.csrf_token) and _same_origin(request)):
                    return web_pages.error(403, "csrf", "This request did not come from the desk page.")
                await channel.storage.run(channel.storage.end_session, session.token)
                await channel.storage.run(
                    channel.storage.audit, session.username, "logout", None, None, request.remote_addr or request.ip
                )
            resp = web_pages.with_headers(response.redirect(f"{PATH}/login", status=303))
            channel._cookie(resp, request, SESSION_COOKIE, "", max_age=0)
            return resp

        @desk.route("/static/<name:str>", methods=["GET"])
        async def static(request: Request, name: str) -> HTTPResponse:
            return web_pages.static_file(STATIC_DIR, name, STATIC_FILES)

        @desk.route("/api/queue", methods=["GET"])
        async def queue(request: Request) -> HTTPResponse:
            member, refused = await channel._guard(request, changes_state=False)
            if refused is not None:
                return refused
            if channel._agent() is None:
                return web_pages.error(503, "starting", "The assistant is still starting; try again in a moment.")
            entries = await channel.service.entries()
            return web_pages.json_response(
                {
                    "conversations": [entry.as_dict() for entry in entries],
                    "followup_after_minutes": channel.settings_getter().followup_after_minutes,
                }
            )

        @desk.route("/api/conversations/<ref:str>", methods=["GET"])
        async def conversation(request: Request, ref: str) -> HTTPResponse:
            member, refused = await channel._guard(request, changes_state=False)
            if refused is not None or member is None:
                return refused or web_pages.error(401, "unauthenticated", "Sign in again.")
            if channel._agent() is None:
                return web_pages.error(503, "starting", "The assistant is still starting; try again in a moment.")
            entry = await channel.service.conversation(ref)
            if entry is None:
                return web_pages.error(404, "not_found", "This conversation is not in the queue any more.")
            seen = (member.username, ref)
            if seen not in channel._viewed:  # one audit line per staff member and conversation, not per refresh
                channel._viewed.add(seen)
                await channel.service.record_view(member, ref, request.remote_addr or request.ip)
            data = entry.as_dict(last=channel.settings_getter().history_events)
            data["history"] = data.pop("last_messages")
            data["mine"] = entry.view.staff == member.username
            return web_pages.json_response(data)

        async def act(request: Request, ref: str, action: str) -> HTTPResponse:
            member, refused = await channel._guard(request, changes_state=True)
            if refused is not None or member is None:
                return refused or web_pages.error(401, "unauthenticated", "Sign in again.")
            ip = request.remote_addr or request.ip
            try:
                if action == "reply":
                    body = web_pages.json_body(request)
                    text = body.get("text") if isinstance(body, dict) else None
                    if not isinstance(text, str):
                        return web_pages.error(400, "bad_request", 'Send JSON like {"text": "..."}.')
                    _view, delivery = await channel.service.reply(member, ref, text, ip)
                elif action == "take":
                    _view, delivery = await channel.service.take(member, ref, ip)
                elif action == "handback":
                    _view, delivery = await channel.service.hand_back(member, ref, ip)
                else:
                    _view, delivery = await channel.service.release(member, ref, ip)
            except records.HandoffError as problem:
                status = 404 if problem.code == "not_found" else 400 if problem.code in ("empty", "too_long") else 409
                return web_pages.error(status, problem.code, str(problem))
            return web_pages.json_response({"ok": True, "delivery": delivery.as_dict()})

        @desk.route("/api/check-offer", methods=["POST"])
        async def check_offer(request: Request) -> HTTPResponse:
            """Staff paste an offer a migrant showed them: the same check the bot runs, nothing stored."""
            member, refused = await channel._guard(request, changes_state=True)
            if refused is not None or member is None:
                return refused or web_pages.error(401, "unauthenticated", "Sign in again.")
            body = web_pages.json_body(request)
            text = body.get("text") if isinstance(body, dict) else None
            lang = body.get("language") if isinstance(body, dict) else None
            if not isinstance(text, str) or not text.strip():
                return web_pages.error(400, "bad_request", 'Send JSON like {"text": "...", "language": "es"}.')
            if len(text) > OFFER_TEXT_LIMIT:
                return web_pages.error(413, "too_long", f"Paste at most {OFFER_TEXT_LIMIT} characters.")
            try:
                result = offers.check(text)
            except (OSError, ValueError):
                logger.exception("the offer indicators could not be loaded")
                return web_pages.error(
                    503, "unavailable", "The warning-sign list cannot be read: run make content-check."
                )
            data = result.as_json()
            language = lang if lang in offers.LANGUAGES else "es"
            for flag, (_quote, explanation) in zip(data["flags"], result.explanations(language)):
                flag["explanation"] = explanation
            return web_pages.json_response(data)

        @desk.route("/api/conversations/<ref:str>/<action:str>", methods=["POST"])
        async def action(request: Request, ref: str, action: str) -> HTTPResponse:
            if action not in ("take", "reply", "handback", "release"):
                return web_pages.error(404, "not_found", "Unknown action.")
            try:
                return await act(request, ref, action)
            except Exception:  # never a bare 500 page for staff: say what failed
                logger.exception("Desk action %s failed", action)
                return web_pages.error(503, "unavailable", "The conversation store is not available; try again.")

        return desk
