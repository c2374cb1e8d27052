"""Checks every file in ``content/`` and says, in plain words, what to fix and where.

Every problem carries the file, the line, the field and a hint an NGO volunteer can act on::

    content/places/mx.yml:42 lat: must be a number between -90 and 90, got "19,43" (use a dot, not a comma)

:func:`check` reports every problem at once (not only the first), as errors (the bot refuses the
edit and keeps serving the last good version) and warnings (the edit is used, but something should
be done: a missing translation, an item not reviewed for a year). The same parse feeds the loader
in :mod:`bot.content.store`, so the bot and ``python -m bot.content check`` never disagree.
"""

from __future__ import annotations

import difflib
import string
from dataclasses import dataclass, field
from datetime import date
from pathlib import Path
from typing import Any, Iterator, Optional

import yaml
from pydantic import BaseModel, ValidationError

from bot.content import geo
from bot.content.models import (
    LANGUAGES,
    STALE_AFTER_DAYS,
    CitiesFile,
    CountriesFile,
    EmergencyFile,
    MenuFile,
    OrganisationsFile,
    Place,
    PlacesFile,
    PlaceTypesFile,
    Precision,
    TopicFile,
    UiFile,
    shown,
)
from bot.text import fold

ERROR, WARNING = "error", "warning"
CITY_PRECISION_TOLERANCE_KM = 40.0
# Names people reach for instead of ours; difflib alone would not connect "latitude" with "lat".
SYNONYMS = {
    "latitude": "lat", "latitud": "lat", "lng": "lon", "long": "lon", "longitude": "lon", "longitud": "lon",
    "telephone": "phone", "telefono": "phone", "tel": "phone", "mobile": "phone", "celular": "phone",
    "whatsap": "whatsapp", "wa": "whatsapp", "web": "website", "url": "website", "site": "website",
    "direccion": "address", "adress": "address", "horario": "hours", "opening_hours": "hours", "schedule": "hours",
    "nombre": "name", "tipo": "type", "ciudad": "city", "pais": "country", "fuente": "source",
    "reviewed": "last_reviewed", "date": "last_reviewed", "fecha": "last_reviewed", "reviewer": "reviewed_by",
    "nationality": "nationalities", "language": "languages", "service": "services", "note": "notes",
    "precision": "location_precision",
}

# Files the bot reads, and their shape. Folders hold one file per topic / per country.
SINGLE_FILES = {
    "ui.yml": UiFile,
    "menu.yml": MenuFile,
    "emergency.yml": EmergencyFile,
    "gazetteer/countries.yml": CountriesFile,
    "gazetteer/cities.yml": CitiesFile,
}
OPTIONAL_FILES = {
    "place_types.yml": PlaceTypesFile,
    "organisations.yml": OrganisationsFile,
}
FOLDERS = {"topics": TopicFile, "places": PlacesFile}

_YAML_HINTS = (
    ("found character '\\t'", "indent with spaces, never with the Tab key"),
    ("tab character", "indent with spaces, never with the Tab key"),
    ("mapping values are not allowed", 'a value that contains ": " must be written between double quotes'),
    ("could not find expected ':'", 'a line is missing the ":" after its key, or a quote is not closed'),
    ("while scanning a quoted scalar", "a quote (\") is opened but never closed"),
    ("found unexpected end of stream", "a quote or a bracket is opened but never closed"),
    ("did not find expected key", "the indentation is wrong: keys of the same item must start in the same column"),
    ("expected <block end>", "the indentation is wrong: keys of the same item must start in the same column"),
    ("did not find expected '-' indicator",
     'the indentation is wrong: every list item must start with "- " in the same column'),
    ("found undefined alias", "a *name refers to an &name that is not defined above it"),
    ("found unknown escape character", 'inside double quotes, write a backslash as \\\\ or use single quotes'),
    ("found duplicate anchor", "the same &name is defined twice"),
)


