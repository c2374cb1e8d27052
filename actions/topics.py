"""Answers to the information topics (consulates, shelters, regularization...) from ``content/``."""

from __future__ import annotations

from actions.base import BrujulaAction
from bot import dialogue as dlg


class ActionAnswerTopic(BrujulaAction):
    """One action for every ``ask_*`` intent: the intent names the topic file in ``content/topics/``."""

    action_name = "action_answer_topic"

    def respond(self, dialogue: dlg.Dialogue) -> None:
        dlg.answer_topic(dialogue, dialogue.turn.intent)
