"""Crowd-tag track vectors: a track is described by the titles of the playlists holding it.

A track's vector is the mean of the title vectors of its playlists (a title carried by
three of them counts three times), so "Mr. Brightside" sits among "party", "2000s" and
"throwback". The title vectors are read back from the title index rather than
re-encoded, and the means are sparse products (tracks x titles) @ (titles x dims), a
batch of tracks at a time.

Every track vector shares a large common part (the "average playlist title"); it is
subtracted (the mean tag vector, recorded with the vectors) and the rest scaled to unit
length, so that a dot product compares what is particular to two tracks. Words compared
with them (steering) are centred the same way by `TagIndex.word_vectors`.

The vectors are one float16 array, a row per track id (zeros: no titled playlist holds
the track), memory-mapped from `vectors.npy` in a folder beside the catalog named by the
title index and the catalog content it was built from, published whole by a rename like
the playlist graph. A catalog whose tag vectors still live in a Chroma collection (as
before) has them rebuilt on first use.
"""

from __future__ import annotations

import json
import time
from collections.abc import Callable, Iterator
from dataclasses import asdict, dataclass
from pathlib import Path

import numpy as np

from retrieval.catalog import Catalog
from retrieval.encoding.encoder import Encoder
from retrieval.index.titles import ChromaLocation, IndexUnavailableError, TitleIndex
from retrieval.index.leases import drop_superseded
from retrieval.graph.store import publish_folder, remove_others

ACTIVE_TAGS_KEY = "tags.active"
TAGS_HISTORY_KEY = "tags.history"  # tag collections left in Chroma by earlier versions
COLLECTION_PREFIX = "tags-"  # how those collections were named
VECTORS_FILE, INFO_FILE = "vectors.npy", "tags.json"
# Bumped when the vectors are computed differently, so older ones are rebuilt, not reused.
VECTORS_VERSION = 2
_PAGE = 4096
_WRITE_ROWS = 16_384


@dataclass(frozen=True)
class TagIndexInfo:
    collection: str  # the folder of the vectors (a Chroma collection before)
    title_collection: str  # the title index whose vectors were averaged
    encoder_name: str
    encoder_fingerprint: str
    catalog_fingerprint: str
    tracks: int
    built_at: str
    seconds: float
    mean: list[float]  # subtracted from every track vector and from every word


class TagIndex:
    """Centred, unit-length tag vectors of the catalog's tracks, looked up by track URI."""

    def __init__(self, vectors: np.ndarray, info: TagIndexInfo, catalog: Catalog):
        self._vectors = vectors  # float16, a row per track id
        self._catalog = catalog
        self.info = info
        self.mean = np.asarray(info.mean, dtype=np.float32)

    def vectors(self, uris: list[str]) -> dict[str, np.ndarray]:
        """The vectors of those of `uris` that have one (tracks only in untitled playlists have none)."""
        ids = self._catalog.track_ids_by_uri(list(dict.fromkeys(uris)))
        ids = {uri: track_id for uri, track_id in ids.items() if track_id < len(self._vectors)}
        rows = self._vectors[np.fromiter(ids.values(), np.int64, len(ids))].astype(np.float32)
        return {uri: row for uri, row in zip(ids, rows) if row.any()}

    def word_vectors(self, encoder: Encoder, words: list[str]) -> np.ndarray:
        """The words' embeddings, centred like the track vectors (rows of unit length)."""
        return _centre(encoder.encode(words).vectors, self.mean)


def tags_folder(catalog: Catalog) -> Path:
    return catalog.path.with_name(catalog.path.name + ".tags")


