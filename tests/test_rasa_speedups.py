"""Rasa's event lookup, remembered by :mod:`bot.rasa_speedups`, gives the same events and the same errors."""

from __future__ import annotations

import pytest
from rasa.shared.core.events import ActionExecuted, BotUttered, Event, SessionStarted, SlotSet, UserUttered

from bot import rasa_speedups

EVENTS = [
    SessionStarted(),
    ActionExecuted("action_listen"),
    UserUttered("hola", {"name": "greet", "confidence": 0.9}),
    BotUttered("Hola", {"buttons": [{"title": "1", "payload": "1"}]}),
    SlotSet("language", "es"),
]


def test_events_read_back_the_same_after_the_lookup_is_remembered() -> None:
    rasa_speedups.apply()
    rasa_speedups.apply()  # idempotent
    for _ in range(2):  # the first pass fills the memory, the second uses it
        again = [Event.from_parameters(event.as_dict()) for event in EVENTS]
        assert [e.as_dict() for e in again] == [e.as_dict() for e in EVENTS]
        assert [type(e) for e in again] == [type(e) for e in EVENTS]


def test_unknown_event_names_fail_or_fall_back_as_in_rasa() -> None:
    rasa_speedups.apply()
    with pytest.raises(ValueError, match="Unknown event name"):
        Event.resolve_by_type("no_such_event")
    assert Event.resolve_by_type("no_such_event", default=SlotSet) is SlotSet
    assert Event.resolve_by_type("topic") is None
    assert Event.resolve_by_type("user") is UserUttered
