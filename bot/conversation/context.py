"""Keeping the thread: new information ("I'm in Colombia"), follow-ups on the current topic, and "which one?".

The conversation remembers where the person is (``country``, ``city``), their nationality and the topic
last answered (``last_topic``). With them:

* :func:`inform`: a message that only gives new information sets the slots, confirms in one line, then
  resumes the question waiting for a country, or answers the same topic for a new place ("and in Peru?"),
  or shows the menu;
* :func:`places_for_topic`: "where is the nearest one?" lists places of the current topic's kind;
* :func:`followup`: "how much does it cost?" answers with the lines of the current topic's answer (same
  country) about costs, documents or time, and offers the whole answer;
* :func:`ambiguous_topics` / :func:`ask_which_topic`: when the classifier hesitates between two topics,
  "Do you mean 1 ... 2 ...?";
* :func:`next_step`: "what do I do?" right after an answer points to its steps and a person, not the menu.
"""

from __future__ import annotations

import re

from bot.conversation import nearby
from bot.conversation.dialogue import Dialogue
from bot.conversation.menus import ask_which_topic, country_menu, main_menu, offered_topics, repeat_menu
from bot.conversation.navigation import run_topic
from bot.conversation.safety import say_emergency_numbers
from bot.conversation.topics import (
    answer_topic,
    country_of,
    note_places,
    outside_corridor,
    set_place,
    where_the_person_is,
)
from bot.conversation.vocabulary import (
    AMBIGUITY_MARGIN,
    AMBIGUOUS_BELOW,
    CHECK_OFFER,
    EMERGENCY_TOPICS,
    GREETING_WORDS,
    INFORMATION_TOPICS,
    NATIONALITY_TOPICS,
    NLU_FALLBACK,
    STORY_WORDS,
    UNSURE_BELOW,
    Menu,
    Slot,
)
from bot.gazetteer import HERE_KEY
from bot.text import contains_phrase, opens_with, words

# How a follow-up that changes only the place starts: "and in Peru?", "y en Chile?", "e no Chile?",
# "et au Mexique ?", "e an Ayiti?", "what about in Panama", "¿y qué tal en Perú?" (folded words).
FOLLOWUP_OPENERS = (
    ("and",),
    ("what", "about"),
    ("how", "about"),
    ("same", "for"),
    ("same", "in"),
    ("also", "in"),
    ("y",),
    ("e",),
    ("et",),
    ("ak",),
    ("epi",),
    ("ou",),
    ("ni",),
    ("o",),
    ("tambien",),
    ("igual",),
    ("que", "tal"),
    ("y", "que", "tal"),
    ("e", "quanto"),
    ("e", "se"),
    ("et", "si"),
    ("pareil",),
    ("menm", "bagay"),
)

# Words that tell what a follow-up asks about the current topic (folded, so "cuánto" is "cuanto").
FOLLOWUP_KINDS: tuple[tuple[str, frozenset[str], tuple[tuple[str, ...], ...]], ...] = (
    (
        "time",
        frozenset(
            {
                "tiempo",
                "tarda",
                "tardan",
                "demora",
                "demoram",
                "demoran",
                "tempo",
                "temps",
                "delai",
                "delais",
                "duree",
                "plazo",
                "prazo",
                "days",
                "dias",
                "jours",
            }
        ),
        (
            ("how", "long"),
            ("cuanto", "tiempo"),
            ("quanto", "tempo"),
            ("combien", "de", "temps"),
            ("konbyen", "tan"),
            ("konbyen", "jou"),
            ("ki", "tan"),
        ),
    ),
    (
        "documents",
        frozenset(
            {
                "documents",
                "document",
                "papers",
                "papeles",
                "papiers",
                "papeis",
                "documentos",
                "requisitos",
                "requirements",
                "requisits",
                "pieces",
                "papye",
                "dokiman",
                "bring",
                "llevar",
                "levar",
                "apporter",
                "pote",
            }
        ),
        (),
    ),
    (
        "cost",
        frozenset(
            {
                "cost",
                "costs",
                "cuesta",
                "cuestan",
                "costo",
                "coste",
                "precio",
                "price",
                "fee",
                "fees",
                "pay",
                "pagar",
                "paga",
                "custa",
                "custam",
                "custo",
                "preco",
                "taxa",
                "coute",
                "coutent",
                "prix",
                "frais",
                "payer",
                "payant",
                "koute",
                "pri",
                "peye",
                "lajan",
                "gratis",
                "free",
                "gratuit",
                "gratuito",
                "gratuita",
                "barato",
                "barata",
                "cheap",
                "cheapest",
                "cher",
            }
        ),
        (("how", "much"), ("cuanto", "vale"), ("combien",), ("konbyen",), ("quanto",), ("cuanto",)),
    ),
)