def build_tag_index(
    catalog: Catalog,
    titles: TitleIndex,
    location: ChromaLocation,
    on_progress: Callable[[int, int], None] | None = None,
) -> TagIndex:
    """Average the title vectors of each track's playlists into a new vectors folder."""
    started = time.perf_counter()
    title_ids, title_vectors = _title_vectors(titles)
    chunks = list(_track_means(catalog, title_ids))
    tracks = sum(len(ids) for ids, _ in chunks)
    # The mean of the track vectors, without forming them: (mean row of the means) @ titles.
    weights = sum((np.asarray(means.sum(axis=0), np.float64).ravel() for _, means in chunks), np.zeros(len(title_ids)))
    mean = (weights / max(tracks, 1) @ title_vectors).astype(np.float32)
    fingerprint = catalog.fingerprint()
    root = tags_folder(catalog)
    folder = root / f"{titles.info.collection}-{fingerprint}-v{VECTORS_VERSION}"

    def write(staging: Path) -> None:
        rows = 1 + max((int(ids[-1]) for ids, _ in chunks), default=0)
        _write_rows(staging / VECTORS_FILE, rows, chunks, title_vectors, mean, on_progress)
        (staging / INFO_FILE).write_text(json.dumps({"collection": folder.name}) + "\n")

    try:
        if not _complete(folder):  # else built before from the same titles and playlists
            publish_folder(root, folder, write, _complete)
    except OSError:
        if not _complete(folder):  # else another process published the same vectors first
            raise
    remove_others(root, keep=folder)
    info = TagIndexInfo(
        collection=folder.name, title_collection=titles.info.collection, encoder_name=titles.info.encoder_name,
        encoder_fingerprint=titles.info.encoder_fingerprint, catalog_fingerprint=fingerprint,
        tracks=tracks, built_at=time.strftime("%Y-%m-%dT%H:%M:%S"),
        seconds=round(time.perf_counter() - started, 2), mean=[round(float(x), 7) for x in mean],
    )
    _switch_to(catalog, location, info)
    return TagIndex(np.load(folder / VECTORS_FILE, mmap_mode="r"), info, catalog)


def _title_vectors(titles: TitleIndex) -> tuple[np.ndarray, np.ndarray]:
    """(title ids, their vectors) read back from the title index, page by page."""
    ids: list[int] = []
    chunks: list[np.ndarray] = []
    for offset in range(0, titles.info.titles, _PAGE):
        got = titles.collection.get(limit=_PAGE, offset=offset, include=["embeddings"])
        ids += [int(item[1:]) for item in got["ids"]]
        chunks.append(np.asarray(got["embeddings"], dtype=np.float32))
    return np.asarray(ids, dtype=np.int64), np.concatenate(chunks) if chunks else np.zeros((0, 0), np.float32)


def _track_means(catalog: Catalog, title_ids: np.ndarray) -> Iterator[tuple[np.ndarray, object]]:
    """(track ids, sparse rows averaging each one's titles) for every track of a titled
    playlist, a batch at a time in track order: memory holds the sparse rows, not the vectors.

    A track counts each of its slots (twice in one playlist: twice), as it always has."""
    row_of_title = np.full(int(title_ids.max(initial=0)) + 1, -1, dtype=np.int64)
    row_of_title[title_ids] = np.arange(len(title_ids))
    held_back = np.zeros((0, 3), np.int64)
    for batch in catalog.track_title_counts():
        array = np.concatenate([held_back, np.asarray(batch, dtype=np.int64)])
        # The last track may go on in the next batch: its rows wait for it.
        split = int(np.searchsorted(array[:, 0], array[-1, 0]))
        held_back = array[split:]
        if split:
            yield _means(array[:split], row_of_title, len(title_ids))
    if len(held_back):
        yield _means(held_back, row_of_title, len(title_ids))


def _means(array: np.ndarray, row_of_title: np.ndarray, titles_indexed: int):
    from scipy import sparse

    known = array[:, 1] < len(row_of_title)
    titles = np.where(known, row_of_title[np.minimum(array[:, 1], len(row_of_title) - 1)], -1)
    indexed = titles >= 0  # a title missing from the index (index older than the catalog) adds nothing
    track_ids, rows = np.unique(array[indexed, 0], return_inverse=True)
    matrix = sparse.csr_matrix((array[indexed, 2].astype(np.float32), (rows, titles[indexed])),
                               shape=(len(track_ids), titles_indexed))
    totals = np.asarray(matrix.sum(axis=1)).ravel()
    return track_ids, sparse.diags(1.0 / totals).astype(np.float32) @ matrix


