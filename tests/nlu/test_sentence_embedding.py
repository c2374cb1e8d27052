"""The sentence model behind the intent classifier: offline, multilingual, and only asked when needed."""

from __future__ import annotations

from pathlib import Path

import numpy as np
import pytest
from sklearn.linear_model import LogisticRegression

from bot.nlu import intent_classifier, sentence_embedding


def test_the_same_question_in_five_languages_is_closer_than_another_question_in_the_same_language() -> None:
    work = [
        "¿Puedo trabajar legalmente mientras espero mi permiso?",
        "Posso trabalhar legalmente enquanto espero minha autorização?",
        "Can I work legally while I wait for my permit?",
        "Est-ce que je peux travailler légalement en attendant mon permis ?",
    ]
    school = "¿Mis hijos pueden ir a la escuela pública?"
    vectors = sentence_embedding.embed([*work, school])
    assert vectors.shape == (5, 384)
    assert np.allclose(np.linalg.norm(vectors, axis=1), 1.0, atol=1e-3)
    similarity = vectors @ vectors.T
    for i in range(1, len(work)):
        assert similarity[0, i] > similarity[0, 4], work[i]


def test_no_text_and_a_huge_text_both_embed() -> None:
    assert sentence_embedding.embed([]).shape[0] == 0
    assert sentence_embedding.embed(["trabajo " * 20000]).shape == (1, 384)


@pytest.fixture(scope="module")
def blended() -> intent_classifier.BlendedModel:
    """A small model trained on a few questions, with the real sentence model."""
    texts = [
        "puedo trabajar aqui",
        "necesito un empleo",
        "permiso de trabajo",
        "donde hay un hospital",
        "estoy enfermo necesito un medico",
        "consulta medica gratis",
        "mis hijos pueden estudiar",
        "matricula escolar",
        "escuela para mi hija",
    ]
    labels = ["ask_work"] * 3 + ["ask_health"] * 3 + ["ask_education"] * 3
    ngrams = intent_classifier.build_pipeline({"C": 20.0, "random_seed": 42}).fit(texts, labels)
    embeddings = LogisticRegression(C=10.0, max_iter=3000, random_state=42).fit(sentence_embedding.embed(texts), labels)
    return intent_classifier.BlendedModel(ngrams, embeddings, embedding_weight=0.3)


@pytest.fixture
def embedded(monkeypatch: pytest.MonkeyPatch) -> list[str]:
    """The texts the sentence model is asked to embed from now on."""
    texts: list[str] = []
    real_embed = sentence_embedding.embed

    def counting_embed(batch: list[str]) -> np.ndarray:
        texts.extend(batch)
        return real_embed(batch)

    monkeypatch.setattr(sentence_embedding, "embed", counting_embed)
    return texts


def test_the_sentence_model_is_asked_only_where_it_could_change_the_answer(
    blended: intent_classifier.BlendedModel, embedded: list[str]
) -> None:
    questions = [
        "puedo trabajar aqui",  # a training example: the n-gram model is sure
        "I have a fever and my child is coughing, who can see us?",  # no shared n-gram: the sentence model decides
        "quiero estudiar",
    ]
    probabilities = blended.predict_proba(questions)
    asked = list(embedded)
    full_blend = 0.7 * blended.ngrams.predict_proba(questions) + 0.3 * blended.embeddings.predict_proba(  # type: ignore[union-attr]
        sentence_embedding.embed(questions)
    )

    assert "puedo trabajar aqui" not in asked
    assert "I have a fever and my child is coughing, who can see us?" in asked
    # skipping the sentence model never changes the intent the full blend would choose
    assert list(probabilities.argmax(axis=1)) == list(full_blend.argmax(axis=1))
    assert blended.classes[probabilities[1].argmax()] == "ask_health"


def test_training_embeds_only_the_texts_it_has_not_seen(tmp_path: Path, embedded: list[str]) -> None:
    cache = tmp_path / "cache.npz"
    first = sentence_embedding.embed_with_cache(["¿puedo trabajar?", "posso trabalhar?"], cache)
    embedded.clear()
    second = sentence_embedding.embed_with_cache(["posso trabalhar?", "can I work?", "¿puedo trabajar?"], cache)
    assert embedded == ["can I work?"]
    assert np.allclose(second[0], first[1]) and np.allclose(second[2], first[0])

    cache.write_bytes(b"not a cache")  # a broken cache is ignored, not fatal
    assert sentence_embedding.embed_with_cache(["can I work?"], cache).shape == (1, 384)
