"""Checks every file in ``content/`` and says, in plain words, what to fix and where.

Every problem carries the file, the line, the field and a hint an NGO volunteer can act on::

    content/places/mx.yml:42 lat: must be a number between -90 and 90, got "19,43" (use a dot, not a comma)

:func:`check` reports every problem at once (not only the first), as errors (the bot refuses the
edit and keeps serving the last good version) and warnings (the edit is used, but something should
be done: a missing translation, an answer without evidence, a date passed). The same parse feeds the
loader in :mod:`bot.content.store`, so the bot and ``python -m bot.content check`` never disagree.

The work is split in three: :mod:`bot.content.yaml_lines` reads YAML with line numbers,
:mod:`bot.content.messages` turns validation errors into plain messages, and :mod:`bot.content.rules`
holds the rules across items and files.
"""

from __future__ import annotations

from datetime import date
from pathlib import Path
from typing import Any

from pydantic import ValidationError

from bot.content import rules
from bot.content.messages import ERROR, WARNING, Problem, Report, friendly_errors
from bot.content.models import (
    CitiesFile,
    CountriesFile,
    DemonymsFile,
    EmergencyFile,
    IndicatorsFile,
    MenuFile,
    OrganisationsFile,
    Place,
    PlacesFile,
    PlaceTypesFile,
    TopicFile,
    UiFile,
)
from bot.content.yaml_lines import ParsedFile, display_name, read

__all__ = ["ERROR", "WARNING", "ParsedFile", "Problem", "Report", "check", "read", "validate"]

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
    "gazetteer/demonyms.yml": DemonymsFile,
    "offers/indicators.yml": IndicatorsFile,
}
FOLDERS = {"topics": TopicFile, "places": PlacesFile}


# -- validating against the models ----------------------------------------------------------------
def validate(parsed: ParsedFile, model: Any, report: Report) -> None:
    data = parsed.data
    if data is None:
        report.problems.append(Problem(parsed.display, 1, None, "is empty"))
        return
    if not isinstance(data, dict):
        report.problems.append(
            Problem(
                parsed.display, 1, None, "must be a list of key: value lines at the top, not a single value or a list"
            )
        )
        return
    # Top-level keys starting with "x-" only hold YAML anchors for reuse (see emergency.yml).
    data = {key: value for key, value in data.items() if not str(key).startswith("x-")}
    try:
        parsed.model = model.parse_obj(data)
    except ValidationError as error:
        for problem in friendly_errors(list(map(dict, error.errors())), data, model, parsed):
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


# -- entry point ------------------------------------------------------------------------------------------
def check(root: Path, today: date | None = None) -> Report:
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
            report.problems.append(Problem(display_name(path, root), None, None, "is missing: the bot needs this file"))
    for folder, model in FOLDERS.items():
        for path in sorted((root / folder).glob("*.yml")):
            expected[f"{folder}/{path.name}"] = model
    for path in sorted(root.rglob("*")):
        relative = path.relative_to(root).as_posix()
        if not path.is_file() or relative in expected or any(part.startswith(".") for part in path.parts):
            continue
        if path.suffix == ".yaml":
            report.problems.append(
                Problem(
                    display_name(path, root), None, None, "is not read by the bot: rename it to end in .yml", WARNING
                )
            )
        elif path.suffix == ".yml":
            report.problems.append(
                Problem(
                    display_name(path, root),
                    None,
                    None,
                    "is not read by the bot: topics go in topics/, places in places/",
                    WARNING,
                )
            )
    for name, model in expected.items():
        parsed = read(root / name, root, report.problems)
        if parsed is None:
            continue
        report.files[name] = parsed
        validate(parsed, model, report)
    rules.run(report, today)
    report.problems.sort(key=lambda p: (p.severity != ERROR, p.path, p.line or 0))
    return report
