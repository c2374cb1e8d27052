"""Danger, violence, trafficking and missing relatives: emergency numbers and a person first."""

from __future__ import annotations

from actions.base import BrujulaAction
from bot import dialogue as dlg


class ActionEmergency(BrujulaAction):
    action_name = "action_emergency"
    resumes_pending_topic = False

    def respond(self, dialogue: dlg.Dialogue) -> None:
        dlg.emergency(dialogue, dialogue.turn.intent)


class ActionRequestHuman(BrujulaAction):
    action_name = "action_request_human"
    resumes_pending_topic = False

    def respond(self, dialogue: dlg.Dialogue) -> None:
        dlg.request_human(dialogue)
