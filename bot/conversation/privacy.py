"""Deleting what the bot holds about a person, and the yes/no answers that confirm it."""

from __future__ import annotations

from bot.conversation.dialogue import Button, Dialogue
from bot.conversation.menus import main_menu
from bot.conversation.vocabulary import Confirmation, Slot


def delete_my_data(d: Dialogue) -> None:
    d.say(d.text("delete_confirm"), [Button("✔", "/affirm"), Button("✘", "/deny")])
    d.set(Slot.PENDING_CONFIRMATION, Confirmation.DELETE_DATA)


def affirm(d: Dialogue) -> None:
    pending = d.slot(Slot.PENDING_CONFIRMATION)
    d.set(Slot.PENDING_CONFIRMATION, None)
    if pending == Confirmation.DELETE_DATA:
        d.say(d.text("delete_done"))
        d.set(Slot.ERASE_REQUESTED, True)
    else:
        d.say(d.text("ok_what_next"))
        main_menu(d)


def deny(d: Dialogue) -> None:
    pending = d.slot(Slot.PENDING_CONFIRMATION)
    d.set(Slot.PENDING_CONFIRMATION, None)
    d.say(d.text("delete_cancelled") if pending == Confirmation.DELETE_DATA else d.text("ok_what_next"))
    if pending != Confirmation.DELETE_DATA:
        main_menu(d)
