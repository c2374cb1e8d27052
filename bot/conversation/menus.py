"""The numbered menus (main, stage, language, country), greetings, and switching language on request."""

from __future__ import annotations

from collections.abc import Sequence

from bot.conversation.dialogue import Dialogue
from bot.conversation.vocabulary import INFORMATION_TOPICS, Menu, Slot
from bot.language import LANGUAGE_NAMES, translated
from bot.text import words

# How people name each language when asking to switch (accent-free, lower-case words).
LANGUAGE_WORDS = {
    "es": {"espanol", "spanish", "castellano", "espagnol", "espanyol", "panyol", "espanhol"},
    "en": {"english", "ingles", "anglais", "angle", "angles", "englis", "inglish"},
    "pt": {"portugues", "portuguese", "portugais", "potige", "portuges", "portugueis"},
    "fr": {"francais", "french", "frances", "franses", "franse", "franceis"},
    "ht": {"kreyol", "creole", "criollo", "creol", "kreol", "ayisyen", "haitiano", "haitian", "crioulo", "kreyole"},
}


def main_menu(d: Dialogue) -> None:
    titles = [translated(stage.title, d.language) for stage in d.content.menu.stages]
    d.say(d.text("main_menu_title"), d.numbered(titles))
    d.set(Slot.MENU, Menu.MAIN)
    d.set(Slot.PENDING_TOPIC, None)
    d.set(Slot.ALSO_ASKED, None)


def show_stage(d: Dialogue, index: int) -> None:
    stage = d.content.menu.stages[index]
    title = translated(stage.title, d.language)
    buttons = [d.back_button(), *d.numbered([d.text(f"topic_{topic}") for topic in stage.topics])]
    d.say(d.text("stage_menu_title", stage=title), buttons)
    d.set(Slot.MENU, f"{Menu.STAGE_PREFIX}{stage.id}")


def language_menu(d: Dialogue) -> None:
    d.say(d.text("language_menu"), d.numbered(list(LANGUAGE_NAMES.values())))
    d.set(Slot.MENU, Menu.LANGUAGE)


def country_menu(d: Dialogue) -> None:
    codes = d.content.menu.countries
    d.say(d.text("ask_country"), d.numbered([d.content.country_name(code, d.language) for code in codes]))
    d.set(Slot.MENU, Menu.COUNTRY)


def offered_topics(d: Dialogue) -> list[str]:
    """The topics of the "Do you mean 1 ... 2 ...?" question, when it is the menu on screen (else [])."""
    menu = d.slot(Slot.MENU) or ""
    if not menu.startswith(Menu.DISAMBIGUATION_PREFIX):
        return []
    return [topic for topic in menu[len(Menu.DISAMBIGUATION_PREFIX) :].split(",") if topic in INFORMATION_TOPICS]


def ask_which_topic(d: Dialogue, topics: Sequence[str], question: str = "disambiguation_question") -> None:
    """ "Do you mean 1 ... 2 ...?" when the words fit two topics: a number or the topic's name answers it.

    ``question`` is the UI text above the numbers ("also_asked" offers the second request of a message).
    """
    d.say(d.text(question), d.numbered([d.text(f"topic_{topic}") for topic in topics]))
    d.set(Slot.MENU, Menu.DISAMBIGUATION_PREFIX + ",".join(topics))


def repeat_menu(d: Dialogue, menu: str) -> None:
    """Show again the menu named by the ``menu`` slot (after a number that is not on it)."""
    if menu.startswith(Menu.DISAMBIGUATION_PREFIX) and offered_topics(d):
        ask_which_topic(d, offered_topics(d))
        return
    if menu.startswith(Menu.STAGE_PREFIX):
        ids = [s.id for s in d.content.menu.stages]
        stage_id = menu.split(":", 1)[1]
        if stage_id in ids:
            show_stage(d, ids.index(stage_id))
            return
    {Menu.LANGUAGE: language_menu, Menu.COUNTRY: country_menu}.get(menu, main_menu)(d)


def greet(d: Dialogue) -> None:
    d.say(d.text("intro"))
    main_menu(d)


def goodbye(d: Dialogue) -> None:
    d.say(d.text("goodbye"))


# "merci beaucoup au revoir", "gracias, chao": thanks that also take leave get the goodbye (folded words)
GOODBYE_WORDS = frozenset(
    {"bye", "goodbye", "adios", "chao", "chau", "tchau", "ciao", "revoir", "orevwa", "babay", "byebye", "adieu"}
)


def thank(d: Dialogue) -> None:
    if GOODBYE_WORDS & set(words(d.turn.text)):
        goodbye(d)
        return
    d.say(d.text("thanks_reply"), [d.back_button()])


def set_language(d: Dialogue) -> None:
    """ "English please", "pale kreyòl": that language. "I don't speak Spanish" names only a language the person
    does not want: the language the message is written in, when that is clear; else the language menu."""
    requested = requested_language(d.turn.text)
    detection = d.turn.detection
    refused = requested is None and any(_language_named(token) for token in words(d.turn.text))
    if refused and detection is not None and detection.reliable and detection.code:
        requested = detection.code
    if requested is None:
        language_menu(d)
        return
    switch_language(d, requested)


# Words that say a language is not wanted when they come just before its name ("I don't speak Spanish", "no
# hablo inglés", "je ne parle pas espagnol", "m pa pale panyòl"); folded, "don't" is "don t".
NOT_WANTED = frozenset({"don", "doesn", "not", "cannot", "can t", "no", "nao", "ne", "pas", "pa", "never", "nunca"})


def _language_named(token: str) -> str | None:
    """The code of the language a (folded) word names ("spanish", "panyol"), or None."""
    return next((code for code, names in LANGUAGE_WORDS.items() if token in names), None)


def requested_language(text: str) -> str | None:
    """The language a message asks for: the last one named that is not negated ("no hablo español, english
    please" is English), or None."""
    tokens = words(text)
    wanted = None
    for index, token in enumerate(tokens):
        code = _language_named(token)
        if code is None:
            continue
        before = tokens[max(0, index - 4) : index]
        pairs = {" ".join(before[i : i + 2]) for i in range(len(before))}
        if NOT_WANTED & (set(before) | pairs):
            continue
        wanted = code
    return wanted


def switch_language(d: Dialogue, code: str) -> None:
    d.set(Slot.LANGUAGE, code)
    d.language = code
    d.say(d.text("language_set"))
    main_menu(d)
