"""What people ask that the bot cannot answer yet, so NGOs know what to write next.

Each message that ends in the fallback is appended to a JSON-lines file with its language and the
day, and nothing else: no sender id, no time of day (which could link it back to a conversation),
and with phone numbers, e-mail addresses and long digit runs replaced by placeholders.
``python -m bot.content gaps`` groups them and lists the most frequent per language.
"""

from __future__ import annotations

import json
import logging
import os
import re
import threading
from collections import Counter, defaultdict
from collections.abc import Iterable
from dataclasses import dataclass
from datetime import date, timedelta
from pathlib import Path

from bot import paths
from bot.text import fold, words

logger = logging.getLogger(__name__)

MAX_TEXT = 300
MAX_FILE_BYTES = 5_000_000  # then the file is rotated to gaps.jsonl.1 (one old file kept)
_EMAIL = re.compile(r"[\w.+-]+@[\w-]+(?:\.[\w-]+)+")
_URL = re.compile(r"https?://\S+|www\.\S+", re.IGNORECASE)
# Phone numbers, document numbers, card numbers: 5+ digits, possibly split by spaces, dots or dashes.
_DIGITS = re.compile(r"\+?\d[\d\s().-]{3,}\d")
_lock = threading.Lock()


def gaps_file() -> Path:
    """Where unanswered messages go: ``BRUJULA_GAPS_FILE`` or ``<state dir>/gaps.jsonl``."""
    configured = os.environ.get("BRUJULA_GAPS_FILE")
    return Path(configured) if configured else paths.state_dir() / "gaps.jsonl"


def redact(text: str) -> str:
    """The message without what could identify someone: e-mails, links, phone and document numbers."""
    text = _EMAIL.sub("[email]", text)
    text = _URL.sub("[link]", text)
    text = _DIGITS.sub(lambda m: "[number]" if sum(ch.isdigit() for ch in m.group()) >= 5 else m.group(), text)
    text = " ".join(text.split())
    return text[:MAX_TEXT]


def record(text: str, language: str, today: date | None = None, path: Path | None = None) -> None:
    """Remember one unanswered message. Never raises: losing a gap must not break a conversation."""
    cleaned = redact(text or "")
    if not cleaned or not any(ch.isalpha() for ch in cleaned):
        return
    entry = {"day": (today or date.today()).isoformat(), "language": language, "text": cleaned}
    target = path or gaps_file()
    try:
        with _lock:
            target.parent.mkdir(parents=True, exist_ok=True)
            if target.exists() and target.stat().st_size > MAX_FILE_BYTES:
                target.replace(target.with_name(target.name + ".1"))
            with target.open("a", encoding="utf-8") as handle:
                handle.write(json.dumps(entry, ensure_ascii=False) + "\n")
    except OSError as error:
        logger.warning("Could not record an unanswered question in %s: %s", target, error.strerror)


@dataclass(frozen=True)
class Gap:
    language: str
    text: str  # the most common wording of the question
    count: int
    last_seen: str


def _key(text: str) -> str:
    """Messages that differ only in accents, case, punctuation or spacing count as the same question."""
    return " ".join(words(text)) or fold(text)


def read(path: Path | None = None) -> Iterable[dict[str, str]]:
    target = path or gaps_file()
    for candidate in (target.with_name(target.name + ".1"), target):
        if not candidate.exists():
            continue
        with candidate.open(encoding="utf-8") as handle:
            for line in handle:
                try:
                    entry = json.loads(line)
                except json.JSONDecodeError:
                    continue  # a line cut short by a crash: skip it
                if isinstance(entry, dict) and entry.get("text"):
                    yield entry


def report(path: Path | None = None, days: int | None = None, top: int = 10,
           today: date | None = None) -> dict[str, list[Gap]]:
    """The ``top`` most frequent unanswered questions per language (over the last ``days`` days if given)."""
    since = ((today or date.today()) - timedelta(days=days)).isoformat() if days else ""
    counts: dict[str, Counter[str]] = defaultdict(Counter)
    wordings: dict[tuple[str, str], Counter[str]] = defaultdict(Counter)
    last_seen: dict[tuple[str, str], str] = {}
    for entry in read(path):
        day = str(entry.get("day", ""))
        if day < since:
            continue
        language, text = str(entry.get("language") or "?"), str(entry["text"])
        key = _key(text)
        counts[language][key] += 1
        wordings[(language, key)][text] += 1
        last_seen[(language, key)] = max(day, last_seen.get((language, key), ""))
    result: dict[str, list[Gap]] = {}
    for language in sorted(counts):
        result[language] = [
            Gap(language, wordings[(language, key)].most_common(1)[0][0], count, last_seen[(language, key)])
            for key, count in counts[language].most_common(top)
        ]
    return result
