"""Loads ``content/`` into an immutable :class:`Content` snapshot and keeps the last good one.

A broken edit never takes the bot down: :class:`ContentStore` keeps serving the last snapshot that
loaded cleanly and remembers the error (file, line, field) for staff to see.
"""

from __future__ import annotations

import hashlib
import logging
import threading
import time
from dataclasses import dataclass, field
from datetime import date
from pathlib import Path
from typing import Any, Iterable

import yaml
from pydantic import ValidationError

from bot import paths
from bot.content.models import (
    LANGUAGES,
    CitiesFile,
    City,
    CountriesFile,
    Country,
    CountryEmergency,
    EmergencyFile,
    EmergencyNumber,
    MenuFile,
    Sourced,
    TopicAnswer,
    TopicFile,
    UiFile,
)

logger = logging.getLogger(__name__)

STALE_AFTER_DAYS = 365


class ContentError(Exception):
    """A content file that cannot be used, with where the problem is."""

    def __init__(self, path: Path, message: str, line: int | None = None, field_name: str | None = None) -> None:
        self.path, self.line, self.field_name, self.message = path, line, field_name, message
        where = f"{path}:{line}" if line else str(path)
        what = f" {field_name}:" if field_name else ""
        super().__init__(f"{where}{what} {message}")


def _read_yaml(path: Path) -> Any:
    try:
        return yaml.safe_load(path.read_text(encoding="utf-8"))
    except yaml.MarkedYAMLError as error:
        mark = error.problem_mark
        raise ContentError(path, f"YAML syntax: {error.problem}", line=mark.line + 1 if mark else None) from error


def _parse(path: Path, model: type, data: Any) -> Any:
    if isinstance(data, dict):
        # Top-level keys starting with "x-" only hold YAML anchors for reuse (see emergency.yml).
        data = {key: value for key, value in data.items() if not str(key).startswith("x-")}
    try:
        return model.parse_obj(data if data is not None else {})
    except ValidationError as error:
        first = error.errors()[0]
        field_name = ".".join(str(part) for part in first["loc"])
        raise ContentError(path, first["msg"], field_name=field_name) from error


@dataclass(frozen=True)
class Answer:
    """A sourced answer in one language."""

    text: str
    item: Sourced
    language: str
    translated: bool  # False when the user's language was missing and another one is shown

    @property
    def unreviewed(self) -> bool:
        return self.item.status.value != "reviewed"

    def stale(self, today: date | None = None) -> bool:
        return ((today or date.today()) - self.item.last_reviewed).days > STALE_AFTER_DAYS


@dataclass(frozen=True)
class Content:
    """One consistent snapshot of everything in ``content/``."""

    ui: dict[str, dict[str, str]]
    menu: MenuFile
    topics: dict[str, TopicFile]
    emergency: EmergencyFile
    countries: dict[str, Country]
    cities: list[City]
    version: str
    loaded_at: float
    files: tuple[Path, ...] = field(default=())

    def text(self, key: str, language: str, **values: Any) -> str:
        """A UI message in ``language`` (falling back to Spanish, then English), formatted with ``values``."""
        translations = self.ui.get(key)
        if not translations:
            logger.error("content/ui.yml has no message %r", key)
            return key
        template = translations.get(language) or translations.get("es") or next(iter(translations.values()))
        try:
            return template.format(**values)
        except (KeyError, IndexError, ValueError):
            logger.error("content/ui.yml message %r (%s) has a placeholder it was not given", key, language)
            return template

    def country_name(self, code: str | None, language: str) -> str:
        country = self.countries.get(code or "")
        if not country:
            return code or ""
        return country.name.get(language) or country.name.get("en") or code or ""

    def topic_answer(self, topic: str, country: str | None, language: str) -> Answer | None:
        """The answer for ``topic`` in ``country`` (or the general one), in ``language`` if translated."""
        topic_file = self.topics.get(topic)
        if topic_file is None:
            return None
        by_country = {answer.country: answer for answer in topic_file.answers}
        chosen: TopicAnswer | None = by_country.get(country or "") or by_country.get("*")
        if chosen is None:
            return None
        return _in_language(chosen, chosen.text, language)

    def emergency_numbers(self, country: str | None) -> list[EmergencyNumber]:
        for entry in self.emergency.countries:
            if entry.country == country:
                return list(entry.numbers)
        return []

    def emergency_countries(self) -> list[CountryEmergency]:
        return list(self.emergency.countries)


