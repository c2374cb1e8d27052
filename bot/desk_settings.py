"""The desk's configuration: opening hours, the wait users are told, follow-up delay, sessions, staff.

Two YAML files, both re-read when they change (no restart needed):

* the desk settings, ``BRUJULA_DESK_CONFIG`` (default ``desk.yml`` at the project root; see
  ``bot/handoff/desk.example.yml``). Without it the bot still hands conversations over, but tells
  users no opening hours or wait time, because it has none to tell;
* the staff accounts, ``BRUJULA_DESK_STAFF_FILE`` (default ``.state/desk_staff.yml``): user names,
  display names and bcrypt hashes, written by ``python -m bot.handoff add-staff``. Passwords are never
  stored in clear.

The database for desk sessions, login attempts and the audit log is ``BRUJULA_DESK_DB_URL``
(SQLAlchemy URL; default SQLite in the state folder; PostgreSQL in production so that every Rasa
replica shares it).
"""

from __future__ import annotations

import logging
import os
import re
import threading
from dataclasses import dataclass
from datetime import date, datetime, timedelta
from datetime import time as dtime
from pathlib import Path
from typing import Any
from zoneinfo import ZoneInfo, ZoneInfoNotFoundError

import bcrypt
import yaml
from pydantic import BaseModel, Extra, Field, ValidationError, validator

from bot import paths
from bot.language import SUPPORTED

logger = logging.getLogger(__name__)

CONFIG_ENV = "BRUJULA_DESK_CONFIG"
STAFF_FILE_ENV = "BRUJULA_DESK_STAFF_FILE"
DB_URL_ENV = "BRUJULA_DESK_DB_URL"

WEEKDAYS = ("mon", "tue", "wed", "thu", "fri", "sat", "sun")
_SPAN = re.compile(r"^\s*(\d{1,2}):(\d{2})\s*-\s*(\d{1,2}):(\d{2})\s*$")
USERNAME = re.compile(r"^[a-z0-9][a-z0-9._-]{1,39}$")


class SettingsError(ValueError):
    """A desk configuration file that cannot be used (the message says which file and what)."""


class _Strict(BaseModel):
    class Config:
        extra = Extra.forbid  # a misspelt key is an error, not silently ignored


Span = tuple[dtime, dtime]


def _parse_span(text: str) -> Span:
    match = _SPAN.match(str(text))
    if not match:
        raise ValueError(f'"{text}" is not a time span: write it like "08:00-17:00"')
    h1, m1, h2, m2 = (int(part) for part in match.groups())
    if not (0 <= h1 <= 23 and 0 <= h2 <= 24 and m1 < 60 and m2 < 60):
        raise ValueError(f'"{text}" has an hour or minute out of range')
    start = dtime(h1, m1)
    end = dtime(23, 59, 59) if (h2, m2) == (24, 0) else dtime(h2, m2)
    if end <= start:
        raise ValueError(f'"{text}" ends before it starts (overnight spans: split them at midnight)')
    return start, end


class OpeningHours(_Strict):
    """When people answer at the desk, in the desk's time zone."""

    timezone: str = "UTC"
    week: dict[str, str | list[str]] = Field(default_factory=dict)
    closed_on: list[date] = Field(default_factory=list)  # public holidays and other closed days

    @validator("timezone")
    def _known_zone(cls, value: str) -> str:  # noqa: N805
        try:
            ZoneInfo(value)
        except (ZoneInfoNotFoundError, ValueError) as error:
            raise ValueError(f"unknown time zone {value!r} (use a name like America/Bogota)") from error
        return value

    @validator("week")
    def _valid_week(cls, value: dict[str, Any]) -> dict[str, Any]:  # noqa: N805
        for day, spans in value.items():
            if day not in WEEKDAYS:
                raise ValueError(f"unknown day {day!r}: use {', '.join(WEEKDAYS)}")
            for span in [spans] if isinstance(spans, str) else spans:
                _parse_span(span)
        return value

    def spans(self, weekday: int) -> list[Span]:
        raw = self.week.get(WEEKDAYS[weekday]) or []
        return [_parse_span(span) for span in ([raw] if isinstance(raw, str) else raw)]

    @property
    def configured(self) -> bool:
        return any(self.week.values())

    @property
    def zone(self) -> ZoneInfo:
        return ZoneInfo(self.timezone)

    def is_open(self, at: datetime) -> bool:
        local = at.astimezone(self.zone)
        if local.date() in self.closed_on:
            return False
        return any(start <= local.time() < end for start, end in self.spans(local.weekday()))

    def next_opening(self, at: datetime) -> datetime | None:
        """The next time the desk opens after ``at`` (``None`` when no hours are configured)."""
        local = at.astimezone(self.zone)
        for offset in range(0, 15):
            day = local.date() + timedelta(days=offset)
            if day in self.closed_on:
                continue
            for start, _end in sorted(self.spans(day.weekday())):
                candidate = datetime.combine(day, start, tzinfo=self.zone)
                if candidate > local:
                    return candidate
        return None


