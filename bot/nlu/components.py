"""Brújula's custom NLU components for Rasa 3.6 (registered with ``DefaultV1Recipe``).

Pipeline order (see ``config.yml``): :class:`InputGuard` first, Rasa's tokenizer, featurizers and
DIET, then :class:`GazetteerEntityExtractor`, :class:`LanguageAnnotator`, Rasa's
``FallbackClassifier``, and :class:`IntentRules` last.
"""

from __future__ import annotations

import logging
import re
from typing import Any, Dict, List, Optional, Text

from rasa.engine.graph import ExecutionContext, GraphComponent
from rasa.engine.recipes.default_recipe import DefaultV1Recipe
from rasa.engine.storage.resource import Resource
from rasa.engine.storage.storage import ModelStorage
from rasa.shared.nlu.constants import ENTITIES, INTENT, INTENT_RANKING_KEY, TEXT
from rasa.shared.nlu.training_data.message import Message
from rasa.shared.nlu.training_data.training_data import TrainingData

from bot import content, gazetteer, language
from bot.danger_words import (
    HARM_NOW_KEY,
    URGENT_CARE_KEY,
    describes_harm_now,
    describes_urgent_care,
    looks_like_emergency,
    mentions_family,
)
from bot.input_check import BLOCKING_PROBLEMS, InputProblem, check_input
from bot.nlu import examples, nationality
from bot.offers import looks_like_a_pasted_offer
from bot.text import fold, without_spans, words

logger = logging.getLogger(__name__)

INPUT_PROBLEM = "input_problem"
LANGUAGE = "language"
FALLBACK_INTENT = "nlu_fallback"
CHOOSE_OPTION_INTENT = "choose_option"
OUT_OF_SCOPE_INTENT = "out_of_scope"
EMERGENCY_INTENT = "report_emergency"
CHECK_OFFER_INTENT = "check_offer"
SAFETY_INTENTS = frozenset({EMERGENCY_INTENT, "ask_missing_person"})  # never taken over by the offer check
# Intents a pasted offer does not take over when the classifier is sure of them: danger first, a person,
# erasure, and the channels' commands.
KEEP_OVER_OFFER = frozenset({"request_human", "delete_my_data", "set_language", "share_location", CHECK_OFFER_INTENT})
# Intents for messages that carry no topic of their own (issue 9): the conversation resolves them from context.
INFORM_INTENT = "inform"
HEALTH_INTENT = "ask_health"
PLACES = ("country", "city")
GREET_INTENT = "greet"
CONTEXT_INTENTS = frozenset({INFORM_INTENT, "ask_followup", "ask_nearby"})
TOPIC_PREFIX = "ask_"
# Intents that a message giving only a place or a nationality may have been put on by mistake (besides topics)
INFORMATION_LIKE_INTENTS = frozenset({*CONTEXT_INTENTS, FALLBACK_INTENT, OUT_OF_SCOPE_INTENT, "affirm", "deny"})
LONG_MESSAGE_WORDS = 7  # "I am Honduran and I am in Guatemala" has 8 words but no topic: the share rule keeps it
TOPIC_SHARE = 0.5  # the best topic needs at least half the context intent's confidence
DELETE_INTENT = "delete_my_data"
# "somos 4 con 2 niños" (0.16) is who travels; "alguien ha visto a mi hijo" (0.46) stays a missing person
FAMILY_NOT_DANGER_BELOW = 0.3
SURE = 0.5  # below this the classifier is unsure (the lowest threshold the rules use above the fallback)
# Erasing is never guessed: an unsure delete_my_data needs one of these words (folded stems) in the message.
_ERASE_WORDS = re.compile(
    r"\b(borr|elimin|suprim|delet|eras|remov|forget|olvid|esquec|apag|exclu|effac|oubli|efas|bliye|retire|detwi)\w*"
)
# "for that / para eso / pra isso / pour ça / pou sa": a follow-up about the topic being talked about (folded)
POINTS_BACK = frozenset(
    {
        ("for", "that"),
        ("for", "this"),
        ("para", "eso"),
        ("para", "esto"),
        ("pra", "isso"),
        ("para", "isso"),
        ("pro", "isso"),
        ("pour", "ca"),
        ("pour", "cela"),
        ("pou", "sa"),
    }
)

