"""Short messages that carry the conversation on, whatever the classifier made of them (issue 9).

Runs before every action (``actions.base``). Right after an emergency, or right after harm told inside a
question, "help", "I'm scared", "I don't know where we are", "what do I do?" or "more" are still the
emergency: the numbers, the person coming and the advice again, never the menu or a shelter list; a missing
relative's nationality brings that country's consulates. Right after an offer check, "it's urgent, pay today"
is one more warning sign. Right after an answer, "more" asks for the whole answer (not "goodbye": "plus" is
also French for "see you"), "where do I go?" for its places, "and if I don't have a CURP?" / "what papers?"
/ "how much?" for its lines about that, "with my 2 children" is noted with the places again, and "I don't
understand" gets a person who can explain, not the menu.
"""

from __future__ import annotations

from bot.conversation import context, nearby, safety
from bot.conversation.dialogue import Dialogue
from bot.conversation.vocabulary import (
    CHECK_OFFER,
    EMERGENCY_TOPICS,
    INFORMATION_TOPICS,
    REPORT_EMERGENCY,
    UNSURE_BELOW,
    Slot,
)
from bot.danger_words import FAMILY_WORDS, describes_harm_now, looks_like_emergency
from bot.gazetteer import CAME_FROM_KEY
from bot.text import contains_phrase, opens_with, words

# Intents that always do what they say, whatever was said before.
OWN_WAY_INTENTS = frozenset(
    {"request_human", "delete_my_data", "set_language", "share_location", "choose_option", REPORT_EMERGENCY}
)
SHORT_MESSAGE_WORDS = 8
# Words that ask for the menu itself (folded): after an emergency they still get the menu.
MENU_WORDS = frozenset({"menu", "meni", "inicio", "start", "volver", "voltar", "retour", "accueil", "home", "0"})
UNPLACED_INTENTS = frozenset({"main_menu", "nlu_fallback"})
ASK_MISSING_PERSON = "ask_missing_person"
WHERE_TO_GO_WORDS = 6  # "where do I go for that?"; a longer message says more ("where do I go to cross?")
FOLLOWUP_WORDS = 5  # "what documents do I need?", "how much is it?"; "papers to work in Chile" names its topic
# Where "documents", "how much" or "how long" alone pull a message that follows an answer
PULLED_BY_FOLLOWUP_WORDS = frozenset(
    {
        "ask_documents",
        "ask_regularization",  # "quels papiers ?": "papers" is also the word for a residence status
        "ask_remittances",
        "ask_followup",
        "nlu_fallback",
        "main_menu",
        "greet",
        "affirm",
        "deny",
    }
)

