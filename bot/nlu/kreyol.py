"""Kreyòl messages seen through French, for the sentence-embedding model.

The multilingual model (:mod:`bot.nlu.sentence_embedding`) was trained on little Haitian Creole but on much
French, which most Kreyòl words come from ("travay" / "travail", "lopital" / "hôpital"). A message the
language model takes for Kreyòl is embedded twice, as written and word by word in French
(``data/lexicon/kreyol_french.yml``), and the two vectors are averaged, in training and at run time alike.
On the real questions it took Kreyòl from 0.791 to 0.806 and left the other languages and the held-out split
as they were (``make eval``, 2026-11-29).
"""

from __future__ import annotations

import functools
import hashlib
import re
from collections.abc import Callable, Sequence
from pathlib import Path

import numpy as np
import yaml

from bot import language, paths
from bot.text import fold, words

LEXICON_FILE = Path("lexicon") / "kreyol_french.yml"
_TOKEN = re.compile(r"[^\W\d_]+|\d+|[^\w\s]")


def lexicon_path() -> Path:
    return paths.grammar_dir().parent / LEXICON_FILE


def fingerprint() -> str:
    """Changes with the lexicon: a new word must retrain the classifier."""
    path = lexicon_path()
    return hashlib.sha256(path.read_bytes()).hexdigest()[:16] if path.exists() else ""


@functools.lru_cache(maxsize=4)
def _lexicon(path: Path, version: str) -> dict[str, str]:
    data = yaml.safe_load(path.read_text(encoding="utf-8")) or {}
    return {fold(str(word)): str(french) for word, french in (data.get("words") or {}).items()}


def lexicon() -> dict[str, str]:
    """Accent-folded Kreyòl word -> French (empty when the file is missing)."""
    path = lexicon_path()
    return _lexicon(path, fingerprint()) if path.exists() else {}


TYPO_MIN_LETTERS = 5  # shorter words have too many neighbours one letter away ("mwen" / "men")


@functools.lru_cache(maxsize=4)
def _one_letter_off(path: Path, version: str) -> dict[str, str]:
    """Every lexicon word with one letter dropped -> the word, for words with one such spelling only."""
    seen: dict[str, set[str]] = {}
    for word in _lexicon(path, version):
        if len(word) >= TYPO_MIN_LETTERS:
            for variant in {word[:i] + word[i + 1 :] for i in range(len(word))}:
                seen.setdefault(variant, set()).add(word)
    return {variant: next(iter(words_)) for variant, words_ in seen.items() if len(words_) == 1}


def _french_word(token: str, french: dict[str, str], near: dict[str, str]) -> str:
    """The French of a Kreyòl word, also when it is written one letter off ("refifye", "pèmidtravay")."""
    folded = fold(token)
    if folded in french or len(folded) < TYPO_MIN_LETTERS:
        return french.get(folded, token)
    # a letter swapped ("refifye"), one too many ("lopitall") or one missing ("lopial")
    for candidate in (*(folded[:i] + folded[i + 1 :] for i in range(len(folded))), folded):
        word = near.get(candidate) or (candidate if candidate in french else None)
        if word is not None:
            return french[word]
    return token


def in_french(text: str) -> str:
    """``text`` with every Kreyòl word of the lexicon replaced by its French (other words kept); a word one
    letter off a lexicon word (Kreyòl has no single spelling, and phones autocorrect) counts as that word."""
    path = lexicon_path()
    version = fingerprint()  # one read of the file per message, not one per word
    french, near = (_lexicon(path, version), _one_letter_off(path, version)) if path.exists() else ({}, {})
    return " ".join(_french_word(token, french, near) for token in _TOKEN.findall(text))


def is_kreyol(text: str) -> bool:
    """Whether the project's own language model (fast, no external detector) takes ``text`` for Kreyòl."""
    scores = language.default_identifier().model.probabilities(" ".join(words(text)))
    return bool(scores) and max(scores, key=scores.__getitem__) == "ht"


def with_french_view(
    texts: Sequence[str],
    vectors: np.ndarray,
    embed: Callable[[list[str]], np.ndarray],
    kreyol: Sequence[bool] | None = None,
) -> np.ndarray:
    """``vectors`` (one L2-normalised row per text) where the Kreyòl rows are averaged with their French view.

    Args:
        texts: the messages.
        vectors: their embeddings as written.
        embed: embeds a list of texts (the same model, with or without a cache).
        kreyol: which texts are Kreyòl (default: :func:`is_kreyol`).
    """
    flags = list(kreyol) if kreyol is not None else [is_kreyol(text) for text in texts]
    rows = [index for index, flag in enumerate(flags) if flag]
    if not rows or not lexicon():
        return vectors
    combined = vectors.copy()
    summed = vectors[rows] + embed([in_french(texts[index]) for index in rows])
    combined[rows] = summed / np.maximum(np.linalg.norm(summed, axis=1, keepdims=True), 1e-12)
    return combined
