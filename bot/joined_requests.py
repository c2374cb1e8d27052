"""Messages that ask for two things at once ("necesito papeles para trabajar y para el hospital").

The NLU classifies each part of such a message as well as the whole
(:class:`bot.nlu.intent_classifier.BlendedIntentClassifier`) and lists the parts' other intents under
:data:`OTHER_REQUESTS_KEY`. The conversation answers the whole message and offers the other topic, so the
second request is not lost. Shared here so the NLU, the actions and the tests agree.
"""

from __future__ import annotations

import re

from bot.text import opens_with

OTHER_REQUESTS_KEY = "other_requests"
# A message with more parts is a story ("we crossed and walked and then..."), not a list of requests: reading
# its parts would guess, and would cost one classification each.
MAX_PARTS = 4
# "and" in the five languages, and "also": what joins two requests in one message
_JOINING = re.compile(r"\b(?:y|e|and|et|ak|epi|also|tambi[eé]n|adem[aá]s|tamb[eé]m|aussi|tou)\b", re.IGNORECASE)
_WORD = re.compile(r"[^\W\d_]{3,}")
# "I'm a refugee and I want a bank account": a part that says who or where the person is is the situation,
# not a second request (folded tokens, so "I'm" is "i m")
SITUATION_OPENERS = (
    ("i", "m"),
    ("im",),
    ("i", "am"),
    ("we", "are"),
    ("soy",),
    ("estoy",),
    ("somos",),
    ("estamos",),
    ("sou",),
    ("estou",),
    ("je", "suis"),
    ("nous", "sommes"),
    ("mwen", "se"),
    ("m", "se"),
    ("mwen", "nan"),
    ("m", "nan"),
    ("nou", "se"),
)


def parts(text: str) -> list[str]:
    """The parts of ``text`` between joining words that ask for something (2 to :data:`MAX_PARTS`, else []).

    "I need a job and a doctor" gives ["I need a job", "a doctor"]; "and in Peru?" gives [] (one part);
    "I'm a refugee and I need a job" gives ["I need a job"] (the first part is the situation).
    """
    pieces = [piece.strip(" ,.;:¿?¡!") for piece in _JOINING.split(text)]
    meaningful = [piece for piece in pieces if _WORD.search(piece)]
    if not 2 <= len(meaningful) <= MAX_PARTS:
        return []
    return [piece for piece in meaningful if not opens_with(piece, SITUATION_OPENERS)]
