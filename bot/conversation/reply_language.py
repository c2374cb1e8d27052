"""The language of a reply: one rule (:func:`bot.language.reply_language`), fed the same way everywhere.

* an action's turn: :class:`bot.conversation.dialogue.Dialogue` (slot after this message, detection, hint);
* the desk, the channels' notices and the "technical problem" message: :func:`for_conversation`, from
  the stored conversation (the ``language`` slot, the latest message's detection and channel hint).

Events are read by duck typing (``type_name == "user"``), so this module needs no Rasa import.
"""

from __future__ import annotations

from collections.abc import Iterable, Reversible
from typing import Any

from bot import language as lang_id
from bot.conversation.vocabulary import Meta


def decide(
    slot_value: str | None, detection: lang_id.Detection | None, hint: str | None = None, previous: str | None = None
) -> str:
    """The language to answer in: the conversation's, else the best guess, else the previous reply's, else the
    channel's hint, else Spanish."""
    return lang_id.reply_language(slot_value, detection, hint, previous)


def _latest_user_event(events: Reversible[Any]) -> Any:
    for event in reversed(events):
        if getattr(event, "type_name", None) == "user":
            return event
    return None


def for_conversation(
    events: Reversible[Any] | Iterable[Any], slot_value: str | None, hint: str | None = None, text: str | None = None
) -> str:
    """The language to write to this person in, from their stored conversation.

    Args:
        events: the tracker's events (the latest user message gives the detection and the recorded hint).
        slot_value: the ``language`` slot.
        hint: the channel's hint for a message not in the tracker yet (a photo being answered); it wins
            over the hint recorded with the latest message.
        text: a message not in the tracker yet: its own detection is used instead of the stored one.
    """
    if slot_value is not None and slot_value in lang_id.SUPPORTED:
        return slot_value  # the conversation's language: nothing to guess
    detection: lang_id.Detection | None = None
    recorded: Any = None
    if text:
        detection = lang_id.detect(text)
    else:
        latest = _latest_user_event(events if isinstance(events, Reversible) else list(events))
        if latest is not None:
            parsed = (getattr(latest, "parse_data", None) or {}).get("language")
            detection = lang_id.Detection.from_parse_result(parsed if isinstance(parsed, dict) else None)
            recorded = (getattr(latest, "metadata", None) or {}).get(Meta.LANGUAGE_HINT)
    hint = hint or (recorded if isinstance(recorded, str) else None)
    return decide(slot_value, detection, hint)
