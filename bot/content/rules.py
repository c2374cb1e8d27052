"""Rules across items and files: references between files, places, provenance, freshness, translations.

Each rule adds problems to a :class:`~bot.content.messages.Report`; :func:`bot.content.check.check`
runs them once every file has been read and validated.
"""

from __future__ import annotations

import string
from datetime import date
from typing import Any

from bot.content import geo
from bot.content.messages import WARNING, Report, did_you_mean
from bot.content.models import (
    LANGUAGES,
    LEGACY_FIELDS,
    MAX_QUOTE_WORDS,
    ConsularStatus,
    EmergencyFile,
    IndicatorsFile,
    Kind,
    Place,
    Precision,
    Sourced,
    TextState,
    TopicAnswer,
    is_homepage,
    iter_items,
    iter_translations,
    shown,
    stale_after_days,
    word_count,
)
from bot.content.offer_patterns import MARKER_FIELDS, compiled_markers, compiled_patterns
from bot.content.yaml_lines import ParsedFile
from bot.text import fold

CITY_PRECISION_TOLERANCE_KM = 40.0


# -- checks across items and files ---------------------------------------------------------------------
# Severity of an item still carrying the schema v1 stamp (last_reviewed/reviewed_by/status) and nothing newer.
# A warning while research branches are merged; set it to ERROR once `python -m bot.content migrate-provenance`
# has run on the merged tree. Mixing the stamp with schema v2 fields is always an error.
LEGACY_STAMP_SEVERITY = WARNING


def run(report: Report, today: date) -> None:
    """Every rule across items and files, in the order their messages are most useful."""
    _check_references(report)
    _check_ui_placeholders(report)
    _check_provenance(report, today)
    _check_emergency(report)
    _check_translations(report)
    _check_offer_patterns(report)


def volatile_countries(report: Report) -> set[str]:
    """Countries flagged ``volatile: true`` in content/emergency.yml (the one place the flag lives)."""
    emergency = report.model("emergency.yml")
    return {entry.country for entry in emergency.countries if entry.volatile} if emergency else set()


def sourced_items(report: Report) -> list[tuple[ParsedFile, tuple[Any, ...], Sourced, str | None]]:
    """Every fact-bearing item with its file, path and country (None when it has none, e.g. organisations)."""
    found: list[tuple[ParsedFile, tuple[Any, ...], Sourced, str | None]] = []
    for _name, parsed in sorted(report.files.items()):
        if parsed.model is None and not parsed.valid_places:
            continue
        if parsed.model is None:  # a places file with some broken places: check the valid ones
            found.extend((parsed, ("places", i), place, place.country) for i, place in parsed.valid_places)
            continue
        if isinstance(parsed.model, EmergencyFile):
            for c_index, entry in enumerate(parsed.model.countries):
                for n_index, number in enumerate(entry.numbers):
                    found.append((parsed, ("countries", c_index, "numbers", n_index), number, entry.country))
            for n_index, number in enumerate(parsed.model.regional):
                found.append((parsed, ("regional", n_index), number, None))
            continue
        for path, item in iter_items(parsed.model):
            if isinstance(item, Sourced):
                country = getattr(item, "country", None)
                found.append((parsed, path, item, None if country in (None, "*") else country))
    return found


def _check_provenance(report: Report, today: date) -> None:
    volatile = volatile_countries(report)
    legacy_only: dict[str, list[tuple[ParsedFile, tuple[Any, ...]]]] = {}
    for parsed, path, item, country in sourced_items(report):
        if item.legacy_stamp:
            if item.evidence or item.checked or item.confirmed_on:
                for key in item.legacy_stamp:
                    report.add(parsed, (*path, key), key, LEGACY_FIELDS[key])
            else:
                legacy_only.setdefault(parsed.display, []).append((parsed, path))
                continue
        _check_item(report, parsed, path, item, today, country in volatile)
    for entries in legacy_only.values():
        parsed, path = entries[0]
        first_key = next(iter(item_legacy_keys(parsed, path)), "last_reviewed")
        count = f"{len(entries)} items still use" if len(entries) > 1 else "this item still uses"
        first = " (the first one is here)" if len(entries) > 1 else ""
        report.add(
            parsed,
            (*path, first_key),
            first_key,
            "last_reviewed was replaced by checked, reviewed_by and status by checked_by and "
            f"confirmed_with/confirmed_on: {count} the old stamp{first}. Run python -m bot.content "
            "migrate-provenance to remove it, then add evidence (see CONTENT.md)",
            LEGACY_STAMP_SEVERITY,
        )


