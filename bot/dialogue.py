"""What the bot says, as plain Python: the Rasa actions, the CLI and the tests all call this.

A :class:`Dialogue` is built from one user turn (intent, entities, text, detected language and the
current slots). Feature functions (:func:`greet`, :func:`answer_topic`, ...) add messages and slot
changes to it; :meth:`Dialogue.reply` returns them. Nothing here talks to Rasa or the network.
"""

from __future__ import annotations

import time
from dataclasses import dataclass, field
from datetime import date
from typing import Any, Mapping, Sequence

from bot import language as lang_id
from bot import places as nearby_places
from bot.content import Answer, Content, gaps
from bot.content.models import EmergencyNumber
from bot.input_check import InputProblem
from bot.language import LANGUAGE_NAMES
from bot.text import words

EMERGENCY_TOPICS = ("report_emergency", "ask_missing_person")
# For these topics a country named in the message is the user's nationality, not where they are.
NATIONALITY_TOPICS = ("ask_consulate", "ask_documents", "ask_return")
FALLBACKS_BEFORE_HANDOFF = 3

# Slot names (see domain.yml).
LANGUAGE, COUNTRY, CITY, NATIONALITY = "language", "country", "city", "nationality"
MENU, PENDING_TOPIC, PENDING_CONFIRMATION = "menu", "pending_topic", "pending_confirmation"
FALLBACK_COUNT, HANDOFF, HANDOFF_REASON, HANDOFF_REQUESTED_AT = (
    "fallback_count", "handoff", "handoff_reason", "handoff_requested_at",
)
ERASE_REQUESTED = "erase_requested"
LAST_TOPIC = "last_topic"  # what the user last asked about (a shared location answers it with places)

# How people name each language when asking to switch (accent-free, lower-case words).
LANGUAGE_WORDS = {
    "es": {"espanol", "spanish", "castellano", "espagnol", "espanyol", "panyol", "espanhol"},
    "en": {"english", "ingles", "anglais", "angle", "angles", "englis", "inglish"},
    "pt": {"portugues", "portuguese", "portugais", "potige", "portuges", "portugueis"},
    "fr": {"francais", "french", "frances", "franses", "franse", "franceis"},
    "ht": {"kreyol", "creole", "criollo", "creol", "kreol", "ayisyen", "haitiano", "haitian", "crioulo", "kreyole"},
}
# Words that may surround a place name in a one-line answer such as "estoy en Perú".
_LOCATION_FILLER = {
    "estoy", "en", "aqui", "vivo", "soy", "de", "i", "am", "im", "in", "the", "live", "from", "eu", "to", "estou",
    "moro",
    "no", "na", "em", "je", "suis", "au", "a", "j", "habite", "mwen", "m", "nan", "ye", "lan", "la", "peyi", "pais",
    "country", "ahora", "now", "agora", "kounye", "maintenant", "el", "ma",
}


@dataclass(frozen=True)
class Button:
    title: str
    payload: str


@dataclass
class BotMessage:
    text: str
    buttons: list[Button] = field(default_factory=list)

    def as_dict(self) -> dict[str, Any]:
        data: dict[str, Any] = {"text": self.text}
        if self.buttons:
            data["buttons"] = [{"title": b.title, "payload": b.payload} for b in self.buttons]
        return data


@dataclass(frozen=True)
class Turn:
    """One user message as the NLU understood it, plus the conversation's slots."""

    intent: str
    text: str = ""
    entities: Sequence[Mapping[str, Any]] = ()
    detection: lang_id.Detection | None = None
    input_problem: str | None = None
    slots: Mapping[str, Any] = field(default_factory=dict)
    language_hint: str | None = None
    metadata: Mapping[str, Any] = field(default_factory=dict)

    def entity(self, name: str) -> Mapping[str, Any] | None:
        for entity in self.entities:
            if entity.get("entity") == name:
                return entity
        return None


@dataclass
class Reply:
    messages: list[BotMessage]
    slots: dict[str, Any]