# The lines of an answer that speak of what a follow-up asks (matched on folded text, in the five languages).
_AMOUNT = (
    r"\d[\d.,]*\s*(?:dolares|dollars|dola|reais|soles|pesos|gourdes|goud|quetzales|lempiras|colones|cordobas|balboas)"
)
_DURATION = (
    r"\d+\s*(?:dias|days|jours|jou|meses|mes|months|mois|mwa|semanas|weeks|semaines|semen|horas|hours|heures|edtan"
    r"|anos|years|ans|ane|lane)\b"
)
ANSWER_LINES: dict[str, re.Pattern[str]] = {
    "cost": re.compile(
        r"\$|\bs/|" + _AMOUNT + r"|\b(?:gratis|gratuit\w*|free|sin costo|sem custo|frais|fre|fees?|cost\w*|custos?"
        r"|cout\w*|koute|tasas?|taxas?|tarif\w*|arancel\w*|emolumentos?|multas?|amendes?|amann|fines?|pri|preco|precio"
        r"|prix|cobr\w*|charge\w*|pag\w*|pay\w*|peye)\b"
    ),
    "documents": re.compile(
        r"\b(?:documen\w*|pasaportes?|passports?|passeports?|paspo|cedulas?|carnes?|carnets?|carteira|kat|cards?|cartes?"
        r"|certifica\w*|certid\w*|setifika|actas?|akt|papeles|papiers|papers|papye|dokiman|requisitos?|requirements?"
        r"|exig\w*|conditions|kondisyon|pieces|fotos?|photos?|dni|cpf|c?rnm|ppt|pep|dui|curp|rut|antecedentes|casier"
        r"|apostil\w*|apostiy\w*|permis\w*|permit\w*|visas?|viza|vistos?)\b"
    ),
    "time": re.compile(
        _DURATION + r"|\b(?:plazos?|prazos?|delais?|dele|deadlines?|until|hasta|ate|jusqu\w*|jiska|venc\w*|expir\w*"
        r"|ekspire|valid\w*|vigen\w*|tarda\w*|demora\w*|takes|within|dentro de)\b"
    ),
}


def current_topic(d: Dialogue) -> str | None:
    """The topic the conversation is on (an information topic or an emergency), else None.

    ``last_topic`` also remembers an offer check, which has no answer per country nor places.
    """
    topic = d.slot(Slot.LAST_TOPIC)
    return topic if topic in INFORMATION_TOPICS or topic in EMERGENCY_TOPICS else None


def _is_place_followup(text: str) -> bool:
    """Whether the message opens like "and in Peru?" / "what about Panama" (a follow-up, not a statement)."""
    return opens_with(text, FOLLOWUP_OPENERS)


def note_information(d: Dialogue) -> tuple[str | None, str | None]:
    """Set ``country`` / ``city`` / ``nationality`` from the message; return (where, nationality) as said."""
    nationality_entities = d.turn.entities_named("nationality")
    cities = d.turn.entities_named("city")
    countries = d.turn.entities_named("country")
    where: str | None = None
    place = where_the_person_is(cities, countries)
    if place is not None:
        set_place(d, place)
        where = d.content.country_name(country_of(place), d.language)
        if place.get("entity") == "city":
            where = f"{place.get('value')} ({where})"
    origin: str | None = None
    if nationality_entities:
        code = str(nationality_entities[0].get("value"))
        d.set(Slot.NATIONALITY, code)
        origin = d.content.country_name(code, d.language)
    return where, origin


