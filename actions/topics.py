"""Answers to the information topics (consulates, shelters, regularization...) from ``content/``."""

from __future__ import annotations

from actions.base import BrujulaAction
from bot.conversation import context, topics
from bot.conversation.dialogue import Dialogue


class ActionAnswerTopic(BrujulaAction):
    """One action for every ``ask_*`` intent: the intent names the topic file in ``content/topics/``."""

    action_name = "action_answer_topic"

    def respond(self, dialogue: Dialogue) -> None:
        if context.clarify_or_answer(dialogue):  # two topics equally likely: "Do you mean 1 ... 2 ...?"
            return
        context.remember_second_request(dialogue)  # "... and for the hospital": offered after this answer
        topics.answer_topic(dialogue, dialogue.turn.intent)
