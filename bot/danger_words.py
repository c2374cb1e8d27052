"""Words that signal danger, in the five languages: a safety net under the statistical classifier.

When the classifier cannot place a message (fallback) but it names kidnapping, trafficking, sexual
violence, threats or forced labour, the bot treats it as an emergency rather than asking to rephrase.
Matching is on accent-free lower-case text; keep entries specific (no single common words).
"""

from __future__ import annotations

import re

from bot.text import fold

DANGER_PATTERNS = [
    # es
    r"secuestr",
    r"me (quieren|van a) matar",
    r"me violaron",
    r"violacion",
    r"abuso sexual",
    r"trata de personas",
    r"me obligan a trabajar",
    r"(me|nos) tienen encerrad",
    r"me (estan|vienen) persiguiendo",
    r"amenaza de muerte",
    r"me estan amenazando",
    r"auxilio",
    r"socorro",
    r"estoy en peligro",
    r"me pegan",
    r"me golpe",
    # en
    r"kidnap",
    r"traffick",
    r"\braped?\b",
    r"forced? (me )?to work",
    r"took my passport",
    r"threaten",
    r"held captive",
    r"in danger",
    r"beating me",
    r"want to kill me",
    r"\bsos\b",
    # pt
    r"sequestr",
    r"estupr",
    r"trafico de pessoas",
    r"me ameac",
    r"corro perigo",
    r"estou em perigo",
    r"me obrigam",
    r"querem me matar",
    r"me bateu",
    r"me batendo",
    # fr
    r"enlev[ea]",
    r"kidnapp",
    r"\bviol(e|ee|ees)?\b",
    r"traite (des|de) (personnes|etres)",
    r"on me menace",
    r"au secours",
    r"je suis en danger",
    r"on me force",
    r"veulent me tuer",
    # ht
    r"kidnape",
    r"sekestre",
    r"vyole",
    r"menase",
    r"an danje",
    r"anmwe",
    r"fose m travay",
    r"trafik moun",
    r"vle touye m",
    r"bat mwen",
]
_DANGER = re.compile("|".join(DANGER_PATTERNS))


def looks_like_emergency(text: str) -> bool:
    """True when ``text`` names a danger from :data:`DANGER_PATTERNS`."""
    return bool(_DANGER.search(fold(text)))