@dataclass(frozen=True)
class Problem:
    """One thing to fix, with where it is."""

    path: str  # as shown to editors, e.g. content/places/mx.yml
    line: Optional[int]
    field: Optional[str]
    message: str
    severity: str = ERROR

    def __str__(self) -> str:
        where = f"{self.path}:{self.line}" if self.line else self.path
        label = "warning: " if self.severity == WARNING else ""
        what = f"{self.field}: " if self.field else ""
        return f"{where} {label}{what}{self.message}"


@dataclass
class ParsedFile:
    path: Path
    display: str
    data: Any
    lines: dict[tuple[Any, ...], int]
    model: Any = None  # the pydantic object once it validated
    # When a places file does not validate as a whole, the places that do, by position, so that
    # the checks across places (ids, kinds, countries) still run and every problem shows at once.
    valid_places: list[tuple[int, Place]] = field(default_factory=list)

    def line(self, *path: Any) -> Optional[int]:
        """The line of ``path`` (or of its closest parent that exists in the file)."""
        key = tuple(path)
        while key:
            if key in self.lines:
                return self.lines[key]
            key = key[:-1]
        return self.lines.get((), 1)


@dataclass
class Report:
    """Everything :func:`check` found, and the parsed files when they are usable."""

    root: Path
    problems: list[Problem] = field(default_factory=list)
    files: dict[str, ParsedFile] = field(default_factory=dict)  # by path relative to root, e.g. "places/mx.yml"

    @property
    def errors(self) -> list[Problem]:
        return [p for p in self.problems if p.severity == ERROR]

    @property
    def warnings(self) -> list[Problem]:
        return [p for p in self.problems if p.severity == WARNING]

    @property
    def ok(self) -> bool:
        return not self.errors

    def add(self, parsed: ParsedFile, path: tuple[Any, ...], field_name: Optional[str], message: str,
            severity: str = ERROR) -> None:
        self.problems.append(Problem(parsed.display, parsed.line(*path), field_name, message, severity))

    def model(self, name: str) -> Any:
        parsed = self.files.get(name)
        return parsed.model if parsed else None

    def models_in(self, folder: str) -> list[tuple[ParsedFile, Any]]:
        return [(p, p.model) for name, p in sorted(self.files.items())
                if name.startswith(folder + "/") and p.model is not None]

    def missing_translations(self) -> dict[str, int]:
        """How many texts lack each language, over every file."""
        counts = dict.fromkeys(LANGUAGES, 0)
        for parsed in self.files.values():
            if parsed.model is None:
                continue
            for _path, translations in _translations(parsed.model):
                for language in LANGUAGES:
                    if language not in translations:
                        counts[language] += 1
        return counts


# -- reading YAML with line numbers --------------------------------------------------------------
class _Loader(yaml.CSafeLoader if hasattr(yaml, "CSafeLoader") else yaml.SafeLoader):  # type: ignore[misc]
    """Safe loader that keeps an impossible date ("2026-13-45") as text, so the checker can point at it."""


def _lenient_timestamp(loader: yaml.SafeLoader, node: yaml.Node) -> Any:
    try:
        return yaml.SafeLoader.construct_yaml_timestamp(loader, node)  # type: ignore[arg-type]
    except ValueError:
        return loader.construct_scalar(node)  # type: ignore[arg-type]


_Loader.add_constructor("tag:yaml.org,2002:timestamp", _lenient_timestamp)


def _display(path: Path, root: Path) -> str:
    try:
        return f"{root.name}/{path.relative_to(root).as_posix()}"
    except ValueError:
        return str(path)


def read(path: Path, root: Path, report: Report) -> Optional[ParsedFile]:
    """Parse one YAML file, remembering the line of every key and list item."""
    display = _display(path, root)
    try:
        text = path.read_text(encoding="utf-8")
    except UnicodeDecodeError as error:
        report.problems.append(Problem(display, None, None,
                                       f"is not saved as UTF-8 (byte {error.start}): save it again choosing UTF-8"))
        return None
    except OSError as error:
        report.problems.append(Problem(display, None, None, f"cannot be read: {error.strerror}"))
        return None
    loader = _Loader(text)
    try:
        node = loader.get_single_node()
        data = loader.construct_document(node) if node is not None else None
    except yaml.MarkedYAMLError as error:
        report.problems.append(_syntax_problem(display, error))
        return None
    except yaml.YAMLError as error:
        report.problems.append(Problem(display, None, None, f"YAML syntax: {error}"))
        return None
    finally:
        loader.dispose()
    parsed = ParsedFile(path, display, data, {})
    if node is not None:
        _index_lines(node, (), parsed, report)
    parsed.lines.setdefault((), 1)
    return parsed


