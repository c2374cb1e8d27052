"""What the user is told about the hand-off, in their language, from ``content/ui.yml`` and the desk settings.

Pure functions (no Rasa, no network): :mod:`bot.dialogue` calls :func:`availability_text` when a
conversation is queued, and :mod:`bot.handoff.service` builds the messages staff actions send.
"""

from __future__ import annotations

import logging
from datetime import datetime
from typing import List, Optional

from bot.content import Content
from bot.handoff import settings as desk_settings

logger = logging.getLogger(__name__)


def _weekday_names(content: Content, language: str) -> List[str]:
    names = [name.strip() for name in content.text("weekdays_short", language).split(",")]
    return names if len(names) == 7 else list(desk_settings.WEEKDAYS)


def hours_summary(hours: desk_settings.OpeningHours, content: Content, language: str) -> str:
    """E.g. "lun–vie 08:00–17:00 · sáb 09:00–13:00": consecutive days with the same hours are grouped."""
    names = _weekday_names(content, language)
    groups: List[tuple[int, int, str]] = []
    for day in range(7):
        spans = hours.spans(day)
        if not spans:
            continue
        text = ", ".join(f"{start:%H:%M}–{end:%H:%M}".replace("23:59", "24:00") for start, end in spans)
        if groups and groups[-1][1] == day - 1 and groups[-1][2] == text:
            groups[-1] = (groups[-1][0], day, text)
        else:
            groups.append((day, day, text))
    parts = []
    for first, last, text in groups:
        days = names[first] if first == last else f"{names[first]}–{names[last]}"
        parts.append(f"{days} {text}")
    return " · ".join(parts)


def availability_text(content: Content, language: str, at: Optional[datetime] = None,
                      settings: Optional[desk_settings.DeskSettings] = None) -> str:
    """One or two sentences: is the desk open, how long the wait is, or when it opens again.

    Only what the desk's configuration says: without opening hours or an expected wait, no figure is given.
    """
    try:
        settings = settings or desk_settings.load_settings()
    except desk_settings.SettingsError as error:
        logger.error("Desk settings unusable, telling users no hours or wait: %s", error)
        settings = desk_settings.DeskSettings.parse_obj({})
    now = at or datetime.now().astimezone()
    state = desk_settings.availability(settings, now)
    hours = settings.opening_hours
    lines: List[str] = []
    if state.open_now is None:
        lines.append(content.text("handoff_no_hours", language))
        if state.expected_wait_minutes:
            lines.append(content.text("handoff_expected_wait", language, minutes=state.expected_wait_minutes))
        return " ".join(lines)
    if state.open_now:
        if state.expected_wait_minutes:
            lines.append(content.text("handoff_open_wait", language, minutes=state.expected_wait_minutes))
        else:
            lines.append(content.text("handoff_open", language))
    else:
        if state.next_opening is not None:
            names = _weekday_names(content, language)
            when = f"{names[state.next_opening.weekday()]} {state.next_opening:%H:%M}"
            lines.append(content.text("handoff_closed", language, when=when))
        else:
            lines.append(content.text("handoff_closed_unknown", language))
    lines.append(content.text("handoff_hours", language, hours=hours_summary(hours, content, language),
                              timezone=hours.timezone))
    return " ".join(lines)
