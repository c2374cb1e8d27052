"""What a person is told about where an answer comes from, and the emergency lines of a country.

Pure functions over the content models (no tracker, no channel): the conversation calls them and
adds the result under an answer, a place or the emergency numbers. Every sentence is in
``content/ui.yml`` (keys ``provenance_*`` and ``emergency_*``), in five languages.

The footer says one honest thing about the item:

- "checked against [source] on [date], not yet confirmed by an organisation" (``checked`` set), or
- "confirmed by [organisation] on [date]" (``confirmed_with``/``confirmed_on`` set), or
- "not checked against a source yet" (neither),

then, when they apply: a caution once ``valid_until`` has passed (or the end date while it runs), a
caution when the check is older than the staleness period, a note when part of the item could not be
confirmed, and a note when the user's language has not been reviewed by a fluent speaker. It never
shows a "last reviewed" date next to "not checked".

Emergency lines never say "confirm with the source before you act": a person in danger calls first.
They say what to try when nobody answers instead.
"""

from __future__ import annotations

from datetime import date
from typing import Any, Protocol

from bot.content.models import (
    SOURCE_LANGUAGE,
    CountryEmergency,
    EmergencyNumber,
    Kind,
    Sourced,
    TextState,
    TopicAnswer,
    pick_translation,
    stale_after_days,
)
from bot.content.store import current

# The order numbers are listed in: the one number for everything first, then by what they are for.
KIND_ORDER = (Kind.emergency, Kind.police, Kind.ambulance, Kind.fire, Kind.hotline)
KIND_ICONS = {Kind.emergency: "🚨", Kind.police: "🚓", Kind.ambulance: "🚑", Kind.fire: "🚒", Kind.hotline: "☎️"}


class Texts(Protocol):
    """Anything that gives a ui.yml message in a language (a :class:`bot.content.store.Content`)."""

    def text(self, key: str, language: str, **values: Any) -> str: ...


def _texts(ui: Texts | None) -> Texts:
    return ui if ui is not None else current()


def answer_footer(
    item: Sourced,
    language: str,
    today: date,
    *,
    ui: Texts | None = None,
    volatile: bool = False,
    shown_language: str | None = None,
) -> str:
    """The lines shown under an answer, a place or a number about where it comes from and how sure it is.

    Args:
        item: a topic answer, place, organisation or emergency number.
        language: the user's language (the footer's language).
        today: the date to judge ``valid_until`` and staleness against.
        ui: where the sentences come from (default: the current content snapshot).
        volatile: the item's country is flagged ``volatile`` (shorter staleness period).
        shown_language: the language of the text actually shown, when it is a fallback (no note about the
            review of the user's language is given then: the caller already says it is not translated).
    """
    texts = _texts(ui)
    lines: list[str] = []
    if item.is_confirmed and item.confirmed_on is not None:
        lines.append(
            texts.text(
                "provenance_confirmed",
                language,
                organisation=item.confirmed_with,
                date=item.confirmed_on.isoformat(),
                source=item.source,
            )
        )
    elif item.checked is not None:
        lines.append(texts.text("provenance_checked", language, source=item.source, date=item.checked.isoformat()))
    else:
        lines.append(texts.text("provenance_not_checked", language, source=item.source))
    if item.valid_until is not None:
        key = "provenance_expired" if item.valid_until < today else "provenance_valid_until"
        lines.append(texts.text(key, language, date=item.valid_until.isoformat()))
    if item.is_stale(today, volatile):
        lines.append(texts.text("provenance_stale", language, months=stale_after_days(volatile) // 30))
    if item.unconfirmed:
        lines.append(texts.text("provenance_unconfirmed", language))
    note = language_note(item, shown_language or language, ui=texts)
    if note:
        lines.append(note)
    return "\n".join(lines)


def language_note(item: Sourced, language: str, *, ui: Texts | None = None) -> str | None:
    """A short note when ``language``'s text of an answer was not reviewed by a fluent speaker (or is
    behind a change of the Spanish text); None for Spanish and for reviewed translations."""
    if not isinstance(item, TopicAnswer) or language == SOURCE_LANGUAGE:
        return None
    state = item.text_state(language)
    if state is TextState.reviewed:
        return None
    key = "provenance_text_outdated" if state is TextState.outdated else "provenance_text_unreviewed"
    return _texts(ui).text(key, language)


def kind_rank(number: EmergencyNumber) -> int:
    """Where ``number`` comes in a list: the one number for everything first, then by what it is for."""
    return KIND_ORDER.index(number.kind) if number.kind in KIND_ORDER else len(KIND_ORDER)


def number_line(number: EmergencyNumber, language: str) -> str:
    """``• 🚓 104: Policía``: the number (or web address, marked 🌐: it is not something to call) first, then
    what it is for."""
    label = pick_translation(number.label, language)[0]
    icon = "🌐" if not number.number else KIND_ICONS.get(number.kind) if number.kind else None
    return f"• {icon + ' ' if icon else ''}{number.number or number.url}: {label}"


def emergency_lines(country_entry: CountryEmergency, language: str, *, ui: Texts | None = None) -> list[str]:
    """A country's numbers ordered by kind (emergency, police, ambulance, fire, hotlines), then where the
    national number does not reach and what to try if nobody answers. No "check the source" caution here."""
    numbers = sorted(country_entry.numbers, key=kind_rank)  # stable: the file's order within a kind
    lines = [number_line(number, language) for number in numbers]
    if country_entry.coverage_note:
        lines.append("⚠️ " + pick_translation(country_entry.coverage_note, language)[0])
    if country_entry.if_no_answer:
        lines.append(pick_translation(country_entry.if_no_answer, language)[0])
    else:
        lines.append(_texts(ui).text("emergency_if_no_answer", language))
    return lines