class Dialogue:
    """Collects what the bot says for one turn, in the conversation language."""

    def __init__(self, turn: Turn, content: Content, today: date | None = None) -> None:
        self.turn, self.content = turn, content
        self.today = today or date.today()
        self.messages: list[BotMessage] = []
        self.slot_changes: dict[str, Any] = {}
        current = turn.slots.get(LANGUAGE)
        updated = lang_id.next_conversation_language(current, turn.detection)
        if updated != current:
            self.set(LANGUAGE, updated)
        self.language = lang_id.reply_language(updated, turn.detection, turn.language_hint)

    # -- building blocks ---------------------------------------------------------------------
    def slot(self, name: str) -> Any:
        return self.slot_changes.get(name, self.turn.slots.get(name))

    def set(self, name: str, value: Any) -> None:
        self.slot_changes[name] = value

    def text(self, key: str, **values: Any) -> str:
        return self.content.text(key, self.language, **values)

    def say(self, text: str, buttons: Sequence[Button] = ()) -> None:
        self.messages.append(BotMessage(text, list(buttons)))

    def reply(self) -> Reply:
        return Reply(self.messages, self.slot_changes)

    def numbered(self, titles: Sequence[str], first: int = 1) -> list[Button]:
        return [Button(f"{number} · {title}", str(number)) for number, title in enumerate(titles, start=first)]

    def back_button(self) -> Button:
        return Button(f"0 · {self.text('back_to_menu')}", "0")

    def sourced(self, answer: Answer) -> str:
        """An answer's text followed by its source and review date, and a caution when needed."""
        parts = [answer.text.strip()]
        if not answer.translated:
            parts.insert(0, self.text("not_translated"))
        parts.append(self.source_line([answer.item]))
        return "\n\n".join(parts)

    def source_line(self, items: Sequence[Any]) -> str:
        sources = list(dict.fromkeys(item.source for item in items))
        oldest = min(item.last_reviewed for item in items)
        line = self.text("source_line", source=", ".join(sources), date=oldest.isoformat())
        if not all(item.is_reviewed for item in items):
            line += "\n" + self.text("unreviewed_warning")
        if any(item.is_stale(self.today) for item in items):
            line += "\n" + self.text("stale_warning")
        return line


# -- menus -------------------------------------------------------------------------------------
def main_menu(d: Dialogue) -> None:
    stages = d.content.menu.stages
    titles = [stage.title.get(d.language) or stage.title["es"] for stage in stages]
    d.say(d.text("main_menu_title"), d.numbered(titles))
    d.set(MENU, "main")
    d.set(PENDING_TOPIC, None)


def show_stage(d: Dialogue, index: int) -> None:
    stage = d.content.menu.stages[index]
    title = stage.title.get(d.language) or stage.title["es"]
    buttons = [d.back_button(), *d.numbered([d.text(f"topic_{topic}") for topic in stage.topics])]
    d.say(d.text("stage_menu_title", stage=title), buttons)
    d.set(MENU, f"stage:{stage.id}")


def language_menu(d: Dialogue) -> None:
    d.say(d.text("language_menu"), d.numbered(list(LANGUAGE_NAMES.values())))
    d.set(MENU, "language")


def country_menu(d: Dialogue) -> None:
    codes = d.content.menu.countries
    d.say(d.text("ask_country"), d.numbered([d.content.country_name(code, d.language) for code in codes]))
    d.set(MENU, "country")


# -- conversation features ---------------------------------------------------------------------
def greet(d: Dialogue) -> None:
    d.say(d.text("intro"))
    main_menu(d)


def goodbye(d: Dialogue) -> None:
    d.say(d.text("goodbye"))


def thank(d: Dialogue) -> None:
    d.say(d.text("thanks_reply"), [d.back_button()])


def set_language(d: Dialogue) -> None:
    requested = requested_language(d.turn.text)
    if requested is None:
        language_menu(d)
        return
    switch_language(d, requested)


def requested_language(text: str) -> str | None:
    tokens = set(words(text))
    for code, names in LANGUAGE_WORDS.items():
        if tokens & names:
            return code
    return None


def switch_language(d: Dialogue, code: str) -> None:
    d.set(LANGUAGE, code)
    d.language = code
    d.say(d.text("language_set"))
    main_menu(d)