def item_legacy_keys(parsed: ParsedFile, path: tuple[Any, ...]) -> list[str]:
    """The schema v1 keys written in the item at ``path``, in file order."""
    keys = [key for key in LEGACY_FIELDS if (*path, key) in parsed.lines]
    return sorted(keys, key=lambda key: parsed.lines[(*path, key)])


def _check_item(
    report: Report, parsed: ParsedFile, path: tuple[Any, ...], item: Sourced, today: date, volatile: bool
) -> None:
    if item.confirmed_on is not None and not item.confirmed_with:
        report.add(
            parsed,
            (*path, "confirmed_on"),
            "confirmed_on",
            "is set but confirmed_with is empty: name the organisation that confirmed it, or delete "
            "confirmed_on (desk research goes in checked)",
        )
    if item.confirmed_with and item.confirmed_on is None:
        report.add(
            parsed,
            (*path, "confirmed_with"),
            "confirmed_with",
            "needs confirmed_on: the date the organisation confirmed it, written as YYYY-MM-DD",
        )
    for key in ("checked", "confirmed_on"):
        value = getattr(item, key)
        if value is not None and value > today:
            report.add(
                parsed, (*path, key), key, f"{value.isoformat()} is in the future: write the day it really happened"
            )
    if not item.evidence:
        report.add(
            parsed,
            path,
            "evidence",
            "is missing: add the specific page that states this (url, a quote of 30 words at most, read_on)"
            + (", or the checked date means nothing" if item.checked else ""),
            WARNING,
        )
    elif item.checked is None:
        report.add(
            parsed,
            path,
            "checked",
            "is missing: nobody has compared this item with its evidence yet (users are told so); once you "
            "have, write checked: YYYY-MM-DD",
            WARNING,
        )
    for index, evidence in enumerate(item.evidence):
        at = (*path, "evidence", index)
        if is_homepage(evidence.url):
            report.add(
                parsed,
                (*at, "url"),
                "evidence.url",
                f"{shown(evidence.url)} is a homepage: link the specific page that shows the claim",
                WARNING,
            )
        words = word_count(evidence.quote)
        if words > MAX_QUOTE_WORDS:
            report.add(
                parsed,
                (*at, "quote"),
                "evidence.quote",
                f"has {words} words: keep at most {MAX_QUOTE_WORDS} words of the page that state the claim",
                WARNING,
            )
        if evidence.read_on > today:
            report.add(
                parsed,
                (*at, "read_on"),
                "evidence.read_on",
                f"{evidence.read_on.isoformat()} is in the future: write the day you read the page",
            )
    if item.valid_until is not None and item.valid_until < today:
        report.add(
            parsed,
            (*path, "valid_until"),
            "valid_until",
            f"{item.valid_until.isoformat()} has passed: users see a caution until you check whether it still "
            "applies, then update the text and the date (or remove what ended)",
            WARNING,
        )
    if item.recheck_by is not None and item.recheck_by < today:
        report.add(
            parsed,
            (*path, "recheck_by"),
            "recheck_by",
            f"{item.recheck_by.isoformat()} has passed: check the item against its evidence again",
            WARNING,
        )
    if item.is_stale(today, volatile):
        months = stale_after_days(volatile) // 30
        why = " (a volatile country)" if volatile else ""
        report.add(
            parsed,
            (*path, "checked"),
            "checked",
            f"{item.checked.isoformat() if item.checked else ''} is more than {months} months ago{why}: check "
            "the information against its evidence and update the date (users see a caution until then)",
            WARNING,
        )
    if isinstance(item, TopicAnswer):
        outdated = [lang for lang in LANGUAGES if item.text_state(lang) is TextState.outdated]
        if outdated:
            report.add(
                parsed,
                (*path, "text", outdated[0]),
                "text." + "/".join(outdated),
                "translated from an older Spanish text: update the translation (users see a note until "
                "then), then run python -m bot.content stamp-translations --restamp-outdated",
                WARNING,
            )
    if isinstance(item, Place):
        if item.consular_status in (ConsularStatus.suspended, ConsularStatus.closed) and not item.status_note:
            report.add(
                parsed,
                (*path, "consular_status"),
                "status_note",
                f"is missing: the consulate is {item.consular_status.value}, so say what people can do "
                "instead, in five languages",
                WARNING,
            )
        if item.status_since is not None and item.consular_status is None:
            report.add(
                parsed,
                (*path, "status_since"),
                "status_since",
                "is set but consular_status is not: write consular_status: open, suspended or closed",
            )


