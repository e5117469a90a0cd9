"""Questions about the playlist: "who sings number 4", "what's the longest song", "how many songs by Drake".

Read as the action `ask`, with `question` one of who, longest, shortest, count, duration, and
`positions` (who) or `artist` (count) when the message names them. Nothing changes; the chat answers.
"""

from __future__ import annotations

import re
from typing import Any

from agent.chat.understand.names import clean_name
from agent.chat.understand.numbers import digits_for_words, positions_in

_WHO = re.compile(
    r"^(?:who(?:'?s| is| was)?\s+(?:sings?|sang|sung|performs?|made|does|did|wrote|plays?|(?:the\s+)?"
    r"(?:artist|singer|band|performer|guy|girl))\b|(?:what|which)\s+(?:artist|band|singer)\s+(?:is|sings|does|did|made|"
    r"plays|performs|is behind)\b|whose\s+(?:song|track|tune)\b|by whom\b)")
_EXTREME = re.compile(
    r"^(?:(?:what|which|whats|what'?s|tell me|show me|find|name)\b.*|(?:the\s+)?)\b(?P<which>longest|shortest)\b"
    r"(?:\s+(?:song|track|one|1|tune))?(?:\s+(?:in|on)\s+(?:it|there|the\s+(?:playlist|list)))?\s*\??$")
_COUNT = re.compile(r"^how many\s+(?:(?P<before>.+?)\s+)?(?:songs?|tracks?|tunes)\b(?P<rest>.*)$")
_BY = re.compile(r"\b(?:by|from|of)\s+(?P<artist>.+?)(?:\s+(?:are|is|do|does|have|has)\b.*|\s+(?:in|on)\s+"
                 r"(?:it|there|the\s+(?:playlist|list)).*)?\s*\??$")
_DURATION = re.compile(r"^how long (?:is|does|will) (?:the|this|my|our|it)\b(?!.*\b(?:song|track)\b)|"
                       r"\b(?:total|overall) (?:length|duration|running time|time)\b|^how many (?:minutes|hours)\b")


def question_in(cleaned: str) -> dict[str, Any] | None:
    """The question a cleaned message asks about the playlist, as `ask` slots, or None."""
    text = digits_for_words(cleaned)
    if _WHO.search(text):
        slots: dict[str, Any] = {"question": "who"}
        if positions := positions_in(text):
            slots["positions"] = positions
        return slots
    if match := _EXTREME.search(text):
        return {"question": match.group("which")}
    if _DURATION.search(text):
        return {"question": "duration"}
    if match := _COUNT.search(text):
        slots = {"question": "count"}
        named = _BY.search(match.group("rest"))
        artist = clean_name(named.group("artist")) if named else clean_name(match.group("before") or "")
        if artist and artist not in {"the", "more", "other", "different"}:
            slots["artist"] = artist
        return slots
    return None


def with_names_as_typed(slots: dict[str, Any], typed: str) -> dict[str, Any]:
    """`slots` with the artist in the message's own spelling (the rules read a lower-cased copy)."""
    artist = slots.get("artist")
    if artist:
        at = typed.lower().find(artist)
        if at >= 0:
            slots = {**slots, "artist": typed[at:at + len(artist)]}
    return slots
