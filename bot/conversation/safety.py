"""Emergencies and people: the numbers to call now, queueing for the desk, and what the person is told meanwhile.

Everything a user hears about the hand-off lives here, in their language, from ``content/ui.yml`` and
the desk's settings (:mod:`bot.desk_settings`): the desk's hours and wait (:func:`availability_text`)
and the follow-up when nobody has answered yet (:func:`followup_text`).
"""

from __future__ import annotations

import logging
import time
from collections.abc import Mapping
from datetime import datetime
from typing import Any

from bot import desk_settings
from bot.content import Content
from bot.content.provenance import emergency_lines, kind_rank, number_line
from bot.conversation.dialogue import Dialogue, Turn
from bot.conversation.topics import answer_topic, note_places, sourced
from bot.conversation.vocabulary import (
    ASK_HEALTH,
    EMERGENCY_TOPICS,
    HANDOFF_OPEN_STATES,
    REPORT_EMERGENCY,
    REQUEST_HUMAN,
    Handoff,
    HandoffReason,
    Slot,
)

logger = logging.getLogger(__name__)


# -- emergency numbers ------------------------------------------------------------------------------
def say_emergency_numbers(d: Dialogue) -> None:
    """The numbers to call now: the user's country if known (by kind, with coverage gaps and what to try
    if nobody answers), else the first number of every corridor country; then the regional lines.

    No "confirm with the source before you act" here: a person in danger calls first. One line says when
    the numbers were checked against public pages.
    """
    country = d.slot(Slot.COUNTRY)
    entry = next((e for e in d.content.emergency.countries if e.country == country), None)
    items: list[Any]
    if entry is not None:
        lines = [d.text("emergency_intro"), *emergency_lines(entry, d.language, ui=d.content)]
        items = list(entry.numbers)
    else:
        lines = [d.text("emergency_intro_corridor")]
        items = []
        for corridor_entry in d.content.emergency_countries():
            first = sorted(corridor_entry.numbers, key=kind_rank)[0]
            lines.append(f"• {d.content.country_name(corridor_entry.country, d.language)}: {first.number or first.url}")
            items.append(first)
    for regional in d.content.emergency.regional:
        lines.append(number_line(regional, d.language))
        items.append(regional)
    checked = [item.checked for item in items if item.checked is not None]
    if checked and len(checked) == len(items):
        lines.append(d.text("emergency_checked", date=min(checked).isoformat()))
    d.say("\n".join(lines))


def harm_first(d: Dialogue) -> None:
    """Before answering a message that tells of harm being done now ("my boss keeps my passport and won't
    let me leave, is that legal?"): the emergency numbers, and that this is exploitation and a person can
    help. The question is answered after them; an emergency or a request for a person says the numbers
    itself. A medical emergency told now ("chest pain", "bleeding a lot") gets the numbers and "call now or go
    to the emergency room" before the health answer."""
    if _harm_told(d):
        _numbers_then(d, d.turn.intent, "harm_now_person")
    elif d.turn.urgent_care and d.turn.intent not in (*EMERGENCY_TOPICS, REQUEST_HUMAN):
        _numbers_then(d, d.turn.intent, "urgent_care_first")


def _numbers_then(d: Dialogue, topic: str, line: str) -> None:
    """The place named noted ("... estoy en Santiago de Chile", "dor no peito em Porto Velho": that country's
    numbers, not the whole list), the numbers, then the UI text ``line``."""
    note_places(d, topic)
    say_emergency_numbers(d)
    d.say(d.text(line))


def keep_harm_in_view(d: Dialogue) -> None:
    """After harm told without a country: the place the person gives next brings its numbers (as after an
    emergency), so the conversation's topic becomes the emergency once the question is answered."""
    if _harm_told(d) and not d.slot(Slot.COUNTRY):
        d.set(Slot.LAST_TOPIC, REPORT_EMERGENCY)


