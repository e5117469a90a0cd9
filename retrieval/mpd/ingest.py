"""Ingestion: MPD files into the catalog, one transaction per file.

While the catalog stores one file, a second process reads and validates the next
(`retrieval.mpd.prepare`): on two cores the ingest then takes about as long as
parsing the files. A bad file stops the ingest after the files before it are stored,
as when reading one file at a time.
"""

from __future__ import annotations

import time
from collections.abc import Callable, Iterable, Iterator
from dataclasses import dataclass, field
from pathlib import Path

from retrieval.catalog import Catalog, CatalogStats, IngestStats, TrackCodes
from retrieval.mpd.prepare import FilePreparer, PreparedFile, PreparingProcess
from retrieval.mpd.parse import MPDFormatError, find_files

# Below this much JSON, starting a second Python costs more than it saves.
PARSE_AHEAD_MIN_BYTES = 64 << 20


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
    parse_ahead: bool | None = None,
) -> IngestSummary:
    """Read and store every MPD file under `paths`.

    A bad file raises `MPDFormatError` (naming file, pid and field) after the files
    before it were committed; with `skip_bad`, bad playlists, and files that cannot be
    read or parsed at all, are skipped and listed in `IngestSummary.problems` instead.
    `parse_ahead` reads the next file in a second process (None: when the files are
    large enough for it to pay).
    """
    started = time.perf_counter()
    summary = IngestSummary()
    files = find_files(paths)
    if parse_ahead is None:
        parse_ahead = len(files) > 1 and sum(_size(path) for path in files) >= PARSE_AHEAD_MIN_BYTES
    codes = TrackCodes()
    for path, prepared in (_prepared_ahead if parse_ahead else _prepared_here)(files, skip_bad):
        if isinstance(prepared, MPDFormatError):
            if not skip_bad:
                raise prepared
            summary.skipped_files += 1
            summary.problems.append(f"skipped file: {prepared}")
            continue
        stats = catalog.ingest(prepared, codes)
        summary.files += 1
        summary.playlists += stats.playlists
        summary.track_rows += stats.tracks
        summary.skipped += stats.skipped
        summary.problems.extend(str(error) for error in prepared.bad)
        if on_file:
            on_file(path, stats)
    summary.seconds = time.perf_counter() - started
    summary.catalog = catalog.stats()
    return summary


Prepared = Iterator[tuple[Path, "PreparedFile | MPDFormatError"]]


def _prepared_here(files: list[Path], skip_bad: bool) -> Prepared:
    preparer = FilePreparer()
    for path in files:
        try:
            yield path, preparer.prepare(path, skip_bad)
        except MPDFormatError as error:
            yield path, error


def _prepared_ahead(files: list[Path], skip_bad: bool) -> Prepared:
    """Each file prepared in a second process while the one before it is stored."""
    with PreparingProcess() as process:
        for i, path in enumerate(files):
            if i == 0:
                process.ask(path, skip_bad)
            if i + 1 < len(files):
                process.ask(files[i + 1], skip_bad)  # read while this one is stored
            yield path, process.answer()


def _size(path: Path) -> int:
    try:
        return path.stat().st_size
    except OSError:
        return 0  # reported when read


__all__ = ["IngestSummary", "MPDFormatError", "ingest_paths"]