def _confirm(d: Dialogue, where: str | None, origin: str | None) -> None:
    if where and origin:
        d.say(d.text("noted_place_and_origin", place=where, country=origin))
    elif where:
        d.say(d.text("noted_place", place=where))
    elif origin:
        d.say(d.text("noted_origin", country=origin))


def inform(d: Dialogue) -> None:
    """ "I'm in Colombia", "soy hondureño y estoy en Guatemala", "and in Peru?": note it, go on.

    A statement is confirmed in one line ("noted: you are in Colombia"). Then, in this order: the question
    that waited for a country is answered; a follow-up that changes only the place ("and in Peru?") answers
    the last topic for the new place, without that line; after an emergency, the place gets its numbers;
    otherwise the menu that was on screen (a stage's topics, else the main menu). A first "I'm in Colombia"
    is new information, never a topic. A country named in answer to "which country are you from?" is the
    nationality.
    """
    if (
        d.slot(Slot.MENU) == Menu.NATIONALITY
        and not d.turn.entities_named("nationality")
        and not _is_place_followup(d.turn.text)  # "and in Haiti?" asks about Haiti, it does not answer the question
    ):
        # "Venezuela" in answer to "which country are you from?" is the nationality, not where the person is
        named = [country for country in d.turn.entities_named("country") if not country.get(HERE_KEY)]
        if named:
            nearby.nationality_given(d, str(named[0].get("value")))
            return
    opening = words(d.turn.text)[:1]
    if opening and opening[0] in GREETING_WORDS:
        d.say(d.text("intro"))  # "hola, estoy en Colombia": who the bot is, then the place noted
    country_before = d.slot(Slot.COUNTRY)
    where, origin = note_information(d)
    followup = _is_place_followup(d.turn.text)
    last_topic = current_topic(d)
    if not where and not origin:
        # understood as "here is where I am" but no place we know: ask, keeping the thread
        if followup and last_topic:
            d.set(Slot.PENDING_TOPIC, last_topic)
        country_menu(d)
        return
    country = d.slot(Slot.COUNTRY)
    not_covered = outside_corridor(d, country) if where and last_topic not in EMERGENCY_TOPICS else None
    if not_covered:
        d.say(not_covered, [d.back_button(), d.person_button()])  # "je suis en France": said at once
        d.set(Slot.PENDING_TOPIC, None)
        return
    pending = d.slot(Slot.PENDING_TOPIC)
    answers_last_topic = bool(where and followup and last_topic and not pending)
    # "and in Peru?" asks about Peru: the answer names the country, and "noted: you are in Peru" would be wrong
    _confirm(d, None if answers_last_topic else where, origin)
    if where and last_topic in EMERGENCY_TOPICS:
        # "they locked us in a house" then "we are in Reynosa": that country's numbers, not the menu; then the
        # question that waited for the country, if any
        if pending:
            say_emergency_numbers(d)
            d.set(Slot.PENDING_TOPIC, None)
            run_topic(d, pending)
        else:
            run_topic(d, last_topic)
        return
    if pending:
        if d.slot(Slot.COUNTRY):
            d.set(Slot.PENDING_TOPIC, None)
            run_topic(d, pending)
        else:
            country_menu(d)  # only the nationality came: the question still needs the country
        return
    if answers_last_topic and last_topic:
        run_topic(d, last_topic)  # "and in Peru?": the same topic for Peru
        return
    if origin and not where and (d.slot(Slot.MENU) == Menu.NATIONALITY or last_topic in NATIONALITY_TOPICS):
        # "perdí mi pasaporte" then "soy colombiano" (or the answer to "which country are you from?"): that
        # country's consulates near the person, not the menu
        d.set(Slot.MENU, None)
        nearby.say_places_asked_for(d, last_topic if last_topic in NATIONALITY_TOPICS else "ask_consulate")
        return
    if where and last_topic in INFORMATION_TOPICS and country != country_before:
        if last_topic in NATIONALITY_TOPICS:
            # "renew my passport" answered (the home country's consulate), then "I'm in São Paulo": the
            # consulates near the person, or which country's, not the host country's papers
            nearby.say_places_asked_for(d, last_topic)
        else:
            run_topic(d, last_topic)  # "I need a job" answered in general, then "I'm in Brazil": Brazil's answer
        return
    menu = d.slot(Slot.MENU) or ""
    if menu.startswith(Menu.STAGE_PREFIX):
        repeat_menu(d, menu)  # "3" then "estoy en Ecuador": the topics of "where I live now" again
        return
    main_menu(d)


