"""The intent classifier: two linear models, their probabilities blended.

1. Logistic regression over accent-folded character and word n-grams. It copes with the way migrants
   type (no accents, abbreviations, typos, five languages in one model) and with Kreyòl, which the
   sentence model barely knows.
2. Logistic regression over multilingual sentence embeddings (:mod:`bot.nlu.sentence_embedding`). It
   understands phrasings and words the training data never had, in any of the languages. A Kreyòl
   message is also seen word by word in French (:mod:`bot.nlu.kreyol`), which the model knows better.

Training adds the questions that ``bot.nlu.grammar`` expands from ``data/grammar/`` (who asks
crossed with what is asked), so a situation word such as "refugee" stops deciding the topic.

On our real questions and held-out messages the blend does better than either model alone and than
DIET (see ``make eval`` and the README figures). Its probabilities feed Rasa's ``FallbackClassifier``.
"""

from __future__ import annotations

import logging
from dataclasses import dataclass
from typing import Any, Dict, List, Optional, Text

import joblib
import numpy as np
from rasa.engine.graph import ExecutionContext, GraphComponent
from rasa.engine.recipes.default_recipe import DefaultV1Recipe
from rasa.engine.storage.resource import Resource
from rasa.engine.storage.storage import ModelStorage
from rasa.nlu.classifiers.classifier import IntentClassifier
from rasa.shared.nlu.constants import INTENT, INTENT_RANKING_KEY, TEXT
from rasa.shared.nlu.training_data.message import Message
from rasa.shared.nlu.training_data.training_data import TrainingData
from sklearn.feature_extraction.text import TfidfVectorizer
from sklearn.linear_model import LogisticRegression
from sklearn.pipeline import Pipeline, make_pipeline, make_union

from bot import joined_requests, paths
from bot.nlu import grammar, kreyol, sentence_embedding
from bot.text import fold

logger = logging.getLogger(__name__)

MODEL_FILE = "intent_classifier.joblib"
PART_CONFIDENCE = 0.5  # a part of a joined message must be at least this sure to count as another request


def build_pipeline(config: Dict[Text, Any]) -> Pipeline:
    """Character n-grams (robust to typos and missing accents) plus word uni- and bigrams."""
    features = make_union(
        TfidfVectorizer(analyzer="char_wb", ngram_range=(2, 5), sublinear_tf=True, preprocessor=fold),
        TfidfVectorizer(analyzer="word", ngram_range=(1, 2), sublinear_tf=True, preprocessor=fold),
    )
    classifier = LogisticRegression(C=config["C"], max_iter=5000, random_state=config["random_seed"])
    return make_pipeline(features, classifier)


@dataclass
class BlendedModel:
    """The two trained models and the share of the embedding model in the blend."""

    ngrams: Pipeline
    embeddings: Optional[LogisticRegression]
    embedding_weight: float

    @property
    def classes(self) -> np.ndarray:
        return self.ngrams.classes_

    def predict_proba(self, texts: List[Text]) -> np.ndarray:
        """Blended probabilities; the sentence model is only asked where it could change the outcome.

        When the n-gram model is so sure that no embedding vote could change the top intent or take its
        blended confidence below 0.5 (the lowest threshold the rules use above the fallback), its own
        probabilities are the answer. That saves the embedding (about 17 ms) on most chat messages.
        """
        probabilities = self.ngrams.predict_proba(texts)
        if self.embeddings is None:
            return probabilities
        share = self.embedding_weight
        top_two = np.sort(probabilities, axis=1)[:, -2:]
        decided = ((1 - share) * (top_two[:, 1] - top_two[:, 0]) > share) & ((1 - share) * top_two[:, 1] >= 0.5)
        undecided = np.flatnonzero(~decided)
        if undecided.size:
            batch = [texts[i] for i in undecided]
            vectors = kreyol.with_french_view(batch, sentence_embedding.embed(batch), sentence_embedding.embed)
            from_embeddings = self.embeddings.predict_proba(vectors)
            probabilities[undecided] = (1 - share) * probabilities[undecided] + share * from_embeddings
        return probabilities


