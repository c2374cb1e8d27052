"""Danger, violence, trafficking and missing relatives: emergency numbers and a person first."""

from __future__ import annotations

from actions.base import BrujulaAction
from bot.conversation import safety
from bot.conversation.dialogue import Dialogue


class ActionEmergency(BrujulaAction):
    action_name = "action_emergency"
    resumes_pending_topic = False

    def respond(self, dialogue: Dialogue) -> None:
        safety.emergency(dialogue, dialogue.turn.intent)


class ActionRequestHuman(BrujulaAction):
    action_name = "action_request_human"
    resumes_pending_topic = False

    def respond(self, dialogue: Dialogue) -> None:
        safety.request_human(dialogue)
