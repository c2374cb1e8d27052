"""Language identification for es, en, pt, fr and ht, and the rules for the conversation language.

``langdetect`` knows no Haitian Creole and guesses wildly on one- to three-word messages, so it is
only one voter here. The main voter is a character n-gram naive Bayes model trained on the
project's own training data (``data/nlu/<lang>.yml``, one file per language), which sees how
migrants really type ("q", "vc", "m bezwen"). ``langid`` restricted to the five languages (it does
know ``ht``) is the third voter. Longer messages give the external detectors more weight.
"""

from __future__ import annotations

import functools
import math
import re
from collections import Counter
from collections.abc import Iterable, Mapping
from dataclasses import dataclass, field
from pathlib import Path

import yaml
from langdetect import DetectorFactory, LangDetectException, detect_langs

from bot import paths
from bot.text import fold, latin_share, words

SUPPORTED: tuple[str, ...] = ("es", "en", "pt", "fr", "ht")
# Each language's name in itself, as menus show it.
LANGUAGE_NAMES = {"es": "Español", "en": "English", "pt": "Português", "fr": "Français", "ht": "Kreyòl"}
DEFAULT_LANGUAGE = "es"

# Words that belong to no one of our languages ("menu", "ok"): a message of them says nothing of its language.
NEUTRAL_WORDS = frozenset(
    {
        "ok",
        "okay",
        "oki",
        "okey",
        "okk",
        "k",
        "info",
        "menu",
        "taxi",
        "wifi",
        "whatsapp",
        "sos",
        "alo",
        "allo",
        "eh",
        "ah",
        "oh",
        "mmm",
        "jaja",
        "haha",
        "kkk",
        "jeje",
    }
)
# Words that mean the same thing in several of our languages: they never decide or flip a language, though
# "hi" or "no" is still the best guess to answer in.
AMBIGUOUS_WORDS = NEUTRAL_WORDS | {"no", "si", "non", "ya", "bye", "hi", "help", "hey"}

# Below this confidence a detection is a guess: it is used to answer, but does not set the slot.
RELIABLE_CONFIDENCE = 0.70
# A language already set for the conversation changes only on a much clearer signal (or on request).
SWITCH_CONFIDENCE = 0.90
SWITCH_MIN_WORDS = 3

DetectorFactory.seed = 0  # langdetect is random without it; results must repeat.


@dataclass(frozen=True)
class Detection:
    """What :meth:`LanguageIdentifier.detect` found.

    Attributes:
        code: best supported language, or ``None`` when the text has no words to go on or is
            written in a script none of our languages use (Arabic, Chinese...).
        confidence: the combined probability of ``code`` (0..1).
        reliable: strong enough to set the conversation language.
        unsupported_script: the text is mostly non-Latin letters.
        scores: the combined probability of every supported language.
        neutral: every word belongs to no one of our languages ("ok", "menu"): not even a guess.
    """

    code: str | None
    confidence: float
    reliable: bool = False
    unsupported_script: bool = False
    scores: Mapping[str, float] = field(default_factory=dict)
    word_count: int = 0
    neutral: bool = False

    def as_parse_result(self) -> dict[str, object]:
        """The ``language`` field added to Rasa's parse result."""
        return {
            "code": self.code,
            "confidence": round(self.confidence, 3),
            "reliable": self.reliable,
            "unsupported_script": self.unsupported_script,
            "word_count": self.word_count,
            "neutral": self.neutral,
        }

    @classmethod
    def from_parse_result(cls, data: Mapping[str, object] | None) -> Detection | None:
        """Rebuild a detection from the ``language`` field of a parse result (as actions receive it)."""
        if not data:
            return None
        code = data.get("code")
        return cls(
            code=str(code) if code else None,
            confidence=float(data.get("confidence") or 0.0),  # type: ignore[arg-type]
            reliable=bool(data.get("reliable")),
            unsupported_script=bool(data.get("unsupported_script")),
            word_count=int(data.get("word_count") or 0),  # type: ignore[call-overload]
            neutral=bool(data.get("neutral")),
        )


