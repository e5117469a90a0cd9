"""Asking for fewer or more of the catalog's hits: "fewer hits", "deep cuts" raise discovery
(+1), "more popular", "mainstream" lower it (-1). Read as a steer, since it shapes the
playlist in place; the chat moves `Recipe.discovery` one step per message."""

from __future__ import annotations

import re

_LESS = r"(?:fewer|less|not so many|not as many|no more|not that many|too many)"
# Ordered: "less obscure" and "fewer deep cuts" must be read before "obscure" and "deep cuts",
# "less mainstream" and "fewer hits" before "mainstream" and "hits".
_PHRASES: list[tuple[str, int]] = [
    (rf"\b{_LESS}\s+(?:obscure|underground|deep(?:er)? cuts)\b", -1),
    (rf"\b{_LESS}\s+(?:(?:big|popular|obvious|famous|radio)\s+)?(?:hits|popular|mainstream|famous|obvious|"
     r"well[- ]known|commercial)(?:\s+(?:songs|tracks|stuff|ones))?\b", +1),
    (r"\b(?:more\s+|some\s+|only\s+)?(?:obscure|underground|lesser[- ]known|less[- ]known|deep(?:er)? cuts|hidden gems)"
     r"(?:\s+(?:songs|tracks|stuff|ones))?\b", +1),
    (r"\b(?:more\s+|only\s+|just\s+)?(?:the\s+)?(?:big\s+)?(?:hits|popular|mainstream|well[- ]known|famous)"
     r"(?:\s+(?:songs|tracks|stuff|ones))?\b", -1),
]
_COMPILED = [(re.compile(pattern), sign) for pattern, sign in _PHRASES]
_FILLER = r"(?:make it |make it a bit |a bit |a little |give me |i want |let'?s (?:go |have )?|go for |"\
          r"(?:some|a few) |way |much |even )*"
# A whole message of discovery wordings, or one leading a steer ("fewer hits and more chill").
RULE = (rf"^{_FILLER}(?:{'|'.join(p for p, _ in _PHRASES)})(?:\s+please)?(?:$|\s*(?:,|;|\band\b|\bbut\b|\bplus\b))")


def discovery_sign(text: str) -> tuple[int, str]:
    """(+1 fewer hits, -1 more hits, 0 neither) and the text with those wordings taken out."""
    lowered = text.lower()
    found: list[tuple[int, int]] = []
    for pattern, sign in _COMPILED:
        for match in pattern.finditer(lowered):
            found.append((match.start(), sign))
        lowered = pattern.sub(" ", lowered)
    return (min(found)[1] if found else 0), " ".join(lowered.split())
