"""The words the conversation is made of: slot names, hand-off states and reasons, topic groups, metadata keys.

Slot names must match ``domain.yml``; every module reads them from here, never as raw strings.
"""

from __future__ import annotations

from typing import Final


class Slot:
    """Names of the slots in ``domain.yml``."""

    LANGUAGE: Final = "language"
    REPLY_LANGUAGE: Final = "reply_language"  # the last reply's, while ``language`` is not known yet
    COUNTRY: Final = "country"  # where the person is
    CITY: Final = "city"
    NATIONALITY: Final = "nationality"
    MENU: Final = "menu"  # which numbered menu is on screen ("main", "stage:<id>", "language", "country")
    PENDING_TOPIC: Final = "pending_topic"  # asked, waiting for the country
    PENDING_CONFIRMATION: Final = "pending_confirmation"
    ALSO_ASKED: Final = "also_asked"  # the other request of a joined message, offered after the first's answer
    LAST_TOPIC: Final = "last_topic"  # what the user last asked about (a shared location answers it with places)
    FALLBACK_COUNT: Final = "fallback_count"
    HANDOFF: Final = "handoff"  # a :class:`Handoff` state, or None
    HANDOFF_REASON: Final = "handoff_reason"  # a :class:`HandoffReason`
    HANDOFF_REQUESTED_AT: Final = "handoff_requested_at"
    ERASE_REQUESTED: Final = "erase_requested"
    AWAITING_OFFER: Final = "awaiting_offer"  # asked "paste the offer": the next message is checked
    OFFER_FLAGS: Final = "offer_flags"  # ids of the warning signs found last time (never the offer's text)


class Handoff:
    """Values of the ``handoff`` slot."""

    REQUESTED: Final = "requested"  # waiting for a person
    ACTIVE: Final = "active"  # a person holds the conversation: the bot is silent


HANDOFF_OPEN_STATES: Final = (Handoff.REQUESTED, Handoff.ACTIVE)


class HandoffReason:
    """Values of the ``handoff_reason`` slot."""

    REQUEST: Final = "request"  # the person asked
    EMERGENCY: Final = "emergency"
    MISSING_PERSON: Final = "missing_person"
    FALLBACKS: Final = "fallbacks"  # too many misunderstandings


URGENT_REASONS: Final = (HandoffReason.EMERGENCY, HandoffReason.MISSING_PERSON)


class Menu:
    """Values of the ``menu`` slot (``stage:<id>`` for a stage's topics)."""

    MAIN: Final = "main"
    LANGUAGE: Final = "language"
    COUNTRY: Final = "country"
    NATIONALITY: Final = "nationality"  # "which country's consulate?"
    STAGE_PREFIX: Final = "stage:"
    # "Do you mean 1 ... 2 ...?": ``disambiguation:ask_work,ask_rights`` (the topics in the order shown)
    DISAMBIGUATION_PREFIX: Final = "disambiguation:"


class Confirmation:
    """Values of the ``pending_confirmation`` slot."""

    DELETE_DATA: Final = "delete_data"


# Intents that are emergencies: numbers and a person first.
REPORT_EMERGENCY: Final = "report_emergency"
ASK_HEALTH: Final = "ask_health"  # where a medical emergency goes on, after the numbers
EMERGENCY_TOPICS: Final = (REPORT_EMERGENCY, "ask_missing_person")
# For these topics a country named in the message is the user's nationality, not where they are.
NATIONALITY_TOPICS: Final = ("ask_consulate", "ask_documents", "ask_return")
# The information topics (answered from content/topics/): the only intents "Do you mean 1 ... 2 ...?" offers.
INFORMATION_TOPICS: Final = (
    "ask_consulate",
    "ask_shelter",
    "ask_route",
    "ask_regularization",
    "ask_asylum",
    "ask_documents",
    "ask_work",
    "ask_health",
    "ask_education",
    "ask_rights",
    "ask_return",
    "ask_remittances",
)
REQUEST_HUMAN: Final = "request_human"
INFORM: Final = "inform"  # only new information: where the person is, their nationality, "and in Peru?"
ASK_NEARBY: Final = "ask_nearby"  # "where is the nearest one?": places of the current topic
ASK_FOLLOWUP: Final = "ask_followup"  # "how much does it cost?": the current topic again
NLU_FALLBACK: Final = "nlu_fallback"
# Two topics are too close to pick one when the best is below AMBIGUOUS_BELOW and the second is within
# AMBIGUITY_MARGIN of it: the bot asks "Do you mean 1 ... 2 ...?" instead of guessing.
# Below this confidence the classifier is unsure: context may decide ("what do I do?", two topics close).
UNSURE_BELOW: Final = 0.5
AMBIGUOUS_BELOW: Final = UNSURE_BELOW
AMBIGUITY_MARGIN: Final = 0.2
# How a greeting opens, folded: "hola, estoy en Colombia" also gets the introduction
GREETING_WORDS: Final = frozenset(
    {"hola", "buenas", "buenos", "hi", "hello", "hey", "oi", "ola", "bom", "boa", "bonjour", "bonsoir", "salut"}
    | {"bonjou", "bonswa", "alo", "allo"}
)
# A story this long is not met with a question: the first topic is answered and the second offered after it.
STORY_WORDS: Final = 25
CHECK_OFFER: Final = "check_offer"
# While the bot waits for a pasted offer, these intents still mean what they say.
OFFER_INTERRUPTIONS: Final = (
    "main_menu",
    "choose_option",
    "set_language",
    "delete_my_data",
    "greet",
    "goodbye",
    "thank",
    "deny",
    "share_location",
)
# The corridor's main nationalities, offered as numbered choices when a consulate is asked for.
CONSULATE_NATIONALITIES: Final = ("VE", "CO", "HT", "HN", "GT", "SV", "NI", "CU", "EC")
SHARE_LOCATION: Final = "share_location"
FALLBACKS_BEFORE_HANDOFF: Final = 3


class Meta:
    """Keys of ``UserMessage.metadata`` (set by the channels) and of bot-event metadata (set by the desk)."""

    LANGUAGE_HINT: Final = "language_hint"  # the channel's guess (browser, Telegram client language)
    DISPLAY_TEXT: Final = "display_text"  # what the web chat showed for a tapped button
    MEDIA: Final = "media"  # kinds of media received without text
    EDITED: Final = "edited"  # Telegram: an edited message
    LOCATION: Final = "location"
    FORWARDED: Final = "forwarded"  # the channel marked the message as forwarded from someone else
    DESK: Final = "brujula_desk"  # our entry in an event's metadata (hand-off messages and marks)
