"""The catalog's tables: every table and index is created by a named migration, in order."""

from __future__ import annotations

import sqlite3
from pathlib import Path

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
        # Keys of song_key(name, artist) per track, filled by Catalog.refresh_song_keys.
        # IF NOT EXISTS: catalogs made before this migration created the table on first use.
        "002_song_keys",
        """
        CREATE TABLE IF NOT EXISTS song_keys (
            key TEXT NOT NULL,
            track_id INTEGER NOT NULL,
            PRIMARY KEY (key, track_id)
        ) WITHOUT ROWID;
        """,
    ),
]

# Created on first use rather than by a migration: only users with liked tracks need it,
# and it would slow every ingest.
_TRACK_TO_PLAYLISTS_INDEX = (
    "CREATE INDEX IF NOT EXISTS playlist_tracks_by_track ON playlist_tracks(track_id, pid)"
)


def connect(path: Path) -> sqlite3.Connection:
    """An autocommit connection in WAL mode; transactions are opened explicitly."""
    db = sqlite3.connect(path, isolation_level=None, check_same_thread=False)
    db.execute("PRAGMA journal_mode=WAL")
    db.execute("PRAGMA synchronous=NORMAL")
    db.execute("PRAGMA foreign_keys=OFF")
    db.execute("PRAGMA cache_size=-131072")  # 128 MiB of page cache
    return db


def migrate(db: sqlite3.Connection) -> None:
    db.execute("CREATE TABLE IF NOT EXISTS migrations (name TEXT PRIMARY KEY, applied_at TEXT)")
    done = {row[0] for row in db.execute("SELECT name FROM migrations")}
    for name, script in MIGRATIONS:
        if name in done:
            continue
        db.execute("BEGIN IMMEDIATE")
        try:
            for statement in filter(str.strip, script.split(";")):
                db.execute(statement)
            db.execute("INSERT INTO migrations VALUES (?, datetime('now'))", (name,))
            db.execute("COMMIT")
        except BaseException:
            db.execute("ROLLBACK")
            raise


def ensure_track_to_playlists_index(db: sqlite3.Connection) -> None:
    db.execute(_TRACK_TO_PLAYLISTS_INDEX)