def greet(d: Dialogue) -> None:
    """ "Hola, estoy en Colombia": the greeting, what was noted in one line, then the menu."""
    d.say(d.text("intro"))
    _confirm(d, *note_information(d))
    main_menu(d)


def places_for_topic(d: Dialogue) -> None:
    """ "Where is the nearest one?": places of the current topic's kind near the person."""
    topic = current_topic(d)
    if not topic:
        d.say(d.text("nearby_which_topic"))
        main_menu(d)
        return
    label = d.text(f"topic_{topic}")
    if not d.content.place_types_for_topic(topic) or not d.content.places:
        if f"nearby_local_{topic}" in d.content.ui:  # "where is the school office?": the local public service
            d.say(d.text(f"nearby_local_{topic}"), [d.person_button(), d.back_button()])
        else:
            d.say(d.text("nearby_no_list", topic=label), [d.back_button()])
        return
    note_information(d)  # "where is the nearest one in Quito?"
    if not d.slot(Slot.COUNTRY) and not d.slot(Slot.CITY):
        d.set(Slot.PENDING_TOPIC, topic)  # the city or the shared location answers it
        d.say(d.text("nearby_ask_location", topic=label))
        return
    nearby.say_places_asked_for(d, topic)
    d.set(Slot.FALLBACK_COUNT, 0)


def followup_kind(text: str) -> str:
    """What a follow-up asks about the current topic: ``time``, ``documents``, ``cost`` or ``general``."""
    tokens = words(text)
    for kind, single, phrases in FOLLOWUP_KINDS:
        if single & set(tokens) or contains_phrase(tokens, phrases):
            return kind
    return "general"


def followup(d: Dialogue, kind: str | None = None) -> None:
    """ "How much does it cost?" / "what documents do I need for that?": the current topic, same country.

    ``kind`` (``time``, ``documents``, ``cost``, ``general``) when the caller knows it; else read from the text.
    """
    topic = current_topic(d)
    if not topic:
        if offered_topics(d):
            ask_which_topic(d, offered_topics(d))  # "Do you mean 1 … 2 …?" then "how much?": the same two again
            return
        d.say(d.text("followup_which_topic"))
        main_menu(d)
        return
    note_information(d)  # "how much does it cost in Chile?"
    if topic in EMERGENCY_TOPICS:
        run_topic(d, topic)  # in danger the numbers again, not a line about costs
        return
    kind = kind or followup_kind(d.turn.text)
    d.say(d.text(f"followup_{kind}", topic=d.text(f"topic_{topic}")))
    answer_topic(d, topic, with_places=False, lines_about=ANSWER_LINES.get(kind))


def _ranked(d: Dialogue) -> list[tuple[str, float]]:
    ranking = []
    for item in d.turn.intent_ranking:
        name, confidence = item.get("name"), item.get("confidence")
        if isinstance(name, str) and name != NLU_FALLBACK and isinstance(confidence, int | float):
            ranking.append((name, float(confidence)))
    ranking.sort(key=lambda pair: pair[1], reverse=True)
    return ranking


def ambiguous_topics(d: Dialogue) -> tuple[str, str] | None:
    """The two topics to offer when the classifier hesitates between them, else None.

    Ambiguous: the best intent is below :data:`AMBIGUOUS_BELOW`, the two best are information topics and
    the second is within :data:`AMBIGUITY_MARGIN` of the first. Only for a topic question or a fallback:
    an emergency, a number or a request for a person is never second-guessed.
    """
    if d.turn.intent not in (*INFORMATION_TOPICS, NLU_FALLBACK) or d.turn.input_problem:
        return None
    if d.turn.intent in offered_topics(d):
        return None  # the person answered "Do you mean ...?" with the topic's name
    ranking = _ranked(d)
    if len(ranking) < 2:
        return None
    (first, best), (second, runner_up) = ranking[0], ranking[1]
    if best >= AMBIGUOUS_BELOW or best - runner_up > AMBIGUITY_MARGIN:
        return None
    if first not in INFORMATION_TOPICS or second not in INFORMATION_TOPICS:
        return None
    return first, second


