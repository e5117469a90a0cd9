"""Ingest writes: one file's playlists in one transaction, and the meta key-value store."""

from __future__ import annotations

import json
import sqlite3
from collections.abc import Iterable
from dataclasses import dataclass

from retrieval.catalog.reads import ids_for
from retrieval.catalog.schema import rollback
from retrieval.mpd import ParsedFile
from retrieval.normalize import normalize_title

_CONTENT_VERSION_KEY = "catalog.content_version"


@dataclass(frozen=True)
class IngestStats:
    playlists: int
    tracks: int
    skipped: int = 0


class IngestWrites:
    """Mixin of `Catalog`: storing parsed MPD files and meta values."""

    _db: sqlite3.Connection
    _track_ids: dict[str, int] | None
    _track_ids_max: int

    def ingest(self, parsed: ParsedFile) -> IngestStats:
        """Store one file's playlists in a single transaction (all or nothing)."""
        self._db.execute("BEGIN IMMEDIATE")
        try:
            track_ids = self._assign_track_ids(parsed)
            title_ids = self._upsert_titles(p.name for p in parsed.playlists)
            self._replace_playlists(parsed, track_ids, title_ids)
            self._bump_content_version()
            self._db.execute("COMMIT")
        except BaseException:
            rollback(self._db)
            self._track_ids = None  # ids handed out in the failed transaction do not exist
            raise
        return IngestStats(
            playlists=len(parsed.playlists),
            tracks=sum(len(p.tracks) for p in parsed.playlists),
            skipped=len(parsed.bad),
        )

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

    def _assign_track_ids(self, parsed: ParsedFile) -> dict[str, int]:
        known = self._known_track_ids()
        next_id = self._track_ids_max + 1
        new_rows = []
        for playlist in parsed.playlists:
            for track in playlist.tracks:
                if track.track_uri not in known:
                    known[track.track_uri] = next_id
                    extra = track.extra
                    new_rows.append((
                        next_id, track.track_uri, track.track_name, track.artist_name,
                        extra.get("artist_uri"), extra.get("album_name"),
                        extra.get("album_uri"), extra.get("duration_ms"),
                    ))
                    next_id += 1
        self._db.executemany(
            "INSERT INTO tracks (track_id, uri, name, artist, artist_uri, album_name, album_uri, duration_ms)"
            " VALUES (?, ?, ?, ?, ?, ?, ?, ?)",
            new_rows,
        )
        self._track_ids_max = next_id - 1
        return known

    def _upsert_titles(self, names: Iterable[str | None]) -> dict[str, int]:
        normalized = sorted({normalize_title(name) for name in names if name})
        normalized = [title for title in normalized if title]
        self._db.executemany(
            "INSERT INTO titles (normalized) VALUES (?) ON CONFLICT(normalized) DO NOTHING",
            ((title,) for title in normalized),
        )
        return ids_for(self._db, "titles", "title_id", "normalized", normalized)

    def _replace_playlists(self, parsed: ParsedFile, track_ids: dict[str, int], title_ids: dict[str, int]) -> None:
        pids = [(p.pid,) for p in parsed.playlists]
        self._db.executemany("DELETE FROM playlist_tracks WHERE pid = ?", pids)
        rows = []
        for playlist in parsed.playlists:
            extra = playlist.extra
            title = normalize_title(playlist.name) if playlist.name else ""
            collaborative = extra.get("collaborative")
            if isinstance(collaborative, str):
                collaborative = collaborative.lower() == "true"
            rows.append((
                playlist.pid, playlist.name, title_ids.get(title), len(playlist.tracks),
                collaborative, extra.get("modified_at"), extra.get("num_followers"),
                extra.get("description"), parsed.path.name,
            ))
        self._db.executemany(
            "INSERT OR REPLACE INTO playlists (pid, name, title_id, num_tracks, collaborative,"
            " modified_at, num_followers, description, source) VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?)",
            rows,
        )
        # One statement per playlist, its rows expanded by SQLite from a JSON array:
        # binding 66 rows one by one from Python costs five times as much.
        self._db.executemany(
            "INSERT INTO playlist_tracks (pid, pos, track_id) SELECT ?, key, value FROM json_each(?)",
            (
                (playlist.pid, json.dumps([track_ids[track.track_uri] for track in playlist.tracks]))
                for playlist in parsed.playlists
            ),
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
