"""The question patterns in data/grammar/ that teach the classifier who asks from what is asked."""

from __future__ import annotations

from pathlib import Path

import pytest
import yaml

from bot import language, paths
from bot.nlu import grammar

DOMAIN_INTENTS = set(yaml.safe_load((paths.ROOT / "domain.yml").read_text(encoding="utf-8"))["intents"])


@pytest.fixture(scope="module")
def expanded() -> list[tuple[str, str]]:
    return grammar.expand(grammar.load(paths.grammar_dir()), seed=42)


def test_every_language_has_a_grammar() -> None:
    assert {g.language for g in grammar.load(paths.grammar_dir())} == set(language.SUPPORTED)


def test_every_generated_question_has_an_intent_of_the_domain(expanded: list[tuple[str, str]]) -> None:
    assert {intent for _, intent in expanded} <= DOMAIN_INTENTS
    assert all("{" not in text and "}" not in text for text, _ in expanded)


def test_expansion_is_the_same_for_the_same_seed(expanded: list[tuple[str, str]]) -> None:
    assert grammar.expand(grammar.load(paths.grammar_dir()), seed=42) == expanded
    assert grammar.expand(grammar.load(paths.grammar_dir()), seed=7) != expanded


def test_a_group_crossed_with_an_activity_is_labelled_by_the_activity(tmp_path: Path) -> None:
    (tmp_path / "en.yml").write_text(
        "groups: [refugees]\ncan: ['Can {group} {activity}?']\n"
        "activities: {ask_work: [work], ask_health: [see a doctor]}\n"
        "situations: [I am an asylum seeker]\nconnectors: [', ']\n",
        encoding="utf-8",
    )
    examples = set(grammar.expand(grammar.load(tmp_path), seed=1))
    assert ("Can refugees work?", "ask_work") in examples
    assert ("Can refugees see a doctor?", "ask_health") in examples
    # a situation in front never changes the label
    assert all(intent == "ask_work" for text, intent in examples if text.endswith("work?"))


def test_shared_terms_become_definition_questions_in_every_language(tmp_path: Path) -> None:
    (tmp_path / "terms.yml").write_text("ask_documents: [CPF]\n", encoding="utf-8")
    (tmp_path / "fr.yml").write_text(
        "term_frames: ['Qu’est-ce que le {term} ?']\nif_frames: ['Que faire si {problem} ?']\n"
        "problems: {ask_work: [mon patron ne me paie pas]}\n",
        encoding="utf-8",
    )
    examples = grammar.expand(grammar.load(tmp_path), seed=1)
    assert ("Qu’est-ce que le CPF ?", "ask_documents") in examples
    assert ("Que faire si mon patron ne me paie pas ?", "ask_work") in examples


def test_contractions_and_capitals_are_applied(tmp_path: Path) -> None:
    (tmp_path / "es.yml").write_text(
        "groups: [los refugiados]\ncan: ['¿{group} pueden {activity}?']\nactivities: {ask_work: [trabajar]}\n"
        "about: {ask_rights: ['¿Cuáles son los derechos de {group}?']}\n",
        encoding="utf-8",
    )
    (tmp_path / "pt.yml").write_text(
        "groups: [os refugiados]\nabout: {ask_rights: ['Quais são os direitos de {group}?']}\n"
        "contractions: {'\\bde os ': 'dos '}\n",
        encoding="utf-8",
    )
    examples = set(grammar.expand(grammar.load(tmp_path), seed=1))
    assert ("¿Los refugiados pueden trabajar?", "ask_work") in examples
    assert ("Quais são os direitos dos refugiados?", "ask_rights") in examples


def test_a_broken_grammar_file_is_named_with_its_line(tmp_path: Path) -> None:
    (tmp_path / "ht.yml").write_text("groups: [refijye yo\ncan: x\n", encoding="utf-8")
    with pytest.raises(grammar.GrammarError, match=r"ht\.yml:\d+: not valid YAML"):
        grammar.load(tmp_path)


def test_an_unknown_key_is_named(tmp_path: Path) -> None:
    (tmp_path / "en.yml").write_text("grups: [refugees]\n", encoding="utf-8")
    with pytest.raises(grammar.GrammarError, match=r"en\.yml: unknown key grups"):
        grammar.load(tmp_path)


def test_an_edited_grammar_changes_the_fingerprint_so_rasa_retrains(tmp_path: Path) -> None:
    (tmp_path / "en.yml").write_text("groups: [refugees]\n", encoding="utf-8")
    before = grammar.fingerprint(tmp_path)
    (tmp_path / "en.yml").write_text("groups: [refugees, migrants]\n", encoding="utf-8")
    assert grammar.fingerprint(tmp_path) != before