# "What do I do (now)?" in the five languages (folded words): after an answer it asks for the next step.
WHAT_NOW = (
    ("what", "do", "i", "do"),
    ("what", "should", "i", "do"),
    ("what", "can", "i", "do"),
    ("que", "hago"),
    ("q", "hago"),
    ("como", "hago"),
    ("como", "faco"),
    ("comment", "faire"),
    ("kijan", "pou", "m", "fe"),
    ("que", "puedo", "hacer"),
    ("que", "debo", "hacer"),
    ("o", "que", "eu", "faco"),
    ("o", "que", "faco"),
    ("oq", "eu", "faco"),
    ("que", "faire"),
    ("quoi", "faire"),
    ("je", "fais", "quoi"),
    ("qu", "est", "ce", "que", "je", "fais"),
    ("kisa", "pou", "m", "fe"),
    ("kisa", "m", "dwe", "fe"),
    ("sa", "pou", "m", "fe"),
    ("m", "pa", "konn", "sa", "pou", "m", "fe"),
)


def asks_what_now(text: str) -> bool:
    """Whether a short message asks "what do I do?" (the next step after an answer)."""
    tokens = words(text)
    if len(tokens) > STORY_WORDS // 2:
        return False
    return contains_phrase(tokens, WHAT_NOW)


def next_step(d: Dialogue) -> bool:
    """ "What do I do?" right after an answer, taken for the menu or not understood: after an offer check, what
    to do and a person; after a topic, that the steps are above and a person can help with the case. True if
    answered."""
    topic = d.slot(Slot.LAST_TOPIC)
    if not topic or (d.turn.confidence or 0.0) >= UNSURE_BELOW or not asks_what_now(d.turn.text):
        return False
    if topic == CHECK_OFFER:
        d.say(d.text("offer_what_to_do").strip(), [d.person_button()])
        return True
    not_covered = outside_corridor(d, d.slot(Slot.COUNTRY)) if topic in INFORMATION_TOPICS else None
    if not_covered:
        d.say(not_covered, [d.person_button(), d.back_button()])  # no steps were given above: say so again
        return True
    if topic in INFORMATION_TOPICS:
        d.say(d.text("next_step_person", topic=d.text(f"topic_{topic}")), [d.person_button(), d.back_button()])
        return True
    return False


def clarify_or_answer(d: Dialogue) -> bool:
    """Ask "Do you mean ...?" when the classifier hesitates between two topics; True if asked."""
    topics = ambiguous_topics(d)
    if topics is None or set(topics) & set(d.turn.other_requests):
        return False  # "papers to work and a hospital" asks for both: answer one and offer the other
    if current_topic(d) in topics and len(words(d.turn.text)) < STORY_WORDS:
        followup(d)  # "the cheapest?" right after the money answer: that topic, not "Do you mean money or health?"
        return True
    if len(words(d.turn.text)) >= STORY_WORDS and d.turn.intent == topics[0]:
        # someone who wrote a long story gets an answer now, and the other topic one number away after it
        d.set(Slot.ALSO_ASKED, topics[1])
        return False
    note_places(d, topics[0])  # "Estou em Boa Vista, como tiro o CPF?": the city is kept whichever is chosen
    ask_which_topic(d, topics)
    return True


def second_request(d: Dialogue) -> str | None:
    """The other topic of a message that joins two requests, once the first is answered; else None.

    "necesito papeles para trabajar y para el hospital": work is answered, and health must not be lost. The
    NLU classifies the parts between "and / y / e / et / ak / epi / also" and leaves out the parts that only
    say who or where the person is (``Turn.other_requests``, :mod:`bot.joined_requests`).
    """
    for topic in d.turn.other_requests:
        if topic in INFORMATION_TOPICS and topic != d.turn.intent:
            return topic
    return None


def remember_second_request(d: Dialogue) -> None:
    """Keep the other topic of a joined message: :func:`answer_topic` offers it after the first answer ("You also
    asked about another topic: 1. Health"), also when that answer first waits for the country."""
    topic = second_request(d)
    if topic is not None:
        d.set(Slot.ALSO_ASKED, topic)
