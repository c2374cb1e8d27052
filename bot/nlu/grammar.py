"""Question patterns that teach the intent classifier to separate who asks from what is asked.

Real questions often name a situation and ask about something else: "Can refugees work?",
"What rights do asylum seekers have?", "I'm a refugee, can I open a bank account?". Written
examples alone make "refugee" a strong sign of the asylum topic. ``data/grammar/<lang>.yml``
crosses people (``groups``) with requests (``activities``), and procedure names (``terms.yml``)
with definition questions (``term_frames``), and prefixes some of them with ``situations``. The
expansion is deterministic (``random_seed``) and happens at training time only, so the files stay
short and a linguist can edit them without touching ``data/nlu``.

File layout (every key optional)::

    groups: [refugees, ...]                  # plural subjects
    can: ["Can {group} {activity}?", ...]    # crossed with every activity
    activities: {ask_work: [work, ...], ...}
    about: {ask_rights: ["What rights do {group} have?", "What are my rights as {person}?"], ...}
    persons: [a refugee, ...]                # singular, for "as {person}"
    term_frames: ["What is the {term}?", ...]
    terms: {ask_work: [finiquito, ...]}      # added to the shared terms.yml
    if_frames: ["What should I do if {problem}?", ...]
    problems: {ask_work: [my employer does not pay me, ...], ...}
    task_frames: ["Where can I {task}?", ...]
    tasks: {ask_work: [get a work permit, ...], ...}
    as_frames: ["As {person}, can I {task}?", ...]   # crossed with every task
    topic_frames: ["I need information about {topic}", ...]
    topics: {ask_work: [work permits, ...], ...}
    situations: ["I'm a refugee", ...]
    connectors: [", ", ". "]
    contractions: {"\\bde les ": "des "}     # regular expression -> replacement, in order
"""

from __future__ import annotations

import hashlib
import random
import re
from collections.abc import Sequence
from dataclasses import dataclass, field
from pathlib import Path

import yaml

SHARED_TERMS_FILE = "terms.yml"
# how many (group, frame) pairs each activity and each "about" frame gets, per language
PAIRS_PER_ACTIVITY = 3
GROUPS_PER_ABOUT_FRAME = 2
FRAMES_PER_TERM = 2
FRAMES_PER_PROBLEM = 2
FRAMES_PER_TASK = 1
# the share of generated questions that also get a situation in front ("I'm a refugee, can ...")
SITUATION_SHARE = 0.15


@dataclass
class LanguageGrammar:
    """One ``data/grammar/<lang>.yml``."""

    language: str
    groups: list[str] = field(default_factory=list)
    persons: list[str] = field(default_factory=list)
    can: list[str] = field(default_factory=list)
    activities: dict[str, list[str]] = field(default_factory=dict)
    about: dict[str, list[str]] = field(default_factory=dict)
    term_frames: list[str] = field(default_factory=list)
    terms: dict[str, list[str]] = field(default_factory=dict)
    if_frames: list[str] = field(default_factory=list)
    problems: dict[str, list[str]] = field(default_factory=dict)
    task_frames: list[str] = field(default_factory=list)
    tasks: dict[str, list[str]] = field(default_factory=dict)
    as_frames: list[str] = field(default_factory=list)
    topic_frames: list[str] = field(default_factory=list)
    topics: dict[str, list[str]] = field(default_factory=dict)
    situations: list[str] = field(default_factory=list)
    connectors: list[str] = field(default_factory=lambda: [", "])
    contractions: dict[str, str] = field(default_factory=dict)

    def finish(self, text: str) -> str:
        """Contractions, spacing and a capital first letter (after an opening ¿ or ¡)."""
        for pattern, replacement in self.contractions.items():
            text = re.sub(pattern, replacement, text)
        text = re.sub(r"\s+", " ", text).strip()
        opening = 1 if text[:1] in "¿¡" else 0
        return text[:opening] + text[opening : opening + 1].upper() + text[opening + 1 :]


class GrammarError(ValueError):
    """A grammar file that cannot be used; the message names the file and the key."""


def fingerprint(grammar_dir: Path) -> str:
    """Changes whenever a grammar file does, so Rasa retrains the classifier (its cache cannot see them)."""
    digest = hashlib.sha256()
    for path in sorted(grammar_dir.glob("*.yml")):
        digest.update(path.name.encode() + b"\0" + path.read_bytes() + b"\0")
    return digest.hexdigest()


