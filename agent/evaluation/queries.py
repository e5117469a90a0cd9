"""The playlists an evaluation scores: held-out ones from the catalog, or a file's."""

from __future__ import annotations

from pathlib import Path
from typing import NamedTuple

from retrieval.catalog import Catalog
from retrieval.mpd.parse import read_file
from retrieval.split import Split


class Query(NamedTuple):
    pid: int | None
    title: str
    tracks: list[tuple[str, str, str]]  # (uri, name, artist) of the real playlist


def held_out_queries(catalog: Catalog, split: Split) -> list[Query]:
    queries = []
    for pid in sorted(split.test_pids):
        playlist = catalog.playlist(pid)
        tracks = [(t.track_uri, t.track_name, t.artist_name) for t in playlist.tracks]
        queries.append(Query(pid, playlist.name or "", tracks))
    return queries


def file_queries(path: Path) -> tuple[list[Query], int]:
    """Playlists of an MPD-format file as queries; those without a title or tracks are skipped."""
    parsed = read_file(path)
    queries, skipped = [], 0
    for playlist in parsed.playlists:
        if not playlist.name or not playlist.name.strip() or not playlist.tracks:
            skipped += 1
            continue
        tracks = [(t.track_uri, t.track_name, t.artist_name) for t in playlist.tracks]
        queries.append(Query(playlist.pid, playlist.name, tracks))
    return queries, skipped
