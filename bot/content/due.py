"""What needs checking soon: ``python -m bot.content due`` (``make content-due``).

An item is due when, within the next ``days`` days (30 by default) or already:

- its ``valid_until`` ends (a programme, a window, a fee or a deadline);
- its ``recheck_by`` date comes;
- its ``watch_from`` date comes (a change is announced) and nobody has checked it since;
- its ``checked`` date becomes older than the staleness period (shorter for volatile countries).

Items come with their file and line, so an editor can open them straight away.
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import date, timedelta
from typing import Any

from bot.content.messages import Report
from bot.content.models import EmergencyNumber, Organisation, Place, Sourced, TopicAnswer, stale_after_days
from bot.content.rules import sourced_items, volatile_countries
from bot.content.yaml_lines import ParsedFile

DUE_WITHIN_DAYS = 30


@dataclass(frozen=True)
class Due:
    """One reason one item needs attention."""

    where: str  # content/topics/ask_work.yml:42
    item: str  # what it is, for people: "ask_work / PE", "place pe-lima-iom"
    reason: str  # valid_until, recheck_by, watch_from or stale
    when: date

    def render(self, today: date) -> str:
        days = (self.when - today).days
        timing = f"{-days} days ago" if days < 0 else ("today" if days == 0 else f"in {days} days")
        return f"{self.when.isoformat()} ({timing}) {self.reason}: {self.item} — {self.where}"


def item_label(parsed: ParsedFile, path: tuple[Any, ...], item: Sourced, country: str | None) -> str:
    """A short name for an item: the topic and country of an answer, a place's id, a number and its country."""
    if isinstance(item, TopicAnswer):
        topic = parsed.data.get("topic") if isinstance(parsed.data, dict) else None
        return f"{topic or parsed.path.stem} / {item.country}"
    if isinstance(item, Place):
        return f"place {item.id}"
    if isinstance(item, Organisation):
        return f"organisation {item.id}"
    if isinstance(item, EmergencyNumber):
        return f"emergency {country or 'regional'} {item.number or item.url}"
    return f"{parsed.display} {'/'.join(map(str, path))}"


def due_items(report: Report, today: date, days: int = DUE_WITHIN_DAYS) -> list[Due]:
    """Everything due within ``days`` of ``today`` (or overdue), soonest first."""
    horizon = today + timedelta(days=days)
    volatile = volatile_countries(report)
    found: list[Due] = []
    for parsed, path, item, country in sourced_items(report):
        where = f"{parsed.display}:{parsed.line(*path)}"
        label = item_label(parsed, path, item, country)

        def add(reason: str, when: date, where: str = where, label: str = label) -> None:
            found.append(Due(where, label, reason, when))

        if item.valid_until is not None and item.valid_until <= horizon:
            add("valid_until", item.valid_until)
        if item.recheck_by is not None and item.recheck_by <= horizon:
            add("recheck_by", item.recheck_by)
        if (
            item.watch_from is not None
            and item.watch_from <= horizon
            and (item.checked is None or item.checked < item.watch_from)
        ):
            add("watch_from", item.watch_from)
        last = max((d for d in (item.checked, item.confirmed_on) if d is not None), default=None)
        if last is not None:
            stale_on = last + timedelta(days=stale_after_days(country in volatile) + 1)
            if stale_on <= horizon:
                add("stale" + (" (volatile country)" if country in volatile else ""), stale_on)
    emergency_parsed, emergency = report.files.get("emergency.yml"), report.model("emergency.yml")
    if emergency_parsed is not None and emergency is not None:
        for index, entry in enumerate(emergency.countries):
            where = f"{emergency_parsed.display}:{emergency_parsed.line('countries', index)}"
            label = f"emergency {entry.country} (coverage and numbers)"
            if entry.recheck_by is not None and entry.recheck_by <= horizon:
                found.append(Due(where, label, "recheck_by", entry.recheck_by))
            if entry.watch_from is not None and entry.watch_from <= horizon:
                found.append(Due(where, label, "watch_from", entry.watch_from))
    return sorted(found, key=lambda due: (due.when, due.where))


def render(found: list[Due], today: date, days: int = DUE_WITHIN_DAYS) -> str:
    if not found:
        return f"Nothing is due in the next {days} days (from {today.isoformat()})."
    lines = [f"{len(found)} item(s) due in the next {days} days or overdue (from {today.isoformat()}):"]
    lines += [f"  {due.render(today)}" for due in found]
    return "\n".join(lines)