def load(grammar_dir: Path) -> list[LanguageGrammar]:
    """Every ``<lang>.yml`` in ``grammar_dir``, with the shared terms merged into each language's own.

    Raises:
        GrammarError: a file is not valid YAML or has a key this module does not know.
    """
    shared_path = grammar_dir / SHARED_TERMS_FILE
    shared: dict[str, list[str]] = {}
    if shared_path.exists():
        shared = _read(shared_path)
    grammars = []
    for path in sorted(grammar_dir.glob("*.yml")):
        if path.name == SHARED_TERMS_FILE:
            continue
        data = _read(path)
        unknown = sorted(set(data) - (set(LanguageGrammar.__dataclass_fields__) - {"language"}))
        if unknown:
            raise GrammarError(f"{path}: unknown key {', '.join(unknown)} (see bot/nlu/grammar.py)")
        grammar = LanguageGrammar(language=path.stem, **data)
        for intent, names in shared.items():
            grammar.terms[intent] = list(names) + grammar.terms.get(intent, [])
        grammars.append(grammar)
    return grammars


def _read(path: Path) -> dict:
    try:
        data = yaml.safe_load(path.read_text(encoding="utf-8")) or {}
    except yaml.YAMLError as error:
        mark = getattr(error, "problem_mark", None)
        where = f":{mark.line + 1}" if mark is not None else ""
        raise GrammarError(f"{path}{where}: not valid YAML ({getattr(error, 'problem', error)})") from error
    if not isinstance(data, dict):
        raise GrammarError(f"{path}: expected keys such as groups, can, activities")
    return data


def expand(grammars: list[LanguageGrammar], seed: int) -> list[tuple[str, str]]:
    """(question, intent) pairs, the same for the same files and seed."""
    rng = random.Random(seed)
    examples: list[tuple[str, str]] = []
    for grammar in grammars:
        generated = _questions(grammar, rng)
        examples.extend(generated)
        if grammar.situations:
            for question, intent in generated:
                if rng.random() < SITUATION_SHARE:
                    examples.append((_with_situation(grammar, question, rng), intent))
    return examples


def _questions(grammar: LanguageGrammar, rng: random.Random) -> list[tuple[str, str]]:
    # "Can refugees work?"
    questions = _cross(rng, grammar.can, grammar.activities, "activity", PAIRS_PER_ACTIVITY, "group", grammar.groups)
    # "What rights do asylum seekers have?", "What are my rights as a refugee?"
    for intent, frames in grammar.about.items():
        for frame in frames:
            slot, fillers = ("person", grammar.persons) if "{person}" in frame else ("group", grammar.groups)
            if "{" + slot + "}" not in frame:
                questions.append((frame, intent))
                continue
            for filler in rng.sample(fillers, min(GROUPS_PER_ABOUT_FRAME, len(fillers))):
                questions.append((frame.format(**{slot: filler}), intent))
    # "As an asylum seeker, can I open a bank account?", "What is the CPF?", "What should I do if I lose my
    # passport?", "Where can I get a work permit?", "I need information about work permits"
    questions += _cross(rng, grammar.as_frames, grammar.tasks, "task", FRAMES_PER_TASK, "person", grammar.persons)
    questions += _cross(rng, grammar.term_frames, grammar.terms, "term", FRAMES_PER_TERM)
    questions += _cross(rng, grammar.if_frames, grammar.problems, "problem", FRAMES_PER_PROBLEM)
    questions += _cross(rng, grammar.task_frames, grammar.tasks, "task", FRAMES_PER_TASK)
    questions += _cross(rng, grammar.topic_frames, grammar.topics, "topic", FRAMES_PER_TASK)
    return [(grammar.finish(text), intent) for text, intent in questions]


def _cross(
    rng: random.Random,
    frames: list[str],
    by_intent: dict[str, list[str]],
    slot: str,
    frames_per_filler: int,
    subject_slot: str = "",
    subjects: Sequence[str] = (),
) -> list[tuple[str, str]]:
    """Each filler of ``by_intent`` in ``frames_per_filler`` random frames, labelled with its intent; with a
    ``subject_slot``, a random subject ("refugees", "a migrant") fills it too."""
    if not frames or (subject_slot and not subjects):
        return []
    crossed = []
    for intent, fillers in by_intent.items():
        for filler in fillers:
            for frame in rng.sample(frames, min(frames_per_filler, len(frames))):
                values = {slot: filler}
                if subject_slot:
                    values[subject_slot] = rng.choice(subjects)
                crossed.append((frame.format(**values), intent))
    return crossed


def _with_situation(grammar: LanguageGrammar, question: str, rng: random.Random) -> str:
    situation = rng.choice(grammar.situations)
    connector = rng.choice(grammar.connectors)
    # after a full stop the question keeps its capital; after a comma or "and" it continues the sentence
    return f"{situation}{connector}{question if connector.strip() == '.' else _lower_first(question)}"


def _lower_first(question: str) -> str:
    """Lower-case the first letter unless the first word is an acronym ("CPF") or English "I" ("I'm")."""
    opening = 1 if question[:1] in "¿¡" else 0
    first_word = question[opening:].split(" ", 1)[0]
    if first_word.isupper() or first_word.startswith("I'"):
        return question
    return question[:opening] + question[opening : opening + 1].lower() + question[opening + 1 :]
