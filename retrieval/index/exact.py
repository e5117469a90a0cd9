"""An exact-search copy of the title index's vectors, so queries need no Chroma.

Importing chromadb and opening its store costs more than half a second, several times
the query itself. A build therefore also writes its title vectors (unit length,
float32) and their title ids to `STORE/exact/COLLECTION/`, written aside and renamed
into place complete; a digest of their bytes is recorded with the index. A query
memory-maps them and takes the nearest titles by one matrix-vector product.

Results are Chroma's on the same vectors: cosine similarity as one minus a float32
cosine distance, closest first, equal distances in the order the titles were added
(Chroma's label order). An export whose digest, collection or size does not match the
index record is never used: the index is then searched through Chroma.
"""

from __future__ import annotations

import hashlib
import json
import os
import shutil
from collections.abc import Iterable
from dataclasses import replace
from pathlib import Path

import numpy as np

from retrieval.index.store import ChromaLocation, damaged_store_problem

EXACT_FOLDER = "exact"
_VECTORS = "vectors.npy"
_TITLE_IDS = "title_ids.npy"
_MANIFEST = "manifest.json"


def export_folder(store: Path, collection: str) -> Path:
    return Path(store) / EXACT_FOLDER / collection


def unit_rows(vectors: np.ndarray) -> np.ndarray:
    """Rows scaled to unit length in float32, as Chroma's cosine space stores them."""
    vectors = np.asarray(vectors, dtype=np.float32)
    norms = np.linalg.norm(vectors, axis=-1, keepdims=True)
    return vectors / np.maximum(norms, np.float32(1e-30))


class ExactExportWriter:
    """Receives a build's batches in the order they are added to Chroma; `finish` puts
    the export in place and returns its digest, `discard` drops the partial files."""

    def __init__(self, store: Path, collection: str, titles: int):
        self.target = export_folder(store, collection)
        self._partial = self.target.with_name(f"{collection}.partial")
        shutil.rmtree(self._partial, ignore_errors=True)
        self._partial.mkdir(parents=True)
        self._vectors: np.ndarray | None = None  # sized by the first batch
        self._title_ids = np.zeros(titles, np.int64)
        self._written = 0
        self._collection = collection

    def add(self, title_ids: list[int], vectors: np.ndarray) -> None:
        if self._vectors is None:
            shape = (len(self._title_ids), np.shape(vectors)[1])
            self._vectors = np.lib.format.open_memmap(self._partial / _VECTORS, "w+", np.float32, shape)
        end = self._written + len(title_ids)
        self._vectors[self._written:end] = unit_rows(vectors)
        self._title_ids[self._written:end] = title_ids
        self._written = end

    def finish(self) -> str:
        if self._vectors is None or self._written != len(self._title_ids):
            raise ValueError(f"the exact export got {self._written} of {len(self._title_ids)} titles")
        self._vectors.flush()
        np.save(self._partial / _TITLE_IDS, self._title_ids)
        digest = _digest(self._title_ids, self._vectors)
        manifest = {"collection": self._collection, "titles": self._written, "digest": digest}
        (self._partial / _MANIFEST).write_text(json.dumps(manifest))
        del self._vectors  # the memory map closes before the folder is renamed
        shutil.rmtree(self.target, ignore_errors=True)
        os.replace(self._partial, self.target)
        return digest

    def discard(self) -> None:
        shutil.rmtree(self._partial, ignore_errors=True)


class InMemoryExport:
    """Collects an index's vectors as `ExactExportWriter` does, for an index that is never
    made active (evaluations): searched exactly too, from memory, so an evaluation measures
    what `generate` answers on the active index."""

    def __init__(self):
        self._title_ids: list[int] = []
        self._batches: list = []

    def add(self, title_ids: list[int], vectors) -> None:
        self._title_ids += title_ids
        self._batches.append(vectors)

    def finish(self) -> str:
        return ""  # nothing on disk to record

    def discard(self) -> None:
        self._batches.clear()

    def search(self) -> ExactTitleSearch | None:
        return ExactTitleSearch.in_memory(self._title_ids, self._batches) if self._title_ids else None


