"""Loads ``content/`` into an immutable :class:`Content` snapshot and keeps the last good one.

A broken edit never takes the bot down: :class:`ContentStore` keeps serving the last snapshot that
loaded cleanly and remembers the errors (file, line, field) for staff to see. The process-wide store
(:func:`current`, used by the action server AND the Rasa process: channels, ``/chat``, the desk, the
city recogniser) persists every clean version in the state folder, so a process that starts after a
broken edit serves the last good version instead of failing. :meth:`ContentStore.watch`
starts a background thread that notices an edit within a second or two, so a refused edit is logged
at once rather than at the next user message.
"""

from __future__ import annotations

import functools
import hashlib
import logging
import os
import shutil
import threading
import time
from collections.abc import Sequence
from dataclasses import dataclass, field
from datetime import date
from pathlib import Path
from typing import Any

from bot import paths
from bot.content.check import Problem, Report, check
from bot.content.models import (
    City,
    Country,
    CountryEmergency,
    EmergencyFile,
    EmergencyNumber,
    MenuFile,
    Organisation,
    Place,
    PlaceType,
    Service,
    Sourced,
    TopicAnswer,
    TopicFile,
    pick_translation,
)
from bot.text import fold

logger = logging.getLogger(__name__)


class ContentError(Exception):
    """A content file that cannot be used, with where the problem is.

    ``problems`` holds every error found in the same check (the message shows the first one).
    """

    def __init__(
        self,
        path: Path,
        message: str,
        line: int | None = None,
        field_name: str | None = None,
        problems: Sequence[Problem] = (),
    ) -> None:
        self.path, self.line, self.field_name, self.message = path, line, field_name, message
        self.problems = list(problems)
        where = f"{path}:{line}" if line else str(path)
        what = f" {field_name}:" if field_name else ""
        more = f" (and {len(self.problems) - 1} more problems)" if len(self.problems) > 1 else ""
        super().__init__(f"{where}{what} {message}{more}")

    @classmethod
    def from_problems(cls, problems: Sequence[Problem]) -> ContentError:
        first = problems[0]
        return cls(Path(first.path), first.message, first.line, first.field, problems)


@dataclass(frozen=True)
class Answer:
    """A sourced answer in one language."""

    text: str
    item: Sourced
    language: str
    translated: bool  # False when the user's language was missing and another one is shown


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
    places: tuple[Place, ...] = field(default=())
    place_types: dict[str, PlaceType] = field(default_factory=dict)
    services: dict[str, Service] = field(default_factory=dict)
    organisations: dict[str, Organisation] = field(default_factory=dict)
    warnings: tuple[Problem, ...] = field(default=())

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

    def emergency_entry(self, country: str | None) -> CountryEmergency | None:
        """The country's entry in emergency.yml (numbers, coverage note, what to try if nobody answers)."""
        return next((entry for entry in self.emergency.countries if entry.country == country), None)

    @functools.cached_property
    def volatile_countries(self) -> frozenset[str]:
        """Countries flagged ``volatile: true`` in emergency.yml: their items go stale sooner."""
        return frozenset(entry.country for entry in self.emergency.countries if entry.volatile)

    def is_volatile(self, country: str | None) -> bool:
        return bool(country) and country in self.volatile_countries

    def city(self, name: str | None, country: str | None = None) -> City | None:
        """The gazetteer city called ``name`` (its canonical name or an alias; accents and case ignored)."""
        if not name:
            return None
        for city in self._cities_by_name.get(fold(name).strip(), ()):
            if not country or city.country == country:
                return city
        return None

    @functools.cached_property
    def _cities_by_name(self) -> dict[str, list[City]]:
        """Every folded spelling -> the cities it names, in gazetteer order (built once per snapshot)."""
        index: dict[str, list[City]] = {}
        for city in self.cities:
            for spelling in dict.fromkeys(fold(n) for n in (city.name, *city.aliases)):
                index.setdefault(spelling, []).append(city)
        return index

    def place_types_for_topic(self, topic: str) -> list[str]:
        """The place types listed with answers to ``topic`` (see content/place_types.yml)."""
        return [type_id for type_id, place_type in self.place_types.items() if topic in place_type.topics]

    def default_place_types(self) -> list[str]:
        return [type_id for type_id, place_type in self.place_types.items() if place_type.default]

    def place_type_label(self, type_id: str, language: str) -> str:
        place_type = self.place_types.get(type_id)
        if place_type is None:
            return type_id
        return place_type.label.get(language) or place_type.label.get("es") or type_id

    def service_label(self, service_id: str, language: str) -> str:
        service = self.services.get(service_id)
        if service is None:
            return service_id
        return service.label.get(language) or service.label.get("es") or service_id

    @property
    def loaded_at_iso(self) -> str:
        return time.strftime("%Y-%m-%dT%H:%M:%SZ", time.gmtime(self.loaded_at))