def _syntax_problem(display: str, error: yaml.MarkedYAMLError) -> Problem:
    mark = error.problem_mark or error.context_mark
    what = " ".join(part for part in (error.context, error.problem) if part)
    hint = next((h for needle, h in _YAML_HINTS if needle in str(error)), None)
    message = f"YAML syntax: {what}" + (f" ({hint})" if hint else "")
    return Problem(display, mark.line + 1 if mark else None, None, message)


def _index_lines(node: yaml.Node, path: tuple[Any, ...], parsed: ParsedFile, report: Report,
                 key_line: Optional[int] = None, depth: int = 0) -> None:
    parsed.lines.setdefault(path, key_line or node.start_mark.line + 1)
    if depth > 40:  # an alias loop; PyYAML would have refused it already
        return
    if isinstance(node, yaml.MappingNode):
        seen: dict[str, int] = {}
        for key_node, value_node in node.value:
            key = str(key_node.value)
            line = key_node.start_mark.line + 1
            if key in seen and key != "<<":
                report.problems.append(Problem(
                    parsed.display, line, key,
                    f"is written twice in the same item (first on line {seen[key]}); only one can count: delete one",
                ))
            seen.setdefault(key, line)
            _index_lines(value_node, (*path, key), parsed, report, line, depth + 1)
    elif isinstance(node, yaml.SequenceNode):
        for index, item in enumerate(node.value):
            _index_lines(item, (*path, index), parsed, report, None, depth + 1)


# -- validating against the models ----------------------------------------------------------------
def validate(parsed: ParsedFile, model: Any, report: Report) -> None:
    data = parsed.data
    if data is None:
        report.problems.append(Problem(parsed.display, 1, None, "is empty"))
        return
    if not isinstance(data, dict):
        report.problems.append(Problem(parsed.display, 1, None,
                                       "must be a list of key: value lines at the top, not a single value or a list"))
        return
    # Top-level keys starting with "x-" only hold YAML anchors for reuse (see emergency.yml).
    data = {key: value for key, value in data.items() if not str(key).startswith("x-")}
    try:
        parsed.model = model.parse_obj(data)
    except ValidationError as error:
        for problem in _friendly_errors(list(map(dict, error.errors())), data, model, parsed):
            report.problems.append(problem)
        if model is PlacesFile and isinstance(data.get("places"), list):
            for index, item in enumerate(data["places"]):
                try:
                    parsed.valid_places.append((index, Place.parse_obj(item)))
                except (ValidationError, TypeError):
                    continue
    else:
        if isinstance(parsed.model, PlacesFile):
            parsed.valid_places = list(enumerate(parsed.model.places))


def _friendly_errors(errors: list[dict[str, Any]], data: Any, model: type[BaseModel],
                     parsed: ParsedFile) -> list[Problem]:
    problems: list[Problem] = []
    suggested: set[tuple[Any, ...]] = set()  # missing fields already explained by a misspelt key
    for error in errors:
        if error["type"] == "value_error.extra":
            loc = tuple(error["loc"])
            suggestion = _did_you_mean(str(loc[-1]), _fields_at(model, loc[:-1]))
            if suggestion:
                suggested.add((*loc[:-1], suggestion))
    for error in errors:
        loc = tuple(error["loc"])
        if error["type"] == "value_error.missing" and loc in suggested:
            continue
        if error["type"] == "value_error.missing":
            line = parsed.line(*loc[:-1])
        else:
            line = parsed.line(*loc)
        problems.append(Problem(parsed.display, line, _label(loc), _message(error, loc, data, model)))
    return problems