def kept_in_memory(info, base: ExactTitleSearch, titles_in_use: Iterable[tuple[int, object]]):
    """The `info` and `exact` search of an index holding only `titles_in_use` (title_id first in each), from
    the rows of `base`: a derived index made without writing anything (read-only storage)."""
    wanted = np.fromiter((title_id for title_id, *_ in titles_in_use), np.int64)
    rows = base.rows_of(wanted)
    kept = rows >= 0
    search = ExactTitleSearch(wanted[kept], base.vectors[rows[kept]])
    info = replace(info, collection=f"{info.collection}-in-memory", titles=int(kept.sum()), exact_digest="")
    return {"info": info, "exact": search}


def _digest(title_ids: np.ndarray, vectors: np.ndarray) -> str:
    digest = hashlib.sha256(np.ascontiguousarray(title_ids).tobytes())
    digest.update(np.ascontiguousarray(vectors).tobytes())
    return f"{len(title_ids)}-{digest.hexdigest()[:32]}"


def remove_export(store: Path, collection: str) -> None:
    """Drop a collection's export (and a partial one a killed build left)."""
    folder = export_folder(store, collection)
    shutil.rmtree(folder, ignore_errors=True)
    shutil.rmtree(folder.with_name(f"{collection}.partial"), ignore_errors=True)


class ExactTitleSearch:
    """`nearest` over an export, answering as the Chroma collection it mirrors."""

    def __init__(self, title_ids: np.ndarray, vectors: np.ndarray):
        self._title_ids = title_ids
        self._vectors = vectors
        self._row_of_title: np.ndarray | None = None

    @property
    def vectors(self) -> np.ndarray:
        """The titles' unit vectors, a row each (see `rows_of`)."""
        return self._vectors

    def rows_of(self, title_ids: np.ndarray) -> np.ndarray:
        """Each title id's row in `vectors` (-1 for a title the index lacks)."""
        if self._row_of_title is None:
            self._row_of_title = np.full(int(self._title_ids.max(initial=-1)) + 1, -1, np.int64)
            self._row_of_title[self._title_ids] = np.arange(len(self._title_ids))
        ids = np.asarray(title_ids, np.int64)
        inside = (ids >= 0) & (ids < len(self._row_of_title))
        return np.where(inside, self._row_of_title[np.where(inside, ids, 0)], -1)

    @classmethod
    def in_memory(cls, title_ids: list[int], batches: list) -> ExactTitleSearch:
        """A search over vectors held in memory (batches of rows, in the order Chroma got them)."""
        return cls(np.array(title_ids, np.int64), unit_rows(np.vstack([np.asarray(b, np.float32) for b in batches])))

    @classmethod
    def load(cls, location: ChromaLocation, collection: str, titles: int, digest: str) -> ExactTitleSearch | None:
        """The export recorded for this index, or None when it is missing or does not match,
        or when Chroma must answer: a server's index, or a damaged store (Chroma's path names
        the damage and its repair)."""
        if not digest or location.url or damaged_store_problem(location.path):
            return None
        folder = export_folder(location.path, collection)
        try:
            manifest = json.loads((folder / _MANIFEST).read_text())
            if manifest != {"collection": collection, "titles": titles, "digest": digest}:
                return None
            # Plain array views of the maps: indexing a np.memmap costs several times more.
            title_ids = np.load(folder / _TITLE_IDS, mmap_mode="r").view(np.ndarray)
            vectors = np.load(folder / _VECTORS, mmap_mode="r").view(np.ndarray)
        except (OSError, ValueError):
            return None
        if title_ids.shape != (titles,) or vectors.ndim != 2 or vectors.shape[0] != titles:
            return None
        return cls(title_ids, vectors)

    def nearest(self, vector: np.ndarray, n: int) -> list[tuple[int, float]]:
        """(title_id, cosine similarity) of the n closest titles, closest first."""
        n = min(n, len(self._title_ids))
        if n <= 0:
            return []
        # einsum runs one kernel for every row, so equal vectors get equal distances and tie;
        # a BLAS matrix-vector product computes its tail rows differently, breaking ties.
        distances = np.float32(1) - np.einsum("ij,j->i", self._vectors, unit_rows(vector))
        if n < len(distances):
            # Every row as close as the n-th, so that ties at the cut are settled by order too.
            cut = np.partition(distances, n - 1)[n - 1]
            rows = np.flatnonzero(distances <= cut)
        else:
            rows = np.arange(len(distances))
        rows = rows[np.lexsort((rows, distances[rows]))][:n]
        similarities = (1.0 - distances[rows].astype(np.float64)).tolist()
        return list(zip(self._title_ids[rows].tolist(), similarities))
