"""What the content covers: topics × countries × languages, places and emergency numbers per country.

``python -m bot.content coverage`` prints the matrices and writes them to ``COVERAGE.md`` so NGOs see
at a glance which answers are missing, which exist only as general advice, and which lack a language.
"""

from __future__ import annotations

from collections import Counter
from collections.abc import Iterable
from dataclasses import dataclass
from datetime import date

from bot.content.models import LANGUAGES, SOURCE_LANGUAGE, Precision, Sourced, TextState
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


def review_states(content: Content, countries: Iterable[str] | None = None) -> dict[str, Counter[TextState]]:
    """Per translated language: how many answers are reviewed, unreviewed or outdated (see text_status)."""
    wanted = set(countries) | {"*"} if countries is not None else None
    states: dict[str, Counter[TextState]] = {lang: Counter() for lang in LANGUAGES if lang != SOURCE_LANGUAGE}
    for topic_file in content.topics.values():
        for answer in topic_file.answers:
            if wanted is not None and answer.country not in wanted:
                continue
            for lang, counter in states.items():
                if lang in answer.text:
                    counter[answer.text_state(lang)] += 1
    return states


def _flags(items: list[Sourced], content: Content, code: str, today: date) -> str:
    """`(3n)` not checked against evidence, `(2s)` stale: what a country's items still need."""
    unchecked = sum(item.checked is None for item in items)
    stale = sum(item.is_stale(today, content.is_volatile(code)) for item in items)
    return (f" ({unchecked}n)" if unchecked else "") + (f" ({stale}s)" if stale else "")


def render(content: Content, countries: Iterable[str] | None = None, today: date | None = None) -> str:
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
    lines += [
        "## Languages",
        "",
        "Translated: country-specific answers that have the language. Review (every answer, general ones "
        "included): reviewed by a fluent speaker against the current Spanish text / not reviewed / outdated "
        "(the Spanish changed after the translation was stamped).",
        "",
        "| language | country-specific answers translated | reviewed | unreviewed | outdated |",
        "|---|---|---|---|---|",
    ]
    states = review_states(content, codes)
    for lang, (have, of) in language_totals(content, codes).items():
        review = states.get(lang)
        cells_review = " | ".join(str(review[s]) for s in TextState) if review is not None else "source | — | —"
        lines.append(f"| {lang} | {have} / {of} | {cells_review} |")

    types = list(content.place_types)
    places_in = {code: [p for p in content.places if p.country == code] for code in codes}
    lines += [
        "",
        "## Places: countries × kinds of place",
        "",
        "Counts of places; (n) how many have no checked date yet, (s) how many were checked longer ago than "
        "the recheck period.",
        "",
        "| country | " + " | ".join(types) + " | total |",
        "|---|" + "---|" * (len(types) + 1),
    ]
    for code in codes:
        here = places_in[code]
        counts = Counter(p.type for p in here)
        total = f"{len(here)}" + _flags(list(here), content, code, today)
        lines.append(f"| {code} | " + " | ".join(str(counts.get(t, 0) or NONE) for t in types) + f" | {total} |")

    precisions = [p.value for p in Precision]
    lines += [
        "",
        "## Places: countries × kinds × location precision",
        "",
        "exact: the building's point · street: a street address, approximate point · city: only the city's "
        "point. Each cell is exact/street/city.",
        "",
        "| country | " + " | ".join(types) + " | total (exact/street/city) |",
        "|---|" + "---|" * (len(types) + 1),
    ]
    for code in codes:
        here = places_in[code]
        if not here:
            lines.append(f"| {code} | " + " | ".join(NONE for _ in types) + f" | {NONE} |")
            continue
        by = Counter((p.type, p.location_precision.value) for p in here)
        cells_by_type = [
            "/".join(str(by[(t, level)]) for level in precisions)
            if any(by[(t, level)] for level in precisions)
            else NONE
            for t in types
        ]
        levels = Counter(p.location_precision.value for p in here)
        lines.append(
            f"| {code} | "
            + " | ".join(cells_by_type)
            + " | "
            + "/".join(str(levels[level]) for level in precisions)
            + " |"
        )

    lines += [
        "",
        "## Emergency numbers",
        "",
        "| country | numbers | kinds | with evidence | not checked |",
        "|---|---|---|---|---|",
    ]
    for code in codes:
        numbers = content.emergency_numbers(code)
        kinds = ", ".join(sorted({n.kind.value for n in numbers if n.kind})) or NONE
        evidenced = sum(bool(n.evidence) for n in numbers)
        unchecked = sum(n.checked is None for n in numbers)
        lines.append(f"| {code} | {len(numbers) or NONE} | {kinds} | {evidenced} | {unchecked} |")
    return "\n".join(lines) + "\n"
