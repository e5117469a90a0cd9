"""Stage 1: one vector per distinct track title, cached by track URI.

Many tracks share a title ("Intro", "Home"), so each distinct title is embedded once
and every track points at its title's row. Titles are embedded in chunks, each saved
when done, so a stopped run picks up at the first missing chunk.
"""

from __future__ import annotations

import json
from collections.abc import Callable
from dataclasses import dataclass
from pathlib import Path

import numpy as np

from retrieval.catalog import Catalog
from retrieval.encoding.encoder import Encoder

ProgressFn = Callable[[int, int], None]


@dataclass(frozen=True)
class TrackVectors:
    """Vectors of distinct track titles and, per track, which row is its title's."""

    title_vectors: np.ndarray  # (distinct titles, dims), unit length
    row_of_track_id: np.ndarray  # indexed by track_id; -1 where no such track
    uris: list[str]  # in track_id order; uris.json in the cache folder maps each to its row


def distinct_track_titles(catalog: Catalog) -> list[str]:
    # Ordered by length, so a batch holds titles of one length and little padding is embedded.
    return catalog.distinct_track_names()


def embed_track_titles(
    catalog: Catalog,
    encoder: Encoder,
    folder: Path,
    chunk: int = 20_000,
    batch_size: int = 256,
    on_progress: ProgressFn | None = None,
) -> tuple[TrackVectors, bool]:
    """Track vectors of the catalog, from `folder` where cached; and whether all were cached."""
    folder.mkdir(parents=True, exist_ok=True)
    titles = distinct_track_titles(catalog)
    parts, cached = [], True
    for number, start in enumerate(range(0, len(titles), chunk)):
        part = folder / f"titles-{number:05d}.npy"
        if part.exists():
            parts.append(np.load(part))
        else:
            cached = False
            texts = titles[start:start + chunk]
            vectors = encoder.encode(texts, batch_size=batch_size, on_batch=_counter(start, len(titles), on_progress)).vectors
            _save_atomically(part, vectors)
            parts.append(vectors)
        if on_progress:
            on_progress(min(start + chunk, len(titles)), len(titles))
    dims = encoder.dimensions
    title_vectors = np.concatenate(parts) if parts else np.zeros((0, dims), np.float32)
    return _index_tracks(catalog, titles, title_vectors, folder), cached


def _counter(start: int, total: int, on_progress: ProgressFn | None) -> Callable[[int], None]:
    """Turns the encoder's per-batch counts into absolute progress over all titles."""
    done = start

    def count(batch: int) -> None:
        nonlocal done
        done += batch
        if on_progress:
            on_progress(done, total)

    return count


def _index_tracks(catalog: Catalog, titles: list[str], title_vectors: np.ndarray, folder: Path) -> TrackVectors:
    row_of_title = {title: row for row, title in enumerate(titles)}
    rows = catalog.track_names_by_id()
    max_id = rows[-1][0] if rows else 0
    row_of_track_id = np.full(max_id + 1, -1, dtype=np.int64)
    uris = []
    for track_id, uri, name in rows:
        row_of_track_id[track_id] = row_of_title[name]
        uris.append(uri)
    index_file = folder / "uris.json"
    if not index_file.exists():  # the URI -> title row key, for readers of the cache
        index_file.write_text(json.dumps({"uris": uris, "title_rows": row_of_track_id[[r[0] for r in rows]].tolist()}))
    return TrackVectors(title_vectors, row_of_track_id, uris)


def _save_atomically(path: Path, array: np.ndarray) -> None:
    # A chunk cut short by Ctrl-C must not be mistaken for a finished one.
    temporary = path.with_name(path.stem + ".partial.npy")
    np.save(temporary, array)
    temporary.replace(path)