# "2", "2.", "#2", "opcion 2", "option 2", "opção 2", "opsyon 2", "no 2"
OPTION_PATTERN = re.compile(
    r"^\s*(?:(?:opci[oó]n|option|op[cç][aã]o|opsyon|n[uú]mero|number|nimewo|nro|no)\.?\s*)?#?\s*(\d{1,2})\s*[.)]?\s*$",
    re.IGNORECASE,
)


class _Stateless(GraphComponent):
    """Common constructor for components without training or persisted state."""

    def __init__(self, config: Dict[Text, Any]) -> None:
        self.component_config = config

    @classmethod
    def create(
        cls,
        config: Dict[Text, Any],
        model_storage: ModelStorage,
        resource: Resource,
        execution_context: ExecutionContext,
    ) -> GraphComponent:
        return cls(config)


@DefaultV1Recipe.register(DefaultV1Recipe.ComponentType.MESSAGE_TOKENIZER, is_trainable=False)
class InputGuard(_Stateless):
    """Flags empty, emoji-only, unreadable and over-long messages, and shortens the latter.

    Runs before tokenization so that a 10,000-character paste or binary junk never reaches DIET whole.
    """

    def process_training_data(self, training_data: TrainingData) -> TrainingData:
        return training_data

    def process(self, messages: List[Message]) -> List[Message]:
        for message in messages:
            result = check_input(message.get(TEXT) or "")
            if result.problem is not InputProblem.NONE:
                message.set(INPUT_PROBLEM, result.problem.value, add_to_output=True)
            if result.text != message.get(TEXT):
                message.set(TEXT, result.text)
        return messages


@DefaultV1Recipe.register(DefaultV1Recipe.ComponentType.ENTITY_EXTRACTOR, is_trainable=False)
class GazetteerEntityExtractor(_Stateless):
    """Adds ``country``, ``nationality`` (ISO 3166 alpha-2) and ``city`` entities.

    A country named after "in / en / no / nan / au" is ``country`` (where the person is or asks
    about); a demonym ("hondureño", "Haitian", "ayisyen") or a country after "I am from / soy de /
    sou de / je viens de / mwen soti" is ``nationality`` (see :mod:`bot.nlu.nationality`).
    """

    def process(self, messages: List[Message]) -> List[Message]:
        try:
            snapshot = content.current()
        except content.ContentError as error:
            logger.error("Gazetteer unavailable: %s", error)
            return messages
        for message in messages:
            text = message.get(TEXT) or ""
            entities = list(message.get(ENTITIES, []))
            entities.extend(_place_entities(text, snapshot, self.__class__.__name__))
            message.set(ENTITIES, entities, add_to_output=True)
        return messages


def _place_entities(text: str, snapshot: content.Content, extractor: str) -> List[Dict[Text, Any]]:
    """Country, nationality and city entities of ``text``, in order of appearance."""
    found = gazetteer.find(text, snapshot)
    demonyms = nationality.demonyms(text)
    demonym_spans = {(d.start, d.end) for d in demonyms}
    entities: List[Dict[Text, Any]] = []
    for match in found:
        entity = match.entity
        if entity == "country":
            is_demonym = (match.start, match.end) in demonym_spans
            if nationality.after_from(text, match.start):
                entity = "nationality"
            elif is_demonym and nationality.after_article(text, match.start, match.end):
                entity = "nationality"  # "I'm a Honduran", "a Venezuelan family": "a" is an article, not "to"
            elif nationality.after_place_preposition(text, match.start):
                entity = "country"
            elif is_demonym:
                entity = "nationality"
        place = _entity(entity, match.value, match.start, match.end, match.text, extractor, match)
        if entity in ("country", "city") and nationality.after_being_in(text, match.start):
            place[gazetteer.HERE_KEY] = True  # "estoy en Tijuana" (where the person is), not "asilo en Estados Unidos"
        elif entity == "country" and nationality.after_sending_to(text, match.start):
            place[gazetteer.SENT_TO_KEY] = True  # "mandar plata a Haití": where the money goes
        elif entity == "country" and nationality.after_in(text, match.start):
            place[gazetteer.INSIDE_KEY] = True
        elif entity == "country" and nationality.after_coming_from(text, match.start):
            place[gazetteer.CAME_FROM_KEY] = True
        elif entity == "country" and nationality.after_going_to(text, match.start):
            place[gazetteer.GOING_TO_KEY] = True
        entities.append(place)
    # demonyms the country list does not spell ("ekwatoryen"), unless inside a longer name ("republica dominicana")
    covered = [(m.start, m.end) for m in found]
    for demonym in demonyms:
        if any(start <= demonym.start and demonym.end <= end for start, end in covered):
            continue
        if nationality.after_place_preposition(text, demonym.start) and not nationality.after_article(
            text, demonym.start, demonym.end
        ):
            continue
        entities.append(_entity("nationality", demonym.code, demonym.start, demonym.end, demonym.text, extractor))
    entities.sort(key=lambda item: item["start"])
    return entities


