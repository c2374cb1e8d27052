"""Deleting what the bot holds about a person, and the yes/no answers that confirm it."""

from __future__ import annotations

from actions.base import BrujulaAction
from bot.conversation import privacy
from bot.conversation.dialogue import Dialogue


class ActionDeleteMyData(BrujulaAction):
    action_name = "action_delete_my_data"
    resumes_pending_topic = False

    def respond(self, dialogue: Dialogue) -> None:
        privacy.delete_my_data(dialogue)


class ActionAffirm(BrujulaAction):
    """ "Yes": confirms what the bot last asked (delete my data, talk to a person)."""

    action_name = "action_affirm"
    resumes_pending_topic = False

    def respond(self, dialogue: Dialogue) -> None:
        privacy.affirm(dialogue)


class ActionDeny(BrujulaAction):
    action_name = "action_deny"
    resumes_pending_topic = False

    def respond(self, dialogue: Dialogue) -> None:
        privacy.deny(dialogue)