def _in_language(item: Sourced, translations: dict[str, str], language: str) -> Answer:
    if language in translations:
        return Answer(translations[language], item, language, True)
    for fallback in ("es", "en", *LANGUAGES):
        if fallback in translations:
            return Answer(translations[fallback], item, fallback, False)
    raise ValueError("item without text")  # prevented by the models' validators


def _content_files(root: Path) -> list[Path]:
    return sorted(p for p in root.rglob("*.yml") if p.is_file())


def content_hash(root: Path) -> str:
    digest = hashlib.sha256()
    for path in _content_files(root):
        digest.update(str(path.relative_to(root)).encode())
        digest.update(path.read_bytes())
    return digest.hexdigest()[:12]


def load(root: Path | None = None) -> Content:
    """Load and validate every content file under ``root``; raise :class:`ContentError` on the first problem."""
    root = root or paths.content_dir()
    ui = _parse(root / "ui.yml", UiFile, _read_yaml(root / "ui.yml"))
    menu = _parse(root / "menu.yml", MenuFile, _read_yaml(root / "menu.yml"))
    emergency = _parse(root / "emergency.yml", EmergencyFile, _read_yaml(root / "emergency.yml"))
    countries_file = root / "gazetteer" / "countries.yml"
    countries = _parse(countries_file, CountriesFile, _read_yaml(countries_file))
    cities_file = root / "gazetteer" / "cities.yml"
    cities = _parse(cities_file, CitiesFile, _read_yaml(cities_file))
    topics: dict[str, TopicFile] = {}
    for path in sorted((root / "topics").glob("*.yml")):
        topic = _parse(path, TopicFile, _read_yaml(path))
        if topic.topic in topics:
            raise ContentError(path, f"topic {topic.topic!r} is defined twice", field_name="topic")
        topics[topic.topic] = topic
    return Content(
        ui=ui.messages,
        menu=menu,
        topics=topics,
        emergency=emergency,
        countries={country.code: country for country in countries.countries},
        cities=list(cities.cities),
        version=content_hash(root),
        loaded_at=time.time(),
        files=tuple(_content_files(root)),
    )


class ContentStore:
    """Holds the current :class:`Content` and reloads it when files change.

    ``get()`` is cheap: it checks the folder's fingerprint at most every ``check_interval`` seconds.
    """

    def __init__(self, root: Path | None = None, check_interval: float = 2.0) -> None:
        self.root = root or paths.content_dir()
        self.check_interval = check_interval
        self._lock = threading.Lock()
        self._content: Content | None = None
        self._fingerprint: tuple[tuple[str, float, int], ...] | None = None
        self._last_check = 0.0
        self.last_error: ContentError | None = None

    def _current_fingerprint(self) -> tuple[tuple[str, float, int], ...]:
        entries: Iterable[Path] = _content_files(self.root)
        return tuple((str(p), p.stat().st_mtime, p.stat().st_size) for p in entries)

    def get(self) -> Content:
        now = time.monotonic()
        if self._content is not None and now - self._last_check < self.check_interval:
            return self._content
        with self._lock:
            self._last_check = now
            fingerprint = self._current_fingerprint()
            if self._content is not None and fingerprint == self._fingerprint:
                return self._content
            try:
                content = load(self.root)
            except ContentError as error:
                self._fingerprint = fingerprint  # do not re-parse the same broken files every call
                self.last_error = error
                logger.error("Content not reloaded, still serving the last good version: %s", error)
                if self._content is None:
                    raise
                return self._content
            self._content, self._fingerprint, self.last_error = content, fingerprint, None
            logger.info("Content version %s loaded from %s", content.version, self.root)
            return content


_default_store: ContentStore | None = None


def default_store() -> ContentStore:
    """The process-wide store for ``content/`` (or ``BRUJULA_CONTENT_DIR``)."""
    global _default_store
    if _default_store is None or _default_store.root != paths.content_dir():
        _default_store = ContentStore()
    return _default_store


def current() -> Content:
    """The content to answer with now."""
    return default_store().get()