def _label(loc: tuple[Any, ...]) -> str:
    """The field as editors see it: the keys after the last list position ("lat", "text.ht")."""
    while len(loc) > 1 and isinstance(loc[-1], int):  # an item of a list is labelled with the list's name
        loc = loc[:-1]
    last_index = max((i for i, part in enumerate(loc) if isinstance(part, int)), default=-1)
    parts = [str(part) for part in loc[last_index + 1:]]
    if last_index == -1 and len(parts) > 1 and parts[0] == "messages":
        parts = parts[1:]
    return ".".join(parts) or str(loc[-1])


def _value_at(data: Any, loc: tuple[Any, ...]) -> Any:
    for part in loc:
        if isinstance(data, dict) and part in data:
            data = data[part]
        elif isinstance(data, list) and isinstance(part, int) and part < len(data):
            data = data[part]
        else:
            return None
    return data


def _fields_at(model: type[BaseModel], loc: tuple[Any, ...]) -> list[str]:
    current: Any = model
    for part in loc:
        if isinstance(part, int):
            continue
        if isinstance(current, type) and issubclass(current, BaseModel) and part in current.__fields__:
            current = current.__fields__[part].type_
        else:
            return []
    if isinstance(current, type) and issubclass(current, BaseModel):
        return list(current.__fields__)
    return []


def _did_you_mean(word: str, choices: list[str]) -> Optional[str]:
    folded = fold(word).replace(" ", "_").replace("-", "_")
    synonym = SYNONYMS.get(folded)
    if synonym in choices:
        return synonym
    close = difflib.get_close_matches(folded, choices, n=1, cutoff=0.6)
    if close:
        return close[0]
    # A misspelt synonym ("lattitude"): match it against the synonyms, then map.
    near_synonym = difflib.get_close_matches(folded, list(SYNONYMS), n=1, cutoff=0.8)
    if near_synonym and SYNONYMS[near_synonym[0]] in choices:
        return SYNONYMS[near_synonym[0]]
    return None


def _message(error: dict[str, Any], loc: tuple[Any, ...], data: Any, model: type[BaseModel]) -> str:
    kind, value = error["type"], _value_at(data, loc)
    if kind == "value_error.missing":
        return f'is required but missing: add a line "{loc[-1]}: ..." to this item'
    if kind == "value_error.extra":
        choices = _fields_at(model, loc[:-1])
        suggestion = _did_you_mean(str(loc[-1]), choices)
        if suggestion:
            return f'unknown field (did you mean "{suggestion}"?)'
        return f"unknown field; the fields allowed here are: {', '.join(choices)}"
    if kind == "type_error.enum":
        allowed = [str(getattr(v, "value", v)) for v in error.get("ctx", {}).get("enum_values", [])]
        suggestion = _did_you_mean(str(value), allowed)
        hint = f' (did you mean "{suggestion}"?)' if suggestion else ""
        return f"must be one of {', '.join(allowed)}, got {shown(value)}{hint}"
    if kind in ("value_error.date", "type_error.date"):
        return f"must be a date written as YYYY-MM-DD (e.g. 2026-11-25), got {shown(value)}"
    if kind == "type_error.none.not_allowed":
        return "is empty: write a value, or delete the line"
    if kind == "value_error.list.min_items":
        why = ": a country listed here must have a number to call" if loc and loc[-1] == "numbers" else ""
        return f"needs at least {error.get('ctx', {}).get('limit_value', 1)} item(s){why}"
    if kind == "type_error.list":
        return f'must be a list (one item per line starting with "- ", or [a, b]), got {shown(value)}'
    if kind == "type_error.dict":
        if loc and str(loc[-1]) in ("text", "label", "title", "hours", "notes", "description", "name") or (
            len(loc) == 2 and loc[0] == "messages"
        ):
            return f"must give one text per language (es: ..., en: ..., pt: ..., fr: ..., ht: ...), got {shown(value)}"
        return f"must be a group of key: value lines, got {shown(value)}"
    if kind == "type_error.str":
        return f"must be text, got {shown(value)}"
    if kind == "type_error.bool":
        return f"must be true or false, got {shown(value)}"
    if kind in ("type_error.float", "type_error.integer", "type_error.number"):
        return f"must be a number, got {shown(value)}"
    return str(error["msg"])


