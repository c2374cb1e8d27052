"""Moving through the conversation: numbers typed on a menu, resuming a question, and not being understood."""

from __future__ import annotations

from bot.content import gaps
from bot.conversation import nearby
from bot.conversation.dialogue import Dialogue
from bot.conversation.menus import main_menu, offered_topics, repeat_menu, show_stage, switch_language
from bot.conversation.safety import emergency, queue_for_human, request_human
from bot.conversation.topics import answer_topic
from bot.conversation.vocabulary import (
    EMERGENCY_TOPICS,
    FALLBACKS_BEFORE_HANDOFF,
    REQUEST_HUMAN,
    HandoffReason,
    Menu,
    Slot,
)
from bot.gazetteer import entity_spans, nothing_but_places
from bot.input_check import InputProblem
from bot.language import LANGUAGE_NAMES


def run_topic(d: Dialogue, topic: str) -> None:
    """Answer ``topic`` as if the user had asked for it (menus and resumed questions use this)."""
    if topic == REQUEST_HUMAN:
        request_human(d)
    elif topic in EMERGENCY_TOPICS:
        emergency(d, topic)
    else:
        answer_topic(d, topic)


def choose_option(d: Dialogue) -> None:
    """A number typed or tapped: its meaning depends on the menu on screen."""
    option = d.turn.entity("option")
    value = str(option["value"]) if option else ""
    number = int(value) if value.isdigit() else -1
    menu = d.slot(Slot.MENU) or Menu.MAIN
    if number == 0:
        main_menu(d)
        return
    if menu == Menu.MAIN:
        stages = d.content.menu.stages
        if 1 <= number <= len(stages):
            show_stage(d, number - 1)
            return
    elif menu.startswith(Menu.STAGE_PREFIX):
        stage_id = menu.split(":", 1)[1]
        stage = next((s for s in d.content.menu.stages if s.id == stage_id), None)
        if stage and 1 <= number <= len(stage.topics):
            run_topic(d, stage.topics[number - 1])
            return
    elif menu.startswith(Menu.DISAMBIGUATION_PREFIX):
        topics = offered_topics(d)
        if 1 <= number <= len(topics):
            run_topic(d, topics[number - 1])
            return
    elif menu == Menu.LANGUAGE:
        codes = list(LANGUAGE_NAMES)
        if 1 <= number <= len(codes):
            switch_language(d, codes[number - 1])
            return
    elif menu == Menu.NATIONALITY:
        if nearby.nationality_chosen(d, number):
            return
    elif menu == Menu.COUNTRY:
        codes = d.content.menu.countries
        if 1 <= number <= len(codes):
            d.set(Slot.COUNTRY, codes[number - 1])
            pending = d.slot(Slot.PENDING_TOPIC)
            d.set(Slot.PENDING_TOPIC, None)
            if pending:
                run_topic(d, pending)
            else:
                main_menu(d)
            return
    d.say(d.text("invalid_option", number=number))
    if menu == Menu.NATIONALITY:
        nearby.ask_nationality(d)
    else:
        repeat_menu(d, menu)


def resume_pending_topic(d: Dialogue) -> bool:
    """When the bot asked where the user is, a reply that is only a place answers that question."""
    pending = d.slot(Slot.PENDING_TOPIC)
    if not pending:
        return False
    places = [e for e in d.turn.entities if e.get("entity") in ("country", "city")]
    if not places:
        return False
    if not nothing_but_places(d.turn.text, entity_spans(places, ("country", "city"))):
        return False
    first = places[0]
    d.set(Slot.COUNTRY, first.get("country") or first.get("value"))
    if first.get("entity") == "city":
        d.set(Slot.CITY, first.get("value"))
    d.set(Slot.PENDING_TOPIC, None)
    run_topic(d, pending)
    return True


_PROBLEM_TEXT = {
    InputProblem.EMPTY.value: "empty_message",
    InputProblem.UNREADABLE.value: "unreadable",
    InputProblem.EMOJI_ONLY.value: "emoji_only",
}


def fallback(d: Dialogue) -> None:
    """Not understood: say so plainly, offer a person, and queue for one after three misunderstandings."""
    problem = d.turn.input_problem
    if problem == InputProblem.UNSUPPORTED_LANGUAGE.value:
        d.say(d.text("unsupported_language"), d.numbered(list(LANGUAGE_NAMES.values())))
        d.set(Slot.MENU, Menu.LANGUAGE)
        return
    if problem in _PROBLEM_TEXT:
        d.say(d.text(_PROBLEM_TEXT[problem]))
        main_menu(d)
        return
    count = int(d.slot(Slot.FALLBACK_COUNT) or 0) + 1
    d.set(Slot.FALLBACK_COUNT, count)
    gaps.record(d.turn.text, d.language)  # what people ask that we cannot answer yet; no sender id
    d.say(d.text("fallback"), [d.person_button()])
    main_menu(d)
    if count >= FALLBACKS_BEFORE_HANDOFF:
        queue_for_human(d, reason=HandoffReason.FALLBACKS)