def _write_rows(path: Path, rows: int, chunks: list, title_vectors: np.ndarray, mean: np.ndarray,
                on_progress: Callable[[int, int], None] | None) -> None:
    """The centred float16 vectors, a row per track id (zeros between), written in order
    with plain writes: through a memory map the written pages would count as the process's memory."""
    dims = title_vectors.shape[1]
    header = np.lib.format.open_memmap(path, mode="w+", dtype=np.float16, shape=(rows, dims))
    offset = header.offset
    del header  # the file now has its header and its full size (a sparse file)
    total, done = sum(len(ids) for ids, _ in chunks), 0
    with open(path, "r+b") as file:
        for ids, means in chunks:
            for start in range(0, len(ids), _WRITE_ROWS):  # a few float32 copies of this many rows at a time
                part = ids[start:start + _WRITE_ROWS]
                block = np.zeros((int(part[-1] - part[0]) + 1, dims), np.float16)
                block[part - part[0]] = _centre(means[start:start + _WRITE_ROWS] @ title_vectors, mean)
                file.seek(offset + int(part[0]) * dims * 2)
                file.write(block.tobytes())
            done += len(ids)
            if on_progress:
                on_progress(done, total)


def _centre(vectors: np.ndarray, mean: np.ndarray) -> np.ndarray:
    centred = np.asarray(vectors, dtype=np.float32) - mean
    norms = np.linalg.norm(centred, axis=1, keepdims=True)
    return centred / np.maximum(norms, 1e-12)


def _complete(folder: Path) -> bool:
    return (folder / INFO_FILE).is_file() and (folder / VECTORS_FILE).is_file()


def _switch_to(catalog: Catalog, location: ChromaLocation, info: TagIndexInfo) -> None:
    catalog.set_meta(ACTIVE_TAGS_KEY, json.dumps(asdict(info)))
    chroma_collections = json.loads(catalog.get_meta(TAGS_HISTORY_KEY) or "[]")
    if chroma_collections:  # left by an earlier version: dropped once no process reads them
        still_held = drop_superseded(location.client(), catalog.path, chroma_collections + [info.collection], 1)
        catalog.set_meta(TAGS_HISTORY_KEY, json.dumps(still_held[:-1]))


def active_tags_info(catalog: Catalog) -> TagIndexInfo | None:
    raw = catalog.get_meta(ACTIVE_TAGS_KEY)
    return TagIndexInfo(**json.loads(raw)) if raw else None


def open_tag_index(catalog: Catalog, titles: TitleIndex, location: ChromaLocation,
                   on_notice: Callable[[str], None] | None = None) -> TagIndex:
    """The tag vectors built from `titles`; an error when there are none or they are stale.
    Vectors still in a Chroma collection are rebuilt as an array, said through `on_notice`."""
    info = active_tags_info(catalog)
    if info is None or info.title_collection != titles.info.collection:
        raise IndexUnavailableError(
            f"the catalog {catalog.path} has no track tag vectors for its current title index; run `agent index`"
        )
    folder = tags_folder(catalog) / info.collection
    if not _complete(folder) and info.collection.startswith(COLLECTION_PREFIX):
        if on_notice:
            on_notice(f"the track tag vectors of {catalog.path} are in the older Chroma form; "
                      "rebuilding them as an array (once)")
        return build_tag_index(catalog, titles, location)
    try:
        vectors = np.load(folder / VECTORS_FILE, mmap_mode="r")
    except (OSError, ValueError) as error:
        raise IndexUnavailableError(
            f"the track tag vectors {folder} cannot be read ({error}); run `agent index`"
        ) from error
    return TagIndex(vectors, info, catalog)
