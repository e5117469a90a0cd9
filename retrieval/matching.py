"""Finding catalog tracks by song and artist name, for generators that give no URI (LLMs).

A name is matched on `song_key` (normalised title and primary artist), so "Hello -
Remastered 2011" by "ADELE feat. X" finds "Hello" by "Adele". The keys of every
catalog track live in the catalog's `song_keys` table, filled on first use and topped
up when tracks are added (`Catalog.refresh_song_keys`).
"""

from __future__ import annotations

from collections.abc import Iterable
from dataclasses import dataclass

from retrieval.catalog import Catalog
from retrieval.normalize import song_key
from retrieval.records import Track

# Bump when song_key's normalisation changes: stored keys are then rebuilt.
KEYS_VERSION = "1"


@dataclass(frozen=True)
class Match:
    """A named song and the catalog track it matched, if any."""

    song: str
    artist: str
    track: Track | None

    @property
    def in_catalog(self) -> bool:
        return self.track is not None


class SongMatcher:
    """Looks songs up in a catalog by name; keeps the catalog's key table up to date."""

    def __init__(self, catalog: Catalog):
        self.catalog = catalog
        catalog.refresh_song_keys(KEYS_VERSION)

    def match(self, song: str, artist: str) -> Match:
        """The catalog track for this song, or a Match without a track.

        Among versions sharing the key, the one named exactly as asked wins, then
        the first one ingested (lowest id), so a result is reproducible.
        """
        ids = self.catalog.track_ids_with_song_key(song_key(song, artist))
        if not ids:
            return Match(song, artist, None)
        tracks = self.catalog.tracks_by_id(ids)
        wanted = (song.casefold().strip(), artist.casefold().strip())
        exact = [t for t in ids if (tracks[t].track_name.casefold(), tracks[t].artist_name.casefold()) == wanted]
        return Match(song, artist, tracks[(exact or ids)[0]])

    def match_all(self, songs: Iterable[tuple[str, str]]) -> list[Match]:
        return [self.match(song, artist) for song, artist in songs]
