"""Where a message that asks for two things is cut into its requests."""

from __future__ import annotations

import pytest

from bot.joined_requests import parts


@pytest.mark.parametrize(
    ("text", "expected"),
    [
        ("I need a job and a doctor", ["I need a job", "a doctor"]),
        ("necesito papeles para trabajar y para el hospital", ["necesito papeles para trabajar", "para el hospital"]),
        ("preciso de abrigo e também de um médico", ["preciso de abrigo", "de um médico"]),
        ("m bezwen travay epi lekòl pou pitit mwen", ["m bezwen travay", "lekòl pou pitit mwen"]),
        # who or where the person is: the situation, not a request
        ("I'm a refugee and I want to open a bank account", ["I want to open a bank account"]),
        ("je suis au Chili et je cherche du travail", ["je cherche du travail"]),
        ("mwen se refijye epi m bezwen travay", ["m bezwen travay"]),
        # one part: a follow-up or a plain question
        ("y en Perú?", []),
        ("¿dónde queda la oficina?", []),
    ],
)
def test_a_message_is_cut_at_and_into_its_requests(text: str, expected: list[str]) -> None:
    assert parts(text) == expected


def test_a_story_with_many_ands_is_not_read_as_a_list_of_requests() -> None:
    story = (
        "We left Haiti and crossed the jungle and walked for days and slept outside and then took a bus"
        " and now we are in Mexico, where can we sleep tonight?"
    )
    assert parts(story) == []
