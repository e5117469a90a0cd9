"""The catalog's tables: every table and index is created by a named migration, in order.

Opening also checks the file: an empty, truncated or foreign file is refused with a
one-line `CatalogUnreadableError` (what is wrong, where, what to do) instead of a
SQLite traceback, and never replaced by a fresh or a demo catalog.
"""

from __future__ import annotations

import os
import re
import sqlite3
from collections import Counter
from pathlib import Path

from retrieval.errors import CatalogBusyError, CatalogReadOnlyError, CatalogUnreadableError, CatalogWriteError

_SQLITE_HEADER = b"SQLite format 3\x00"
# How long a writer waits for another's transaction (one ingested file, a title index switch).
LOCK_WAIT_SECONDS = 60
# Errors meaning the file itself is damaged (not busy, not misused).
_DAMAGE_MARKERS = ("malformed", "not a database", "file is encrypted", "disk image", "unable to open")
# Errors of a write the storage refused (a full disk, `ulimit -f`), not of the file's content.
_WRITE_FAILURES = ("database or disk is full", "disk I/O error")

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
    (
        # Play counts and folded artist/album names for the ranking signals, filled by
        # Catalog.refresh_signal_tables when an index is built.
        "003_signal_tables",
        """
        CREATE TABLE track_plays (track_id INTEGER PRIMARY KEY, plays INTEGER NOT NULL);
        CREATE TABLE entity_names (folded TEXT NOT NULL, kind TEXT NOT NULL, name TEXT NOT NULL);
        CREATE INDEX entity_names_by_folded ON entity_names(folded);
        """,
    ),
]

# Created on first use rather than by a migration: only users with liked tracks need it,
# and it would slow every ingest.
_TRACK_TO_PLAYLISTS_INDEX = (
    "CREATE INDEX IF NOT EXISTS playlist_tracks_by_track ON playlist_tracks(track_id, pid)"
)


def unreadable(path: Path, problem: str) -> CatalogUnreadableError:
    return CatalogUnreadableError(
        f"the catalog {path} {problem}; move it aside (or delete it) and run `agent ingest` "
        "on your MPD files to rebuild it"
    )


class _CheckedConnection(sqlite3.Connection):
    """Reports a damaged file as `CatalogUnreadableError`, whatever statement meets it."""

    def execute(self, *args, **kwargs):
        try:
            return super().execute(*args, **kwargs)
        except sqlite3.DatabaseError as error:
            raise _translated(self, error) from error

    def executemany(self, *args, **kwargs):
        try:
            return super().executemany(*args, **kwargs)
        except sqlite3.DatabaseError as error:
            raise _translated(self, error) from error


def _translated(db: _CheckedConnection, error: sqlite3.DatabaseError) -> Exception:
    if "readonly database" in str(error) or "read-only" in str(error):
        return read_only(db.catalog_path)
    if isinstance(error, sqlite3.OperationalError) and any(m in str(error) for m in _WRITE_FAILURES):
        return CatalogWriteError(
            f"cannot write the catalog {db.catalog_path} ({error}): the disk may be full, or a file size "
            "limit (ulimit -f) reached; the catalog keeps what it held before"
        )
    if "database is locked" in str(error):
        return CatalogBusyError(
            f"the catalog {db.catalog_path} stayed locked by another writer for {LOCK_WAIT_SECONDS} s "
            "(an ingest or index build); try again when it has finished"
        )
    if any(marker in str(error) for marker in _DAMAGE_MARKERS):
        return unreadable(db.catalog_path, f"is damaged ({error})")
    return error


# Catalog files this process holds open, with how many connections. Closing any
# descriptor of a SQLite file drops every lock the process holds on it (POSIX), which
# could let another process delete the write-ahead log under a live connection: so the
# header is read only while no connection of this process has the file open.
_OPEN: Counter[str] = Counter()


def release(path: Path) -> None:
    """Say a connection opened by `connect` is closed."""
    key = str(path.resolve())
    _OPEN[key] -= 1
    if _OPEN[key] <= 0:
        del _OPEN[key]


def check_file(path: Path) -> None:
    """Refuse a file that cannot be a whole catalog, before SQLite touches it."""
    if not path.exists() or _OPEN[str(path.resolve())]:
        return  # a new catalog
    if not path.is_file():
        raise unreadable(path, "is not a file")
    wal = path.with_name(path.name + "-wal")
    if wal.exists() and wal.stat().st_size > 0:
        return  # the newest pages live in the write-ahead log; SQLite checks them
    size = path.stat().st_size
    if size == 0:
        raise unreadable(path, "is an empty file (0 bytes)")
    with open(path, "rb") as handle:
        header = handle.read(100)
    if not header.startswith(_SQLITE_HEADER):
        raise unreadable(path, "is not a SQLite database")
    page_size = int.from_bytes(header[16:18], "big")
    page_size = 65536 if page_size == 1 else page_size
    pages = int.from_bytes(header[28:32], "big")
    if len(header) < 100 or size < page_size * pages:
        raise unreadable(path, f"is truncated ({size:,} bytes of {page_size * pages:,})")