# "Help!" (folded words)
HELP_NOW = (
    ("help",),
    ("help", "me"),
    ("ayuda",),
    ("ayudame",),
    ("ayudenme",),
    ("auxilio",),
    ("socorro",),
    ("ajuda",),
    ("me", "ajuda"),
    ("au", "secours"),
    ("aidez", "moi"),
    ("aide", "moi"),
    ("anmwe",),
    ("ede", "m"),
    ("ede", "mwen"),
    ("sekou",),
    # "I'm scared"
    ("tengo", "miedo"),
    ("tenemos", "miedo"),
    ("tenho", "medo"),
    ("estou", "com", "medo"),
    ("im", "scared"),
    ("i", "m", "scared"),
    ("i", "am", "scared"),
    ("afraid",),
    ("j", "ai", "peur"),
    ("on", "a", "peur"),
    ("m", "pe"),
    ("mwen", "pe"),
    ("nou", "pe"),
)
# "I don't know where we are"
WHERE_UNKNOWN = (
    ("dont", "know", "where"),
    ("don", "t", "know", "where"),
    ("no", "se", "donde"),
    ("no", "sabemos", "donde"),
    ("nao", "sei", "onde"),
    ("nao", "sabemos", "onde"),
    ("sais", "pas", "ou"),
    ("savons", "pas", "ou"),
    ("pa", "konn", "ki", "kote"),
    ("pa", "konnen", "ki", "kote"),
)
# "I don't understand"
NOT_UNDERSTOOD = (
    ("dont", "understand"),
    ("don", "t", "understand"),
    ("didnt", "understand"),
    ("didn", "t", "understand"),
    ("no", "entiendo"),
    ("no", "entendi"),
    ("no", "comprendo"),
    ("nao", "entendi"),
    ("nao", "entendo"),
    ("nao", "compreendi"),
    ("comprends", "pas"),
    ("compris", "pas"),
    ("pa", "konprann"),
    ("pa", "konpran"),
)
# "Where do I go?" right after an answer: the places of that topic (not the route topic)
WHERE_TO_GO = (
    ("where", "do", "i", "go"),
    ("where", "should", "i", "go"),
    ("where", "can", "i", "go"),
    ("where", "to", "go"),
    ("a", "donde", "voy"),
    ("adonde", "voy"),
    ("donde", "voy"),
    ("a", "donde", "ir"),
    ("donde", "ir"),
    ("onde", "ir"),
    ("onde", "vou"),
    ("ou", "aller"),
    ("ou", "je", "vais"),
    ("ou", "dois", "je", "aller"),
    ("ki", "kote", "pou", "m", "ale"),
    ("kote", "pou", "m", "ale"),
    ("ki", "bo", "pou", "m", "ale"),
)
# "and if I don't have a CURP?" right after an answer: what the answer says about papers
WITHOUT_PAPERS_OPENERS = (
    ("y", "si", "no", "tengo"),
    ("y", "si", "no", "tenemos"),
    ("and", "if", "i", "don", "t", "have"),
    ("and", "if", "i", "dont", "have"),
    ("what", "if", "i", "don", "t", "have"),
    ("what", "if", "i", "dont", "have"),
    ("e", "se", "eu", "nao", "tenho"),
    ("e", "se", "nao", "tenho"),
    ("et", "si", "je", "n", "ai", "pas"),
    ("et", "si", "j", "ai", "pas"),
    ("e", "si", "m", "pa", "gen"),
    ("e", "si", "mwen", "pa", "gen"),
)
# "It's urgent", "today", "pay now" after an offer check (folded words)
URGENCY_WORDS = frozenset(
    {
        "urgent",
        "urgente",
        "urgencia",
        "urgence",
        "ijan",
        "today",
        "hoy",
        "hoje",
        "aujourd",
        "jodi",
        "now",
        "ahora",
        "agora",
        "maintenant",
        "kounye",
        "rapido",
        "quick",
        "vite",
        "fast",
        "rapid",
        "pressa",
        "prisa",
    }
)
# "More", "more information", as a whole message
MORE = frozenset(
    {
        ("more",),
        ("more", "info"),
        ("more", "information"),
        ("tell", "me", "more"),
        ("mas",),
        ("mas", "info"),
        ("mas", "informacion"),
        ("dime", "mas"),
        ("mais",),
        ("mais", "info"),
        ("mais", "informacoes"),
        ("quero", "saber", "mais"),
        ("plus",),
        ("plus", "d", "infos"),
        ("en", "savoir", "plus"),
        ("plis",),
        ("plis", "enfomasyon"),
        ("anplis",),
    }
)


def continue_thread(d: Dialogue) -> bool:
    """Answer a short message that continues the conversation; True when it did."""
    topic = d.slot(Slot.LAST_TOPIC)
    tokens = words(d.turn.text)
    if not topic or not tokens or d.turn.harm_now:
        return False  # harm told now already got the numbers first (safety.harm_first)
    if len(tokens) > SHORT_MESSAGE_WORDS:
        # a long message says what it needs; after an emergency, one nobody could place is still the emergency
        return topic in EMERGENCY_TOPICS and _unplaced(d, tokens) and _still_the_emergency(d, topic, tokens)
    pressed = URGENCY_WORDS & set(tokens) and not looks_like_emergency(d.turn.text)
    if topic == CHECK_OFFER and pressed and d.turn.intent not in ("request_human", "delete_my_data"):
        # "they say it's urgent, I must pay today" after an offer check: pressure is itself a warning sign (the
        # classifier may read "urgent" as an emergency)
        d.say(d.text("offer_pressure").strip(), [d.person_button()])
        return True
    if d.turn.intent in OWN_WAY_INTENTS:
        return False
    if topic in EMERGENCY_TOPICS:
        return _still_the_emergency(d, topic, tokens)
    if describes_harm_now(d.turn.previous_text):
        # "the owner keeps my passport and locks the door" answered, then "I'm scared": still the danger
        return _still_the_emergency(d, REPORT_EMERGENCY, tokens)
    if topic in INFORMATION_TOPICS:
        return _after_an_answer(d, topic, tokens)
    return False


