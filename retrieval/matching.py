"""Finding catalog tracks by song and artist name, for generators that give no URI (LLMs).

A name is matched on `song_key` (normalised title and primary artist), so "Hello -
Remastered 2011" by "ADELE feat. X" finds "Hello" by "Adele". The keys of every
catalog track live in a side table of the catalog file, filled on first use and
topped up when tracks are added: keying 2.2 million MPD tracks takes tens of seconds,
too long to repeat per process, while a lookup is then one indexed query.
"""

from __future__ import annotations

from collections.abc import Iterable
from dataclasses import dataclass

from retrieval.catalog import Catalog
from retrieval.normalize import song_key
from retrieval.records import Track

# Bump when song_key's normalisation changes: stored keys are then rebuilt.
KEYS_VERSION = "1"
_META_KEY = "song_keys_version"
_BATCH = 50_000


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
        self._ensure_keys()

    def _ensure_keys(self) -> None:
        db = self.catalog.db
        db.execute(
            "CREATE TABLE IF NOT EXISTS song_keys (key TEXT NOT NULL, track_id INTEGER NOT NULL,"
            " PRIMARY KEY (key, track_id)) WITHOUT ROWID"
        )
        stale = self.catalog.get_meta(_META_KEY) != KEYS_VERSION
        # Track rows are never renamed and ids only grow, so keying the new ids suffices.
        done = 0 if stale else db.execute("SELECT coalesce(max(track_id), 0) FROM song_keys").fetchone()[0]
        newest = db.execute("SELECT coalesce(max(track_id), 0) FROM tracks").fetchone()[0]
        if not stale and newest <= done:
            return  # the common case: nothing to write, no write lock taken
        db.execute("BEGIN IMMEDIATE")
        try:
            if stale:
                db.execute("DELETE FROM song_keys")
            # Paged by id, so 2.2 million MPD tracks never sit in memory at once.
            while rows := db.execute(
                "SELECT track_id, name, artist FROM tracks WHERE track_id > ? ORDER BY track_id LIMIT ?",
                (done, _BATCH),
            ).fetchall():
                db.executemany(
                    "INSERT OR IGNORE INTO song_keys (key, track_id) VALUES (?, ?)",
                    ((song_key(name, artist), track_id) for track_id, name, artist in rows),
                )
                done = rows[-1][0]
            self.catalog.set_meta(_META_KEY, KEYS_VERSION)
            db.execute("COMMIT")
        except BaseException:
            db.execute("ROLLBACK")
            raise

    def match(self, song: str, artist: str) -> Match:
        """The catalog track for this song, or a Match without a track.

        Among versions sharing the key, the one named exactly as asked wins, then
        the first one ingested (lowest id), so a result is reproducible.
        """
        ids = [row[0] for row in self.catalog.db.execute(
            "SELECT track_id FROM song_keys WHERE key = ? ORDER BY track_id", (song_key(song, artist),)
        )]
        if not ids:
            return Match(song, artist, None)
        tracks = self.catalog.tracks_by_id(ids)
        wanted = (song.casefold().strip(), artist.casefold().strip())
        exact = [t for t in ids if (tracks[t].track_name.casefold(), tracks[t].artist_name.casefold()) == wanted]
        return Match(song, artist, tracks[(exact or ids)[0]])

    def match_all(self, songs: Iterable[tuple[str, str]]) -> list[Match]:
        return [self.match(song, artist) for song, artist in songs]