def _check_emergency(report: Report) -> None:
    parsed, emergency = report.files.get("emergency.yml"), report.model("emergency.yml")
    if parsed is None or emergency is None:
        return
    for c_index, entry in enumerate(emergency.countries):
        kinds = {number.kind for number in entry.numbers}
        for n_index, number in enumerate(entry.numbers):
            if number.kind is None:
                report.add(
                    parsed,
                    ("countries", c_index, "numbers", n_index),
                    "kind",
                    "is missing: write kind: police, ambulance, fire, emergency (one number for all) or "
                    "hotline, so the bot can list numbers by what they are for",
                    WARNING,
                )
        if None in kinds:
            continue
        missing = [kind for kind in (Kind.police, Kind.ambulance) if kind not in kinds and Kind.emergency not in kinds]
        if missing:
            report.add(
                parsed,
                ("countries", c_index, "numbers"),
                "numbers",
                f"{entry.country} has no {' or '.join(k.value for k in missing)} number: add it with its "
                "evidence (or a number of kind emergency that covers it)",
                WARNING,
            )


def _check_translations(report: Report) -> None:
    for parsed in report.files.values():
        if parsed.model is None:
            continue
        missing: dict[str, int] = {}
        first: tuple[Any, ...] | None = None
        for path, translations in iter_translations(parsed.model):
            absent = [lang for lang in LANGUAGES if lang not in translations]
            for language in absent:
                missing[language] = missing.get(language, 0) + 1
            if absent and first is None:
                first = path
        if missing and first is not None:
            counts = ", ".join(f"{lang} {missing[lang]}" for lang in LANGUAGES if lang in missing)
            report.add(
                parsed,
                first,
                None,
                f"missing translations ({counts}; the first one is here): users of those languages get "
                "the Spanish text with a note",
                WARNING,
            )


def _check_ui_placeholders(report: Report) -> None:
    parsed = report.files.get("ui.yml")
    if parsed is None or parsed.model is None:
        return
    formatter = string.Formatter()
    for key, translations in parsed.model.messages.items():
        names: dict[str, set[str]] = {}
        for language, text in translations.items():
            try:
                names[language] = {name for _, name, _, _ in formatter.parse(text) if name is not None}
            except ValueError:
                report.add(
                    parsed,
                    ("messages", key, language),
                    f"{key}.{language}",
                    "has a { or } without its pair: words to fill in are written {like_this}",
                )
        reference = names.get("es") or set()
        for language, found in names.items():
            extra = sorted(found - reference)
            if extra:
                report.add(
                    parsed,
                    ("messages", key, language),
                    f"{key}.{language}",
                    f"uses {{{extra[0]}}}, which the Spanish text does not have, so the bot cannot fill it in: "
                    "keep the words in braces exactly as in Spanish",
                )


