"""Text normalisation for playlist titles and song identities.

Titles are grouped by their normalised form, so "Chill", "chill!!" and " CHILL " are
one title embedded once. Letters and digits of every script and emoji are kept, since
"케이팝" and "🎄🎄" are real playlist titles; punctuation becomes white space.
"""

from __future__ import annotations

import re
import unicodedata

_WHITESPACE = re.compile(r"\s+")
# Apostrophes join ("don't" -> "dont") rather than split, as users type both.
_JOINING = {"'", "\u2019", "\u2018", "`"}
_VERSION_SUFFIX = re.compile(
    r"\s+-\s+(?:.*\b(?:remaster(?:ed)?|live|radio edit|edit|version|mix|remix|mono|stereo|"
    r"acoustic|demo|single|explicit|clean|deluxe|bonus|recorded|session)\b.*|\d{4})$",
    re.IGNORECASE,
)
_BRACKETED_VERSION = re.compile(
    r"\s*[\(\[](?:[^\)\]]*\b(?:feat\.?|ft\.?|featuring|with|remaster(?:ed)?|live|radio edit|"
    r"version|edit|mono|stereo|explicit|clean)\b[^\)\]]*)[\)\]]",
    re.IGNORECASE,
)
_FEATURING = re.compile(r"\s+(?:feat\.?|ft\.?|featuring)\s+.*$", re.IGNORECASE)
_ARTIST_SPLIT = re.compile(r"\s*(?:,|&|\bx\b|\band\b|\bwith\b|\bfeat\.?|\bft\.?)\s+", re.IGNORECASE)


def _keep(char: str) -> bool:
    category = unicodedata.category(char)
    # L* letters, N* digits, So emoji and other symbols, Sk emoji skin tones,
    # Mn/Mc marks (Hangul, Devanagari, variation selectors), Cf the emoji ZWJ.
    return category[0] in "LN" or category in {"So", "Sk", "Mn", "Mc", "Cf"}


def normalize_title(title: str) -> str:
    """Return the form under which playlist titles are grouped and embedded.

    >>> normalize_title("  Summer   Vibes!! ")
    'summer vibes'
    >>> normalize_title("Don't Stop")
    'dont stop'
    >>> normalize_title("Xmas 🎄")
    'xmas 🎄'
    """
    text = unicodedata.normalize("NFKC", title).casefold()
    chars = []
    for char in text:
        if char in _JOINING:
            continue
        chars.append(char if _keep(char) else " ")
    return _WHITESPACE.sub(" ", "".join(chars)).strip()


def song_key(track_name: str, artist_name: str) -> str:
    """Identity of a song across its versions: "Hey Jude - Remastered 2015" by
    "The Beatles" and "Hey Jude" by "The Beatles" share one key.

    The first artist named stands for the song, so "A & B" and "A" match.
    """
    name = _BRACKETED_VERSION.sub("", track_name)
    name = _VERSION_SUFFIX.sub("", name)
    name = _FEATURING.sub("", name)
    primary_artist = _ARTIST_SPLIT.split(artist_name.strip(), maxsplit=1)[0]
    return normalize_title(name) + "|" + normalize_title(primary_artist)
