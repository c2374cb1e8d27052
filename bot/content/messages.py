"""What the checker says: problems with file, line and field, the report, and plain messages for validation errors.

Validation errors from pydantic are rewritten for the NGO volunteer who reads them next to the file
name and line: what is wrong, the value as typed, and a hint (a misspelt key gets "did you mean").
"""

from __future__ import annotations

import difflib
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

from pydantic import BaseModel

from bot.content.models import LANGUAGES, LEGACY_FIELDS, iter_translations, shown
from bot.content.yaml_lines import ERROR, WARNING, ParsedFile, Problem
from bot.text import fold

__all__ = ["ERROR", "WARNING", "Problem", "Report", "did_you_mean", "friendly_errors"]
# Names people reach for instead of ours; difflib alone would not connect "latitude" with "lat".
SYNONYMS = {
    "latitude": "lat",
    "latitud": "lat",
    "lng": "lon",
    "long": "lon",
    "longitude": "lon",
    "longitud": "lon",
    "telephone": "phone",
    "telefono": "phone",
    "tel": "phone",
    "mobile": "phone",
    "celular": "phone",
    "whatsap": "whatsapp",
    "wa": "whatsapp",
    "web": "website",
    "url": "website",
    "site": "website",
    "direccion": "address",
    "adress": "address",
    "horario": "hours",
    "opening_hours": "hours",
    "schedule": "hours",
    "nombre": "name",
    "tipo": "type",
    "ciudad": "city",
    "pais": "country",
    "fuente": "source",
    "reviewed": "checked",
    "date": "checked",
    "fecha": "checked",
    "reviewer": "checked_by",
    "verificado": "checked",
    "evidencia": "evidence",
    "cita": "quote",
    "link": "url",
    "enlace": "url",
    "read": "read_on",
    "leido": "read_on",
    "expires": "valid_until",
    "vence": "valid_until",
    "hasta": "valid_until",
    "confirmed": "confirmed_on",
    "nationality": "nationalities",
    "language": "languages",
    "service": "services",
    "note": "notes",
    "precision": "location_precision",
}


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

    def add(
        self, parsed: ParsedFile, path: tuple[Any, ...], field_name: str | None, message: str, severity: str = ERROR
    ) -> None:
        self.problems.append(Problem(parsed.display, parsed.line(*path), field_name, message, severity))

    def model(self, name: str) -> Any:
        parsed = self.files.get(name)
        return parsed.model if parsed else None

    def models_in(self, folder: str) -> list[tuple[ParsedFile, Any]]:
        return [
            (p, p.model)
            for name, p in sorted(self.files.items())
            if name.startswith(folder + "/") and p.model is not None
        ]

    def missing_translations(self) -> dict[str, int]:
        """How many texts lack each language, over every file."""
        counts = dict.fromkeys(LANGUAGES, 0)
        for parsed in self.files.values():
            if parsed.model is None:
                continue
            for _path, translations in iter_translations(parsed.model):
                for language in LANGUAGES:
                    if language not in translations:
                        counts[language] += 1
        return counts


def friendly_errors(
    errors: list[dict[str, Any]], data: Any, model: type[BaseModel], parsed: ParsedFile
) -> list[Problem]:
    problems: list[Problem] = []
    suggested: set[tuple[Any, ...]] = set()  # missing fields already explained by a misspelt key
    for error in errors:
        if error["type"] == "value_error.extra":
            loc = tuple(error["loc"])
            suggestion = did_you_mean(str(loc[-1]), _fields_at(model, loc[:-1]))
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


# Lists inside an item whose entries' fields are named with the list ("evidence.url", not just "url").
NESTED_LISTS = ("evidence",)


def _label(loc: tuple[Any, ...]) -> str:
    """The field as editors see it: the keys after the last list position ("lat", "text.ht")."""
    while len(loc) > 1 and isinstance(loc[-1], int):  # an item of a list is labelled with the list's name
        loc = loc[:-1]
    last_index = max((i for i, part in enumerate(loc) if isinstance(part, int)), default=-1)
    parts = [str(part) for part in loc[last_index + 1 :]]
    if last_index == -1 and len(parts) > 1 and parts[0] == "messages":
        parts = parts[1:]
    if last_index > 0 and loc[last_index - 1] in NESTED_LISTS:  # "evidence.url": which url it is matters
        parts = [str(loc[last_index - 1]), *parts]
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


def did_you_mean(word: str, choices: list[str]) -> str | None:
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
    if kind == "value_error.extra" and str(loc[-1]) in LEGACY_FIELDS:
        return LEGACY_FIELDS[str(loc[-1])]
    if kind == "value_error.extra":
        choices = _fields_at(model, loc[:-1])
        suggestion = did_you_mean(str(loc[-1]), choices)
        if suggestion:
            return f'unknown field (did you mean "{suggestion}"?)'
        return f"unknown field; the fields allowed here are: {', '.join(choices)}"
    if kind == "type_error.enum":
        allowed = [str(getattr(v, "value", v)) for v in error.get("ctx", {}).get("enum_values", [])]
        suggestion = did_you_mean(str(value), allowed)
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
        if (
            loc
            and str(loc[-1]) in ("text", "label", "title", "hours", "notes", "description", "name")
            or (len(loc) == 2 and loc[0] == "messages")
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
