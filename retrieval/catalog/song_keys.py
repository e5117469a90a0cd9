"""The song-key table: song_key(name, artist) of every track, for matching songs by name.

Keying 2.2 million MPD tracks takes tens of seconds, too long to repeat per process,
so the keys are stored in the catalog file, filled on first use and topped up when
tracks are added; a lookup is then one indexed query.
"""

from __future__ import annotations

import sqlite3

from collections.abc import Iterator, Sequence

from retrieval.catalog.schema import rollback
from retrieval.normalize import song_key

# The artist part of a song key ("title|artist"); titles hold no "|".
_ARTIST_PART = "substr(key, instr(key, '|') + 1)"
_VERSION_META_KEY = "song_keys_version"
_BATCH = 50_000


class SongKeys:
    """Mixin of `Catalog`: the stored song keys."""

    _db: sqlite3.Connection

    def refresh_song_keys(self, version: str) -> None:
        """Key the tracks added since the last refresh; rekey all when `version` changed."""
        stale = self.get_meta(_VERSION_META_KEY) != version
        # Track rows are never renamed and ids only grow, so keying the new ids suffices.
        done = 0 if stale else self._db.execute("SELECT coalesce(max(track_id), 0) FROM song_keys").fetchone()[0]
        newest = self._db.execute("SELECT coalesce(max(track_id), 0) FROM tracks").fetchone()[0]
        if not stale and newest <= done:
            return  # the common case: nothing to write, no write lock taken
        self._db.execute("BEGIN IMMEDIATE")
        try:
            if stale:
                self._db.execute("DELETE FROM song_keys")
            self._key_tracks_after(done)
            self.set_meta(_VERSION_META_KEY, version)
            self._db.execute("COMMIT")
        except BaseException:
            rollback(self._db)
            raise

    def _key_tracks_after(self, done: int) -> None:
        # Paged by id, so 2.2 million MPD tracks never sit in memory at once.
        while rows := self._db.execute(
            "SELECT track_id, name, artist FROM tracks WHERE track_id > ? ORDER BY track_id LIMIT ?",
            (done, _BATCH),
        ).fetchall():
            self._db.executemany(
                "INSERT OR IGNORE INTO song_keys (key, track_id) VALUES (?, ?)",
                ((song_key(name, artist), track_id) for track_id, name, artist in rows),
            )
            done = rows[-1][0]

    def song_key_entries(self) -> Iterator[tuple[str, int]]:
        """(song key, track id) of every keyed track, by key: versions of a song side by side."""
        yield from self._db.execute("SELECT key, track_id FROM song_keys ORDER BY key, track_id")

    def track_ids_with_song_key(self, key: str) -> list[int]:
        """Ids of the tracks whose song key is `key`, oldest first."""
        return [row[0] for row in self._db.execute(
            "SELECT track_id FROM song_keys WHERE key = ? ORDER BY track_id", (key,)
        )]

    def track_ids_with_title_key(self, title: str) -> list[int]:
        """Ids of the tracks whose song key starts with "`title`|", by any artist (a range on the key index)."""
        # "}" follows "|" in code point order, so the range holds exactly the keys "title|...".
        rows = self._db.execute(
            "SELECT track_id FROM song_keys WHERE key >= ? AND key < ? ORDER BY track_id", (f"{title}|", f"{title}}}")
        )
        return [row[0] for row in rows]

    def track_ids_with_key_words(self, words: Sequence[str], limit: int) -> list[int]:
        """Ids of the tracks whose song key holds every one of `words` (already folded) as a
        whole word, in song or artist, in any order: a scan, so only a last resort."""
        if not words:
            return []
        spaced = "' ' || replace(key, '|', ' ') || ' '"
        where = " AND ".join(f"{spaced} LIKE ?" for _ in words)
        rows = self._db.execute(f"SELECT track_id FROM song_keys WHERE {where} ORDER BY track_id LIMIT ?",
                                [*(f"% {word} %" for word in words), limit])
        return [row[0] for row in rows]

    def artists_with_keys(self, artist_keys: Sequence[str]) -> dict[str, int]:
        """Artist names (as spelled) whose primary-artist key is one of `artist_keys`, with their tracks.

        The artist part of a song key (after "|") gets an expression index on first use.
        """
        if not artist_keys:
            return {}
        self._db.execute(f"CREATE INDEX IF NOT EXISTS song_keys_by_artist ON song_keys({_ARTIST_PART})")
        marks = ",".join("?" * len(artist_keys))
        rows = self._db.execute(
            f"SELECT t.artist, count(*) FROM song_keys k JOIN tracks t ON t.track_id = k.track_id"
            f" WHERE {_ARTIST_PART.replace('key', 'k.key')} IN ({marks}) GROUP BY t.artist",
            list(artist_keys),
        )
        return dict(rows)
