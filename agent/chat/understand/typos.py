"""Phone typos in the words that name an action: "remvoe song 6", "i lvoe this", "unod".

Only two swapped neighbouring letters, or one letter missing from a long word, are mended,
and only towards the few words the rules key on; slips that make another real word
("form", "snog") are left alone, and so is every word with a capital, so names are
seldom touched; a lower-case name that is a slip of an action word ("mroe") would be.
"""

from __future__ import annotations

import re

_KEYWORDS = (
    "remove", "delete", "love", "like", "hate", "more", "less", "undo", "redo", "save", "help", "switch",
    "show", "skip", "playlist", "songs", "song", "track", "tracks", "please", "export", "rerank", "can",
    "the", "why", "what", "make", "similar", "something", "shorter", "longer", "only", "add", "thanks",
)
_SHORT_KEYWORDS = ("make", "more", "less", "save", "love", "like", "song")
_REAL_WORDS = {"moe", "mae", "lie", "son", "sae", "les", "ore", "ave", "ike", "ong", "ess", "ake", "snog", "eth", "het", "dad", "witch", "racks", "lease", "pease", "loner", "thank", "hanks", "rack",
               "sorter", "tacks", "tanks"}


def _swaps(word: str) -> set[str]:
    return {word[:i] + word[i + 1] + word[i] + word[i + 2:] for i in range(len(word) - 1) if word[i] != word[i + 1]}


def _drops(word: str) -> set[str]:
    if word in _SHORT_KEYWORDS:  # a short word keeps its first letter: "mke", "mak" but not "ake"
        return {word[:i] + word[i + 1:] for i in range(1, len(word))}
    return {word[:i] + word[i + 1:] for i in range(len(word))} if len(word) >= 6 else set()


_MENDED = {slip: word for word in _KEYWORDS for slip in _swaps(word) | _drops(word)
           if slip not in _KEYWORDS and slip not in _REAL_WORDS}
_WORD = re.compile(r"[A-Za-z]+")


def mended(text: str) -> str:
    """`text` with swapped letters in action words put back; every other word as typed."""
    # Only lower-case words: a capitalised one is more likely a name ("Teh", "Lvoe") than a slip.
    return _WORD.sub(lambda m: _MENDED.get(m.group(0), m.group(0)) if m.group(0).islower() else m.group(0), text)


_LETTERS = "abcdefghijklmnopqrstuvwxyz"


def slips_of(word: str, words) -> list[str]:
    """The words of `words` one slip from `word` (a letter dropped, added, changed, or two swapped),
    leaving out another ending of it: "jazzy" and "jazz", "dreamy" and "dreamz" are other words."""
    splits = [(word[:i], word[i:]) for i in range(len(word) + 1)]
    near = ({a + b[1:] for a, b in splits if b} | {a + b[1] + b[0] + b[2:] for a, b in splits if len(b) > 1}
            | {a + c + b[1:] for a, b in splits if b for c in _LETTERS} | {a + c + b for a, b in splits for c in _LETTERS})
    return sorted(w for w in near if w in words and not _another_ending(word, w))


def _another_ending(word: str, other: str) -> bool:
    return word.startswith(other) or other.startswith(word) or word[:-1] == other[:-1]
