"""Switching the conversation language on request."""

from __future__ import annotations

from actions.base import BrujulaAction
from bot.conversation import menus
from bot.conversation.dialogue import Dialogue


class ActionSetLanguage(BrujulaAction):
    action_name = "action_set_language"
    resumes_pending_topic = False

    def respond(self, dialogue: Dialogue) -> None:
        menus.set_language(dialogue)