def _entity(
    entity: str, value: str, start: int, end: int, text: str, extractor: str, match: Optional[gazetteer.Match] = None
) -> Dict[Text, Any]:
    result: Dict[Text, Any] = {
        "entity": entity,
        "value": value,
        "start": start,
        "end": end,
        "text": text,
        "confidence_entity": 1.0,
        "extractor": extractor,
    }
    if match is not None and match.entity == "city":
        result["country"] = match.country
    return result


@DefaultV1Recipe.register(DefaultV1Recipe.ComponentType.INTENT_CLASSIFIER, is_trainable=False)
class LanguageAnnotator(_Stateless):
    """Adds ``"language": {"code": ..., "confidence": ...}`` to the parse result."""

    def process(self, messages: List[Message]) -> List[Message]:
        for message in messages:
            text = message.get(TEXT) or ""
            detection = language.detect(text)
            places = gazetteer.entity_spans(message.get(ENTITIES) or [], PLACES)
            if places:
                # "estou em Santo Domingo, República Dominicana", "je suis à Cuiabá, Mato Grosso": the names are
                # Spanish or Portuguese, the message is not; the words around them decide when they can
                rest = without_spans(text, places)
                without_names = language.detect(rest)
                if (
                    (not detection.reliable or len(words(rest)) >= 2)
                    and without_names.reliable
                    and without_names.confidence > detection.confidence
                ):
                    detection = without_names
            message.set(LANGUAGE, detection.as_parse_result(), add_to_output=True)
            if detection.unsupported_script and not message.get(INPUT_PROBLEM):
                message.set(INPUT_PROBLEM, InputProblem.UNSUPPORTED_LANGUAGE.value, add_to_output=True)
        return messages


@DefaultV1Recipe.register(DefaultV1Recipe.ComponentType.INTENT_CLASSIFIER, is_trainable=False)
class ContentExampleMatcher(_Stateless):
    """Answers the topic of a close NGO example question from ``content/topics/*.yml`` (``examples:``).

    Runs after the trained classifier and before ``FallbackClassifier``: a message whose nearest
    content example is at least ``threshold`` similar (cosine of character n-grams, 0..1) gets that
    topic with the similarity as confidence. Read at run time, so new examples work without retraining.
    """

    @staticmethod
    def get_default_config() -> Dict[Text, Any]:
        return {"threshold": 0.75}

    def process(self, messages: List[Message]) -> List[Message]:
        threshold = float(self.component_config.get("threshold", 0.75))
        try:
            found = examples.index()
        except ValueError as error:  # e.g. examples made only of punctuation: nothing to vectorise
            logger.warning("Content examples unusable: %s", error)
            return messages
        if found is None:
            return messages
        for message in messages:
            match = found.best(message.get(TEXT) or "")
            if match is None or match.similarity < threshold:
                continue
            current = message.get(INTENT) or {}
            if current.get("name") == match.topic:
                confidence = max(float(current.get("confidence") or 0.0), match.similarity)
            else:
                confidence = match.similarity
            _set_intent(message, match.topic, confidence)
            example = {"example": match.example, "similarity": match.similarity}
            message.set("content_example", example, add_to_output=True)
        return messages


