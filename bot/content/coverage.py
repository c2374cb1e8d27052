"""What the content covers: topics × countries × languages, places and emergency numbers per country.

``python -m bot.content coverage`` prints the matrices and writes them to ``COVERAGE.md`` so NGOs see
at a glance which answers are missing, which exist only as general advice, and which lack a language.
"""

from __future__ import annotations

from collections import Counter
from dataclasses import dataclass
from datetime import date
from typing import Iterable, Optional

from bot.content.models import LANGUAGES, STALE_AFTER_DAYS
from bot.content.store import Content

# The migration corridor the starter content covers (issue #3), in the order of the journey north.
CORRIDOR = ("VE", "CO", "EC", "PE", "CL", "BR", "PA", "CR", "NI", "HN", "SV", "GT", "MX", "HT", "DO")
FULL, GENERAL, NONE = "✅", "·", "—"


@dataclass(frozen=True)
class Cell:
    """One topic in one country: which languages a country-specific answer has."""

    specific: bool
    languages: tuple[str, ...]

    def render(self) -> str:
        if not self.specific:
            return GENERAL if self.languages else NONE
        missing = [lang for lang in LANGUAGES if lang not in self.languages]
        return FULL if not missing else "−" + ",".join(missing)


def topic_matrix(content: Content, countries: Iterable[str]) -> dict[str, dict[str, Cell]]:
    matrix: dict[str, dict[str, Cell]] = {}
    for topic, topic_file in sorted(content.topics.items()):
        by_country = {answer.country: answer for answer in topic_file.answers}
        general = by_country.get("*")
        row: dict[str, Cell] = {}
        for code in countries:
            answer = by_country.get(code)
            if answer is not None:
                row[code] = Cell(True, tuple(lang for lang in LANGUAGES if lang in answer.text))
            else:
                row[code] = Cell(False, tuple(general.text) if general else ())
        matrix[topic] = row
    return matrix


def language_totals(content: Content, countries: Iterable[str]) -> dict[str, tuple[int, int]]:
    """Per language: (country-specific answers in that language, country-specific answers in all)."""
    totals = {lang: [0, 0] for lang in LANGUAGES}
    for row in topic_matrix(content, countries).values():
        for cell in row.values():
            if cell.specific:
                for lang in LANGUAGES:
                    totals[lang][1] += 1
                    totals[lang][0] += lang in cell.languages
    return {lang: (have, of) for lang, (have, of) in totals.items()}


def render(content: Content, countries: Optional[Iterable[str]] = None, today: Optional[date] = None) -> str:
    """The coverage report as Markdown."""
    today = today or date.today()
    codes = list(countries or CORRIDOR)
    lines = [
        "# Content coverage",
        "",
        f"Content version `{content.version}`, generated {today.isoformat()} by `python -m bot.content coverage`.",
        "",
        "## Answers: topics × countries × languages",
        "",
        f"{FULL} country-specific answer in all five languages · `−ht` country-specific, but missing those "
        f"languages (users see Spanish with a note) · {GENERAL} only the general answer · {NONE} nothing",
        "",
        "| topic | " + " | ".join(codes) + " |",
        "|---|" + "---|" * len(codes),
    ]
    matrix = topic_matrix(content, codes)
    for topic, row in matrix.items():
        lines.append(f"| {topic} | " + " | ".join(row[code].render() for code in codes) + " |")
    specific = sum(cell.specific for row in matrix.values() for cell in row.values())
    cells = sum(len(row) for row in matrix.values())
    lines += ["", f"Country-specific answers: {specific} of {cells} topic × country cells.", ""]
    lines += ["## Languages", "", "| language | country-specific answers translated |", "|---|---|"]
    for lang, (have, of) in language_totals(content, codes).items():
        lines.append(f"| {lang} | {have} / {of} |")

    types = list(content.place_types)
    lines += ["", "## Places: countries × kinds of place", "",
              "Counts of places; (u) how many are not yet reviewed, (s) how many were last reviewed over a year ago.",
              "", "| country | " + " | ".join(types) + " | total |", "|---|" + "---|" * (len(types) + 1)]
    for code in codes:
        here = [p for p in content.places if p.country == code]
        counts = Counter(p.type for p in here)
        unreviewed = sum(p.status.value != "reviewed" for p in here)
        stale = sum((today - p.last_reviewed).days > STALE_AFTER_DAYS for p in here)
        total = f"{len(here)}" + (f" ({unreviewed}u)" if unreviewed else "") + (f" ({stale}s)" if stale else "")
        lines.append(f"| {code} | " + " | ".join(str(counts.get(t, 0) or NONE) for t in types) + f" | {total} |")

    lines += ["", "## Emergency numbers", "", "| country | numbers | not yet reviewed |", "|---|---|---|"]
    for code in codes:
        numbers = content.emergency_numbers(code)
        unreviewed = sum(n.status.value != "reviewed" for n in numbers)
        lines.append(f"| {code} | {len(numbers) or NONE} | {unreviewed} |")
    return "\n".join(lines) + "\n"
