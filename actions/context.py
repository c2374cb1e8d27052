"""Keeping the thread: new information, "where is the nearest one?" and follow-ups on the current topic."""

from __future__ import annotations

from actions.base import BrujulaAction
from bot.conversation import context
from bot.conversation.dialogue import Dialogue


class ActionInform(BrujulaAction):
    """``inform``: "I'm in Colombia", "soy hondureño", "and in Peru?" (resumes a waiting question itself)."""

    action_name = "action_inform"
    resumes_pending_topic = False

    def respond(self, dialogue: Dialogue) -> None:
        context.inform(dialogue)


class ActionAskNearby(BrujulaAction):
    """``ask_nearby``: "where is the nearest one?", "onde fica?", "kote li ye?"."""

    action_name = "action_nearby"

    def respond(self, dialogue: Dialogue) -> None:
        context.ask_nearby(dialogue)


class ActionFollowup(BrujulaAction):
    """``ask_followup``: "how much does it cost?", "what documents do I need for that?"."""

    action_name = "action_followup"

    def respond(self, dialogue: Dialogue) -> None:
        context.ask_followup(dialogue)