def _set_intent(message: Message, name: str, confidence: float = 1.0) -> None:
    message.set(INTENT, {"name": name, "confidence": confidence}, add_to_output=True)
    ranking: List[Dict[Text, Any]] = [r for r in message.get(INTENT_RANKING_KEY) or [] if r.get("name") != name]
    message.set(INTENT_RANKING_KEY, [{"name": name, "confidence": confidence}, *ranking], add_to_output=True)


@DefaultV1Recipe.register(DefaultV1Recipe.ComponentType.INTENT_CLASSIFIER, is_trainable=False)
class IntentRules(_Stateless):
    """Deterministic corrections after the statistical classifier.

    * a bare number ("2", "opcion 2") is a menu choice: ``choose_option`` with an ``option`` entity;
    * unusable input (empty, emoji only, binary, unsupported script) is ``nlu_fallback``;
    * the trained ``out_of_scope`` examples are reported as ``nlu_fallback``;
    * a message that the classifier could not place but that names a danger (kidnapping,
      trafficking...) is ``report_emergency``: safety first;
    * a message that tells of harm being done to the writer now (kept papers, forced work, held,
      ransom) keeps its topic but is flagged ``harm_now``, and is never taken for a pasted offer; so is a
      medical emergency told now (chest pain, heavy bleeding), flagged ``urgent_care``;
    * a pasted job, travel or papers offer is ``check_offer`` even when its words pull towards a topic
      (:func:`bot.offers.looks_like_a_pasted_offer`);
    * a message that only gives a place or a nationality ("estoy en Santo Domingo", "tô no Brasil", "soy
      hondureña", "e em Manaus?") is ``inform``, whatever topic the place's name pulls towards;
    * a topic question that points back ("que documentos preciso pra isso?") with ``ask_followup`` or
      ``ask_nearby`` close behind is that follow-up: "isso" is the conversation's topic;
    * a long message classified as ``inform`` / ``ask_followup`` / ``ask_nearby`` / ``greet`` whose best
      topic is close behind is that topic: those intents are for messages that name no topic ("I'm in Peru",
      "how much is it?", "hola"), and a message of many words almost always names one ("bonjour hola necesito
      ayuda pour mon fils il est malade").
    """

    def process(self, messages: List[Message]) -> List[Message]:
        for message in messages:
            text = message.get(TEXT) or ""
            option = OPTION_PATTERN.match(text)
            intent: Optional[Dict[Text, Any]] = message.get(INTENT)
            name = (intent or {}).get("name")
            confidence = float((intent or {}).get("confidence") or 0.0)
            harm_now = describes_harm_now(text)
            if harm_now:
                message.set(HARM_NOW_KEY, True, add_to_output=True)
            urgent_care = describes_urgent_care(text)
            if urgent_care:
                message.set(URGENT_CARE_KEY, True, add_to_output=True)
            if message.get(INPUT_PROBLEM) in BLOCKING_PROBLEMS:
                _set_intent(message, FALLBACK_INTENT)
            elif option:
                _set_intent(message, CHOOSE_OPTION_INTENT)
                entities = list(message.get(ENTITIES, []))
                entities.append(
                    {
                        "entity": "option",
                        "value": str(int(option.group(1))),
                        "start": option.start(1),
                        "end": option.end(1),
                        "confidence_entity": 1.0,
                        "extractor": self.__class__.__name__,
                    }
                )
                message.set(ENTITIES, entities, add_to_output=True)
            elif (name in (FALLBACK_INTENT, OUT_OF_SCOPE_INTENT) or confidence < SURE) and (
                harm_now or looks_like_emergency(text)
            ):
                _set_intent(message, EMERGENCY_INTENT, 0.9)
            elif (
                name == EMERGENCY_INTENT
                and confidence < FAMILY_NOT_DANGER_BELOW
                and mentions_family(text)
                and not looks_like_emergency(text)
            ):
                # "somos 4 con 2 niños", "we are a cuban family with a baby": who travels, not a danger told
                _set_intent(message, FALLBACK_INTENT, confidence)
            elif name == DELETE_INTENT and confidence < SURE and not _ERASE_WORDS.search(fold(text)):
                _set_intent(message, FALLBACK_INTENT, confidence)  # "que hago primero" must not erase anything
            elif urgent_care and (name in (FALLBACK_INTENT, OUT_OF_SCOPE_INTENT) or confidence < SURE):
                _set_intent(message, HEALTH_INTENT, 0.9)  # the numbers come first (urgent_care), then health care
            elif (
                not harm_now
                and not urgent_care
                and name not in SAFETY_INTENTS
                and (name not in KEEP_OVER_OFFER or confidence < SURE)
                and looks_like_a_pasted_offer(text, confidence)
            ):
                _set_intent(message, CHECK_OFFER_INTENT, max(confidence, 0.9))
            elif (
                (_may_be_information(name) or (name == EMERGENCY_INTENT and not looks_like_emergency(text)))
                and not harm_now
                and not urgent_care
                and _only_says_where_or_who(message, text)
            ):
                _set_intent(message, INFORM_INTENT, max(confidence, 0.9))
            elif name == OUT_OF_SCOPE_INTENT:
                _set_intent(message, FALLBACK_INTENT, confidence)
            elif name in CONTEXT_INTENTS or name == GREET_INTENT:
                topic = _topic_behind(message, text, confidence)
                if topic is not None:
                    _set_intent(message, topic["name"], float(topic["confidence"]))
            elif name and name.startswith(TOPIC_PREFIX):
                pointing_back = _pointing_back(message, text, confidence)
                if pointing_back is not None:
                    _set_intent(message, pointing_back["name"], float(pointing_back["confidence"]))
        return messages