def choose_option(d: Dialogue) -> None:
    """A number typed or tapped: its meaning depends on the menu on screen."""
    option = d.turn.entity("option")
    value = str(option["value"]) if option else ""
    number = int(value) if value.isdigit() else -1
    menu = d.slot(MENU) or "main"
    if number == 0:
        main_menu(d)
        return
    if menu == "main":
        stages = d.content.menu.stages
        if 1 <= number <= len(stages):
            show_stage(d, number - 1)
            return
    elif menu.startswith("stage:"):
        stage_id = menu.split(":", 1)[1]
        stage = next((s for s in d.content.menu.stages if s.id == stage_id), None)
        if stage and 1 <= number <= len(stage.topics):
            run_topic(d, stage.topics[number - 1])
            return
    elif menu == "language":
        codes = list(LANGUAGE_NAMES)
        if 1 <= number <= len(codes):
            switch_language(d, codes[number - 1])
            return
    elif menu == "country":
        codes = d.content.menu.countries
        if 1 <= number <= len(codes):
            d.set(COUNTRY, codes[number - 1])
            pending = d.slot(PENDING_TOPIC)
            d.set(PENDING_TOPIC, None)
            if pending:
                run_topic(d, pending)
            else:
                main_menu(d)
            return
    d.say(d.text("invalid_option", number=number))
    _repeat_menu(d, menu)


def _repeat_menu(d: Dialogue, menu: str) -> None:
    if menu.startswith("stage:"):
        ids = [s.id for s in d.content.menu.stages]
        stage_id = menu.split(":", 1)[1]
        if stage_id in ids:
            show_stage(d, ids.index(stage_id))
            return
    {"language": language_menu, "country": country_menu}.get(menu, main_menu)(d)


def run_topic(d: Dialogue, topic: str) -> None:
    """Answer ``topic`` as if the user had asked for it (menus and resumed questions use this)."""
    if topic == "request_human":
        request_human(d)
    elif topic in EMERGENCY_TOPICS:
        emergency(d, topic)
    else:
        answer_topic(d, topic)


def _note_places(d: Dialogue, topic: str) -> None:
    """Remember the places named in this message: where the user is, and their nationality."""
    city = d.turn.entity("city")
    country = d.turn.entity("country")
    if city:
        d.set(CITY, city.get("value"))
        d.set(COUNTRY, city.get("country"))
    if country:
        if topic in NATIONALITY_TOPICS:
            d.set(NATIONALITY, country.get("value"))
        elif not city:
            d.set(COUNTRY, country.get("value"))


def answer_topic(d: Dialogue, topic: str) -> None:
    _note_places(d, topic)
    d.set(LAST_TOPIC, topic)
    topic_file = d.content.topics.get(topic)
    if topic_file is None:
        d.say(d.text("no_answer"), [d.back_button()])
        return
    country = d.slot(COUNTRY)
    if topic_file.needs_country and not country:
        d.set(PENDING_TOPIC, topic)
        country_menu(d)
        return
    lookup_country = d.slot(NATIONALITY) if topic == "ask_return" and d.slot(NATIONALITY) else country
    answer = d.content.topic_answer(topic, lookup_country, d.language)
    if answer is None:
        d.say(d.text("no_answer"), [d.back_button()])
        return
    text = d.sourced(answer)
    specific = getattr(answer.item, "country", "*") != "*"
    if lookup_country and not specific and topic_file.needs_country:
        country_name = d.content.country_name(lookup_country, d.language)
        text = d.text("general_answer_for_country", country=country_name) + "\n\n" + text
    d.say(text, [d.back_button()])
    nearby_places.say_nearby(d, topic)
    d.set(PENDING_TOPIC, None)
    d.set(FALLBACK_COUNT, 0)


def emergency_numbers(d: Dialogue) -> None:
    """The numbers to call now: the user's country if known, else the list for the corridor."""
    country = d.slot(COUNTRY)
    numbers = d.content.emergency_numbers(country)
    if numbers:
        lines = [d.text("emergency_intro"), *(_number_line(d, n) for n in numbers)]
        items: list[Any] = list(numbers)
    else:
        lines = [d.text("emergency_intro_corridor")]
        items = []
        for entry in d.content.emergency_countries():
            first = entry.numbers[0]
            lines.append(f"• {d.content.country_name(entry.country, d.language)}: {first.number or first.url}")
            items.append(first)
    for regional in d.content.emergency.regional:
        lines.append(_number_line(d, regional))
        items.append(regional)
    d.say("\n".join(lines) + "\n\n" + d.source_line(items))


def _number_line(d: Dialogue, number: EmergencyNumber) -> str:
    label = number.label.get(d.language) or number.label.get("es", "")
    return f"• {number.number or number.url}: {label}"