# -- walking the parsed models -----------------------------------------------------------------------
_TRANSLATED_FIELDS = ("text", "label", "title", "name", "hours", "notes", "description")


def _walk(obj: Any, path: tuple[Any, ...] = ()) -> Iterator[tuple[tuple[Any, ...], BaseModel]]:
    if isinstance(obj, BaseModel):
        yield path, obj
        for name in obj.__fields__:
            yield from _walk(getattr(obj, name), (*path, name))
    elif isinstance(obj, list):
        for index, item in enumerate(obj):
            yield from _walk(item, (*path, index))


def _translations(model: BaseModel) -> Iterator[tuple[tuple[Any, ...], dict[str, str]]]:
    if isinstance(model, UiFile):
        for key, translations in model.messages.items():
            yield ("messages", key), translations
        return
    for path, item in _walk(model):
        for name in _TRANSLATED_FIELDS:
            value = getattr(item, name, None)
            if isinstance(value, dict):
                yield (*path, name), value


# -- checks across items and files ---------------------------------------------------------------------
def _check_freshness(report: Report, today: date) -> None:
    for parsed in report.files.values():
        if parsed.model is None:
            continue
        for path, item in _walk(parsed.model):
            reviewed = getattr(item, "last_reviewed", None)
            if not isinstance(reviewed, date):
                continue
            where = (*path, "last_reviewed")
            if reviewed > today:
                report.add(parsed, where, "last_reviewed",
                           f"{reviewed.isoformat()} is in the future: write the day the information was checked")
            elif (today - reviewed).days > STALE_AFTER_DAYS:
                report.add(parsed, where, "last_reviewed",
                           f"{reviewed.isoformat()} is more than 12 months ago: check the information against its "
                           "source and update the date (users see a caution until then)", WARNING)
            status = getattr(getattr(item, "status", None), "value", None)
            if status == "reviewed" and not getattr(item, "reviewed_by", "x"):
                report.add(parsed, (*path, "status"), "status",
                           "is reviewed but reviewed_by is empty: name the organisation that checked it, "
                           "or write status: unreviewed")


def _check_translations(report: Report) -> None:
    for parsed in report.files.values():
        if parsed.model is None:
            continue
        missing: dict[str, int] = {}
        first: Optional[tuple[Any, ...]] = None
        for path, translations in _translations(parsed.model):
            absent = [lang for lang in LANGUAGES if lang not in translations]
            for language in absent:
                missing[language] = missing.get(language, 0) + 1
            if absent and first is None:
                first = path
        if missing and first is not None:
            counts = ", ".join(f"{lang} {missing[lang]}" for lang in LANGUAGES if lang in missing)
            report.add(parsed, first, None,
                       f"missing translations ({counts}; the first one is here): users of those languages get "
                       "the Spanish text with a note", WARNING)


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
                report.add(parsed, ("messages", key, language), f"{key}.{language}",
                           "has a { or } without its pair: words to fill in are written {like_this}")
        reference = names.get("es") or set()
        for language, found in names.items():
            extra = sorted(found - reference)
            if extra:
                report.add(parsed, ("messages", key, language), f"{key}.{language}",
                           f"uses {{{extra[0]}}}, which the Spanish text does not have, so the bot cannot fill it in: "
                           "keep the words in braces exactly as in Spanish")