def _may_be_information(name: Optional[str]) -> bool:
    """A topic, a follow-up, "no" / "yes" or not understood: not a greeting (it gets the introduction), nor
    danger, a person, erasure or a command."""
    if not name or name in SAFETY_INTENTS:
        return False
    return name.startswith(TOPIC_PREFIX) or name in INFORMATION_LIKE_INTENTS


def _only_says_where_or_who(message: Message, text: str) -> bool:
    """ "estoy en Santo Domingo", "tô no Brasil", "soy hondureño", "e em Manaus?": a place or a nationality, and
    nothing else that asks for something."""
    spans = gazetteer.entity_spans(message.get(ENTITIES) or [], (*PLACES, "nationality"))
    return gazetteer.nothing_but_places(text, spans)


def _points_back(text: str) -> bool:
    tokens = words(text)
    return any(pair in POINTS_BACK for pair in zip(tokens, tokens[1:]))


def _pointing_back(message: Message, text: str, confidence: float) -> Optional[Dict[Text, Any]]:
    """ "que documentos preciso pra isso?": a follow-up about the conversation's topic, when the classifier has
    it close behind the topic that one of its words ("documentos") pulls towards."""
    if not _points_back(text):
        return None
    for candidate in (message.get(INTENT_RANKING_KEY) or [])[1:3]:
        if candidate.get("name") in ("ask_followup", "ask_nearby"):
            if float(candidate.get("confidence") or 0.0) >= TOPIC_SHARE * confidence:
                return dict(candidate)
    return None


def _topic_behind(message: Message, text: str, confidence: float) -> Optional[Dict[Text, Any]]:
    """The best topic of a long message that the classifier put on a context intent, if close behind.

    Not when the message points back at what was said ("quels papiers il faut pour ça ?"): its topic is the
    conversation's, whatever its words pull towards."""
    if len(text.split()) < LONG_MESSAGE_WORDS or _points_back(text):
        return None
    for candidate in message.get(INTENT_RANKING_KEY) or []:
        candidate_name = str(candidate.get("name", ""))
        if candidate_name.startswith(TOPIC_PREFIX) and candidate_name not in CONTEXT_INTENTS:
            if float(candidate.get("confidence") or 0.0) >= TOPIC_SHARE * confidence:
                return dict(candidate)
            return None
    return None
