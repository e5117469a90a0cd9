"""Reads on the retrieval hot path: titles, the playlists carrying them, their tracks."""

from __future__ import annotations

import sqlite3
from collections.abc import Iterable, Iterator, Sequence
from dataclasses import dataclass
from pathlib import Path

from retrieval.records import Playlist, Track

# SQLite's default limit on bound parameters is 32766 on current builds, 999 on old ones.
CHUNK = 900


@dataclass(frozen=True)
class CatalogStats:
    playlists: int
    tracks: int
    distinct_titles: int
    playlist_tracks: int


def ids_for(db: sqlite3.Connection, table: str, id_column: str, key_column: str, keys: list[str]) -> dict[str, int]:
    """key -> id for the given keys, queried in chunks under the parameter limit."""
    ids: dict[str, int] = {}
    for start in range(0, len(keys), CHUNK):
        chunk = keys[start:start + CHUNK]
        marks = ",".join("?" * len(chunk))
        query = f"SELECT {key_column}, {id_column} FROM {table} WHERE {key_column} IN ({marks})"
        ids.update(db.execute(query, chunk))
    return ids


class RetrievalReads:
    """Mixin of `Catalog`: what generation and indexing read."""

    _db: sqlite3.Connection
    path: Path

    def stats(self) -> CatalogStats:
        def count(query: str) -> int:
            return self._db.execute(query).fetchone()[0]

        return CatalogStats(
            playlists=count("SELECT count(*) FROM playlists"),
            tracks=count("SELECT count(*) FROM tracks"),
            distinct_titles=count("SELECT count(DISTINCT title_id) FROM playlists WHERE title_id IS NOT NULL"),
            playlist_tracks=count("SELECT count(*) FROM playlist_tracks"),
        )

    def playlist_count(self) -> int:
        """The number of playlists, without `stats`' count of every playlist entry."""
        return self._db.execute("SELECT count(*) FROM playlists").fetchone()[0]

    def is_empty(self) -> bool:
        return self._db.execute("SELECT 1 FROM playlists LIMIT 1").fetchone() is None

    def fingerprint(self) -> str:
        """Changes whenever the stored playlists change; stored beside an index built from them."""
        stats = self.stats()
        return f"p{stats.playlists}-t{stats.tracks}-pt{stats.playlist_tracks}-max{self._max_pid()}"

    def quick_fingerprint(self) -> str:
        """The playlist count and highest pid parts of `fingerprint`, without counting track rows."""
        return f"p{self.playlist_count()}-max{self._max_pid()}"

    def _max_pid(self) -> int:
        return self._db.execute("SELECT coalesce(max(pid), -1) FROM playlists").fetchone()[0]

    def titles_in_use(self, exclude_pids: frozenset[int] = frozenset()) -> Iterator[tuple[int, str]]:
        """(title_id, normalized title) of every title that at least one playlist carries."""
        query = (
            "SELECT DISTINCT t.title_id, t.normalized, p.pid FROM titles t"
            " JOIN playlists p ON p.title_id = t.title_id ORDER BY t.title_id"
        )
        if not exclude_pids:
            query = (
                "SELECT t.title_id, t.normalized FROM titles t WHERE EXISTS"
                " (SELECT 1 FROM playlists p WHERE p.title_id = t.title_id) ORDER BY t.title_id"
            )
            yield from self._db.execute(query)
            return
        last = None
        for title_id, normalized, pid in self._db.execute(query):
            if pid not in exclude_pids and title_id != last:
                last = title_id
                yield title_id, normalized

    def playlists_with_title(self, title_id: int, limit: int, exclude_pids: frozenset[int] = frozenset()) -> list[tuple[int, str]]:
        """Up to `limit` (pid, name) carrying this title, lowest pids first."""
        found: list[tuple[int, str]] = []
        if limit <= 0:
            return found
        # A cursor read lazily: a popular title ("country") has thousands of playlists.
        for pid, name in self._db.execute(
            "SELECT pid, name FROM playlists WHERE title_id = ? ORDER BY pid", (title_id,)
        ):
            if pid not in exclude_pids:
                found.append((pid, name))
                if len(found) == limit:
                    break
        return found

    def track_ids_of(self, pids: Sequence[int]) -> dict[int, list[int]]:
        """Track ids of each playlist, in playlist order."""
        result: dict[int, list[int]] = {pid: [] for pid in pids}
        for start in range(0, len(pids), CHUNK):
            chunk = list(pids[start:start + CHUNK])
            marks = ",".join("?" * len(chunk))
            for pid, track_id in self._db.execute(
                f"SELECT pid, track_id FROM playlist_tracks WHERE pid IN ({marks}) ORDER BY pid, pos", chunk
            ):
                result[pid].append(track_id)
        return result

    def track_rows(self, track_ids: Iterable[int]) -> dict[int, tuple[str, str, str]]:
        """(uri, name, artist) by track id: the raw rows, for hot paths."""
        ids = list(track_ids)
        found: dict[int, tuple[str, str, str]] = {}
        for start in range(0, len(ids), CHUNK):
            chunk = ids[start:start + CHUNK]
            marks = ",".join("?" * len(chunk))
            for track_id, *row in self._db.execute(
                f"SELECT track_id, uri, name, artist FROM tracks WHERE track_id IN ({marks})", chunk
            ):
                found[track_id] = tuple(row)
        return found

    def tracks_by_id(self, track_ids: Iterable[int]) -> dict[int, Track]:
        return {
            track_id: Track(track_uri=uri, track_name=name, artist_name=artist)
            for track_id, (uri, name, artist) in self.track_rows(track_ids).items()
        }

    def playlist(self, pid: int) -> Playlist:
        row = self._db.execute("SELECT name FROM playlists WHERE pid = ?", (pid,)).fetchone()
        if row is None:
            raise KeyError(f"no playlist with pid={pid} in the catalog {self.path}")
        track_ids = self.track_ids_of([pid])[pid]
        tracks = self.tracks_by_id(track_ids)
        return Playlist(pid=pid, name=row[0], tracks=[tracks[t] for t in track_ids])

    def playlists_containing(self, track_uris: Iterable[str], per_track: int) -> list[int]:
        """Up to `per_track` pids of playlists holding each track, lowest pids first."""
        uris = list(track_uris)
        ids = self.track_ids_for_uris(uris)
        held = self.playlists_holding([ids[uri] for uri in uris if uri in ids], per_track)
        # Ordered and deduplicated: a playlist may hold two liked tracks.
        return list(dict.fromkeys(pid for uri in uris if uri in ids for pid in held[ids[uri]]))

    def pids(self) -> list[int]:
        return [row[0] for row in self._db.execute("SELECT pid FROM playlists ORDER BY pid")]

    def playlists_listed(self) -> list[tuple[int, str, int]]:
        """(pid, name, number of tracks) of every playlist, by pid; a playlist without a title has name ''."""
        return self._db.execute("SELECT pid, coalesce(name, ''), num_tracks FROM playlists ORDER BY pid").fetchall()