def _check_references(report: Report) -> None:
    countries_file = report.model("gazetteer/countries.yml")
    countries = {c.code: c for c in countries_file.countries} if countries_file else {}
    known = set(countries)

    def country_ok(parsed: ParsedFile, path: tuple[Any, ...], name: str, code: str) -> None:
        if countries and code not in known:
            suggestion = did_you_mean(code.upper(), sorted(known)) if code.upper() not in known else code.upper()
            hint = f' (did you mean "{suggestion}"?)' if suggestion else ""
            report.add(parsed, path, name, f"{shown(code)} is not a country in content/gazetteer/countries.yml{hint}")

    parsed = report.files.get("gazetteer/countries.yml")
    if parsed and countries_file:
        codes = [(parsed, ("countries", i, "code"), c.code) for i, c in enumerate(countries_file.countries)]
        _duplicates(report, codes, "code", "country code")

    cities_parsed = report.files.get("gazetteer/cities.yml")
    cities_file = report.model("gazetteer/cities.yml")
    city_names: dict[str, set[str]] = {}
    if cities_parsed and cities_file:
        for index, city in enumerate(cities_file.cities):
            country_ok(cities_parsed, ("cities", index, "country"), "country", city.country)
            _check_bbox(report, cities_parsed, ("cities", index), city.lat, city.lon, countries.get(city.country))
            for name in (city.name, *city.aliases):
                city_names.setdefault(city.country, set()).add(fold(name))
        _duplicates(
            report,
            [
                (cities_parsed, ("cities", i, "name"), (c.country, fold(c.name)))
                for i, c in enumerate(cities_file.cities)
            ],
            "name",
            "city",
        )

    menu_parsed, menu = report.files.get("menu.yml"), report.model("menu.yml")
    topics = {tf.topic for _, tf in report.models_in("topics")}
    if menu_parsed and menu:
        for index, code in enumerate(menu.countries):
            country_ok(menu_parsed, ("countries", index), "countries", code)
        for s_index, stage in enumerate(menu.stages):
            for t_index, topic in enumerate(stage.topics):
                if topics and topic not in topics and topic not in ("request_human",):
                    report.add(
                        menu_parsed,
                        ("stages", s_index, "topics", t_index),
                        "topics",
                        f"{shown(topic)} has no file in content/topics/: people who choose it are told there "
                        "is no information yet",
                        WARNING,
                    )

    demonyms_parsed, demonyms = report.files.get("gazetteer/demonyms.yml"), report.model("gazetteer/demonyms.yml")
    if demonyms_parsed and demonyms:
        for code in demonyms.demonyms:
            country_ok(demonyms_parsed, ("demonyms", code), "demonyms", code)

    emergency_parsed, emergency = report.files.get("emergency.yml"), report.model("emergency.yml")
    if emergency_parsed and emergency:
        for index, entry in enumerate(emergency.countries):
            country_ok(emergency_parsed, ("countries", index, "country"), "country", entry.country)
        _duplicates(
            report,
            [(emergency_parsed, ("countries", i, "country"), e.country) for i, e in enumerate(emergency.countries)],
            "country",
            "country",
        )

    topic_entries = []
    for parsed_topic, topic_file in report.models_in("topics"):
        stem = parsed_topic.path.stem
        if topic_file.topic != stem:
            report.add(
                parsed_topic,
                ("topic",),
                "topic",
                f"{shown(topic_file.topic)} differs from the file name {stem}.yml: " "name the file after the topic",
                WARNING,
            )
        topic_entries.append((parsed_topic, ("topic",), topic_file.topic))
        seen = []
        for index, answer in enumerate(topic_file.answers):
            if answer.country != "*":
                country_ok(parsed_topic, ("answers", index, "country"), "country", answer.country)
            seen.append((parsed_topic, ("answers", index, "country"), answer.country))
        _duplicates(report, seen, "country", "answer for country")
    _duplicates(report, topic_entries, "topic", "topic")

    _check_places(report, countries, city_names)


