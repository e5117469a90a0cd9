"""Ingestion: MPD files into the catalog, one transaction per file."""

from __future__ import annotations

import time
from collections.abc import Callable, Iterable
from dataclasses import dataclass, field
from pathlib import Path

from retrieval.catalog import Catalog, CatalogStats, IngestStats
from retrieval.mpd import MPDFormatError, find_files, read_file


@dataclass
class IngestSummary:
    files: int = 0
    playlists: int = 0
    track_rows: int = 0
    skipped: int = 0
    skipped_files: int = 0
    seconds: float = 0.0
    problems: list[str] = field(default_factory=list)  # the skipped playlists and files, named
    catalog: CatalogStats | None = None

    @property
    def playlists_per_second(self) -> float:
        return self.playlists / self.seconds if self.seconds else 0.0


def ingest_paths(
    catalog: Catalog,
    paths: Iterable[str | Path],
    skip_bad: bool = False,
    on_file: Callable[[Path, IngestStats], None] | None = None,
) -> IngestSummary:
    """Read and store every MPD file under `paths`.

    A bad file raises `MPDFormatError` (naming file, pid and field) after the files
    before it were committed; with `skip_bad`, bad playlists, and files that cannot be
    read or parsed at all, are skipped and listed in `IngestSummary.problems` instead.
    """
    started = time.perf_counter()
    summary = IngestSummary()
    for path in find_files(paths):
        try:
            parsed = read_file(path, skip_bad=skip_bad)
        except MPDFormatError as error:
            if not skip_bad:
                raise
            summary.skipped_files += 1
            summary.problems.append(f"skipped file: {error}")
            continue
        stats = catalog.ingest(parsed)
        summary.files += 1
        summary.playlists += stats.playlists
        summary.track_rows += stats.tracks
        summary.skipped += stats.skipped
        summary.problems.extend(str(error) for error in parsed.bad)
        if on_file:
            on_file(path, stats)
    summary.seconds = time.perf_counter() - started
    summary.catalog = catalog.stats()
    return summary


__all__ = ["IngestSummary", "MPDFormatError", "ingest_paths"]
