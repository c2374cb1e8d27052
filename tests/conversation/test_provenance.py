"""The footer under answers, numbers and places: the source, the review date and the cautions a person sees."""

from __future__ import annotations

from dataclasses import dataclass
from datetime import date

from bot import content
from bot.conversation.provenance import footer

TODAY = date(2026, 11, 29)


@dataclass
class NewSchemaItem:
    """An item in the schema v2 shape: ``checked`` instead of ``last_reviewed``, and its own staleness rule."""

    source: str
    checked: date | None

    @property
    def is_reviewed(self) -> bool:
        return self.checked is not None

    def is_stale(self, today: date) -> bool:
        return self.checked is None or (today - self.checked).days > 365


def test_a_recent_reviewed_item_shows_its_source_and_date_and_no_caution() -> None:
    snapshot = content.current()
    item = NewSchemaItem("Migraciones Perú", date(2026, 11, 20))
    text = footer(snapshot, [item], "en", TODAY)
    assert "Migraciones Perú" in text and "2026-11-20" in text
    assert snapshot.text("stale_warning", "en") not in text
    assert snapshot.text("unreviewed_warning", "en") not in text


def test_an_old_item_gets_the_staleness_caution_from_the_items_own_rule() -> None:
    snapshot = content.current()
    text = footer(snapshot, [NewSchemaItem("ACNUR", date(2025, 1, 2))], "es", TODAY)
    assert snapshot.text("stale_warning", "es") in text


def test_several_items_show_every_source_once_and_the_oldest_date() -> None:
    snapshot = content.current()
    items = [NewSchemaItem("OIM", date(2026, 10, 1)), NewSchemaItem("OIM", date(2026, 9, 1)),
             NewSchemaItem("Cruz Roja", date(2026, 11, 1))]
    text = footer(snapshot, items, "es", TODAY)
    assert text.count("OIM") == 1 and "Cruz Roja" in text and "2026-09-01" in text
