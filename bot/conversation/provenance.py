"""The footer under every sourced answer and place: where it comes from, how sure we are, and the cautions.

The wording and the rules (checked / confirmed / not checked, ``valid_until``, staleness, unconfirmed
parts, an unreviewed translation) live in :mod:`bot.content.provenance`; this module only brings the
conversation's context to it: the content snapshot, the user's language and whether the item's country
is flagged volatile.
"""

from __future__ import annotations

from collections.abc import Sequence
from datetime import date
from typing import Any

from bot.content import Content
from bot.content.provenance import answer_footer


def footer(
    content: Content, items: Sequence[Any], language: str, today: date, shown_language: str | None = None
) -> str:
    """The provenance lines of each distinct item the text above is made of.

    Args:
        items: the sourced items (a topic answer, a place...).
        shown_language: the language of the text actually shown when it is a fallback translation.
    """
    lines: list[str] = []
    distinct = {id(item): item for item in items}  # pydantic models are not hashable
    for item in distinct.values():
        volatile = content.is_volatile(getattr(item, "country", None))
        lines.append(answer_footer(item, language, today, ui=content, volatile=volatile, shown_language=shown_language))
    return "\n".join(lines)
