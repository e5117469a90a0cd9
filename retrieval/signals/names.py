"""Folding names so a playlist title can meet an artist or album name.

"Beyoncé", "the beatles" and "Simon & Garfunkel" are titles of real playlists; they
should meet "Beyonce", "The Beatles" and "Simon and Garfunkel".
"""

from __future__ import annotations

from retrieval.normalize import _strip_latin_accents, normalize_title


def fold_name(text: str) -> str:
    """Case, accents, punctuation, a leading "the" and "&" against "and" folded away.

    >>> fold_name("The Beatles") == fold_name("beatles")
    True
    >>> fold_name("Simon & Garfunkel")
    'simon and garfunkel'
    >>> fold_name("Beyoncé")
    'beyonce'
    """
    text = normalize_title(text.replace("&", " and "))
    text = _strip_latin_accents(text)
    words = text.split()
    if len(words) > 1 and words[0] == "the":
        words = words[1:]
    return " ".join(words)

