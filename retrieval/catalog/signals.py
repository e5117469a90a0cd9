"""The tables the ranking signals read: play counts and folded artist and album names.

They are derived from the playlists, rebuilt by an index build when the playlists
changed (a catalog fingerprint says when), and read on every query.
"""

from __future__ import annotations

import contextlib
import sqlite3
from collections.abc import Callable, Iterable, Iterator

from retrieval.catalog.reads import ids_for
from retrieval.catalog.schema import ensure_track_to_playlists_index, rollback

SIGNALS_FINGERPRINT_KEY = "signals.fingerprint"
# The catalog's content version (a counter every ingest bumps) when the tables were built.
SIGNALS_CONTENT_VERSION_KEY = "signals.content_version"
# Where each entity kind's name is stored in `tracks`.
_ENTITY_COLUMNS = {"artist": "artist", "album": "album_name"}


class SignalTables:
    """Mixin of `Catalog`: the signal tables."""

    _db: sqlite3.Connection

    def refresh_signal_tables(self, fold: Callable[[str], str]) -> bool:
        """Rebuild the play counts and the folded artist and album names when the
        playlists changed since they were built; True when they were rebuilt."""
        fingerprint = self.fingerprint()
        if self.get_meta(SIGNALS_FINGERPRINT_KEY) == fingerprint:
            if self.get_meta(SIGNALS_CONTENT_VERSION_KEY) != str(self.content_version()):
                # Built by a version that did not record it: recorded now, so later starts need not
                # count. Best effort: a read-only or busy catalog just keeps counting.
                with contextlib.suppress(sqlite3.OperationalError):
                    self.set_meta(SIGNALS_CONTENT_VERSION_KEY, str(self.content_version()))
            return False
        self._db.execute("BEGIN IMMEDIATE")
        try:
            self._db.execute("DELETE FROM track_plays")
            self._db.execute(
                "INSERT INTO track_plays SELECT track_id, count(DISTINCT pid) FROM playlist_tracks GROUP BY track_id"
            )
            self._db.execute("DELETE FROM entity_names")
            for kind, column in _ENTITY_COLUMNS.items():
                names = self._db.execute(f"SELECT DISTINCT {column} FROM tracks WHERE {column} IS NOT NULL").fetchall()
                rows = ((folded, kind, name) for (name,) in names if (folded := fold(name)))
                self._db.executemany("INSERT INTO entity_names VALUES (?, ?, ?)", rows)
                self._db.execute(f"CREATE INDEX IF NOT EXISTS tracks_by_{kind} ON tracks({column})")
            # Co-occurrence reads playlists by track on every query: built here, not by a reader.
            ensure_track_to_playlists_index(self._db)
            self.set_meta(SIGNALS_FINGERPRINT_KEY, fingerprint)
            self.set_meta(SIGNALS_CONTENT_VERSION_KEY, str(self.content_version()))
            self._db.execute("COMMIT")
        except BaseException:
            rollback(self._db)
            raise
        return True

    def signals_unchanged(self) -> bool:
        """Whether nothing was ingested since the signal tables were built: two meta reads,
        where `fingerprint` counts every playlist entry (seconds on the full MPD)."""
        built = self.get_meta(SIGNALS_CONTENT_VERSION_KEY)
        return built is not None and built == str(self.content_version()) and bool(self.signals_fingerprint())

    def signals_fingerprint(self) -> str:
        """The fingerprint of the playlists the signal tables were last built from."""
        return self.get_meta(SIGNALS_FINGERPRINT_KEY) or ""

    def playlist_track_entries(self) -> Iterator[tuple[int, int]]:
        """(pid, track id) of every playlist entry, by pid, then position."""
        yield from self._db.execute("SELECT pid, track_id FROM playlist_tracks ORDER BY pid, pos")

    def title_playlist_entries(self) -> Iterator[tuple[int, int]]:
        """(title id, pid) of every playlist with a title, by title id, then pid."""
        yield from self._db.execute(
            "SELECT title_id, pid FROM playlists WHERE title_id IS NOT NULL ORDER BY title_id, pid"
        )

    def entities_named(self, folded: str) -> list[tuple[str, str]]:
        """(kind, name) of every artist and album whose folded name is `folded`."""
        rows = self._db.execute(
            "SELECT DISTINCT kind, name FROM entity_names WHERE folded = ? ORDER BY kind, name", (folded,)
        )
        return [tuple(row) for row in rows]

    def most_played_of(self, kind: str, name: str, limit: int) -> list[tuple[int, int]]:
        """(track id, plays) of an artist's or album's `limit` most-played tracks."""
        column = _ENTITY_COLUMNS[kind]
        rows = self._db.execute(
            f"SELECT t.track_id, coalesce(p.plays, 0) FROM tracks t LEFT JOIN track_plays p USING (track_id)"
            f" WHERE t.{column} = ? ORDER BY 2 DESC, t.track_id LIMIT ?",
            (name, limit),
        )
        return [tuple(row) for row in rows]

    def playlists_holding(self, track_ids: Iterable[int], per_track: int,
                          exclude_pids: frozenset[int] = frozenset()) -> dict[int, list[int]]:
        """Up to `per_track` pids of playlists holding each track (lowest first), skipping `exclude_pids`."""
        ensure_track_to_playlists_index(self._db)
        found: dict[int, list[int]] = {}
        for track_id in track_ids:
            rows = self._db.execute(
                "SELECT DISTINCT pid FROM playlist_tracks WHERE track_id = ? ORDER BY pid LIMIT ?",
                (track_id, per_track + len(exclude_pids)),
            )
            found[track_id] = [pid for (pid,) in rows if pid not in exclude_pids][:per_track]
        return found

    def track_ids_for_uris(self, uris: Iterable[str]) -> dict[str, int]:
        """uri -> track id of the given URIs that the catalog holds."""
        return ids_for(self._db, "tracks", "track_id", "uri", list(dict.fromkeys(uris)))
