"""Switching the conversation language on request."""

from __future__ import annotations

from actions.base import BrujulaAction
from bot import dialogue as dlg


class ActionSetLanguage(BrujulaAction):
    action_name = "action_set_language"
    resumes_pending_topic = False

    def respond(self, dialogue: dlg.Dialogue) -> None:
        dlg.set_language(dialogue)
