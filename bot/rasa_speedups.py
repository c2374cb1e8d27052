"""Two costs of Rasa 3.6 that do not need to be paid on every turn, removed without changing behaviour.

* ``RemoteAction._validate_action_result`` calls ``jsonschema.validate``, which checks the *schema*
  against the JSON-Schema meta-schema before checking the answer, on every custom-action call: about
  half of a Brújula turn's time. Here the validator is built (and its schema checked) once; every
  answer is still validated against the same schema and fails with the same ``ValidationError``.
* ``Event.resolve_by_type`` walks every subclass of ``Event`` (about 30, with an ``isabstract`` check
  each) for every event it deserialises; a tracker read deserialises every event of the session. Here
  the class found for a type name is remembered (classes do not change once imported); unknown names
  still go through Rasa's own lookup and fail the same way.

:func:`apply` is idempotent; the Rasa server calls it through :func:`bot.inprocess_actions.install`
(each delivered message) and when the tracker store is created (docs/PERFORMANCE.md).
"""

from __future__ import annotations

import functools
from typing import Any


@functools.lru_cache(maxsize=1)
def _result_validator() -> Any:
    """The validator of an action server's answer, its schema checked once."""
    from jsonschema import validators
    from rasa.core.actions.action import RemoteAction

    schema = RemoteAction.action_response_format_spec()
    cls = validators.validator_for(schema)
    cls.check_schema(schema)
    return cls(schema)


def _validate_action_result(_action: Any, result: dict[str, Any]) -> bool:
    """``RemoteAction._validate_action_result`` without re-checking the schema on every call."""
    from jsonschema import exceptions

    error = exceptions.best_match(_result_validator().iter_errors(result))
    if error is not None:
        error.message += (
            ". Failed to validate Action server response from API, make sure your response from the Action "
            "endpoint is valid."
        )
        raise error
    return True


_event_classes: dict[str, Any] = {}
_rasa_resolve_by_type: Any = None


def _resolve_by_type(type_name: str, default: Any = None) -> Any:
    """``Event.resolve_by_type`` with the answer for each known type name remembered."""
    found = _event_classes.get(type_name)
    if found is not None:
        return found
    found = _rasa_resolve_by_type(type_name, default)
    if found is not None and found is not default:
        _event_classes[type_name] = found
    return found


def apply() -> None:
    """Install both speed-ups in Rasa's classes (idempotent)."""
    global _rasa_resolve_by_type
    from rasa.core.actions.action import RemoteAction
    from rasa.shared.core.events import Event

    if RemoteAction._validate_action_result is not _validate_action_result:
        RemoteAction._validate_action_result = _validate_action_result
    if _rasa_resolve_by_type is None:
        _rasa_resolve_by_type = Event.resolve_by_type
        Event.resolve_by_type = staticmethod(_resolve_by_type)
