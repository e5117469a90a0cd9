"""Surface names in a message: "Black Hole Sun by Soundgarden", "no more Drake", "the song Yellow".

Nothing is looked up here: the chat resolves the text against the catalog.
"""

from __future__ import annotations

import re

_QUOTES = "\"'“”‘’"
_FILLER_END = re.compile(
    r"(?:\s+(?:from|off|out of|to|into|onto|in|on)\s+(?:the|this|my|that|our)\s+"
    r"(?:playlist|list|mix|set|queue|thing|one)\b.*"
    r"|\s+(?:in|on|from|to|into|off)\s+(?:it|there|here|this|that)\b.*"
    r"|\s+(?:from|out of)\s+(?:it|there|here|this)\b.*"
    r"|\s+(?:at|on|to) the (?:end|start|beginning|top|bottom)\b.*"
    r"|\s+(?:in there|on there|on it|in it|here|there|anymore|tbh|honestly|tho|though|any more|again|ever again|for now|for me|too|"
    r"as well|at all|a lot|so much|very much|forever|ever|in|"
    r"end(?:ed)? up.*|get in.*|got in.*|doing.*|(?:is|are|was) .*|sucks|rocks|songs?|tracks?|stuff|music|"
    r"please|pls|plz|thanks|thank you|thx|ok|okay|then|now|slaps|bangs|goes hard|(?:please )?remember(?: that| this| it)?|"
    r"doing here|doing in there|included|in the list|for this one|lol|haha|instead|pleaseee?)\s*$)",
    re.IGNORECASE,
)
_FILLER_START = re.compile(
    r"^(?:the\s+(?:song|track|tune)s?\s+(?:called\s+|named\s+)?(?!\d+$)|(?:song|track|tune)\s+(?!\d+$)|"
    r"(?:any|all|all the|all of the|some|some of the|anything|everything|something|stuff|songs?|tracks?|music)\s+"
    r"(?:by|from)\s+|an?\s+(?=.+\s+(?:song|track)$)|(?:a|one)\s+(?:song|track|tune)\s+(?:by|from)\s+|"
    r"(?:so much|so many|this much|all this|all these)\s+|(?:also|too|really|very much|so much|much)\s+|"
    r"any\s+|all\s+(?:the\s+)?|some\s+|more\s+|the\s+artist\s+|the\s+band\s+)",
    re.IGNORECASE,
)
_ARTIST_HINT = re.compile(
    r"^(?:any|all|all the|all of the|anything|everything|something|stuff|songs?|tracks?|music)\s+(?:by|from)\s+"
    r"|^(?:a|one|some)\s+(?:song|track|tune)s?\s+(?:by|from)\s+|^(?:so much|so many|this much|all this|all these)\s+"
    r"|^(?:any|all|some)\s+|^the\s+(?:artist|band)\s+|\s+(?:songs|tracks|stuff|music)\s*$|^an?\s+.+\s+(?:song|track)$",
    re.IGNORECASE,
)
_SONG_HINT = re.compile(r"^(?:the\s+)?(?:song|track|tune)\s+|^[\"“‘']", re.IGNORECASE)
_DEICTIC = re.compile(r"(?:this|that|it|this one|that one|these|those|this song|that song|this track|that track|"
                      r"the song|the track|this tune|one|song|track)", re.IGNORECASE)
_BY = re.compile(r"^(?P<song>.+?)\s+(?:by|from)\s+(?P<artist>.+)$", re.IGNORECASE)


def clean_name(text: str) -> str:
    """Filler around a name dropped: "all the Drake songs please" -> "Drake"."""
    name = text.strip(" ?!.,;:")
    for _ in range(3):
        before = name
        name = _FILLER_START.sub("", name).strip(" ?!.,;:")
        name = _FILLER_END.sub("", name).strip(" ?!.,;:")
        if name == before:
            break
    return name.strip(_QUOTES + " ").strip()


def split_song_artist(text: str) -> tuple[str, str]:
    """("Black Hole Sun", "Soundgarden") for "Black Hole Sun by Soundgarden"; ("", "") otherwise."""
    match = _BY.match(text.strip(" ?!.,"))
    if not match or _ARTIST_HINT.match(match.group("song") + " by "):
        return "", ""
    return clean_name(match.group("song")), clean_name(match.group("artist"))


def name_slots(text: str, default_slot: str) -> dict[str, str]:
    """{"song", "artist"} for "SONG by ARTIST", else the name under the slot its wording or `default_slot` says."""
    song, artist = split_song_artist(text)
    if song and artist:
        return {"song": song, "artist": artist}
    name = clean_name(text)
    if not name or _DEICTIC.fullmatch(name):
        return {}
    stripped = text.strip(" ?!.,")
    if _ARTIST_HINT.search(stripped):
        return {"artist": name}
    if _SONG_HINT.match(stripped):
        return {"song": name}
    return {default_slot: name}