def emergency(d: Dialogue, topic: str) -> None:
    """Danger or a missing relative: numbers first, then a person (queued at once), then the advice."""
    _note_places(d, topic)
    d.set(LAST_TOPIC, topic)
    emergency_numbers(d)
    queue_for_human(d, reason="emergency" if topic == "report_emergency" else "missing_person")
    answer = d.content.topic_answer(topic, d.slot(COUNTRY), d.language)
    if answer is not None:
        d.say(d.sourced(answer), [d.back_button()])


def queue_for_human(d: Dialogue, reason: str) -> None:
    """Mark the conversation as waiting for a person (kept in the tracker store as slots).

    Queued without being asked (danger, a missing relative, three misunderstandings), the user is told
    so, with when the desk can answer: nobody should wait for a reply they do not know is coming.
    """
    if d.slot(HANDOFF) in ("requested", "active"):
        return
    d.set(HANDOFF, "requested")
    d.set(HANDOFF_REASON, reason)
    d.set(HANDOFF_REQUESTED_AT, time.time())
    if reason != "request":
        from bot.handoff.notices import availability_text  # the desk's hours and wait belong to the desk

        d.say(d.text("handoff_queued_auto") + " " + availability_text(d.content, d.language))


def request_human(d: Dialogue) -> None:
    """Queue for a person and say what happens next: the desk's hours or wait, and the numbers for now."""
    from bot.handoff.notices import availability_text

    d.say(d.text("human_requested") + "\n\n" + availability_text(d.content, d.language))
    queue_for_human(d, reason="request")
    d.set(PENDING_CONFIRMATION, None)
    emergency_numbers(d)


def fallback(d: Dialogue) -> None:
    problem = d.turn.input_problem
    if problem == InputProblem.UNSUPPORTED_LANGUAGE.value:
        d.say(d.text("unsupported_language"), d.numbered(list(LANGUAGE_NAMES.values())))
        d.set(MENU, "language")
        return
    if problem in (InputProblem.EMPTY.value, InputProblem.UNREADABLE.value, InputProblem.EMOJI_ONLY.value):
        key = {"empty": "empty_message", "unreadable": "unreadable", "emoji_only": "emoji_only"}[problem]
        d.say(d.text(key))
        main_menu(d)
        return
    count = int(d.slot(FALLBACK_COUNT) or 0) + 1
    d.set(FALLBACK_COUNT, count)
    gaps.record(d.turn.text, d.language)  # what people ask that we cannot answer yet; no sender id
    d.say(d.text("fallback"), [Button(d.text("topic_request_human"), "/request_human")])
    main_menu(d)
    if count >= FALLBACKS_BEFORE_HANDOFF:
        queue_for_human(d, reason="fallbacks")


def delete_my_data(d: Dialogue) -> None:
    d.say(d.text("delete_confirm"), [Button("✔", "/affirm"), Button("✘", "/deny")])
    d.set(PENDING_CONFIRMATION, "delete_data")


def affirm(d: Dialogue) -> None:
    pending = d.slot(PENDING_CONFIRMATION)
    d.set(PENDING_CONFIRMATION, None)
    if pending == "delete_data":
        d.say(d.text("delete_done"))
        d.set(ERASE_REQUESTED, True)
    else:
        d.say(d.text("ok_what_next"))
        main_menu(d)


def deny(d: Dialogue) -> None:
    pending = d.slot(PENDING_CONFIRMATION)
    d.set(PENDING_CONFIRMATION, None)
    d.say(d.text("delete_cancelled") if pending == "delete_data" else d.text("ok_what_next"))
    if pending != "delete_data":
        main_menu(d)


def resume_pending_topic(d: Dialogue) -> bool:
    """When the bot asked where the user is, a reply that is only a place answers that question."""
    pending = d.slot(PENDING_TOPIC)
    if not pending:
        return False
    places = [e for e in d.turn.entities if e.get("entity") in ("country", "city")]
    if not places:
        return False
    named = set()
    for place in places:
        named.update(words(str(place.get("text") or "")))
    rest = [w for w in words(d.turn.text) if w not in named and w not in _LOCATION_FILLER]
    if rest:
        return False
    first = places[0]
    d.set(COUNTRY, first.get("country") or first.get("value"))
    if first.get("entity") == "city":
        d.set(CITY, first.get("value"))
    d.set(PENDING_TOPIC, None)
    run_topic(d, pending)
    return True

