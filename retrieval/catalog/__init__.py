"""The catalog: playlists, tracks and titles in SQLite.

Re-ingesting a slice is idempotent: a playlist is keyed by its pid, so the same pid
replaces its earlier version, while two playlists that merely share a title stay two.
Each file is written in one transaction, so a bad file leaves what was stored before.

Every SQL statement of the project lives in this package, split by concern: the
schema and its migrations (`schema`), ingest writes (`writes`), the retrieval hot path
(`reads`), lookups by name and whole-catalog scans (`lookups`), song keys (`song_keys`), the ranking signals' tables (`signals`).
"""

from __future__ import annotations

import sqlite3
from pathlib import Path

from retrieval.catalog.lookups import CorpusScans, NameLookups
from retrieval.catalog.reads import CatalogStats, RetrievalReads
from retrieval.catalog.schema import MIGRATIONS, connect, migrate, release
from retrieval.catalog.signals import SignalTables
from retrieval.catalog.song_keys import SongKeys
from retrieval.catalog.writes import IngestStats, IngestWrites, TrackCodes


class Catalog(IngestWrites, RetrievalReads, NameLookups, CorpusScans, SongKeys, SignalTables):
    """A SQLite catalog file. Open with `Catalog(path)`; it is created and migrated on demand."""

    def __init__(self, path: str | Path):
        self.path = Path(path)
        self._db = connect(self.path)
        self.read_only: bool = self._db.read_only  # on read-only storage: opened for reading only
        self._open = True
        self._track_ids: dict[str, int] | None = None
        self._track_ids_max = 0
        migrate(self._db)

    def close(self) -> None:
        if self._open:
            self._open = False
            self._db.close()
            release(self.path)

    def __enter__(self) -> Catalog:
        return self

    def __exit__(self, *exc) -> None:
        self.close()

    def connection_for_tests(self) -> sqlite3.Connection:
        """The raw connection, only for tests that check exactly what was stored.

        Production code calls the methods above; no SQL is written outside this package.
        """
        return self._db


__all__ = ["MIGRATIONS", "Catalog", "CatalogStats", "IngestStats", "TrackCodes"]
