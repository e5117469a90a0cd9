"""Wordings that a name decides: "no The Everly Brothers", "nothing by Snow Patrol", "Rosalía is great".

The lower-cased rules cannot tell "no Bon Iver" from "no thanks". The message's own capitals
can ("Bon Iver" is written as a name), and so can the catalog, when the chat passes
`ParseContext.is_artist`: then "no bon iver" typed in lower case reads the same.
"""

from __future__ import annotations

import re
from collections.abc import Callable

IsArtist = Callable[[str], bool]

_LINKS = {"of", "the", "and", "&", "de", "la", "le", "los", "las", "del", "da", "di", "van", "von", "y", "n'",
          "'n'", "a", "in", "on", "for", "to", "with", "+", "x", "feat.", "ft."}
_END = r"[\s,.!]*(?:(?:please|pls|plz|thanks|thx)[\s!.]*)?$"
_LEADS: list[tuple[str, re.Pattern[str]]] = [
    ("remove", re.compile(r"^(?:no|not|nothing\s+(?:by|from)|none\s+of|skip|without|minus)\s+(?:any\s+)?"
                          r"(?P<name>.+?)" + _END, re.IGNORECASE)),
    ("like", re.compile(r"^(?P<name>.+?)\s+(?:is|are|'s)\s+(?:so\s+|really\s+|just\s+|absolutely\s+)*"
                        r"(?:great|amazing|awesome|brilliant|the best|fire|a banger|so good|my favou?rite)\b.*$",
                        re.IGNORECASE)),
    ("dislike", re.compile(r"^(?P<name>.+?)\s+(?:is|are|'s)\s+(?:so\s+|really\s+|just\s+|absolutely\s+)*"
                           r"(?:awful|terrible|trash|garbage|the worst|unbearable|annoying|overrated|rubbish)\b.*$",
                           re.IGNORECASE)),
]


# Words a sentence may start with a capital that are no name: "No This", "Skip It".
_NOT_NAMES = {"this", "that", "it", "these", "those", "everything", "all", "now", "yet", "really", "sure", "me",
              "you", "we", "i", "today", "tonight", "thanks", "way", "more", "one", "song", "songs", "track", "tracks"}


def looks_like_name(text: str) -> bool:
    """Written as a name: a capital (or digit) on its first word and on every word but the small links."""
    words = text.split()
    if not words or words[0].lower() in _NOT_NAMES or len(words) > 6 or not _capitalised(words[0]):
        return False
    return all(_capitalised(word) or word.lower() in _LINKS for word in words)


def _capitalised(word: str) -> bool:
    first = word.lstrip("\"'“‘(")[:1]
    return first.isupper() or first.isdigit()


def named_action(text: str, is_artist: IsArtist | None = None) -> str | None:
    """The action a lead word plus a name makes certain ("skip Sigur Rós" -> remove), or None."""
    for action, pattern in _LEADS:
        match = pattern.match(text.strip())
        if not match:
            continue
        name = match.group("name").strip(" \"'“”‘’")
        if looks_like_name(name) or (is_artist is not None and is_artist(name)):
            return action
    return None
