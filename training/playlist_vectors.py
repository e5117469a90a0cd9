"""Stage 2: a playlist's vector is the mean of its tracks' title vectors.

Playlist titles play no part here: clusters come from content alone, so the titles
later held out for testing are never seen before fine-tuning.
"""

from __future__ import annotations

from dataclasses import dataclass
from pathlib import Path

import numpy as np

from retrieval.catalog import Catalog
from training.options import TrainingError
from training.track_vectors import TrackVectors

# Playlists averaged at a time: bounds memory on the full MPD (66 M track rows).
_PLAYLIST_CHUNK = 20_000


@dataclass(frozen=True)
class PlaylistVectors:
    pids: np.ndarray  # (n,) int64
    title_ids: np.ndarray  # (n,) int64, the normalised title of each playlist
    vectors: np.ndarray  # (n, dims) float32, unit length

    def __len__(self) -> int:
        return len(self.pids)


def trainable_playlists(catalog: Catalog) -> list[tuple[int, int]]:
    """(pid, title_id) of playlists with both a title and tracks: the only ones training can use."""
    rows = catalog.titled_playlists_with_tracks()
    if not rows:
        total = catalog.playlist_count()
        raise TrainingError(
            f"the catalog {catalog.path} has no playlists with both a title and tracks "
            f"({total} playlists in all); training learns titles from content, so ingest MPD slices "
            "whose playlists carry a \"name\" and tracks (`agent ingest PATH`)"
        )
    return rows


def mean_playlist_vectors(catalog: Catalog, tracks: TrackVectors, cache: Path | None = None) -> tuple[PlaylistVectors, bool]:
    """Playlist vectors of the catalog, read from `cache` when it exists; and whether they were."""
    if cache is not None and cache.exists():
        saved = np.load(cache)
        return PlaylistVectors(saved["pids"], saved["title_ids"], saved["vectors"]), True
    rows = trainable_playlists(catalog)
    pids = np.array([pid for pid, _ in rows], dtype=np.int64)
    title_ids = np.array([title_id for _, title_id in rows], dtype=np.int64)
    vectors = np.zeros((len(rows), tracks.title_vectors.shape[1]), dtype=np.float32)
    for start in range(0, len(rows), _PLAYLIST_CHUNK):
        chunk = pids[start:start + _PLAYLIST_CHUNK].tolist()
        for offset, (pid, track_ids) in enumerate(catalog.track_ids_of(chunk).items()):
            title_rows = tracks.row_of_track_id[track_ids]
            vectors[start + offset] = tracks.title_vectors[title_rows].mean(axis=0)
    # Unit length, so k-means on them groups by direction, as cosine similarity does.
    vectors /= np.maximum(np.linalg.norm(vectors, axis=1, keepdims=True), 1e-12)
    result = PlaylistVectors(pids, title_ids, vectors)
    if cache is not None:
        cache.parent.mkdir(parents=True, exist_ok=True)
        temporary = cache.with_name(cache.stem + ".partial.npz")
        np.savez(temporary, pids=pids, title_ids=title_ids, vectors=vectors)
        temporary.replace(cache)
    return result, False