def _check_places(report: Report, countries: dict[str, Any], city_names: dict[str, set[str]]) -> None:
    types_parsed, types_file = report.files.get("place_types.yml"), report.model("place_types.yml")
    types = {t.id: t for t in types_file.types} if types_file else {}
    services = {s.id for s in types_file.services} if types_file else set()
    if types_parsed and types_file:
        _duplicates(
            report,
            [(types_parsed, ("types", i, "id"), t.id) for i, t in enumerate(types_file.types)],
            "id",
            "place type",
        )
    orgs_parsed, orgs_file = report.files.get("organisations.yml"), report.model("organisations.yml")
    organisations = {o.id for o in orgs_file.organisations} if orgs_file else set()
    if orgs_parsed and orgs_file:
        _duplicates(
            report,
            [(orgs_parsed, ("organisations", i, "id"), o.id) for i, o in enumerate(orgs_file.organisations)],
            "id",
            "organisation",
        )
        for index, org in enumerate(orgs_file.organisations):
            for c_index, code in enumerate(org.countries):
                if countries and code not in countries:
                    report.add(
                        orgs_parsed,
                        ("organisations", index, "countries", c_index),
                        "countries",
                        f"{shown(code)} is not a country in content/gazetteer/countries.yml",
                    )
    cities_file = report.model("gazetteer/cities.yml")
    city_points = {
        (c.country, fold(n)): c for c in (cities_file.cities if cities_file else ()) for n in (c.name, *c.aliases)
    }

    ids = []
    places_files = [p for name, p in sorted(report.files.items()) if name.startswith("places/")]
    for parsed in places_files:
        for index, place in parsed.valid_places:
            at = ("places", index)
            ids.append((parsed, (*at, "id"), place.id))
            _check_place(report, parsed, at, place, countries, types, services, organisations)
            inside = _check_bbox(report, parsed, at, place.lat, place.lon, countries.get(place.country))
            known_country = place.country in countries
            if place.city and known_country and fold(place.city) not in city_names.get(place.country, set()):
                report.add(
                    parsed,
                    (*at, "city"),
                    "city",
                    f"{shown(place.city)} is not in content/gazetteer/cities.yml for {place.country}: add it "
                    "there so people can find this place by naming their city",
                    WARNING,
                )
            city = city_points.get((place.country, fold(place.city or "")))
            if inside and place.location_precision == Precision.city and city is not None:
                distance = geo.haversine_km(place.lat, place.lon, city.lat, city.lon)
                if distance > CITY_PRECISION_TOLERANCE_KM:
                    report.add(
                        parsed,
                        (*at, "lat"),
                        "lat",
                        f"is {distance:.0f} km from the centre of {city.name}, but location_precision is city: "
                        f"use the city's point ({city.lat}, {city.lon}) or the exact one",
                        WARNING,
                    )
            if (
                place.location_precision == Precision.exact
                and city is not None
                and (place.lat, place.lon) == (city.lat, city.lon)
            ):
                report.add(
                    parsed,
                    (*at, "location_precision"),
                    "location_precision",
                    f"is exact, but the point is the centre of {city.name} from the gazetteer: write "
                    "location_precision: city (or street when a page gives the address)",
                    WARNING,
                )
            if place.location_precision == Precision.street and not place.address:
                report.add(
                    parsed,
                    (*at, "location_precision"),
                    "location_precision",
                    "is street, but the place has no address: add the address a public page states (quoted "
                    "in evidence), or write location_precision: city",
                    WARNING,
                )
    _duplicates(report, ids, "id", "place id")


