"""What the chat knows decides what the words could not: whether a bare name is a song or an
artist ("take out Gold Digger" while it is track 1), and what a misspelled steering word means.

Names are looked up in the playlist first, then in the catalog (`ParseContext.name_kind`); the
reading records where it found one (`ParsedMessage.found`). Steering words are mended against
the words of the catalog's playlist titles (`ParseContext.mend_word`), the words steering draws on.
"""

from __future__ import annotations

import re

from agent.chat.understand.message import ParseContext, ParsedMessage
from agent.chat.understand.typos import slips_of

_NAMED = {"remove", "add", "dislike", "like", "explain", "similar", "ask"}
_TASTE = {"like", "dislike"}


def _worded_as_artist(text: str, name: str) -> bool:
    at = text.lower().find(name.lower())
    if at < 0:
        return False
    before, after = text[:at].lower(), text[at + len(name):].lower()
    return bool(re.search(r"\b(?:all|any|some)(?: of)?(?: the)?\s+$|\b(?:songs?|tracks?|stuff|music|anything|everything)\s+"
                          r"(?:by|from)\s+$", before) or re.match(r"\s+(?:songs|tracks|stuff|music)\b", after))


def typed_by_context(parsed: ParsedMessage, context: ParseContext,
                     known_words: frozenset[str] = frozenset()) -> ParsedMessage:
    """`parsed` with its names typed and its steering words mended by `context`; a word of
    `known_words` (an English word the encoder knows whole) is never mended."""
    if parsed.action == "steer" and context.mend_word and parsed.slots.get("words"):
        def mend(part: str) -> str:
            if part in known_words or not part.isalpha() or len(part) < 4:
                return part
            mended = context.mend_word(part)  # a word of the catalog's titles first, else an English word
            return mended if mended != part else next(iter(slips_of(part, known_words)), part)
        words = [{**w, "word": " ".join(mend(part) for part in str(w["word"]).split())} for w in parsed.slots["words"]]
        return parsed.model_copy(update={"slots": {**parsed.slots, "words": words}})
    if parsed.action not in _NAMED or context.name_kind is None:
        return parsed
    slots = parsed.slots
    if ("song" in slots) == ("artist" in slots):  # none, or "SONG by ARTIST": the words said it
        return parsed
    slot = "song" if "song" in slots else "artist"
    name = str(slots[slot])
    if _worded_as_artist(parsed.text, name):  # "remove all the rap", "no more country songs": the words said it
        return parsed
    kind = context.name_kind(name)
    if kind is None:
        if parsed.action in _TASTE and name.islower():
            # "i hate mondays": a taste for something neither the playlist nor the catalog holds is a remark.
            return ParsedMessage(text=parsed.text, action="smalltalk", confidence=parsed.confidence)
        return parsed
    wanted, where = kind
    if wanted == "either":
        return parsed.model_copy(update={"found": {"name": name, "as": slot, "in": where}})
    if parsed.action == "ask" and wanted != "artist":
        return parsed  # "how many songs by X" counts an artist's songs
    others = {key: value for key, value in slots.items() if key != slot}
    return parsed.model_copy(update={"slots": {**others, wanted: name},
                                     "found": {"name": name, "as": wanted, "in": where}})
