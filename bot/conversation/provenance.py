"""The footer under every sourced answer: where it comes from, when it was last reviewed, and the cautions.

One function, :func:`footer`, for topic answers, emergency numbers and places alike. It reads the
provenance fields defensively (``getattr`` with defaults) so it works with the content models before
and after the schema v2 change (``checked`` instead of ``last_reviewed``).
"""

from __future__ import annotations

from collections.abc import Sequence
from datetime import date
from typing import Any

from bot.content import Content


def reviewed_on(item: Any) -> date | None:
    """The date someone last compared the item with its source (schema v2 ``checked``, else ``last_reviewed``)."""
    value = getattr(item, "checked", None) or getattr(item, "last_reviewed", None)
    return value if isinstance(value, date) else None


def _is_reviewed(item: Any) -> bool:
    reviewed = getattr(item, "is_reviewed", None)
    if callable(reviewed):  # a method in some versions of the models, a property in others
        reviewed = reviewed()
    if reviewed is not None:
        return bool(reviewed)
    return reviewed_on(item) is not None


def _is_stale(item: Any, today: date) -> bool:
    is_stale = getattr(item, "is_stale", None)
    return bool(is_stale(today)) if callable(is_stale) else False


def footer(content: Content, items: Sequence[Any], language: str, today: date,
           unreviewed_key: str = "unreviewed_warning") -> str:
    """"Source: X, reviewed on D", then a caution when an item is unreviewed or stale (``Sourced.is_stale``).

    Args:
        items: the sourced items the text above is made of (the oldest review date is shown).
        unreviewed_key: the ``content/ui.yml`` key of the "not reviewed by our team" caution.
    """
    sources = list(dict.fromkeys(getattr(item, "source", "") for item in items))
    dates = [d for d in (reviewed_on(item) for item in items) if d is not None]
    oldest = min(dates).isoformat() if dates else "—"
    line = content.text("source_line", language, source=", ".join(sources), date=oldest)
    if not all(_is_reviewed(item) for item in items):
        line += "\n" + content.text(unreviewed_key, language)
    if any(_is_stale(item, today) for item in items):
        line += "\n" + content.text("stale_warning", language)
    return line