def _check_place(
    report: Report,
    parsed: ParsedFile,
    at: tuple[Any, ...],
    place: Place,
    countries: dict[str, Any],
    types: dict[str, Any],
    services: set[str],
    organisations: set[str],
) -> None:
    if countries and place.country not in countries:
        suggestion = place.country.upper() if place.country.upper() in countries else None
        hint = f' (did you mean "{suggestion}"?)' if suggestion else ""
        report.add(
            parsed,
            (*at, "country"),
            "country",
            f"{shown(place.country)} is not a country in content/gazetteer/countries.yml{hint}",
        )
    place_type = types.get(place.type)
    if types and place_type is None:
        suggestion = did_you_mean(place.type, sorted(types))
        hint = f'did you mean "{suggestion}"? ' if suggestion else ""
        report.add(
            parsed,
            (*at, "type"),
            "type",
            f"{shown(place.type)} is not a place type ({hint}the types are listed in content/place_types.yml)",
        )
    if place_type is not None and place_type.needs_nationalities and not place.nationalities:
        report.add(
            parsed,
            (*at, "type"),
            "nationalities",
            f"a {place.type} must list the nationalities it serves, e.g. nationalities: [HN] (country codes)",
        )
    for index, code in enumerate(place.nationalities):
        if countries and code not in countries:
            report.add(
                parsed,
                (*at, "nationalities", index),
                "nationalities",
                f"{shown(code)} is not a country in content/gazetteer/countries.yml",
            )
    for index, service in enumerate(place.services):
        if types and service not in services:
            suggestion = did_you_mean(service, sorted(services))
            hint = f' (did you mean "{suggestion}"?)' if suggestion else ""
            report.add(
                parsed,
                (*at, "services", index),
                "services",
                f"{shown(service)} is not a service listed in content/place_types.yml{hint}",
            )
    for name in ("address", "phone", "hours"):
        if getattr(place, name) is None and name not in place.not_sourced:
            report.add(
                parsed,
                at,
                name,
                f"is empty: add it from the source, or write not_sourced: [{name}] to show it was checked "
                "and no public source gives it",
                WARNING,
            )
        elif getattr(place, name) is not None and name in place.not_sourced:
            report.add(
                parsed,
                (*at, "not_sourced"),
                "not_sourced",
                f"lists {name}, but the place has one: remove {name} from not_sourced",
            )
    if place.organisation and organisations and place.organisation not in organisations:
        report.add(
            parsed,
            (*at, "organisation"),
            "organisation",
            f"{shown(place.organisation)} is not an id in content/organisations.yml",
        )


def _check_bbox(report: Report, parsed: ParsedFile, at: tuple[Any, ...], lat: float, lon: float, country: Any) -> bool:
    """Report a point outside its country's box; return whether it is inside (or cannot be checked)."""
    bbox = getattr(country, "bbox", None)
    if not bbox or geo.in_bbox(lat, lon, bbox):
        return True
    name = country.name.get("en") or country.code
    if geo.in_bbox(lon, lat, bbox):
        hint = "lat and lon look swapped"
    else:
        hint = "check the numbers and the country; in the Americas lon is negative, and south of the equator lat too"
    report.add(parsed, (*at, "lat"), "lat/lon", f"{lat}, {lon} is outside {name} ({country.code}): {hint}")
    return False


def _duplicates(
    report: Report, entries: list[tuple[ParsedFile, tuple[Any, ...], Any]], field_name: str, what: str
) -> None:
    first: dict[Any, tuple[ParsedFile, tuple[Any, ...]]] = {}
    for parsed, path, value in entries:
        if value in first:
            other, other_path = first[value]
            shown_value = value[-1] if isinstance(value, tuple) else value
            where = f"{other.display}:{other.line(*other_path)}"
            report.add(
                parsed,
                path,
                field_name,
                f"{what} {shown(shown_value)} is used twice (first at {where}): each must be unique",
            )
        else:
            first[value] = (parsed, path)


def _check_offer_patterns(report: Report) -> None:
    """Every warning-sign pattern compiles: a typo in a regular expression is reported at its line."""
    parsed = report.files.get("offers/indicators.yml")
    if parsed is None or not isinstance(parsed.model, IndicatorsFile):
        return
    for i_index, language, p_index, compiled in compiled_patterns(parsed.model):
        if isinstance(compiled, str):
            report.add(
                parsed,
                ("indicators", i_index, "patterns", language, p_index),
                "patterns",
                f"{language} pattern {p_index + 1} cannot be used: {compiled} (check the brackets and "
                "the {placeholders}; see the comments at the top of the file)",
            )
    for field in MARKER_FIELDS:
        for language, p_index, compiled in compiled_markers(parsed.model, field):
            if isinstance(compiled, str):
                report.add(
                    parsed,
                    (field, language, p_index),
                    field,
                    f"{language} pattern {p_index + 1} of {field} cannot be used: {compiled} (check the brackets)",
                )