def _check_references(report: Report) -> None:
    countries_file = report.model("gazetteer/countries.yml")
    countries = {c.code: c for c in countries_file.countries} if countries_file else {}
    known = set(countries)

    def country_ok(parsed: ParsedFile, path: tuple[Any, ...], name: str, code: str) -> None:
        if countries and code not in known:
            suggestion = _did_you_mean(code.upper(), sorted(known)) if code.upper() not in known else code.upper()
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
        _duplicates(report, [(cities_parsed, ("cities", i, "name"), (c.country, fold(c.name)))
                             for i, c in enumerate(cities_file.cities)], "name", "city")

    menu_parsed, menu = report.files.get("menu.yml"), report.model("menu.yml")
    topics = {tf.topic for _, tf in report.models_in("topics")}
    if menu_parsed and menu:
        for index, code in enumerate(menu.countries):
            country_ok(menu_parsed, ("countries", index), "countries", code)
        for s_index, stage in enumerate(menu.stages):
            for t_index, topic in enumerate(stage.topics):
                if topics and topic not in topics and topic not in ("request_human",):
                    report.add(menu_parsed, ("stages", s_index, "topics", t_index), "topics",
                               f"{shown(topic)} has no file in content/topics/: people who choose it are told there "
                               "is no information yet", WARNING)

    emergency_parsed, emergency = report.files.get("emergency.yml"), report.model("emergency.yml")
    if emergency_parsed and emergency:
        for index, entry in enumerate(emergency.countries):
            country_ok(emergency_parsed, ("countries", index, "country"), "country", entry.country)
        _duplicates(report, [(emergency_parsed, ("countries", i, "country"), e.country)
                             for i, e in enumerate(emergency.countries)], "country", "country")

    topic_entries = []
    for parsed_topic, topic_file in report.models_in("topics"):
        stem = parsed_topic.path.stem
        if topic_file.topic != stem:
            report.add(parsed_topic, ("topic",), "topic",
                       f"{shown(topic_file.topic)} differs from the file name {stem}.yml: "
                       "name the file after the topic", WARNING)
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
        _duplicates(report, [(types_parsed, ("types", i, "id"), t.id) for i, t in enumerate(types_file.types)],
                    "id", "place type")
    orgs_parsed, orgs_file = report.files.get("organisations.yml"), report.model("organisations.yml")
    organisations = {o.id for o in orgs_file.organisations} if orgs_file else set()
    if orgs_parsed and orgs_file:
        _duplicates(report, [(orgs_parsed, ("organisations", i, "id"), o.id)
                             for i, o in enumerate(orgs_file.organisations)], "id", "organisation")
        for index, org in enumerate(orgs_file.organisations):
            for c_index, code in enumerate(org.countries):
                if countries and code not in countries:
                    report.add(orgs_parsed, ("organisations", index, "countries", c_index), "countries",
                               f"{shown(code)} is not a country in content/gazetteer/countries.yml")
    cities_file = report.model("gazetteer/cities.yml")
    city_points = {(c.country, fold(n)): c for c in (cities_file.cities if cities_file else ())
                   for n in (c.name, *c.aliases)}

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
                report.add(parsed, (*at, "city"), "city",
                           f"{shown(place.city)} is not in content/gazetteer/cities.yml for {place.country}: add it "
                           "there so people can find this place by naming their city", WARNING)
            city = city_points.get((place.country, fold(place.city or "")))
            if inside and place.location_precision == Precision.city and city is not None:
                distance = geo.haversine_km(place.lat, place.lon, city.lat, city.lon)
                if distance > CITY_PRECISION_TOLERANCE_KM:
                    report.add(parsed, (*at, "lat"), "lat",
                               f"is {distance:.0f} km from the centre of {city.name}, but location_precision is city: "
                               f"use the city's point ({city.lat}, {city.lon}) or the exact one", WARNING)
    _duplicates(report, ids, "id", "place id")


