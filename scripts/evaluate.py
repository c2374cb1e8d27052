"""Print intent and language-identification accuracy per language (``make eval``).

Three sets: ``../shared/dev_eval/messages.tsv`` (labelled by others, never trained on), the real
questions in ``tests/nlu/real/<lang>.tsv`` (written by people or official FAQ pages, each with its
source URL; never trained on) and the held-out split of our own chat-style data in
``tests/nlu/<lang>.yml``. The baseline is ``langdetect`` alone on the same messages (it cannot answer
``ht``). Figures only: the targets are in the README.
"""

from __future__ import annotations

import argparse
import asyncio
import csv
import os
import sys
from collections import defaultdict
from pathlib import Path

os.environ.setdefault("TF_CPP_MIN_LOG_LEVEL", "3")
ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT))

from langdetect import DetectorFactory, LangDetectException, detect  # noqa: E402

from bot import language  # noqa: E402

DetectorFactory.seed = 0
FALLBACK_EQUIVALENTS = {"out_of_scope": "nlu_fallback"}


def load_dev_eval(path: Path) -> list[tuple[str, str, str]]:
    with path.open(encoding="utf-8") as handle:
        return [(row["lang"], row["intent"], row["text"]) for row in csv.DictReader(handle, delimiter="\t")]


def load_real(folder: Path) -> list[tuple[str, str, str]]:
    """Rows of ``tests/nlu/real/<lang>.tsv`` (columns lang, intent, text, url)."""
    rows = []
    for path in sorted(folder.glob("*.tsv")):
        with path.open(encoding="utf-8") as handle:
            rows.extend((row["lang"], row["intent"], row["text"]) for row in csv.DictReader(handle, delimiter="\t"))
    return rows


def load_held_out(folder: Path) -> list[tuple[str, str, str]]:
    rows = []
    for lang, texts in _held_out_by_intent(folder).items():
        for intent, text in texts:
            rows.append((lang, intent, text))
    return rows


def _held_out_by_intent(folder: Path) -> dict[str, list[tuple[str, str]]]:
    import yaml

    result: dict[str, list[tuple[str, str]]] = {}
    for lang in language.SUPPORTED:
        path = folder / f"{lang}.yml"
        if not path.exists():
            continue
        data = yaml.safe_load(path.read_text(encoding="utf-8"))
        pairs = []
        for block in data["nlu"]:
            for line in block["examples"].splitlines():
                if line.strip().startswith("- "):
                    pairs.append((block["intent"], line.strip()[2:]))
        result[lang] = pairs
    return result


def _langdetect(text: str) -> str | None:
    try:
        return detect(text)
    except LangDetectException:
        return None


async def _parse_all(model: Path, texts: list[str]) -> list[str]:
    import logging

    from rasa.core.agent import Agent
    from rasa.utils.common import configure_logging_and_warnings
    from rasa.utils.log_utils import configure_structlog

    configure_logging_and_warnings(logging.ERROR)
    configure_structlog(logging.ERROR)
    agent = Agent.load(str(model))
    intents = []
    for text in texts:
        result = await agent.parse_message(text)
        name = result["intent"]["name"]
        intents.append(FALLBACK_EQUIVALENTS.get(name, name))
    return intents


def report(
    title: str, rows: list[tuple[str, str, str]], predicted: list[str] | None, show_errors: bool = False
) -> dict[str, float]:
    per_lang: dict[str, list[int]] = defaultdict(lambda: [0, 0, 0, 0])  # intent ok, ours ok, langdetect ok, n
    for index, (lang, intent, text) in enumerate(rows):
        stats = per_lang[lang]
        stats[3] += 1
        if predicted is not None and FALLBACK_EQUIVALENTS.get(intent, intent) == predicted[index]:
            stats[0] += 1
        if language.detect(text).code == lang:
            stats[1] += 1
        if _langdetect(text) == lang:
            stats[2] += 1
    print(f"\n{title}")
    print(f"  {'lang':<6}{'n':>5}{'intent':>9}{'language':>10}{'langdetect':>12}")
    totals = [0, 0, 0, 0]
    for lang in language.SUPPORTED:
        if lang not in per_lang:
            continue
        ok_intent, ok_lang, ok_ld, n = per_lang[lang]
        totals = [a + b for a, b in zip(totals, per_lang[lang])]
        intent_col = f"{ok_intent / n:9.3f}" if predicted is not None else f"{'-':>9}"
        print(f"  {lang:<6}{n:>5}{intent_col}{ok_lang / n:10.3f}{ok_ld / n:12.3f}")
    n = totals[3] or 1
    intent_total = f"{totals[0] / n:9.3f}" if predicted is not None else f"{'-':>9}"
    print(f"  {'all':<6}{totals[3]:>5}{intent_total}{totals[1] / n:10.3f}{totals[2] / n:12.3f}")
    if show_errors and predicted is not None:
        for (lang, intent, text), guess in zip(rows, predicted):
            if FALLBACK_EQUIVALENTS.get(intent, intent) != guess:
                print(f"    {lang} {intent:<20} -> {guess:<20} {text}")
    return {"intent": totals[0] / n, "language": totals[1] / n}


def _default_dev_eval() -> Path:
    """``shared/dev_eval`` next to the checkout, or one level up (git worktrees live in a subfolder)."""
    for base in (ROOT.parent, ROOT.parent.parent):
        candidate = base / "shared" / "dev_eval" / "messages.tsv"
        if candidate.exists():
            return candidate
    return ROOT.parent / "shared" / "dev_eval" / "messages.tsv"


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__)
    parser.add_argument("--model", default=str(ROOT / "models" / "brujula.tar.gz"))
    parser.add_argument("--dev-eval", default=str(_default_dev_eval()))
    parser.add_argument("--errors", action="store_true", help="list the misclassified held-out messages")
    parser.add_argument("--no-model", action="store_true", help="language identification only")
    args = parser.parse_args()

    sets = []
    dev_eval = Path(args.dev_eval)
    if dev_eval.exists():
        sets.append(("dev_eval (../shared/dev_eval/messages.tsv)", load_dev_eval(dev_eval)))
    else:
        print(f"({dev_eval} not found: skipping that set)")
    sets.append(("real questions (tests/nlu/real/<lang>.tsv)", load_real(ROOT / "tests" / "nlu" / "real")))
    sets.append(("held-out split (tests/nlu/<lang>.yml)", load_held_out(ROOT / "tests" / "nlu")))
    all_rows = [row for _, rows in sets for row in rows]
    # one model load for every set (loading takes longer than parsing)
    predicted_all = None if args.no_model else asyncio.run(_parse_all(Path(args.model), [r[2] for r in all_rows]))
    start = 0
    for title, rows in sets:
        predicted = None if predicted_all is None else predicted_all[start : start + len(rows)]
        start += len(rows)
        # errors of the chat-style split only: the real questions and dev_eval stay a blind measure
        report(title, rows, predicted, show_errors=args.errors and title.startswith("held-out"))
    return 0


if __name__ == "__main__":
    sys.exit(main())