def _features(text: str) -> Counter[str]:
    """Whole words plus character 1-4 grams of each word with boundary marks."""
    feats: Counter[str] = Counter()
    for word in words(text):
        feats["w:" + word] += 1
        padded = f" {word} "
        for n in (1, 2, 3, 4):
            for i in range(len(padded) - n + 1):
                feats[padded[i : i + n]] += 1
    return feats


class NaiveBayesLanguageModel:
    """Multinomial naive Bayes over :func:`_features`, trained on labelled example messages."""

    def __init__(self, examples: Mapping[str, Iterable[str]], alpha: float = 0.3) -> None:
        self.languages = [lang for lang in SUPPORTED if lang in examples]
        counts: dict[str, Counter[str]] = {}
        for lang in self.languages:
            total: Counter[str] = Counter()
            for example in examples[lang]:
                total.update(_features(example))
            counts[lang] = total
        vocabulary = set().union(*counts.values()) if counts else set()
        size = len(vocabulary) or 1
        self._log_prob: dict[str, dict[str, float]] = {}
        self._unseen: dict[str, float] = {}
        for lang, total in counts.items():
            denominator = sum(total.values()) + alpha * size
            self._log_prob[lang] = {f: math.log((c + alpha) / denominator) for f, c in total.items()}
            self._unseen[lang] = math.log(alpha / denominator)

    def probabilities(self, text: str) -> dict[str, float]:
        """Posterior over languages; uniform when the text has no known features."""
        feats = _features(text)
        if not feats or not self.languages:
            return {}
        logs = {}
        for lang in self.languages:
            table, unseen = self._log_prob[lang], self._unseen[lang]
            logs[lang] = sum(table.get(f, unseen) * c for f, c in feats.items())
        # Naive Bayes is overconfident on correlated n-grams: temper by the number of features.
        scale = math.sqrt(sum(feats.values()))
        top = max(logs.values())
        exp = {lang: math.exp((value - top) / scale) for lang, value in logs.items()}
        norm = sum(exp.values())
        return {lang: value / norm for lang, value in exp.items()}


def load_examples(nlu_dir: Path) -> dict[str, list[str]]:
    """Example messages per language from ``<nlu_dir>/<lang>.yml`` (Rasa training-data format)."""
    examples: dict[str, list[str]] = {}
    for lang in SUPPORTED:
        path = nlu_dir / f"{lang}.yml"
        if not path.exists():
            continue
        examples[lang] = _example_texts(path)
    return examples


def _example_texts(path: Path) -> list[str]:
    """The example messages of one Rasa training-data file, without entity markup."""
    data = yaml.safe_load(path.read_text(encoding="utf-8")) or {}
    texts: list[str] = []
    for block in data.get("nlu", []):
        for line in str(block.get("examples", "")).splitlines():
            line = line.strip()
            if line.startswith("- "):
                texts.append(re.sub(r"\[([^\]]*)\]\([^)]*\)", r"\1", line[2:]))
    return texts


@functools.lru_cache(maxsize=1)
def written_words() -> frozenset[str]:
    """Every word (folded) of the example messages in ``data/nlu/*.yml``, in all five languages.

    A word people write for itself ("mexicain", "ciudadana", "médecin") is not a misspelt town.
    """
    return frozenset(
        word for path in sorted(paths.nlu_dir().glob("*.yml")) for text in _example_texts(path) for word in words(text)
    )


def _langdetect_vote(text: str) -> dict[str, float]:
    try:
        found = detect_langs(text)
    except LangDetectException:
        return {}
    vote = {item.lang: item.prob for item in found if item.lang in SUPPORTED}
    total = sum(vote.values())
    return {lang: p / total for lang, p in vote.items()} if total else {}


@functools.lru_cache(maxsize=1)
def _langid_model():  # type: ignore[no-untyped-def]
    from langid.langid import LanguageIdentifier as LangId
    from langid.langid import model

    identifier = LangId.from_modelstring(model, norm_probs=True)
    identifier.set_languages(list(SUPPORTED))
    return identifier


def _langid_vote(text: str) -> dict[str, float]:
    ranked = _langid_model().rank(text)
    total = sum(p for _, p in ranked)
    return {lang: p / total for lang, p in ranked} if total else {}


