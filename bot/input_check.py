"""Checks a raw incoming message before anything else reads it."""

from __future__ import annotations

import unicodedata
from dataclasses import dataclass
from enum import Enum

MAX_MESSAGE_CHARS = 1000  # longer messages are cut here: nobody asks one question in 10,000 characters


class InputProblem(str, Enum):
    NONE = ""
    EMPTY = "empty"
    EMOJI_ONLY = "emoji_only"
    UNREADABLE = "unreadable"
    TOO_LONG = "too_long"
    UNSUPPORTED_LANGUAGE = "unsupported_language"


# Problems that leave nothing to understand: the bot answers them instead of guessing an intent.
BLOCKING_PROBLEMS = frozenset(
    problem.value
    for problem in (
        InputProblem.EMPTY,
        InputProblem.EMOJI_ONLY,
        InputProblem.UNREADABLE,
        InputProblem.UNSUPPORTED_LANGUAGE,
    )
)


@dataclass(frozen=True)
class InputCheck:
    text: str
    problem: InputProblem


def _is_junk(ch: str) -> bool:
    category = unicodedata.category(ch)
    return ch == "\ufffd" or (category in ("Cc", "Cf", "Co", "Cn", "Cs") and ch not in "\n\r\t\u200d")


def check_input(raw: str) -> InputCheck:
    """Classify ``raw`` and return the text the NLU should read (cut to :data:`MAX_MESSAGE_CHARS`)."""
    text = raw.strip()
    if not text:
        return InputCheck("", InputProblem.EMPTY)
    junk = sum(1 for ch in text if _is_junk(ch))
    if junk / len(text) > 0.1:
        return InputCheck("", InputProblem.UNREADABLE)
    if not any(ch.isalnum() for ch in text):
        return InputCheck(text[:MAX_MESSAGE_CHARS], InputProblem.EMOJI_ONLY)
    if len(text) > MAX_MESSAGE_CHARS:
        return InputCheck(text[:MAX_MESSAGE_CHARS], InputProblem.TOO_LONG)
    return InputCheck(text, InputProblem.NONE)
