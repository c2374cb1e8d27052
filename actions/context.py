"""Keeping the thread: "I'm in Colombia", "and in Peru?", "where is the nearest one?", "how much does it cost?"."""

from __future__ import annotations

from actions.base import BrujulaAction
from bot.conversation import context
from bot.conversation.dialogue import Dialogue


class ActionInform(BrujulaAction):
    """Only new information (where the person is, their nationality): noted, confirmed, then the thread goes on."""

    action_name = "action_inform"
    resumes_pending_topic = False  # it resumes the pending question itself, after the one-line confirmation

    def respond(self, dialogue: Dialogue) -> None:
        context.inform(dialogue)


class ActionNearby(BrujulaAction):
    """ "Where is the nearest one?": places of the current topic's kind."""

    action_name = "action_nearby"
    resumes_pending_topic = False

    def respond(self, dialogue: Dialogue) -> None:
        context.places_for_topic(dialogue)


class ActionFollowup(BrujulaAction):
    """ "How much does it cost?": the current topic again, for the same country."""

    action_name = "action_followup"
    resumes_pending_topic = False

    def respond(self, dialogue: Dialogue) -> None:
        context.followup(dialogue)
