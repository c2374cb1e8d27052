"""Offer check figures on the labelled set in tests/offers/ (part of `make eval`).

Prints, per language and overall: scams flagged (level some or high), expected warning signs found,
legitimate offers flagged high (false alarms), and ordinary questions flagged at all.
"""

from __future__ import annotations

import sys
from dataclasses import dataclass, field
from pathlib import Path

import yaml

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT))

from bot.offers import OfferChecker, OfferLevel  # noqa: E402

SET_DIR = ROOT / "tests" / "offers"


@dataclass
class Tally:
    scams: int = 0
    scams_flagged: int = 0
    expected_flags: int = 0
    expected_found: int = 0
    legit: int = 0
    legit_high: int = 0
    questions: int = 0
    questions_flagged: int = 0
    misses: list[str] = field(default_factory=list)

    def add(self, other: Tally) -> None:
        for name in (
            "scams",
            "scams_flagged",
            "expected_flags",
            "expected_found",
            "legit",
            "legit_high",
            "questions",
            "questions_flagged",
        ):
            setattr(self, name, getattr(self, name) + getattr(other, name))
        self.misses += other.misses


def labelled_set() -> dict[str, list[dict]]:
    """language -> messages of tests/offers/<language>.yml."""
    return {
        path.stem: yaml.safe_load(path.read_text(encoding="utf-8"))["messages"]
        for path in sorted(SET_DIR.glob("*.yml"))
    }


def score(checker: OfferChecker, messages: list[dict]) -> Tally:
    tally = Tally()
    for message in messages:
        result = checker.check(message["text"])
        found = {flag.id for flag in result.flags}
        if message["kind"] == "scam":
            tally.scams += 1
            tally.scams_flagged += result.level is not OfferLevel.none_found
            expected = set(message.get("flags", []))
            tally.expected_flags += len(expected)
            tally.expected_found += len(expected & found)
            if expected - found:
                tally.misses.append(f"scam missed {sorted(expected - found)}: {message['text'][:90]}")
        elif message["kind"] == "legit":
            tally.legit += 1
            tally.legit_high += result.level is OfferLevel.high
            if found:
                tally.misses.append(f"legit flagged {result.level.value} {sorted(found)}: {message['text'][:90]}")
        else:
            tally.questions += 1
            tally.questions_flagged += bool(found)
            if found:
                tally.misses.append(f"question flagged {sorted(found)}: {message['text'][:90]}")
    return tally


def ratio(part: int, whole: int) -> str:
    return f"{part / whole:.3f}" if whole else "  -  "


def main() -> int:
    checker = OfferChecker.from_file(ROOT / "content" / "offers" / "indicators.yml")
    total = Tally()
    print("Offer check (tests/offers): scams flagged | warning signs found | legit flagged high | questions flagged")
    for language, messages in labelled_set().items():
        tally = score(checker, messages)
        total.add(tally)
        print(
            f"  {language:3} {ratio(tally.scams_flagged, tally.scams)} ({tally.scams:3}) | "
            f"{ratio(tally.expected_found, tally.expected_flags)} | {ratio(tally.legit_high, tally.legit)} "
            f"({tally.legit}) | {ratio(tally.questions_flagged, tally.questions)} ({tally.questions})"
        )
    print(
        f"  all {ratio(total.scams_flagged, total.scams)} ({total.scams:3}) | "
        f"{ratio(total.expected_found, total.expected_flags)} | {ratio(total.legit_high, total.legit)} "
        f"({total.legit}) | {ratio(total.questions_flagged, total.questions)} ({total.questions})"
    )
    for miss in total.misses:
        print("   -", miss)
    return 0


if __name__ == "__main__":
    sys.exit(main())
