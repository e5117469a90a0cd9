"""Text normalisation for playlist titles and song identities.

Titles are grouped by their normalised form, so "Chill", "chill!!" and " CHILL " are
one title embedded once. Letters and digits of every script and emoji are kept, since
"케이팝" and "🎄🎄" are real playlist titles; punctuation becomes white space.
"""

from __future__ import annotations

import functools
import re
import unicodedata

_WHITESPACE = re.compile(r"\s+")
# Apostrophes join ("don't" -> "dont") rather than split, as users type both.
_APOSTROPHES = frozenset("'\u2018\u2019\u02bc`\u00b4")


_ASCII_TITLE_TABLE = {
    code: (None if chr(code) in _APOSTROPHES else " ") for code in range(128) if not chr(code).isalnum()
}


def _keep(char: str) -> bool:
    category = unicodedata.category(char)
    # L* letters, N* digits, So emoji and other symbols, Sk emoji skin tones,
    # Mn/Mc marks (Hangul, Devanagari, variation selectors), Cf the emoji ZWJ.
    if char.isascii():
        return char.isalnum()
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
    if title.isascii():  # the common case, done by str.translate in C
        return " ".join(title.lower().translate(_ASCII_TITLE_TABLE).split())
    text = unicodedata.normalize("NFKC", title).casefold()
    chars = []
    for char in text:
        if char in _APOSTROPHES:
            continue
        chars.append(char if _keep(char) else " ")
    normalized = _WHITESPACE.sub(" ", "".join(chars)).strip()
    # Marks and format characters (U+200B, U+FE0F, U+0301, U+202E) only count beside a letter,
    # digit or emoji: a title of them alone shows nothing, so it is refused like "!!!".
    return normalized if any(map(_visible, normalized)) else ""


def _visible(char: str) -> bool:
    return char.isalnum() or unicodedata.category(char) in {"So", "Sk"}


# --------------------------------------------------------------------------- #
# Matching tracks by title and artist
# --------------------------------------------------------------------------- #

_BRACKETED = re.compile(r"\([^()]*\)|\[[^\[\]]*\]")
_DASH_SEPARATOR = re.compile(r"\s+[-\u2013\u2014]\s+")
_FEATURING_TAIL = re.compile(r"\s(?:feat\.?|ft\.|featuring)\s.*$")
# Needs whitespace around word separators so "Little Feat" or "Andy" survive.
_ARTIST_SEPARATOR = re.compile(r"[&,;]|\s(?:and|feat\.?|ft\.|featuring)\s")
# Words that mark a " - ..." part as a release variant rather than part of the title.
_VERSION_WORDS = frozenset(
    {
        "acoustic", "anniversary", "bonus", "deluxe", "demo", "edit", "edition",
        "explicit", "extended", "feat", "featuring", "from", "ft", "instrumental",
        "live", "mix", "mixed", "mono", "original", "radio", "recorded", "remaster",
        "remastered", "remix", "rerecorded", "session", "sessions", "single",
        "stereo", "unplugged", "version",
    }
)


@functools.lru_cache(maxsize=1 << 18)
def song_key(track_name: str, artist_name: str) -> str:
    """Identity of a song across its versions, as ``"title|artist"``.

    Version merging keys on it, and so does matching tracks when a generator
    gives no URI (LLM output).

    Both parts are NFKC-normalised, casefolded, stripped of accents on Latin
    letters, of punctuation and of repeated whitespace; emoji and non-Latin
    scripts are kept as they are. The title also loses bracketed parts
    ("(feat. X)", "[Live]"), "feat./ft." tails and trailing " - " variant
    suffixes ("- Remastered 2011", "- Live", "- Radio Edit"); a " - " part that
    does not look like a variant ("Part 1 - The Beginning") is kept. The
    artist is reduced to the primary one, before "&", ",", ";", " and ",
    " feat", " ft." or " featuring".

    So ``song_key("Hello - Remastered 2011", "Adele") == song_key("hello", "ADELE")``.
    Two different songs can share a key (same title, same primary artist);
    that is the price of matching without ids.
    """
    return f"{_normalise_title(track_name)}|{_normalise_artist(artist_name)}"


def title_key(track_name: str) -> str:
    """The title part of `song_key`: "Hello - Remastered 2011" -> "hello"."""
    return _normalise_title(track_name)


def artist_key(artist_name: str) -> str:
    """The primary artist as `song_key` sees it: "Calvin Harris & Rihanna" -> "calvin harris"."""
    return _normalise_artist(artist_name)


def _normalise_title(title: str) -> str:
    text = _prepare(title)
    text = _strip_bracketed(text)
    text = _strip_variant_suffixes(text)
    text = _FEATURING_TAIL.sub("", text)
    return _finish(text, fallback=title)


def _normalise_artist(artist: str) -> str:
    text = _strip_bracketed(_prepare(artist))
    primary = _ARTIST_SEPARATOR.split(text, maxsplit=1)[0]
    # A name that starts with a separator ("& Friends") has no primary part to keep.
    return _finish(primary if primary.strip() else text, fallback=artist)


def _prepare(text: str) -> str:
    # NFKC folds full-width and compatibility forms ("Ｈｅｌｌｏ", "ﬁ") into plain ones.
    return unicodedata.normalize("NFKC", text).casefold()


def _strip_bracketed(text: str) -> str:
    stripped = text
    while (inner := _BRACKETED.sub(" ", stripped)) != stripped:  # nested brackets need several passes
        stripped = inner
    # A title that is all brackets, like "(Untitled)", would otherwise vanish.
    return stripped if stripped.strip() else text


def _strip_variant_suffixes(text: str) -> str:
    parts = _DASH_SEPARATOR.split(text)
    while len(parts) > 1 and _is_variant_label(parts[-1]):
        parts.pop()
    return " ".join(parts)


def _is_variant_label(part: str) -> bool:
    words = _remove_punctuation(part).split()
    if not words:
        return False
    return all(word.isdigit() for word in words) or any(word in _VERSION_WORDS for word in words)


_ASCII_PUNCTUATION_TABLE = {
    code: (None if chr(code) in _APOSTROPHES else " ")
    for code in range(128)
    if chr(code) == "|" or unicodedata.category(chr(code)).startswith("P")
}


def _finish(text: str, fallback: str) -> str:
    cleaned = " ".join(_remove_punctuation(_strip_latin_accents(text)).split())
    # An all-punctuation name such as "?" must still give a non-empty, stable key.
    return cleaned or " ".join(_prepare(fallback).split())


def _strip_latin_accents(text: str) -> str:
    if text.isascii():
        return text
    # Only marks on ASCII letters go: on other scripts (Cyrillic "й", kana "が")
    # the mark is part of the letter, not an accent.
    kept: list[str] = []
    for char in unicodedata.normalize("NFD", text):
        if unicodedata.combining(char) and kept and kept[-1].isascii() and kept[-1].isalpha():
            continue
        kept.append(char)
    return unicodedata.normalize("NFC", "".join(kept))


def _remove_punctuation(text: str) -> str:
    # Apostrophes vanish so "Don't" meets "Dont"; other punctuation splits
    # words. "|" is the key's separator, so it must not survive either.
    if text.isascii():
        return text.translate(_ASCII_PUNCTUATION_TABLE)
    out: list[str] = []
    for char in text:
        if char in _APOSTROPHES:
            continue
        out.append(" " if char == "|" or unicodedata.category(char).startswith("P") else char)
    return "".join(out)
