"""Ingest writes: one file's playlists in one transaction, and the meta key-value store."""

from __future__ import annotations

import sqlite3
from collections.abc import Iterable
from dataclasses import dataclass

import numpy as np
import orjson

from retrieval.catalog.reads import ids_for
from retrieval.catalog.schema import rollback
from retrieval.mpd.prepare import PreparedFile

_CONTENT_VERSION_KEY = "catalog.content_version"


@dataclass(frozen=True)
class IngestStats:
    playlists: int
    tracks: int
    skipped: int = 0


class TrackCodes:
    """The track id of each code a `FilePreparer` gave, filled as files are stored."""

    def __init__(self) -> None:
        self.ids = np.zeros(0, dtype=np.int64)
        self._used = 0

    def make_room(self, new: int) -> None:
        self._used += new
        if self._used > len(self.ids):
            grown = np.zeros(max(self._used, 2 * len(self.ids)), dtype=np.int64)
            grown[:len(self.ids)] = self.ids
            self.ids = grown


class IngestWrites:
    """Mixin of `Catalog`: storing parsed MPD files and meta values."""

    _db: sqlite3.Connection
    _track_ids: dict[str, int] | None
    _track_ids_max: int

    def ingest(self, prepared: PreparedFile, codes: TrackCodes) -> IngestStats:
        """Store one file's playlists in a single transaction (all or nothing)."""
        self._db.execute("BEGIN IMMEDIATE")
        try:
            self._store_new_tracks(prepared, codes)
            title_ids = self._upsert_titles(row[2] for row in prepared.playlists)
            self._replace_playlists(prepared, codes.ids[prepared.codes], title_ids)
            self._bump_content_version()
            self._db.execute("COMMIT")
        except BaseException:
            rollback(self._db)
            self._track_ids = None  # ids handed out in the failed transaction do not exist
            raise
        return IngestStats(playlists=len(prepared.playlists), tracks=prepared.track_slots, skipped=len(prepared.bad))

    def _known_track_ids(self) -> dict[str, int]:
        """uri -> track_id of every stored track, kept between files of one ingest.

        Looking ids up in Python is several times faster than an INSERT ... ON CONFLICT
        and a SELECT per file; the cache is reloaded when another process has added
        tracks since (the write lock is held while it is used).
        """
        max_id = self._db.execute("SELECT coalesce(max(track_id), 0) FROM tracks").fetchone()[0]
        if self._track_ids is None or self._track_ids_max != max_id:
            self._track_ids = dict(self._db.execute("SELECT uri, track_id FROM tracks"))
        self._track_ids_max = max_id
        return self._track_ids

    def _store_new_tracks(self, prepared: PreparedFile, codes: TrackCodes) -> None:
        """Give the file's new codes their ids: a stored track's, else a new row's."""
        known = self._known_track_ids()
        next_id = self._track_ids_max + 1
        codes.make_room(len(prepared.new_tracks))
        rows = []
        for code, uri, *fields in prepared.new_tracks:
            track_id = known.get(uri)
            if track_id is None:
                track_id = known[uri] = next_id
                rows.append((track_id, uri, *fields))
                next_id += 1
            codes.ids[code] = track_id
        self._db.executemany(
            "INSERT INTO tracks (track_id, uri, name, artist, artist_uri, album_name, album_uri, duration_ms)"
            " VALUES (?, ?, ?, ?, ?, ?, ?, ?)",
            rows,
        )
        self._track_ids_max = next_id - 1

    def _upsert_titles(self, titles: Iterable[str]) -> dict[str, int]:
        normalized = sorted(set(titles) - {""})
        self._db.executemany(
            "INSERT INTO titles (normalized) VALUES (?) ON CONFLICT(normalized) DO NOTHING",
            ((title,) for title in normalized),
        )
        return ids_for(self._db, "titles", "title_id", "normalized", normalized)

    def _replace_playlists(self, prepared: PreparedFile, slot_ids: np.ndarray, title_ids: dict[str, int]) -> None:
        pids = orjson.dumps([row[0] for row in prepared.playlists]).decode()
        # Only playlists stored before have rows to delete: one look-up for the file.
        self._db.execute(
            "DELETE FROM playlist_tracks WHERE pid IN"
            " (SELECT pid FROM playlists WHERE pid IN (SELECT value FROM json_each(?)))", (pids,),
        )
        source = prepared.path.name
        self._db.executemany(
            "INSERT OR REPLACE INTO playlists (pid, name, title_id, num_tracks, collaborative,"
            " modified_at, num_followers, description, source) VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?)",
            ((pid, name, title_ids.get(title), *rest, source) for pid, name, title, *rest in prepared.playlists),
        )
        # One statement per playlist, its rows expanded by SQLite from a JSON array:
        # binding 66 rows one by one from Python costs five times as much.
        ends = np.cumsum([row[3] for row in prepared.playlists], dtype=np.int64)
        track_lists = np.split(slot_ids, ends[:-1]) if len(ends) else []
        self._db.executemany(
            "INSERT INTO playlist_tracks (pid, pos, track_id) SELECT ?, key, value FROM json_each(?)",
            ((row[0], orjson.dumps(ids, option=orjson.OPT_SERIALIZE_NUMPY).decode())
             for row, ids in zip(prepared.playlists, track_lists)),
        )

    def _bump_content_version(self) -> None:
        self._db.execute(
            "INSERT INTO meta (key, value) VALUES (?, '1')"
            " ON CONFLICT(key) DO UPDATE SET value = CAST(value AS INTEGER) + 1",
            (_CONTENT_VERSION_KEY,),
        )

    def content_version(self) -> int:
        """A number that grows with every ingested file: cheap to read, unlike `fingerprint`.

        An index records it when built; a different number later means the catalog
        changed since (an ingest without indexing, or an index build that was killed).
        """
        return int(self.get_meta(_CONTENT_VERSION_KEY) or 0)

    def set_meta(self, key: str, value: str) -> None:
        self._db.execute("INSERT OR REPLACE INTO meta (key, value) VALUES (?, ?)", (key, value))

    def get_meta(self, key: str) -> str | None:
        row = self._db.execute("SELECT value FROM meta WHERE key = ?", (key,)).fetchone()
        return row[0] if row else None
