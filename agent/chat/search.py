"""Finding what a person names in the catalog: an artist, or a song.

Names are read by the project's one resolver (`retrieval.resolve.NameResolver`), so
"michael buble", "Hello - Remastered 2011 by Adele" and "adele - hello" mean what
they mean everywhere else. A name that matches several songs or artists is a
`ChatError` listing them: the chat takes none rather than guess. A loose word search
is kept only for suggestions (/find, "did you mean"); nothing acts on it.
"""

from __future__ import annotations

from agent.chat.outcome import ChatError
from retrieval.catalog import Catalog
from retrieval.normalize import normalize_title
from retrieval.records import Track
from retrieval.resolve import AmbiguousName, NameNotFound, NameResolver

_QUOTES = "\"'“”‘’"
_FILLER = {"by", "the", "a", "from"}
MAX_WORDS = 6


class CatalogSearch:
    """Artist and song lookups on one catalog."""

    def __init__(self, catalog: Catalog):
        self.catalog = catalog
        self._resolver: NameResolver | None = None

    @property
    def resolver(self) -> NameResolver:
        if self._resolver is None:  # keys every track on first use, so built only when a name is read
            self._resolver = NameResolver(self.catalog)
        return self._resolver

    def artist(self, text: str) -> str | None:
        """The catalog's spelling of the one artist named `text`, or None when none is.

        Raises `ChatError` when the name fits several artists.
        """
        found = _one(self.resolver.artist, text)
        return found.name if found else None

    def is_artist(self, text: str) -> bool:
        """Whether `text` names one or more catalog artists."""
        try:
            return self.artist(text) is not None
        except ChatError:
            return True

    def exact_track(self, text: str) -> Track | None:
        """The one song named `text` ("Hello by Adele", "Adele - Hello", "Hello", a URI), or None.

        Raises `ChatError` when the name fits several songs.
        """
        found = _one(self.resolver.track, text)
        return found.track if found else None

    def song(self, text: str, doing: str) -> Track:
        """The one song named `text`; a `ChatError` saying `doing` did not happen otherwise."""
        found = self.exact_track(text)
        if found is not None:
            return found
        message = f"“{_unquoted(text)}” is not in the catalog, so {doing}"
        guesses = self.suggestions(text, 3)
        if guesses:
            message += "; did you mean " + " or ".join(f"“{t.track_name}” by {t.artist_name}" for t in guesses) + "?"
        raise ChatError(message)

    def tracks(self, text: str, limit: int = 5) -> list[Track]:
        """The song named `text` first, then tracks holding every word of it: suggestions only."""
        try:
            exact = self.exact_track(text)
        except ChatError:
            exact = None
        found = [exact] if exact else []
        for track in self.suggestions(text, limit):
            if len(found) < limit and track.track_uri not in {t.track_uri for t in found}:
                found.append(track)
        return found

    def suggestions(self, text: str, limit: int) -> list[Track]:
        """Tracks whose title or artist holds every word of `text` (loose: to show, never to act on)."""
        words = [w for w in normalize_title(_unquoted(text)).split() if w not in _FILLER][:MAX_WORDS]
        return self.catalog.tracks_with_words(words, limit) if words else []

    def track_by_uri(self, uri: str) -> Track | None:
        return self.catalog.track_by_uri(uri)


def _unquoted(text: str) -> str:
    return text.strip().strip(_QUOTES).strip()


def _one(lookup, text: str):
    """`lookup`'s one match for `text`, None for none; several are the person's to choose from."""
    try:
        return lookup(_unquoted(text))
    except NameNotFound:
        return None
    except AmbiguousName as error:
        raise ChatError(f"{error}; nothing changed") from None
