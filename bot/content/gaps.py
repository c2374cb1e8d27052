"""What people ask that the bot cannot answer yet, so NGOs know what to write next.

Each message that ends in the fallback is appended to a JSON-lines file with its language and the
day, and nothing else: no sender id, no time of day (which could link it back to a conversation), so
no entry can be found again for one person's "delete my data". What could name someone is removed
before writing: e-mail addresses, links, every number of three digits or more (phones, documents,
house numbers), and names (after "me llamo", "my name is", "mwen rele"..., and capitalised words that
are not a known country or city).
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
# Numbers, possibly split by spaces, dots or dashes (phones, documents, cards, house numbers).
_DIGITS = re.compile(r"\+?\d(?:[\d\s().-]*\d)?")
# Words that introduce a name, then up to three words of it (whatever their case).
_NAME_INTRO = re.compile(
    r"(?i)\b(me llamo|mi nombre es|my name is|call me|je m'appelle|je m’appelle|mon nom est|meu nome é|"
    r"me chamo|mwen rele|non mwen se|m rele)\s+((?:[^\W\d_][\w'’-]*\s*){1,3})"
)
# Words that may introduce a name when a capitalised word follows ("soy Ana", not "soy venezolano").
_LOOSE_INTRO = re.compile(r"(?i)\b(soy|i am|i'm|je suis|eu sou|mwen se)\s+(?-i:[A-ZÀ-Ý][\w'’-]*)")
_CAPITALISED = re.compile(r"(?<![\w\[])[A-ZÀ-ÝŒ][a-zà-ÿœ'’-]+")
_SENTENCE_START = re.compile(r"(?:^|[.!?¿¡:;\n]\s*|\s[-–—]\s*)$")
_lock = threading.Lock()


def gaps_file() -> Path:
    """Where unanswered messages go: ``BRUJULA_GAPS_FILE`` or ``<state dir>/gaps.jsonl``."""
    configured = os.environ.get("BRUJULA_GAPS_FILE")
    return Path(configured) if configured else paths.state_dir() / "gaps.jsonl"


_place_words_cache: dict[str, frozenset[str]] = {}


def _place_words() -> frozenset[str]:
    """Words of the country and city names content knows (kept: they say what is asked, not who asks)."""
    try:
        from bot.content.store import current

        snapshot = current()
    except Exception:  # no content loaded: every capitalised word is treated as a possible name
        return frozenset()
    if snapshot.version not in _place_words_cache:
        names = [n for c in snapshot.countries.values() for n in (*c.aliases, *c.name.values(), *c.regions)]
        names += [n for city in snapshot.cities for n in (city.name, *city.aliases)]
        _place_words_cache.clear()
        _place_words_cache[snapshot.version] = frozenset(w for name in names for w in fold(name).split())
    return _place_words_cache[snapshot.version]


# Where a name after "me llamo..." stops: the next sentence begins with one of these.
_NAME_STOP = frozenset(
    "y e and et o ou or pero but mais mas men de da do du del des en in em a à at con com avec with ak "
    "yo je eu i mwen m tengo tenho have ai gen vivo live habite moro rete soy am suis sou se es is est é".split()
)


def _name_words(words_text: str) -> tuple[str, str]:
    """Split what follows "me llamo" into the name (up to three words) and the rest of the sentence."""
    parts = words_text.split()
    taken = 0
    while taken < min(3, len(parts)) and (taken == 0 or fold(parts[taken]).strip(",.;:!?") not in _NAME_STOP):
        taken += 1
        if parts[taken - 1][-1:] in ",.;:!?":
            break
    return " ".join(parts[:taken]), " ".join(parts[taken:])


def _strip_names(text: str) -> str:
    def intro(match: re.Match[str]) -> str:
        name, rest = _name_words(match.group(2))
        punctuation = name[-1] if name[-1:] in ",.;:!?" else ""
        return f"{match.group(1)} [name]{punctuation}" + (f" {rest} " if rest else (" " if punctuation else ""))

    text = _NAME_INTRO.sub(intro, text)
    text = _LOOSE_INTRO.sub(lambda m: f"{m.group(1)} [name]", text)
    places = _place_words()

    def replace(match: re.Match[str]) -> str:
        if fold(match.group()) in places:
            return match.group()
        if _SENTENCE_START.search(text[: match.start()]):  # "Hola", "Dónde": a capital that starts a sentence
            return match.group()
        return "[name]"

    return _CAPITALISED.sub(replace, text)


def redact(text: str) -> str:
    """The message without what could identify someone: e-mails, links, numbers and names."""
    text = _EMAIL.sub("[email]", text)
    text = _URL.sub("[link]", text)
    # 3+ digits: phones, documents, house numbers, years; "3 hijos", "2 maletas" say what is asked.
    text = _DIGITS.sub(lambda m: "[number]" if sum(ch.isdigit() for ch in m.group()) >= 3 else m.group(), text)
    text = _strip_names(text)
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


def report(
    path: Path | None = None, days: int | None = None, top: int = 10, today: date | None = None
) -> dict[str, list[Gap]]:
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
