"""Greeting, goodbye, thanks, the menus and numbered choices."""

from __future__ import annotations

from actions.base import BrujulaAction
from bot.conversation import context, menus, navigation
from bot.conversation.dialogue import Dialogue


class ActionGreet(BrujulaAction):
    action_name = "action_greet"

    def respond(self, dialogue: Dialogue) -> None:
        context.greet(dialogue)  # a greeting that also says where the person is keeps it


class ActionGoodbye(BrujulaAction):
    action_name = "action_goodbye"

    def respond(self, dialogue: Dialogue) -> None:
        menus.goodbye(dialogue)


class ActionThank(BrujulaAction):
    action_name = "action_thank"

    def respond(self, dialogue: Dialogue) -> None:
        menus.thank(dialogue)


class ActionMainMenu(BrujulaAction):
    action_name = "action_main_menu"
    resumes_pending_topic = False

    def respond(self, dialogue: Dialogue) -> None:
        if context.next_step(dialogue):  # "what do I do now?" after an answer
            return
        menus.main_menu(dialogue)


class ActionChooseOption(BrujulaAction):
    action_name = "action_choose_option"
    resumes_pending_topic = False

    def respond(self, dialogue: Dialogue) -> None:
        navigation.choose_option(dialogue)


class ActionFallback(BrujulaAction):
    action_name = "action_fallback"

    def respond(self, dialogue: Dialogue) -> None:
        if context.next_step(dialogue):  # "I don't know what to do" after an answer
            return
        if context.clarify_or_answer(dialogue):  # not sure between two topics: ask which, not "I don't understand"
            return
        navigation.fallback(dialogue)