def read_only(path: Path) -> CatalogReadOnlyError:
    return CatalogReadOnlyError(
        f"the catalog {path} is on read-only storage (it is intact); reading works, but this needs to write it: "
        "copy the data dir somewhere writable, or make it writable"
    )


def is_read_only(path: Path) -> bool:
    """Whether the catalog at `path` exists and cannot be written where it lies (a read-only
    mount, a file or folder without write permission). SQLite writes beside the file (the
    write-ahead log), so the folder counts as well as the file."""
    return path.is_file() and not (os.access(path, os.W_OK) and os.access(path.parent, os.W_OK))


def connect(path: Path) -> sqlite3.Connection:
    """An autocommit connection in WAL mode; transactions are opened explicitly. A catalog
    on read-only storage is opened read-only (`db.read_only`): reads work, writes are
    `CatalogReadOnlyError`, never "damaged"."""
    if not path.parent.is_dir():
        try:
            path.parent.mkdir(parents=True, exist_ok=True)
        except OSError as error:
            raise CatalogUnreadableError(f"cannot create the folder of the catalog {path}: {error.strerror}") from error
    check_file(path)
    read_only_storage = is_read_only(path)
    try:
        db = sqlite3.connect(
            _read_only_uri(path) if read_only_storage else path, isolation_level=None, check_same_thread=False,
            timeout=LOCK_WAIT_SECONDS, factory=_CheckedConnection, uri=read_only_storage,
        )
    except sqlite3.Error as error:
        raise unreadable(path, f"cannot be opened ({error})") from error
    db.catalog_path, db.read_only = path, read_only_storage
    try:
        _check_is_a_catalog(db)
    except CatalogUnreadableError:
        db.close()
        raise
    _OPEN[str(path.resolve())] += 1
    if read_only_storage:
        return db
    # Switching the mode takes a lock; asking first keeps concurrent openers (the server's
    # threads) from tripping over each other once the file is in WAL mode.
    if db.execute("PRAGMA journal_mode").fetchone()[0] != "wal":
        db.execute("PRAGMA journal_mode=WAL")
    db.execute("PRAGMA synchronous=NORMAL")
    db.execute("PRAGMA foreign_keys=OFF")
    db.execute("PRAGMA cache_size=-131072")  # 128 MiB of page cache
    # A checkpoint every 64 MiB of log rather than 4: an ingested file's pages are
    # copied into the catalog once per several files (a fifth less ingest time).
    db.execute("PRAGMA wal_autocheckpoint=16384")
    return db


def _read_only_uri(path: Path) -> str:
    # Without a write-ahead log to read, `immutable` lets SQLite skip the shared-memory
    # file it could not create on read-only storage; with one, plain read-only mode reads it.
    wal = path.with_name(path.name + "-wal")
    flag = "mode=ro" if wal.exists() and wal.stat().st_size > 0 else "immutable=1"
    return f"{path.resolve().as_uri()}?{flag}"


def rollback(db: sqlite3.Connection) -> None:
    """End a failed transaction, if SQLite has not already ended it: after a full disk or a
    file-size limit it has, and a second ROLLBACK would hide that error behind its own."""
    if db.in_transaction:
        db.execute("ROLLBACK")


def migrate(db: sqlite3.Connection) -> None:
    if getattr(db, "read_only", False):
        done = {row[0] for row in db.execute("SELECT name FROM migrations")}
        if any(name not in done for name, _ in MIGRATIONS):
            raise read_only(db.catalog_path)
        return _check_tables(db)
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
            rollback(db)
            raise
    _check_tables(db)


# Every table a migration creates: one gone (dropped by hand, a file patched) makes the
# catalog damaged, said at open rather than by whichever command first reads the table.
_TABLES = re.findall(r"CREATE TABLE (?:IF NOT EXISTS )?(\w+)", " ".join(script for _, script in MIGRATIONS))


def _check_is_a_catalog(db: sqlite3.Connection) -> None:
    # Another program's SQLite file (Chroma's own, say) named as the catalog: refused before
    # its journal mode is switched, a migration adds tables to it or meets its `migrations`
    # table of other columns.
    present = {row[0] for row in db.execute("SELECT name FROM sqlite_master WHERE type = 'table'")}
    ours = {row[1] for row in db.execute("PRAGMA table_info(migrations)")} >= {"name", "applied_at"}
    if present and not ours and ("migrations" in present or "playlists" not in present):
        raise unreadable(db.catalog_path, "is not a catalog of this tool (a SQLite database of other tables)")


def _check_tables(db: sqlite3.Connection) -> None:
    present = {row[0] for row in db.execute("SELECT name FROM sqlite_master WHERE type = 'table'")}
    missing = [table for table in _TABLES if table not in present]
    if missing:
        raise unreadable(db.catalog_path, f"is damaged (its table {', '.join(missing)} is missing)")


def ensure_track_to_playlists_index(db: sqlite3.Connection) -> None:
    # Even IF NOT EXISTS takes the write lock: look first, so readers never wait on a writer.
    if db.execute("SELECT 1 FROM sqlite_master WHERE type = 'index' AND name = 'playlist_tracks_by_track'").fetchone():
        return
    db.execute(_TRACK_TO_PLAYLISTS_INDEX)