class DeskSettings(_Strict):
    """``desk.yml``: see ``bot/handoff/desk.example.yml`` for every key with a comment."""

    opening_hours: OpeningHours = Field(default_factory=OpeningHours)
    # What users are told while the desk is open: the desk's own estimate. Unset: no figure is given.
    expected_wait_minutes: int | None = Field(None, ge=1, le=24 * 60)
    # A conversation nobody has taken after this long gets one follow-up with other ways to get help.
    followup_after_minutes: int = Field(30, ge=1, le=7 * 24 * 60)
    followup_check_seconds: float = Field(30, ge=0, le=3600)  # 0 turns the background check off
    session_idle_minutes: int = Field(30, ge=1, le=24 * 60)
    session_max_hours: int = Field(12, ge=1, le=7 * 24)
    login_max_failures: int = Field(5, ge=1, le=100)
    login_window_minutes: int = Field(15, ge=1, le=24 * 60)
    # Mark cookies Secure. "auto": when the request came over HTTPS (directly or via X-Forwarded-Proto).
    secure_cookies: bool | str = "auto"
    history_events: int = Field(60, ge=5, le=1000)  # messages shown to staff per conversation

    @validator("secure_cookies")
    def _true_false_or_auto(cls, value: bool | str) -> bool | str:  # noqa: N805
        if value not in (True, False, "auto"):
            raise ValueError('use true, false or "auto"')
        return value


class StaffMember(_Strict):
    username: str
    name: str
    password_hash: str
    languages: list[str] = Field(default_factory=list)
    disabled: bool = False

    @validator("username")
    def _simple_username(cls, value: str) -> str:  # noqa: N805
        if not USERNAME.match(value):
            raise ValueError("use 2-40 lower-case letters, digits, dots, dashes or underscores")
        return value

    @validator("languages", each_item=True)
    def _supported_language(cls, value: str) -> str:  # noqa: N805
        if value not in SUPPORTED:
            raise ValueError(f"unknown language {value!r}: use es, en, pt, fr or ht")
        return value

    @validator("password_hash")
    def _bcrypt_hash(cls, value: str) -> str:  # noqa: N805
        if not value.startswith(("$2a$", "$2b$", "$2y$")) or len(value) != 60:
            raise ValueError("must be a bcrypt hash: create it with `python -m bot.handoff add-staff`")
        return value


class StaffFile(_Strict):
    staff: list[StaffMember] = Field(default_factory=list)


def config_path() -> Path:
    return Path(os.environ.get(CONFIG_ENV) or paths.ROOT / "desk.yml")


def staff_path() -> Path:
    return Path(os.environ.get(STAFF_FILE_ENV) or paths.state_dir() / "desk_staff.yml")


def database_url() -> str:
    return os.environ.get(DB_URL_ENV) or f"sqlite:///{paths.state_dir() / 'desk.db'}"


