"""The footer under answers and places, as the conversation shows it: what it was checked against, when,
who confirmed it, and the cautions (stale, volatile country, unconfirmed parts)."""

from __future__ import annotations

from datetime import date, timedelta
from typing import Any

from bot import content
from bot.content.models import STALE_AFTER_DAYS, VOLATILE_STALE_AFTER_DAYS, Place
from bot.conversation.provenance import footer

TODAY = date(2026, 11, 29)


def _place(country: str, checked: date | None, **extra: Any) -> Place:
    evidence = [{"url": "https://example.org/page", "quote": "The page says so.", "read_on": checked or TODAY}]
    return Place.parse_obj(
        {
            "id": f"p-{country.lower()}",
            "type": "shelter",
            "name": "Casa",
            "country": country,
            "lat": 14.9,
            "lon": -92.2,
            "location_precision": "city",
            "source": "Casa Ejemplo (example.org)",
            "checked": checked,
            "evidence": evidence,
            **extra,
        }
    )


def test_a_checked_place_says_against_what_and_when_and_that_no_organisation_confirmed_it() -> None:
    text = footer(content.current(), [_place("MX", date(2026, 11, 20))], "en", TODAY)
    assert text == "Checked against Casa Ejemplo (example.org) on 2026-11-20, not yet confirmed by an organisation."


def test_a_confirmed_place_names_the_organisation_and_the_date() -> None:
    place = _place(
        "MX", date(2026, 11, 20), confirmed_with="Casa Ejemplo", confirmed_on=date(2026, 11, 25), confirmed_by="Ana"
    )
    text = footer(content.current(), [place], "es", TODAY)
    assert text.startswith("Confirmado por Casa Ejemplo el 2026-11-25")


def test_a_volatile_country_goes_stale_sooner_than_others() -> None:
    snapshot = content.current()
    volatile = sorted(snapshot.volatile_countries)[0]
    calm = next(code for code in ("PE", "CO", "MX", "BR") if code not in snapshot.volatile_countries)
    checked = TODAY - timedelta(days=VOLATILE_STALE_AFTER_DAYS + 10)
    assert checked > TODAY - timedelta(days=STALE_AFTER_DAYS)
    stale_line = snapshot.text("provenance_stale", "en", months=VOLATILE_STALE_AFTER_DAYS // 30)
    assert stale_line in footer(snapshot, [_place(volatile, checked)], "en", TODAY)
    assert "more than" not in footer(snapshot, [_place(calm, checked)], "en", TODAY).lower()


def test_an_unchecked_item_never_shows_a_review_date() -> None:
    text = footer(content.current(), [_place("MX", None)], "en", TODAY)
    assert "not checked against a source yet" in text
    assert "2026" not in text


def test_several_items_give_one_line_each_and_the_same_item_once() -> None:
    first, second = _place("MX", date(2026, 10, 1)), _place("GT", date(2026, 11, 1))
    text = footer(content.current(), [first, second, first], "en", TODAY)
    assert text.count("Checked against") == 2
    assert "2026-10-01" in text and "2026-11-01" in text
