"""Lookups by name for the chat, and whole-catalog scans for training and evaluation."""

from __future__ import annotations

import hashlib

import sqlite3
from collections.abc import Iterable, Sequence

from collections.abc import Iterator

from retrieval.catalog.reads import CHUNK, ids_for
from retrieval.catalog.schema import ensure_track_to_playlists_index
from retrieval.records import Track


class NameLookups:
    """Mixin of `Catalog`: finding playlists, titles and tracks by what a person typed."""

    _db: sqlite3.Connection

    def playlist_name(self, pid: int) -> str | None:
        """The playlist's title as written, or None when the pid is unknown or untitled."""
        row = self._db.execute("SELECT name FROM playlists WHERE pid = ?", (pid,)).fetchone()
        return row[0] if row else None

    def playlist_names(self, pids: Iterable[int] | None = None) -> dict[int, str]:
        """pid -> title as written, of the given playlists (default: all) that have one."""
        if pids is None:
            return dict(self._db.execute("SELECT pid, name FROM playlists WHERE name IS NOT NULL ORDER BY pid"))
        wanted = list(pids)
        names: dict[int, str] = {}
        for start in range(0, len(wanted), CHUNK):
            chunk = wanted[start:start + CHUNK]
            marks = ",".join("?" * len(chunk))
            names.update(self._db.execute(
                f"SELECT pid, name FROM playlists WHERE name IS NOT NULL AND pid IN ({marks})", chunk
            ))
        return names

    def title_id(self, normalized: str) -> int | None:
        """The id of a normalised title, or None when no playlist ever carried it."""
        row = self._db.execute("SELECT title_id FROM titles WHERE normalized = ?", (normalized,)).fetchone()
        return row[0] if row else None

    def title_id_of_playlist(self, pid: int) -> int | None:
        row = self._db.execute("SELECT title_id FROM playlists WHERE pid = ?", (pid,)).fetchone()
        return row[0] if row else None

    def artist_names(self) -> list[str]:
        """Every distinct artist name, as the catalog spells it."""
        return [row[0] for row in self._db.execute("SELECT DISTINCT artist FROM tracks")]

    def track_by_uri(self, uri: str) -> Track | None:
        row = self._db.execute("SELECT uri, name, artist FROM tracks WHERE uri = ?", (uri,)).fetchone()
        return Track(track_uri=row[0], track_name=row[1], artist_name=row[2]) if row else None

    def track_ids_by_uri(self, uris: list[str]) -> dict[str, int]:
        """uri -> track_id of those of `uris` in the catalog."""
        return ids_for(self._db, "tracks", "track_id", "uri", uris)

    def durations_ms(self, uris: Iterable[str]) -> dict[str, int]:
        """uri -> duration in milliseconds, of the given tracks whose duration the catalog holds."""
        wanted = list(dict.fromkeys(uris))
        found: dict[str, int] = {}
        for start in range(0, len(wanted), CHUNK):
            chunk = wanted[start:start + CHUNK]
            marks = ",".join("?" * len(chunk))
            found.update(self._db.execute(
                f"SELECT uri, duration_ms FROM tracks WHERE duration_ms IS NOT NULL AND uri IN ({marks})", chunk))
        return found

    def tracks_with_words(self, words: Sequence[str], limit: int) -> list[Track]:
        """Tracks whose "name artist" holds every one of `words` (case-blind), oldest first."""
        where, values = _all_words("(name || ' ' || artist)", words)
        rows = self._db.execute(
            f"SELECT uri, name, artist FROM tracks WHERE {where} ORDER BY track_id LIMIT ?", [*values, limit]
        ) if words else []
        return [Track(track_uri=uri, track_name=name, artist_name=artist) for uri, name, artist in rows]