def _read(path: Path, model: Any) -> Any:
    try:
        data = yaml.safe_load(path.read_text(encoding="utf-8")) or {}
    except yaml.YAMLError as error:
        raise SettingsError(f"{path}: YAML syntax: {error}") from error
    try:
        return model.parse_obj(data)
    except ValidationError as error:
        first = error.errors()[0]
        where = ".".join(str(part) for part in first["loc"])
        raise SettingsError(f"{path}: {where}: {first['msg']}") from error


class _CachedFile:
    """Re-reads a YAML file when its modification time changes; keeps the last good version on error."""

    def __init__(self, model: Any, default: Any) -> None:
        self.model, self.default = model, default
        self._lock = threading.Lock()
        self._key: tuple[str, float] | None = None
        self._value: Any = None

    def get(self, path: Path) -> Any:
        try:
            key: tuple[str, float] | None = (str(path), path.stat().st_mtime)
        except FileNotFoundError:
            key = None
        with self._lock:
            if key is None:
                self._key, self._value = None, self.default()
                return self._value
            if key != self._key:
                try:
                    self._value = _read(path, self.model)
                except SettingsError as error:
                    logger.error("Desk configuration not reloaded: %s", error)
                    if self._value is None:
                        raise
                self._key = key
            return self._value


_settings_cache = _CachedFile(DeskSettings, DeskSettings)
_staff_cache = _CachedFile(StaffFile, StaffFile)


def load_settings() -> DeskSettings:
    """The current desk settings (defaults when there is no file)."""
    return _settings_cache.get(config_path())


def load_staff() -> dict[str, StaffMember]:
    """The enabled staff accounts, by user name."""
    staff_file: StaffFile = _staff_cache.get(staff_path())
    return {member.username: member for member in staff_file.staff if not member.disabled}


def hash_password(password: str, rounds: int = 12) -> str:
    if len(password) < 10:
        raise ValueError("a staff password needs at least 10 characters")
    if len(password.encode()) > 72:
        raise ValueError("bcrypt uses at most 72 bytes of a password: choose a shorter one")
    return bcrypt.hashpw(password.encode(), bcrypt.gensalt(rounds)).decode()


# A real hash of a random password: checking unknown user names against it takes as long as a real check.
_DUMMY_HASH = b"$2b$12$xTMABtgpN7sjKkvpHVCkwO55zNBsujQutC1cKRJ/vFhdMAQrbhWee"


def check_password(member: StaffMember | None, password: str) -> bool:
    """bcrypt check; slow on purpose (run it off the event loop). Unknown users cost the same time."""
    candidate = password.encode()[:72]
    if member is None:
        try:
            bcrypt.checkpw(candidate, _DUMMY_HASH)
        except ValueError:
            pass
        return False
    try:
        return bcrypt.checkpw(candidate, member.password_hash.encode())
    except ValueError:
        return False


def save_staff_member(member: StaffMember, path: Path | None = None) -> Path:
    """Add or replace ``member`` in the staff file (created readable by its owner only)."""
    path = path or staff_path()
    current = _read(path, StaffFile) if path.exists() else StaffFile()
    others = [m for m in current.staff if m.username != member.username]
    data = {"staff": [m.dict(exclude_defaults=True) for m in [*others, member]]}
    header = "# Desk staff accounts (bcrypt hashes). Manage with: python -m bot.handoff add-staff|disable-staff\n"
    if not path.exists():
        path.parent.mkdir(parents=True, exist_ok=True)
        path.touch(mode=0o600)
    path.write_text(header + yaml.safe_dump(data, allow_unicode=True, sort_keys=False), encoding="utf-8")
    return path


@dataclass(frozen=True)
class Availability:
    """What users are told about the desk right now."""

    open_now: bool | None  # None: no opening hours configured
    expected_wait_minutes: int | None
    next_opening: datetime | None


def availability(settings: DeskSettings, at: datetime | None = None) -> Availability:
    at = at or datetime.now().astimezone()
    hours = settings.opening_hours
    if not hours.configured:
        return Availability(None, settings.expected_wait_minutes, None)
    open_now = hours.is_open(at)
    return Availability(open_now, settings.expected_wait_minutes, None if open_now else hours.next_opening(at))
