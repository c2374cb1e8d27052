""" "Is this a scam?": checks a pasted or forwarded offer for warning signs."""

from __future__ import annotations

from actions.base import BrujulaAction
from bot.conversation import offers
from bot.conversation.dialogue import Dialogue


class ActionCheckOffer(BrujulaAction):
    action_name = "action_check_offer"

    def respond(self, dialogue: Dialogue) -> None:
        offers.check_offer(dialogue)