def _in_language(item: Sourced, translations: dict[str, str], language: str) -> Answer:
    text, shown_in = pick_translation(translations, language)
    return Answer(text, item, shown_in, shown_in == language)


def _content_files(root: Path) -> list[Path]:
    return sorted(p for p in root.rglob("*.yml") if p.is_file())


def content_hash(root: Path) -> str:
    digest = hashlib.sha256()
    for path in _content_files(root):
        digest.update(str(path.relative_to(root)).encode())
        digest.update(path.read_bytes())
    return digest.hexdigest()[:12]


def build(report: Report) -> Content:
    """The :class:`Content` of a report without errors."""
    if report.errors:
        raise ContentError.from_problems(report.errors)
    model = report.model
    types_file = model("place_types.yml")
    orgs_file = model("organisations.yml")
    places: list[Place] = []
    for _parsed, places_file in report.models_in("places"):
        places.extend(places_file.places)
    return Content(
        ui=model("ui.yml").messages,
        menu=model("menu.yml"),
        topics={topic_file.topic: topic_file for _parsed, topic_file in report.models_in("topics")},
        emergency=model("emergency.yml"),
        countries={country.code: country for country in model("gazetteer/countries.yml").countries},
        cities=list(model("gazetteer/cities.yml").cities),
        version=content_hash(report.root),
        loaded_at=time.time(),
        files=tuple(_content_files(report.root)),
        places=tuple(places),
        place_types={t.id: t for t in types_file.types} if types_file else {},
        services={s.id: s for s in types_file.services} if types_file else {},
        organisations={o.id: o for o in orgs_file.organisations} if orgs_file else {},
        warnings=tuple(report.warnings),
    )


def load(root: Path | None = None, today: date | None = None) -> Content:
    """Load and check every content file under ``root``; raise :class:`ContentError` listing every error."""
    return build(check(root or paths.content_dir(), today))


Fingerprint = tuple[tuple[str, float, int], ...]


