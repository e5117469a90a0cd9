"""Finding what a person names in the catalog: an artist, or a song by title and artist.

Names are compared in their normalised form ("bon iver" finds "Bon Iver"). A name
that finds nothing returns nothing: the caller says so rather than guessing.
"""

from __future__ import annotations

import re

from retrieval.catalog import Catalog
from retrieval.matching import SongMatcher
from retrieval.normalize import artist_key, normalize_title
from retrieval.records import Track

_BY = re.compile(r"^(?P<song>.+?)\s+(?:by|from|-|–)\s+(?P<artist>.+)$", re.IGNORECASE)
_QUOTES = "\"'“”‘’"


class CatalogSearch:
    """Artist and track lookups on one catalog; the artist list is read once, on first use."""

    def __init__(self, catalog: Catalog):
        self.catalog = catalog
        self._artists: dict[str, str] | None = None
        self._matcher: SongMatcher | None = None

    def artist(self, text: str) -> str | None:
        """The catalog's spelling of the artist named `text`, or None."""
        wanted = normalize_title(text)
        if not wanted:
            return None
        artists = self._artist_names()
        return artists.get(wanted) or artists.get(artist_key(text))

    def _artist_names(self) -> dict[str, str]:
        if self._artists is None:
            names: dict[str, str] = {}
            for artist in self.catalog.artist_names():
                names.setdefault(normalize_title(artist), artist)
            self._artists = names
        return self._artists

    def tracks(self, text: str, limit: int = 5) -> list[Track]:
        """Tracks matching "SONG by ARTIST" exactly first, else every word of `text` in title or artist."""
        text = text.strip().strip(_QUOTES).strip()
        if not text:
            return []
        exact = self.exact_track(text)
        found: list[Track] = [exact] if exact else []
        for track in self._by_words(text, limit):
            if len(found) >= limit:
                break
            if track.track_uri not in {t.track_uri for t in found}:
                found.append(track)
        return found

    def exact_track(self, text: str) -> Track | None:
        """The track named exactly "SONG by ARTIST" (normalised), or None: no loose word matches,
        since a like or dislike must not land on a song that merely shares a word."""
        match = _BY.match(text.strip().strip(_QUOTES).strip())
        if not match:
            return None
        song, artist = (match[name].strip().strip(_QUOTES) for name in ("song", "artist"))
        return self._song_matcher().match(song, artist).track

    def _by_words(self, text: str, limit: int) -> list[Track]:
        words = [w for w in normalize_title(text).split() if w not in {"by", "the", "a", "from"}][:6]
        if not words:
            return []
        # Words come normalised, so punctuation does not block a match.
        return self.catalog.tracks_with_words(words, limit)

    def _song_matcher(self) -> SongMatcher:
        if self._matcher is None:
            self._matcher = SongMatcher(self.catalog)
        return self._matcher

    def track_by_uri(self, uri: str) -> Track | None:
        return self.catalog.track_by_uri(uri)
