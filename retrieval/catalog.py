"""The catalog: playlists, tracks and titles in SQLite.

Re-ingesting a slice is idempotent: a playlist is keyed by its pid, so the same pid
replaces its earlier version, while two playlists that merely share a title stay two.
Each file is written in one transaction, so a bad file leaves what was stored before.
"""

from __future__ import annotations

import json
import sqlite3
from collections.abc import Callable, Iterable, Iterator, Sequence
from dataclasses import dataclass
from pathlib import Path

from retrieval.mpd import ParsedFile
from retrieval.normalize import normalize_title
from retrieval.records import Playlist, Track

# SQLite's default limit on bound parameters is 32766 on current builds, 999 on old ones.
_CHUNK = 900

MIGRATIONS: list[tuple[str, str]] = [
    (
        "001_initial",
        """
        CREATE TABLE titles (
            title_id INTEGER PRIMARY KEY,
            normalized TEXT NOT NULL UNIQUE
        );
        CREATE TABLE playlists (
            pid INTEGER PRIMARY KEY,
            name TEXT,
            title_id INTEGER REFERENCES titles(title_id),
            num_tracks INTEGER NOT NULL,
            collaborative INTEGER,
            modified_at INTEGER,
            num_followers INTEGER,
            description TEXT,
            source TEXT
        );
        CREATE INDEX playlists_by_title ON playlists(title_id, pid);
        CREATE TABLE tracks (
            track_id INTEGER PRIMARY KEY,
            uri TEXT NOT NULL UNIQUE,
            name TEXT NOT NULL,
            artist TEXT NOT NULL,
            artist_uri TEXT,
            album_name TEXT,
            album_uri TEXT,
            duration_ms INTEGER
        );
        CREATE TABLE playlist_tracks (
            pid INTEGER NOT NULL,
            pos INTEGER NOT NULL,
            track_id INTEGER NOT NULL,
            PRIMARY KEY (pid, pos)
        ) WITHOUT ROWID;
        CREATE TABLE meta (key TEXT PRIMARY KEY, value TEXT NOT NULL);
        """,
    ),
    (
        "002_signal_tables",
        """
        CREATE TABLE track_plays (track_id INTEGER PRIMARY KEY, plays INTEGER NOT NULL);
        CREATE TABLE entity_names (folded TEXT NOT NULL, kind TEXT NOT NULL, name TEXT NOT NULL);
        CREATE INDEX entity_names_by_folded ON entity_names(folded);
        """,
    ),
]
SIGNALS_FINGERPRINT_KEY = "signals.fingerprint"
# Where each entity kind's name is stored in `tracks`.
_ENTITY_COLUMNS = {"artist": "artist", "album": "album_name"}


@dataclass(frozen=True)
class IngestStats:
    playlists: int
    tracks: int
    skipped: int = 0


@dataclass(frozen=True)
class CatalogStats:
    playlists: int
    tracks: int
    distinct_titles: int
    playlist_tracks: int