def _check_place(report: Report, parsed: ParsedFile, at: tuple[Any, ...], place: Place, countries: dict[str, Any],
                 types: dict[str, Any], services: set[str], organisations: set[str]) -> None:
    if countries and place.country not in countries:
        suggestion = place.country.upper() if place.country.upper() in countries else None
        hint = f' (did you mean "{suggestion}"?)' if suggestion else ""
        report.add(parsed, (*at, "country"), "country",
                   f"{shown(place.country)} is not a country in content/gazetteer/countries.yml{hint}")
    place_type = types.get(place.type)
    if types and place_type is None:
        suggestion = _did_you_mean(place.type, sorted(types))
        hint = f'did you mean "{suggestion}"? ' if suggestion else ""
        report.add(parsed, (*at, "type"), "type",
                   f"{shown(place.type)} is not a place type ({hint}the types are listed in content/place_types.yml)")
    if place_type is not None and place_type.needs_nationalities and not place.nationalities:
        report.add(parsed, (*at, "type"), "nationalities",
                   f"a {place.type} must list the nationalities it serves, e.g. nationalities: [HN] (country codes)")
    for index, code in enumerate(place.nationalities):
        if countries and code not in countries:
            report.add(parsed, (*at, "nationalities", index), "nationalities",
                       f"{shown(code)} is not a country in content/gazetteer/countries.yml")
    for index, service in enumerate(place.services):
        if types and service not in services:
            suggestion = _did_you_mean(service, sorted(services))
            hint = f' (did you mean "{suggestion}"?)' if suggestion else ""
            report.add(parsed, (*at, "services", index), "services",
                       f"{shown(service)} is not a service listed in content/place_types.yml{hint}")
    for name in ("address", "phone", "hours"):
        if getattr(place, name) is None and name not in place.not_sourced:
            report.add(parsed, at, name,
                       f"is empty: add it from the source, or write not_sourced: [{name}] to show it was checked "
                       "and no public source gives it", WARNING)
        elif getattr(place, name) is not None and name in place.not_sourced:
            report.add(parsed, (*at, "not_sourced"), "not_sourced",
                       f"lists {name}, but the place has one: remove {name} from not_sourced")
    if place.organisation and organisations and place.organisation not in organisations:
        report.add(parsed, (*at, "organisation"), "organisation",
                   f"{shown(place.organisation)} is not an id in content/organisations.yml")


def _check_bbox(report: Report, parsed: ParsedFile, at: tuple[Any, ...], lat: float, lon: float,
                country: Any) -> bool:
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


def _duplicates(report: Report, entries: list[tuple[ParsedFile, tuple[Any, ...], Any]], field_name: str,
                what: str) -> None:
    first: dict[Any, tuple[ParsedFile, tuple[Any, ...]]] = {}
    for parsed, path, value in entries:
        if value in first:
            other, other_path = first[value]
            shown_value = value[-1] if isinstance(value, tuple) else value
            where = f"{other.display}:{other.line(*other_path)}"
            report.add(parsed, path, field_name,
                       f"{what} {shown(shown_value)} is used twice (first at {where}): each must be unique")
        else:
            first[value] = (parsed, path)


# -- entry point ------------------------------------------------------------------------------------------
def check(root: Path, today: Optional[date] = None) -> Report:
    """Check every file under ``root`` (the ``content/`` folder) and return all the problems found."""
    today = today or date.today()
    report = Report(root)
    if not root.is_dir():
        report.problems.append(Problem(str(root), None, None, "folder not found"))
        return report
    expected: dict[str, Any] = {}
    for name, model in {**SINGLE_FILES, **OPTIONAL_FILES}.items():
        path = root / name
        if path.is_file():
            expected[name] = model
        elif name in SINGLE_FILES:
            report.problems.append(Problem(_display(path, root), None, None, "is missing: the bot needs this file"))
    for folder, model in FOLDERS.items():
        for path in sorted((root / folder).glob("*.yml")):
            expected[f"{folder}/{path.name}"] = model
    for path in sorted(root.rglob("*")):
        relative = path.relative_to(root).as_posix()
        if not path.is_file() or relative in expected or any(part.startswith(".") for part in path.parts):
            continue
        if path.suffix == ".yaml":
            report.problems.append(Problem(_display(path, root), None, None,
                                           "is not read by the bot: rename it to end in .yml", WARNING))
        elif path.suffix == ".yml":
            report.problems.append(Problem(_display(path, root), None, None,
                                           "is not read by the bot: topics go in topics/, places in places/", WARNING))
    for name, model in expected.items():
        parsed = read(root / name, root, report)
        if parsed is None:
            continue
        report.files[name] = parsed
        validate(parsed, model, report)
    _check_references(report)
    _check_ui_placeholders(report)
    _check_freshness(report, today)
    _check_translations(report)
    report.problems.sort(key=lambda p: (p.severity != ERROR, p.path, p.line or 0))
    return report