class ContentStore:
    """Holds the current :class:`Content` and reloads it when files change.

    ``get()`` is cheap: it checks the folder's fingerprint at most every ``check_interval`` seconds.
    :meth:`watch` does the same check in a background thread, so edits (and refused edits) show up
    in the log and in :meth:`status` promptly, even when nobody is talking to the bot.
    """

    def __init__(self, root: Path | None = None, check_interval: float = 2.0, keep_copy: Path | None = None) -> None:
        """
        Args:
            root: the content folder (default ``content/`` or ``BRUJULA_CONTENT_DIR``).
            check_interval: how often ``get()`` looks for edits, in seconds.
            keep_copy: a folder where every version that loaded cleanly is copied. If the folder is
                broken when the process starts (a bad edit, then a restart), that copy is served
                until the edit is fixed, so a restart never takes the bot down.
        """
        self.root = root or paths.content_dir()
        self.keep_copy = keep_copy
        self.check_interval = check_interval
        self._lock = threading.Lock()
        self._content: Content | None = None
        self._fingerprint: Fingerprint | None = None
        self._last_check = 0.0
        self.last_error: ContentError | None = None
        self.last_error_at: float | None = None
        self.reloads = 0
        self.served_from: Path | None = None  # root, or keep_copy after a broken start
        self._watcher: threading.Thread | None = None
        self._stop = threading.Event()

    def _current_fingerprint(self) -> Fingerprint:
        entries = []
        for path in _content_files(self.root):
            try:
                stat = path.stat()
            except OSError:  # deleted between listing and stat: the next check sees the new state
                continue
            entries.append((str(path), stat.st_mtime, stat.st_size))
        return tuple(entries)

    def get(self) -> Content:
        now = time.monotonic()
        if self._content is not None and now - self._last_check < self.check_interval:
            return self._content
        return self.refresh()

    def refresh(self) -> Content:
        """Reload now if any file changed; return the content to serve (the last good one on errors)."""
        with self._lock:
            self._last_check = time.monotonic()
            fingerprint = self._current_fingerprint()
            if self._content is not None and fingerprint == self._fingerprint:
                return self._content
            try:
                content = load(self.root)
            except ContentError as error:
                self._fingerprint = fingerprint  # do not re-parse the same broken files every call
                self.last_error, self.last_error_at = error, time.time()
                if self._content is None:
                    self._content = self._load_kept_copy()
                    self.served_from = self.keep_copy if self._content is not None else None
                shown: list[Any] = list(error.problems) or [error]
                logger.error(
                    "Content edit refused, still serving the last good version %s. %d problem(s):\n  %s",
                    self._content.version if self._content else "(none)",
                    len(shown),
                    "\n  ".join(str(problem) for problem in shown[:20]),
                )
                if self._content is None:
                    raise
                return self._content
            previous = self._content
            self._content, self._fingerprint, self.last_error, self.last_error_at = content, fingerprint, None, None
            self.reloads += 1
            self.served_from = self.root
            self._keep(content)
            if previous is None:
                logger.info("Content version %s loaded from %s", content.version, self.root)
            else:
                logger.info("Content reloaded: version %s (was %s)", content.version, previous.version)
            for warning in content.warnings[:5]:
                logger.debug("Content warning: %s", warning)
            return content

    def _keep(self, content: Content) -> None:
        """Copy a version that loaded cleanly to ``keep_copy`` (written aside, then swapped in)."""
        if self.keep_copy is None:
            return
        marker = self.keep_copy / ".version"
        try:
            if marker.exists() and marker.read_text(encoding="utf-8").strip() == content.version:
                return
            # Names unique to this process: the Rasa process and the action server keep the same copy.
            suffix = f"{os.getpid()}.{threading.get_ident()}"
            staging = self.keep_copy.with_name(f"{self.keep_copy.name}.new.{suffix}")
            shutil.rmtree(staging, ignore_errors=True)
            shutil.copytree(self.root, staging, ignore=shutil.ignore_patterns(".*"))
            (staging / ".version").write_text(content.version, encoding="utf-8")
            old = self.keep_copy.with_name(f"{self.keep_copy.name}.old.{suffix}")
            self.keep_copy.parent.mkdir(parents=True, exist_ok=True)
            if self.keep_copy.exists():
                self.keep_copy.rename(old)
            try:
                staging.rename(self.keep_copy)
            except OSError:  # another process put its copy in place first: theirs is as good
                shutil.rmtree(staging, ignore_errors=True)
            shutil.rmtree(old, ignore_errors=True)
        except OSError as error:
            logger.warning(
                "Could not keep a copy of content version %s in %s: %s", content.version, self.keep_copy, error
            )

    def _load_kept_copy(self) -> Content | None:
        if self.keep_copy is None or not self.keep_copy.is_dir():
            return None
        try:
            content = load(self.keep_copy)
        except ContentError as error:
            logger.error("The kept copy of the content in %s does not load either: %s", self.keep_copy, error)
            return None
        logger.warning(
            "Serving the last good content version %s kept in %s until the edit is fixed",
            content.version,
            self.keep_copy,
        )
        return content

    def watch(self, interval: float = 1.0) -> None:
        """Check for edits every ``interval`` seconds in a daemon thread (idempotent)."""
        if self._watcher is not None and self._watcher.is_alive():
            return
        self._stop.clear()

        def loop() -> None:
            while not self._stop.wait(interval):
                try:
                    self.refresh()
                except ContentError:
                    pass  # already logged; there was never a good version to serve
                except Exception:  # a watcher that dies silently would stop reloads: log and go on
                    logger.exception("Content watcher: unexpected error")

        self._watcher = threading.Thread(target=loop, name="content-watcher", daemon=True)
        self._watcher.start()

    def stop_watching(self) -> None:
        self._stop.set()
        if self._watcher is not None:
            self._watcher.join(timeout=5)
        self._watcher = None

    def status(self) -> dict[str, Any]:
        """What is being served, for the health endpoint and ``python -m bot.content status``."""
        content = self._content
        error = self.last_error
        return {
            "content_dir": str(self.root),
            "served_from": str(self.served_from) if self.served_from else None,
            "version": content.version if content else None,
            "loaded_at": content.loaded_at_iso if content else None,
            "files": len(content.files) if content else 0,
            "places": len(content.places) if content else 0,
            "warnings": len(content.warnings) if content else 0,
            "reloads": self.reloads,
            "watching": bool(self._watcher and self._watcher.is_alive()),
            "last_error": None
            if error is None
            else {
                "message": str(error),
                "at": time.strftime("%Y-%m-%dT%H:%M:%SZ", time.gmtime(self.last_error_at or 0)),
                "problems": [str(problem) for problem in error.problems][:50] or [str(error)],
            },
        }


_default_store: ContentStore | None = None


def kept_copy_dir(root: Path) -> Path:
    """Where the last good version of ``root`` is kept, in the state folder (one folder per content folder,
    so a test's or a second deployment's content never stands in for another's)."""
    root = root.resolve()
    if root == (paths.ROOT / "content").resolve():
        return paths.state_dir() / "content-last-good"
    tag = hashlib.sha256(str(root).encode()).hexdigest()[:8]
    return paths.state_dir() / f"content-last-good-{tag}"


def default_store() -> ContentStore:
    """The process-wide store for ``content/`` (or ``BRUJULA_CONTENT_DIR``), keeping its last good version
    on disk in every process that reads content."""
    global _default_store
    root = paths.content_dir()
    if _default_store is None or _default_store.root != root:
        _default_store = ContentStore(root, keep_copy=kept_copy_dir(root))
    return _default_store


def reset_default_store() -> None:
    """Forget the process-wide store (as a restart would): the next :func:`current` builds a fresh one."""
    global _default_store
    if _default_store is not None:
        _default_store.stop_watching()
    _default_store = None


def current() -> Content:
    """The content to answer with now."""
    return default_store().get()