@DefaultV1Recipe.register(DefaultV1Recipe.ComponentType.INTENT_CLASSIFIER, is_trainable=True)
class BlendedIntentClassifier(GraphComponent, IntentClassifier):
    """N-gram and sentence-embedding logistic regressions on the raw text (no Rasa featurizer needed)."""

    @staticmethod
    def get_default_config() -> Dict[Text, Any]:
        # grammar_weight: each generated question counts half as much as a written example (make eval: the
        # real questions and the held-out split both do better at 0.3-0.5 than at 1.0).
        # embedding_weight 0.3 and embedding_C 10 did best on both sets (make eval); 0 turns the model off.
        return {
            "C": 20.0,
            "random_seed": 42,
            "ranking_length": 10,
            "grammar": True,
            "grammar_weight": 0.5,
            "embedding_weight": 0.3,
            "embedding_C": 10.0,
        }

    @classmethod
    def fingerprint_addon(cls, config: Dict[Text, Any]) -> Optional[str]:
        """The grammar files and the sentence model are outside Rasa's training data: a change must retrain."""
        directory = paths.grammar_dir()
        grammar_print = grammar.fingerprint(directory) if directory.is_dir() else ""
        return f"{grammar_print}:{sentence_embedding.model_version()}:{kreyol.fingerprint()}"

    def __init__(
        self,
        config: Dict[Text, Any],
        model_storage: ModelStorage,
        resource: Resource,
        model: Optional[BlendedModel] = None,
    ) -> None:
        self.component_config = {**self.get_default_config(), **config}
        self._model_storage = model_storage
        self._resource = resource
        self.model = model

    @classmethod
    def create(
        cls,
        config: Dict[Text, Any],
        model_storage: ModelStorage,
        resource: Resource,
        execution_context: ExecutionContext,
    ) -> BlendedIntentClassifier:
        return cls(config, model_storage, resource)

    def train(self, training_data: TrainingData) -> Resource:
        examples = [m for m in training_data.intent_examples if m.get(TEXT) and m.get(INTENT)]
        texts = [m.get(TEXT) for m in examples]
        labels = [m.get(INTENT) for m in examples]
        weights = [1.0] * len(examples)
        grammar_dir = paths.grammar_dir()
        if self.component_config["grammar"] and grammar_dir.is_dir():
            generated = grammar.expand(grammar.load(grammar_dir), self.component_config["random_seed"])
            unknown = {intent for _, intent in generated} - set(labels)
            if unknown:
                raise grammar.GrammarError(f"{grammar_dir}: intents not in the training data: {sorted(unknown)}")
            texts += [text for text, _ in generated]
            labels += [intent for _, intent in generated]
            weights += [float(self.component_config["grammar_weight"])] * len(generated)
            logger.info("Intent classifier: %d examples from data/, %d from the grammar", len(examples), len(generated))
        if len(set(labels)) < 2:
            logger.warning("Fewer than two intents in the training data: the intent classifier is not trained")
            return self._resource
        ngrams = build_pipeline(self.component_config)
        ngrams.fit(texts, labels, logisticregression__sample_weight=weights)
        embedding_weight = float(self.component_config["embedding_weight"])
        embeddings = None
        if embedding_weight > 0:
            embeddings = LogisticRegression(
                C=self.component_config["embedding_C"], max_iter=3000, random_state=self.component_config["random_seed"]
            )
            vectors = sentence_embedding.embed_with_cache(texts, sentence_embedding.training_cache())
            french_cache = sentence_embedding.training_cache("kreyol-french")
            vectors = kreyol.with_french_view(
                texts, vectors, lambda batch: sentence_embedding.embed_with_cache(batch, french_cache)
            )
            embeddings.fit(vectors, labels, sample_weight=weights)
        self.model = BlendedModel(ngrams, embeddings, embedding_weight)
        with self._model_storage.write_to(self._resource) as directory:
            joblib.dump(self.model, directory / MODEL_FILE)
        return self._resource

    @classmethod
    def load(
        cls,
        config: Dict[Text, Any],
        model_storage: ModelStorage,
        resource: Resource,
        execution_context: ExecutionContext,
        **kwargs: Any,
    ) -> BlendedIntentClassifier:
        model = None
        try:
            with model_storage.read_from(resource) as directory:
                model = joblib.load(directory / MODEL_FILE)
        except (ValueError, FileNotFoundError):
            logger.warning("No trained intent classifier in the model: every message will be a fallback")
        return cls(config, model_storage, resource, model)

    def process(self, messages: List[Message]) -> List[Message]:
        to_classify = [m for m in messages if (m.get(TEXT) or "").strip()] if self.model is not None else []
        for message in messages:
            message.set(INTENT, {"name": None, "confidence": 0.0}, add_to_output=True)
            message.set(INTENT_RANKING_KEY, [], add_to_output=True)
        if not to_classify or self.model is None:
            return messages
        # one batch: the sentence model embeds several messages in one call faster than one by one
        all_probabilities = self.model.predict_proba([m.get(TEXT) for m in to_classify])
        for message, probabilities in zip(to_classify, all_probabilities):
            ranked = sorted(zip(self.model.classes, probabilities), key=lambda pair: -pair[1])
            ranking = [{"name": str(name), "confidence": float(p)} for name, p in ranked]
            message.set(INTENT, ranking[0], add_to_output=True)
            message.set(INTENT_RANKING_KEY, ranking[: self.component_config["ranking_length"]], add_to_output=True)
        self._note_other_requests(to_classify)
        return messages

    def _note_other_requests(self, messages: List[Message]) -> None:
        """For "a job and a doctor": the intents of the parts that differ from the whole message's."""
        assert self.model is not None
        split = [(message, joined_requests.parts(message.get(TEXT))) for message in messages]
        split = [(message, parts) for message, parts in split if parts]
        if not split:
            return
        texts = [part for _, parts in split for part in parts]
        probabilities = iter(self.model.predict_proba(texts))
        for message, parts in split:
            whole = message.get(INTENT)["name"]
            others: List[str] = []
            for _ in parts:
                part_probabilities = next(probabilities)
                best = int(np.argmax(part_probabilities))
                name = str(self.model.classes[best])
                if part_probabilities[best] >= PART_CONFIDENCE and name != whole and name not in others:
                    others.append(name)
            message.set(joined_requests.OTHER_REQUESTS_KEY, others, add_to_output=True)