class Catalog:
    """A SQLite catalog file. Open with `Catalog(path)`; it is created and migrated on demand."""

    def __init__(self, path: str | Path):
        self.path = Path(path)
        self.path.parent.mkdir(parents=True, exist_ok=True)
        self.db = sqlite3.connect(self.path, isolation_level=None, check_same_thread=False)
        self.db.execute("PRAGMA journal_mode=WAL")
        self.db.execute("PRAGMA synchronous=NORMAL")
        self.db.execute("PRAGMA foreign_keys=OFF")
        self.db.execute("PRAGMA cache_size=-131072")  # 128 MiB of page cache
        self._track_ids: dict[str, int] | None = None
        self._track_ids_max = 0
        self._migrate()

    def close(self) -> None:
        self.db.close()

    def __enter__(self) -> Catalog:
        return self

    def __exit__(self, *exc) -> None:
        self.close()

    def _migrate(self) -> None:
        self.db.execute("CREATE TABLE IF NOT EXISTS migrations (name TEXT PRIMARY KEY, applied_at TEXT)")
        done = {row[0] for row in self.db.execute("SELECT name FROM migrations")}
        for name, script in MIGRATIONS:
            if name in done:
                continue
            self.db.execute("BEGIN IMMEDIATE")
            try:
                for statement in filter(str.strip, script.split(";")):
                    self.db.execute(statement)
                self.db.execute("INSERT INTO migrations VALUES (?, datetime('now'))", (name,))
                self.db.execute("COMMIT")
            except BaseException:
                self.db.execute("ROLLBACK")
                raise

    # -- writing -----------------------------------------------------------------

    def ingest(self, parsed: ParsedFile) -> IngestStats:
        """Store one file's playlists in a single transaction (all or nothing)."""
        self.db.execute("BEGIN IMMEDIATE")
        try:
            track_ids = self._assign_track_ids(parsed)
            title_ids = self._upsert_titles(p.name for p in parsed.playlists)
            self._replace_playlists(parsed, track_ids, title_ids)
            self.db.execute("COMMIT")
        except BaseException:
            self.db.execute("ROLLBACK")
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
        max_id = self.db.execute("SELECT coalesce(max(track_id), 0) FROM tracks").fetchone()[0]
        if self._track_ids is None or self._track_ids_max != max_id:
            self._track_ids = dict(self.db.execute("SELECT uri, track_id FROM tracks"))
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
        self.db.executemany(
            "INSERT INTO tracks (track_id, uri, name, artist, artist_uri, album_name, album_uri, duration_ms)"
            " VALUES (?, ?, ?, ?, ?, ?, ?, ?)",
            new_rows,
        )
        self._track_ids_max = next_id - 1
        return known

    def _upsert_titles(self, names: Iterable[str | None]) -> dict[str, int]:
        normalized = sorted({normalize_title(name) for name in names if name})
        normalized = [title for title in normalized if title]
        self.db.executemany(
            "INSERT INTO titles (normalized) VALUES (?) ON CONFLICT(normalized) DO NOTHING",
            ((title,) for title in normalized),
        )
        return self._ids_for("titles", "title_id", "normalized", normalized)

    def _ids_for(self, table: str, id_column: str, key_column: str, keys: list[str]) -> dict[str, int]:
        ids: dict[str, int] = {}
        for start in range(0, len(keys), _CHUNK):
            chunk = keys[start:start + _CHUNK]
            marks = ",".join("?" * len(chunk))
            query = f"SELECT {key_column}, {id_column} FROM {table} WHERE {key_column} IN ({marks})"
            ids.update(self.db.execute(query, chunk))
        return ids

    def _replace_playlists(self, parsed: ParsedFile, track_ids: dict[str, int], title_ids: dict[str, int]) -> None:
        pids = [(p.pid,) for p in parsed.playlists]
        self.db.executemany("DELETE FROM playlist_tracks WHERE pid = ?", pids)
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
        self.db.executemany(
            "INSERT OR REPLACE INTO playlists (pid, name, title_id, num_tracks, collaborative,"
            " modified_at, num_followers, description, source) VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?)",
            rows,
        )
        # One statement per playlist, its rows expanded by SQLite from a JSON array:
        # binding 66 rows one by one from Python costs five times as much.
        self.db.executemany(
            "INSERT INTO playlist_tracks (pid, pos, track_id) SELECT ?, key, value FROM json_each(?)",
            (
                (playlist.pid, json.dumps([track_ids[track.track_uri] for track in playlist.tracks]))
                for playlist in parsed.playlists
            ),
        )

    def set_meta(self, key: str, value: str) -> None:
        self.db.execute("INSERT OR REPLACE INTO meta (key, value) VALUES (?, ?)", (key, value))

    def get_meta(self, key: str) -> str | None:
        row = self.db.execute("SELECT value FROM meta WHERE key = ?", (key,)).fetchone()
        return row[0] if row else None

    # -- reading -----------------------------------------------------------------

    def stats(self) -> CatalogStats:
        def count(query: str) -> int:
            return self.db.execute(query).fetchone()[0]

        return CatalogStats(
            playlists=count("SELECT count(*) FROM playlists"),
            tracks=count("SELECT count(*) FROM tracks"),
            distinct_titles=count("SELECT count(DISTINCT title_id) FROM playlists WHERE title_id IS NOT NULL"),
            playlist_tracks=count("SELECT count(*) FROM playlist_tracks"),
        )

    def is_empty(self) -> bool:
        return self.db.execute("SELECT 1 FROM playlists LIMIT 1").fetchone() is None

    def fingerprint(self) -> str:
        """Changes whenever the stored playlists change; stored beside an index built from them."""
        stats = self.stats()
        max_pid = self.db.execute("SELECT coalesce(max(pid), -1) FROM playlists").fetchone()[0]
        return f"p{stats.playlists}-t{stats.tracks}-pt{stats.playlist_tracks}-max{max_pid}"

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
            yield from self.db.execute(query)
            return
        last = None
        for title_id, normalized, pid in self.db.execute(query):
            if pid not in exclude_pids and title_id != last:
                last = title_id
                yield title_id, normalized

    def playlists_with_title(self, title_id: int, limit: int, exclude_pids: frozenset[int] = frozenset()) -> list[tuple[int, str]]:
        """Up to `limit` (pid, name) carrying this title, lowest pids first."""
        found: list[tuple[int, str]] = []
        if limit <= 0:
            return found
        # A cursor read lazily: a popular title ("country") has thousands of playlists.
        for pid, name in self.db.execute(
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
        for start in range(0, len(pids), _CHUNK):
            chunk = list(pids[start:start + _CHUNK])
            marks = ",".join("?" * len(chunk))
            for pid, track_id in self.db.execute(
                f"SELECT pid, track_id FROM playlist_tracks WHERE pid IN ({marks}) ORDER BY pid, pos", chunk
            ):
                result[pid].append(track_id)
        return result

    def track_rows(self, track_ids: Iterable[int]) -> dict[int, tuple[str, str, str]]:
        """(uri, name, artist) by track id: the raw rows, for hot paths."""
        ids = list(track_ids)
        found: dict[int, tuple[str, str, str]] = {}
        for start in range(0, len(ids), _CHUNK):
            chunk = ids[start:start + _CHUNK]
            marks = ",".join("?" * len(chunk))
            for track_id, *row in self.db.execute(
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
        row = self.db.execute("SELECT name FROM playlists WHERE pid = ?", (pid,)).fetchone()
        if row is None:
            raise KeyError(f"no playlist with pid={pid} in the catalog {self.path}")
        track_ids = self.track_ids_of([pid])[pid]
        tracks = self.tracks_by_id(track_ids)
        return Playlist(pid=pid, name=row[0], tracks=[tracks[t] for t in track_ids])

    def playlists_containing(self, track_uris: Iterable[str], per_track: int) -> list[int]:
        """Up to `per_track` pids of playlists holding each track, lowest pids first.

        The track -> playlists index is created on first use rather than at ingestion:
        only users with liked tracks need it, and it would slow every ingest.
        """
        self.db.execute("CREATE INDEX IF NOT EXISTS playlist_tracks_by_track ON playlist_tracks(track_id, pid)")
        pids: dict[int, None] = {}  # ordered and deduplicated: a playlist may hold two liked tracks
        for uri in track_uris:
            rows = self.db.execute(
                "SELECT DISTINCT pt.pid FROM playlist_tracks pt JOIN tracks t ON t.track_id = pt.track_id"
                " WHERE t.uri = ? ORDER BY pt.pid LIMIT ?",
                (uri, per_track),
            )
            pids.update(dict.fromkeys(pid for (pid,) in rows))
        return list(pids)

    def pids(self) -> list[int]:
        return [row[0] for row in self.db.execute("SELECT pid FROM playlists ORDER BY pid")]

    def playlist_name(self, pid: int) -> str | None:
        """The playlist's title as written, or None when the pid is unknown or untitled."""
        row = self.db.execute("SELECT name FROM playlists WHERE pid = ?", (pid,)).fetchone()
        return row[0] if row else None

    def artist_names(self) -> list[str]:
        """Every distinct artist name, as the catalog spells it."""
        return [row[0] for row in self.db.execute("SELECT DISTINCT artist FROM tracks")]

    def track_by_uri(self, uri: str) -> Track | None:
        row = self.db.execute("SELECT uri, name, artist FROM tracks WHERE uri = ?", (uri,)).fetchone()
        return Track(track_uri=row[0], track_name=row[1], artist_name=row[2]) if row else None

    def tracks_with_words(self, words: Sequence[str], limit: int) -> list[Track]:
        """Tracks whose "name artist" holds every one of `words` (case-blind), oldest first."""
        if not words:
            return []
        where = " AND ".join("(name || ' ' || artist) LIKE ?" for _ in words)
        rows = self.db.execute(
            f"SELECT uri, name, artist FROM tracks WHERE {where} ORDER BY track_id LIMIT ?",
            [f"%{w}%" for w in words] + [limit],
        )
        return [Track(track_uri=uri, track_name=name, artist_name=artist) for uri, name, artist in rows]

    # -- signal tables: play counts and entity names --------------------------------

    def refresh_signal_tables(self, fold: Callable[[str], str]) -> bool:
        """Rebuild the play counts and the folded artist and album names when the
        playlists changed since they were built; True when they were rebuilt."""
        fingerprint = self.fingerprint()
        if self.get_meta(SIGNALS_FINGERPRINT_KEY) == fingerprint:
            return False
        self.db.execute("BEGIN IMMEDIATE")
        try:
            self.db.execute("DELETE FROM track_plays")
            self.db.execute(
                "INSERT INTO track_plays SELECT track_id, count(DISTINCT pid) FROM playlist_tracks GROUP BY track_id"
            )
            self.db.execute("DELETE FROM entity_names")
            for kind, column in _ENTITY_COLUMNS.items():
                names = self.db.execute(f"SELECT DISTINCT {column} FROM tracks WHERE {column} IS NOT NULL").fetchall()
                rows = ((folded, kind, name) for (name,) in names if (folded := fold(name)))
                self.db.executemany("INSERT INTO entity_names VALUES (?, ?, ?)", rows)
                self.db.execute(f"CREATE INDEX IF NOT EXISTS tracks_by_{kind} ON tracks({column})")
            self.set_meta(SIGNALS_FINGERPRINT_KEY, fingerprint)
            self.db.execute("COMMIT")
        except BaseException:
            self.db.execute("ROLLBACK")
            raise
        return True

    def play_counts(self) -> Iterator[tuple[int, int]]:
        """(track id, number of playlists holding it), as of the last `refresh_signal_tables`."""
        yield from self.db.execute("SELECT track_id, plays FROM track_plays")

    def entities_named(self, folded: str) -> list[tuple[str, str]]:
        """(kind, name) of every artist and album whose folded name is `folded`."""
        rows = self.db.execute("SELECT DISTINCT kind, name FROM entity_names WHERE folded = ? ORDER BY kind, name", (folded,))
        return [tuple(row) for row in rows]

    def most_played_of(self, kind: str, name: str, limit: int) -> list[tuple[int, int]]:
        """(track id, plays) of an artist's or album's `limit` most-played tracks."""
        column = _ENTITY_COLUMNS[kind]
        rows = self.db.execute(
            f"SELECT t.track_id, coalesce(p.plays, 0) FROM tracks t LEFT JOIN track_plays p USING (track_id)"
            f" WHERE t.{column} = ? ORDER BY 2 DESC, t.track_id LIMIT ?",
            (name, limit),
        )
        return [tuple(row) for row in rows]

    def playlists_holding(self, track_ids: Iterable[int], per_track: int,
                          exclude_pids: frozenset[int] = frozenset()) -> dict[int, list[int]]:
        """Up to `per_track` pids of playlists holding each track (lowest first), skipping `exclude_pids`."""
        self.db.execute("CREATE INDEX IF NOT EXISTS playlist_tracks_by_track ON playlist_tracks(track_id, pid)")
        found: dict[int, list[int]] = {}
        for track_id in track_ids:
            rows = self.db.execute(
                "SELECT DISTINCT pid FROM playlist_tracks WHERE track_id = ? ORDER BY pid LIMIT ?",
                (track_id, per_track + len(exclude_pids)),
            )
            found[track_id] = [pid for (pid,) in rows if pid not in exclude_pids][:per_track]
        return found

    def track_ids_for_uris(self, uris: Iterable[str]) -> dict[str, int]:
        """uri -> track id of the given URIs that the catalog holds."""
        return self._ids_for("tracks", "track_id", "uri", list(dict.fromkeys(uris)))
