"""Example questions that NGOs attach to topics in ``content/topics/<topic>.yml`` (runtime retrieval).

A topic file may carry ``examples: {es: [...], pt: [...], ...}``. Every message is compared with those
questions (TF-IDF over accent-folded character n-grams, cosine similarity); a close enough match
answers that topic, whatever the trained classifier said. The index is rebuilt when a topic file
changes, so an NGO teaches the bot a new phrasing by editing content, with no retraining.
"""

from __future__ import annotations

import logging
from dataclasses import dataclass
from pathlib import Path

import yaml
from scipy.sparse import spmatrix
from sklearn.feature_extraction.text import TfidfVectorizer

from bot import paths
from bot.text import fold

logger = logging.getLogger(__name__)


@dataclass(frozen=True)
class ExampleMatch:
    """The content example closest to a message."""

    topic: str
    language: str
    example: str
    similarity: float


class ExampleIndex:
    """Nearest-example search over the ``examples`` of every topic file."""

    def __init__(self, examples: list[tuple[str, str, str]]) -> None:
        """``examples``: (topic, language, question) triples; at least one."""
        self.examples = examples
        self._vectorizer = TfidfVectorizer(analyzer="char_wb", ngram_range=(2, 4), sublinear_tf=True, preprocessor=fold)
        self._matrix: spmatrix = self._vectorizer.fit_transform([question for _, _, question in examples])

    def best(self, text: str) -> ExampleMatch | None:
        """The closest example to ``text`` (rows are L2-normalised, so the dot product is the cosine)."""
        if not text.strip():
            return None
        similarities = (self._matrix @ self._vectorizer.transform([text]).T).toarray().ravel()
        if not similarities.size:
            return None
        index = int(similarities.argmax())
        topic, language, example = self.examples[index]
        return ExampleMatch(topic, language, example, float(similarities[index]))


_cache: dict[str, tuple[tuple[tuple[str, float], ...], ExampleIndex | None]] = {}


def read_examples(topics_dir: Path) -> list[tuple[str, str, str]]:
    """(topic, language, question) for every example question in ``topics_dir/*.yml``.

    A file that cannot be read is skipped (``make content-check`` reports it to the editor).
    """
    examples: list[tuple[str, str, str]] = []
    for path in sorted(topics_dir.glob("*.yml")):
        try:
            data = yaml.safe_load(path.read_text(encoding="utf-8")) or {}
        except (OSError, yaml.YAMLError) as error:
            logger.warning("Topic examples in %s skipped: %s", path.name, error)
            continue
        if not isinstance(data, dict):
            continue
        topic = str(data.get("topic") or path.stem)
        per_language = data.get("examples") or {}
        if not isinstance(per_language, dict):
            continue
        for language, questions in per_language.items():
            for question in questions or []:
                if isinstance(question, str) and question.strip():
                    examples.append((topic, str(language), question.strip()))
    return examples


def index(content_root: Path | None = None) -> ExampleIndex | None:
    """The example index of the current content (rebuilt when a topic file changes), or None if no examples."""
    topics_dir = (content_root or paths.content_dir()) / "topics"
    try:
        signature = tuple((str(path), path.stat().st_mtime) for path in sorted(topics_dir.glob("*.yml")))
    except OSError:
        return None
    cached = _cache.get(str(topics_dir))
    if cached and cached[0] == signature:
        return cached[1]
    examples = read_examples(topics_dir)
    built = ExampleIndex(examples) if examples else None
    _cache[str(topics_dir)] = (signature, built)
    return built