class CorpusScans:
    """Mixin of `Catalog`: whole-catalog reads for training, splits and baselines."""

    _db: sqlite3.Connection

    def titled_playlists_with_tracks(self) -> list[tuple[int, int]]:
        """(pid, title_id) of playlists with both a title and tracks, by pid."""
        return self._db.execute(
            "SELECT pid, title_id FROM playlists WHERE title_id IS NOT NULL AND num_tracks > 0 ORDER BY pid"
        ).fetchall()

    def normalized_titles(self) -> dict[int, str]:
        """title_id -> normalised title, of every title ever stored."""
        return dict(self._db.execute("SELECT title_id, normalized FROM titles"))

    def distinct_track_names(self) -> list[str]:
        """Every distinct track title, shortest first (so a batch holds titles of one length)."""
        return [row[0] for row in self._db.execute("SELECT DISTINCT name FROM tracks ORDER BY length(name), name")]

    def track_names_by_id(self) -> list[tuple[int, str, str]]:
        """(track_id, uri, name) of every track, by id."""
        return self._db.execute("SELECT track_id, uri, name FROM tracks ORDER BY track_id").fetchall()

    def play_counts(self, track_ids: Iterable[int]) -> dict[int, int]:
        """How many playlists hold each track (on the track -> playlists index, built on first use)."""
        ensure_track_to_playlists_index(self._db)
        query = "SELECT count(DISTINCT pid) FROM playlist_tracks WHERE track_id = ?"
        return {track_id: self._db.execute(query, (track_id,)).fetchone()[0] for track_id in dict.fromkeys(track_ids)}

    def track_title_counts(self, batch: int = 500_000) -> Iterator[list[tuple[int, int, int]]]:
        """(track_id, title_id, playlists) for every track of a titled playlist, in batches,
        in track order.

        Untitled playlists (some challenge-set entries) hold no title, so add nothing.
        """
        cursor = self._db.execute(
            "SELECT pt.track_id, p.title_id, count(*) FROM playlist_tracks pt JOIN playlists p ON p.pid = pt.pid"
            " WHERE p.title_id IS NOT NULL GROUP BY pt.track_id, p.title_id ORDER BY pt.track_id, p.title_id"
        )
        while rows := cursor.fetchmany(batch):
            yield rows

    def content_digests(self) -> dict[str, dict]:
        """Row count and SHA-256 of the catalog's contents, ids aside: every playlist's fields,
        its tracks in order by URI, every track's fields and the normalised titles. Two
        catalogs of the same files hold the same digests whichever release ingested them."""
        digests = {}
        for name, query in _CONTENTS.items():
            digest, rows = hashlib.sha256(), 0
            for row in self._db.execute(query):
                digest.update(repr(tuple(row)).encode())
                rows += 1
            digests[name] = {"rows": rows, "sha256": digest.hexdigest()}
        return digests

    def artists_with_words(self, words: Sequence[str], limit: int) -> list[tuple[str, int]]:
        """(artist, number of its tracks) for artists whose name holds every one of `words`
        (case-blind), most tracks first."""
        where, values = _all_words("artist", words)
        rows = self._db.execute(
            f"SELECT artist, count(*) FROM tracks WHERE {where} GROUP BY artist ORDER BY count(*) DESC, artist LIMIT ?",
            [*values, limit],
        ) if words else []
        return [(artist, count) for artist, count in rows]


_CONTENTS = {
    "playlists": "SELECT pid, name, num_tracks, collaborative, modified_at, num_followers, description "
                 "FROM playlists ORDER BY pid",
    "playlist_tracks": "SELECT pt.pid, pt.pos, t.uri FROM playlist_tracks pt JOIN tracks t USING (track_id) "
                       "ORDER BY pt.pid, pt.pos",
    "tracks": "SELECT uri, name, artist, artist_uri, album_name, album_uri, duration_ms FROM tracks ORDER BY uri",
    "titles": "SELECT normalized FROM titles ORDER BY normalized",
}


def _all_words(column: str, words: Sequence[str]) -> tuple[str, list[str]]:
    """A WHERE clause holding every one of `words` in `column` (LIKE: case-blind for ASCII).

    `%` and `_` in a word are the characters themselves, not wildcards (`q=%` finds names
    holding a percent sign, not every name).
    """
    return (" AND ".join(f"{column} LIKE ? ESCAPE '\\'" for _ in words),
            [f"%{_literal(w)}%" for w in words])


def _literal(word: str) -> str:
    return word.replace("\\", "\\\\").replace("%", "\\%").replace("_", "\\_")
