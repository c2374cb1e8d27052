"""Kreyòl messages seen through French for the sentence model (bot/nlu/kreyol.py)."""

from __future__ import annotations

import numpy as np

from bot.nlu import kreyol


def test_kreyol_words_are_put_in_french_and_other_words_kept() -> None:
    assert kreyol.in_french("Eske mwen ka travay nan Chili?") == "est-ce que je peut travail dans Chili ?"
    assert kreyol.in_french("kote lopital la ye") == "où hôpital la être"
    assert kreyol.in_french("Tapachula 2026") == "Tapachula 2026"  # names and numbers stay


def test_a_word_one_letter_off_a_lexicon_word_is_read_as_that_word() -> None:
    assert kreyol.in_french("moun refifye") == "personne réfugié"  # a letter swapped
    assert kreyol.in_french("lopitall") == "hôpital"  # one letter too many
    assert kreyol.in_french("lopial") == "hôpital"  # one letter missing
    assert kreyol.in_french("mwn") == "mwn"  # short words have too many neighbours: kept as written


def test_the_lexicon_is_read_from_data_and_keys_are_accent_folded() -> None:
    words = kreyol.lexicon()
    assert len(words) > 500
    assert all(key == key.lower() and key.isascii() for key in words)


def test_only_kreyol_messages_get_the_french_view() -> None:
    texts = ["mwen bezwen travay tanpri", "necesito trabajo por favor"]
    assert [kreyol.is_kreyol(text) for text in texts] == [True, False]
    vectors = np.eye(2, 4, dtype=np.float32)
    seen: list[list[str]] = []

    def embed(batch: list[str]) -> np.ndarray:
        seen.append(batch)
        return np.tile(np.array([[0.0, 0.0, 1.0, 0.0]], dtype=np.float32), (len(batch), 1))

    combined = kreyol.with_french_view(texts, vectors, embed)
    assert seen == [["je besoin travail s'il vous plaît"]]
    np.testing.assert_allclose(combined[1], vectors[1])  # Spanish: as it was
    np.testing.assert_allclose(combined[0], [2**-0.5, 0.0, 2**-0.5, 0.0], rtol=1e-6)  # the mean, normalised