def _after_an_answer(d: Dialogue, topic: str, tokens: list[str]) -> bool:
    if tuple(tokens) in MORE:
        context.followup(d)  # the whole answer of the topic, same country
        return True
    if len(tokens) <= WHERE_TO_GO_WORDS and contains_phrase(tokens, WHERE_TO_GO):
        context.places_for_topic(d)
        return True
    if opens_with(d.turn.text, WITHOUT_PAPERS_OPENERS):
        context.followup(d, kind="documents")  # "y si no tengo CURP?" after health: the health answer's papers
        return True
    if (
        len(tokens) <= FOLLOWUP_WORDS
        and FAMILY_WORDS & set(tokens)
        and (
            d.turn.intent in PULLED_BY_FOLLOWUP_WORDS
            or d.turn.intent in ("inform", topic)
            or (d.turn.confidence or 0.0) < UNSURE_BELOW
        )
    ):
        # "with my 2 children" after a shelter answer: noted, and the places again
        d.say(d.text("noted_with_family"))
        context.places_for_topic(d)
        return True
    if (
        len(tokens) <= FOLLOWUP_WORDS
        and d.turn.intent in PULLED_BY_FOLLOWUP_WORDS
        and d.turn.intent != topic
        and context.followup_kind(d.turn.text) != "general"
    ):
        context.followup(d)  # "q documentos necesito" after asylum: the asylum answer's documents
        return True
    if contains_phrase(tokens, NOT_UNDERSTOOD):
        d.say(d.text("explain_with_person", topic=d.text(f"topic_{topic}")), [d.person_button(), d.back_button()])
        return True
    return False


def _unplaced(d: Dialogue, tokens: list[str]) -> bool:
    """ "estoy asustada": not understood, or taken for the menu with little confidence ("menu" is the menu)."""
    unsure = d.turn.intent in UNPLACED_INTENTS and (d.turn.confidence or 0.0) < UNSURE_BELOW
    return unsure and not MENU_WORDS & set(tokens)


def _origin_named(d: Dialogue) -> str | None:
    """The country a short message says someone is from ("he is from Guatemala", "es guatemalteco")."""
    for entity in d.turn.entities_named("nationality"):
        return str(entity.get("value"))
    for entity in d.turn.entities_named("country"):
        if entity.get(CAME_FROM_KEY):
            return str(entity.get("value"))
    return None


def _still_the_emergency(d: Dialogue, topic: str, tokens: list[str]) -> bool:
    origin = _origin_named(d) if topic == ASK_MISSING_PERSON else None
    if origin:
        # "my brother disappeared" then "he is from Guatemala": that country's consulates can help search
        d.set(Slot.NATIONALITY, origin)
        d.say(d.text("missing_person_consulate", country=d.content.country_name(origin, d.language)))
        nearby.say_places_asked_for(d, "ask_consulate")
        return True
    if contains_phrase(tokens, WHERE_UNKNOWN):
        d.say(d.text("emergency_where_unknown"))
        safety.emergency(d, topic)
        return True
    asks_again = contains_phrase(tokens, HELP_NOW) or contains_phrase(tokens, NOT_UNDERSTOOD) or tuple(tokens) in MORE
    if asks_again or context.asks_what_now(d.turn.text) or _unplaced(d, tokens):
        safety.emergency(d, topic)
        return True
    return False