def _harm_told(d: Dialogue) -> bool:
    """Harm being done now, told in a message that is not itself an emergency or a request for a person (those
    say the numbers themselves)."""
    return d.turn.harm_now and d.turn.intent not in (*EMERGENCY_TOPICS, REQUEST_HUMAN)


def emergency(d: Dialogue, topic: str) -> None:
    """Danger or a missing relative: numbers first, then a person (queued at once), then the advice.

    A medical emergency with no crime told ("my wife is bleeding a lot") gets the numbers, "call now or go to
    the emergency room" and the health answer, not the police advice.
    """
    if topic == REPORT_EMERGENCY and d.turn.urgent_care and not d.turn.harm_now:
        _numbers_then(d, ASK_HEALTH, "urgent_care_first")
        answer_topic(d, ASK_HEALTH)
        return
    note_places(d, topic)
    d.set(Slot.LAST_TOPIC, topic)
    say_emergency_numbers(d)
    reason = HandoffReason.EMERGENCY if topic == REPORT_EMERGENCY else HandoffReason.MISSING_PERSON
    queue_for_human(d, reason=reason)
    answer = d.content.topic_answer(topic, d.slot(Slot.COUNTRY), d.language)
    if answer is not None:
        d.say(sourced(d, answer), [d.back_button()])


# -- queueing for a person --------------------------------------------------------------------------
def queue_for_human(d: Dialogue, reason: str) -> None:
    """Mark the conversation as waiting for a person (kept in the tracker store as slots).

    Queued without being asked (danger, a missing relative, three misunderstandings), the user is told
    so, with when the desk can answer: nobody should wait for a reply they do not know is coming.
    """
    if d.slot(Slot.HANDOFF) in HANDOFF_OPEN_STATES:
        return
    d.set(Slot.HANDOFF, Handoff.REQUESTED)
    d.set(Slot.HANDOFF_REASON, reason)
    d.set(Slot.HANDOFF_REQUESTED_AT, time.time())
    if reason != HandoffReason.REQUEST:
        d.say(d.text("handoff_queued_auto") + " " + availability_text(d.content, d.language))


def request_human(d: Dialogue) -> None:
    """Queue for a person and say what happens next: the desk's hours or wait, and the numbers for now."""
    d.say(d.text("human_requested") + "\n\n" + availability_text(d.content, d.language))
    queue_for_human(d, reason=HandoffReason.REQUEST)
    d.set(Slot.PENDING_CONFIRMATION, None)
    say_emergency_numbers(d)


# -- what the desk's hours mean for the person ------------------------------------------------------
def _weekday_names(content: Content, language: str) -> list[str]:
    names = [name.strip() for name in content.text("weekdays_short", language).split(",")]
    return names if len(names) == 7 else list(desk_settings.WEEKDAYS)


def hours_summary(hours: desk_settings.OpeningHours, content: Content, language: str) -> str:
    """E.g. "lun–vie 08:00–17:00 · sáb 09:00–13:00": consecutive days with the same hours are grouped."""
    names = _weekday_names(content, language)
    groups: list[tuple[int, int, str]] = []
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


def availability_text(
    content: Content, language: str, at: datetime | None = None, settings: desk_settings.DeskSettings | None = None
) -> str:
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
    lines: list[str] = []
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
    lines.append(
        content.text("handoff_hours", language, hours=hours_summary(hours, content, language), timezone=hours.timezone)
    )
    return " ".join(lines)


def followup_text(
    content: Content, slots: Mapping[str, Any], language: str | None, settings: desk_settings.DeskSettings | None = None
) -> str:
    """ "Nobody has answered yet" with the desk's hours and the emergency numbers, in the user's language."""
    dialogue = Dialogue(Turn(intent="handoff_followup", slots=slots, language_hint=language), content)
    availability = availability_text(content, dialogue.language, settings=settings)
    dialogue.say(dialogue.text("handoff_followup") + " " + availability)
    say_emergency_numbers(dialogue)
    return "\n\n".join(message.text for message in dialogue.reply().messages)