class LanguageIdentifier:
    """Detects which of the supported languages a message is written in."""

    def __init__(self, model: NaiveBayesLanguageModel) -> None:
        self.model = model

    @classmethod
    def from_training_data(cls, nlu_dir: Path | None = None) -> LanguageIdentifier:
        return cls(NaiveBayesLanguageModel(load_examples(nlu_dir or paths.nlu_dir())))

    def detect(self, text: str) -> Detection:
        tokens = words(text)
        if not tokens:
            return Detection(code=None, confidence=0.0)
        if latin_share(text) < 0.5:
            return Detection(code=None, confidence=0.0, unsupported_script=True, word_count=len(tokens))
        folded = " ".join(tokens)
        voters: list[tuple[float, dict[str, float]]] = [(1.0, self.model.probabilities(folded))]
        if len(tokens) >= 3:
            # External detectors only help once there is some text to go on.
            weight = 0.35 if len(tokens) >= 6 else 0.2
            voters.append((weight, _langid_vote(text)))
            voters.append((weight * 0.6, _langdetect_vote(text)))
        scores = {lang: 0.0 for lang in SUPPORTED}
        total_weight = 0.0
        for weight, vote in voters:
            if vote:
                total_weight += weight
                for lang, p in vote.items():
                    scores[lang] += weight * p
        if not total_weight:
            return Detection(code=None, confidence=0.0, word_count=len(tokens))
        scores = {lang: s / total_weight for lang, s in scores.items()}
        code = max(scores, key=lambda lang: scores[lang])
        confidence = scores[code]
        ambiguous = all(token in AMBIGUOUS_WORDS for token in tokens)
        return Detection(
            code=code,
            confidence=confidence,
            reliable=confidence >= RELIABLE_CONFIDENCE and not ambiguous,
            scores=scores,
            word_count=len(tokens),
            neutral=all(token in NEUTRAL_WORDS for token in tokens),
        )


@functools.lru_cache(maxsize=1)
def default_identifier() -> LanguageIdentifier:
    """The identifier trained on the project's training data, built once per process."""
    return LanguageIdentifier.from_training_data()


def detect(text: str) -> Detection:
    """Detect the language of ``text`` with :func:`default_identifier`."""
    return default_identifier().detect(text)


def next_conversation_language(current: str | None, detection: Detection | None) -> str | None:
    """The value the ``language`` slot should take after a user message.

    It is set from the first reliable message and, once set, only changes when a message is
    clearly in another language (long enough and very confident). Explicit requests go through
    ``set_language`` instead.
    """
    if detection is None or not detection.reliable or detection.code is None:
        return current
    if current is None:
        return detection.code
    if (
        detection.code != current
        and detection.confidence >= SWITCH_CONFIDENCE
        and detection.word_count >= SWITCH_MIN_WORDS
    ):
        return detection.code
    return current


def reply_language(
    slot_value: str | None, detection: Detection | None, hint: str | None = None, previous: str | None = None
) -> str:
    """The language to answer in: the conversation's, else the best guess, else the language of the previous
    reply (a tapped "1" after "hi" goes on in English), else the channel's hint. A message of words every
    language shares ("menu", "ok") says nothing about the language: it is not a guess to answer in."""
    if slot_value in SUPPORTED:
        return slot_value
    if detection is not None and detection.code and detection.confidence >= 0.5 and not detection.neutral:
        return detection.code
    if previous in SUPPORTED:
        return previous
    if hint:
        code = fold(hint).split("-")[0]
        if code in SUPPORTED:
            return code
    if detection is not None and detection.code and not detection.neutral:
        return detection.code
    return DEFAULT_LANGUAGE


def translated(texts: Mapping[str, str] | None, language: str, default: str = "") -> str:
    """A text in ``language`` from a per-language mapping, with the one fallback chain used everywhere.

    The chain: the requested language, then Spanish (every item is written in Spanish first), then
    English, then whichever language is present; ``default`` when there is no text at all.
    """
    if not texts:
        return default
    for code in (language, DEFAULT_LANGUAGE, "en"):
        value = texts.get(code)
        if value:
            return value
    return next((value for value in texts.values() if value), default)
