""" "Is this a scam?": checking a job, travel or papers offer the person pasted or forwarded.

The bot asks for the offer when the person only asked, checks it with :mod:`bot.offers`, quotes each
warning sign, says what it means and what to do, names whom to call and offers a person. It never says
an offer is safe. The pasted text is not kept: only the flag ids go into a slot, and the tracker store
blanks the message itself (:func:`bot.tracker_store.redact_offer_texts`).
"""

from __future__ import annotations

import logging

from bot import offers
from bot.content.models import Kind
from bot.conversation.dialogue import Dialogue
from bot.conversation.vocabulary import (
    CHECK_OFFER,
    EMERGENCY_TOPICS,
    OFFER_INTERRUPTIONS,
    REQUEST_HUMAN,
    Meta,
    Slot,
)
from bot.language import translated

logger = logging.getLogger(__name__)

# A message this long is an offer in itself, not just a question about one.
OFFER_MIN_WORDS = 14
# After the bot asked for the offer, a shorter message is enough (people paste short offers too).
RESUMED_MIN_WORDS = 6


def is_forwarded(d: Dialogue) -> bool:
    """The channel marked the message as forwarded (WhatsApp ``Forwarded``, Telegram ``forward_origin``)."""
    return bool(d.turn.metadata.get(Meta.FORWARDED))


def check_offer(d: Dialogue) -> None:
    """``check_offer``: check what was pasted, or ask for it when the person only asked."""
    text = d.turn.text or ""
    result = _safe_check(text)
    if result is None:
        _advice_only(d)
    elif _is_an_offer(d, result, OFFER_MIN_WORDS):
        answer(d, result)
    elif d.slot(Slot.LAST_TOPIC) == CHECK_OFFER and d.slot(Slot.OFFER_FLAGS):
        _recall_last_check(d)  # "is it a scam?" right after the check: what was found, not "paste it"
    elif (earlier := _earlier_offer(d)) is not None:
        answer(d, earlier)  # the offer was the message before, answered as a question: check it now
    else:
        d.set(Slot.AWAITING_OFFER, True)
        d.say(d.text("offer_ask_paste"), [d.back_button()])


def _earlier_offer(d: Dialogue) -> offers.OfferCheck | None:
    """The check of the person's previous message, when it shows warning signs (else None: "paste it")."""
    if not d.turn.previous_text:
        return None
    result = _safe_check(d.turn.previous_text)
    return result if result is not None and result.level is not offers.OfferLevel.none_found else None


def _recall_last_check(d: Dialogue) -> None:
    """The verdict on the offer just checked, from the flag ids kept in ``offer_flags`` (the text is not kept)."""
    ids = set(str(d.slot(Slot.OFFER_FLAGS)).split(","))
    try:
        severities = [i.severity for i in offers.checker().indicators if i.id in ids]
    except (OSError, ValueError):
        logger.exception("the offer indicators could not be loaded")
        _advice_only(d)
        return
    level = offers.level_of(severities)
    if level is offers.OfferLevel.none_found:
        d.say(d.text("offer_none_found") + "\n" + d.text("offer_what_to_do").strip())
    else:
        d.say(d.text(f"offer_level_{level.value}"), [d.person_button()])


def resume_offer_check(d: Dialogue) -> bool:
    """After "paste the message", the next message is the offer, whatever the classifier made of it; so is
    a message the channel marked as forwarded.

    Danger, a request for a person, menus and "delete my data" still go first.
    """
    forwarded = is_forwarded(d) and d.turn.intent != CHECK_OFFER  # check_offer's own action handles it
    if not (d.slot(Slot.AWAITING_OFFER) or forwarded):
        return False
    intent = d.turn.intent
    if intent in EMERGENCY_TOPICS or intent == REQUEST_HUMAN or intent in OFFER_INTERRUPTIONS:
        d.set(Slot.AWAITING_OFFER, None)
        return False
    d.set(Slot.AWAITING_OFFER, None)
    result = _safe_check(d.turn.text or "")
    if result is None:
        _advice_only(d)
        return True
    if not _is_an_offer(d, result, RESUMED_MIN_WORDS):  # "ok", "gracias": not the offer; carry on as usual
        return False
    answer(d, result)
    return True


def _is_an_offer(d: Dialogue, result: offers.OfferCheck, min_words: int) -> bool:
    return result.level is not offers.OfferLevel.none_found or is_forwarded(d) or len(d.turn.text.split()) >= min_words


def _advice_only(d: Dialogue) -> None:
    """The indicator list is unreadable: still give the checks to make and a person, never "nothing found"."""
    d.set(Slot.AWAITING_OFFER, None)
    d.say(d.text("offer_what_to_do").strip(), [d.person_button()])


def answer(d: Dialogue, result: offers.OfferCheck) -> None:
    """The warning signs quoted, what each means, what to do, whom to call, and a person."""
    d.set(Slot.AWAITING_OFFER, None)
    d.set(Slot.LAST_TOPIC, CHECK_OFFER)
    d.set(Slot.OFFER_FLAGS, ",".join(flag.id for flag in result.flags) or offers.OfferLevel.none_found.value)
    lines: list[str] = []
    if result.level is offers.OfferLevel.none_found:
        lines.append(d.text("offer_none_found"))
    else:
        lines.append(d.text(f"offer_level_{result.level.value}"))
        lines.append("")
        lines.append(d.text("offer_found_header"))
        for quote, explanation in result.explanations(d.language):
            lines.append(d.text("offer_flag", quote=quote, explanation=explanation))
    lines.append("")
    lines.append(d.text("offer_what_to_do").strip())
    numbers = _numbers_to_call(d)
    if numbers:
        lines.append("")
        lines.append(d.text("offer_whom_to_call", numbers=numbers))
    lines.append("")
    lines.append(d.text("offer_not_kept"))
    d.say("\n".join(lines), [d.person_button(), d.back_button()])


def _numbers_to_call(d: Dialogue) -> str:
    """Hotlines (trafficking, violence) of the person's country first, then its emergency numbers."""
    numbers = d.content.emergency_numbers(d.slot(Slot.COUNTRY))
    if not numbers:
        numbers = list(d.content.emergency.regional)
    hotlines = [n for n in numbers if n.kind is Kind.hotline]
    chosen = (hotlines + [n for n in numbers if n not in hotlines])[:3]
    return "; ".join(f"{n.number or n.url} ({translated(n.label, d.language)})" for n in chosen)


def _safe_check(text: str) -> offers.OfferCheck | None:
    """The check, or None when the indicator list cannot be read (the content check reports why)."""
    try:
        return offers.check(text)
    except (OSError, ValueError):
        logger.exception("the offer indicators could not be loaded")
        return None
