"""Crowd-tag track vectors: a track is described by the titles of the playlists holding it.

A track's vector is the mean of the title vectors of its playlists (a title carried by
three of them counts three times), so "Mr. Brightside" sits among "party", "2000s" and
"throwback". The title vectors are read back from the title index rather than
re-encoded; the playlists of each track come from the playlist graph's arrays, a chunk
of tracks at a time, so memory stays bounded at MPD scale.

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
from collections.abc import Callable
from dataclasses import asdict, dataclass
from pathlib import Path

import numpy as np

from retrieval.catalog import Catalog
from retrieval.encoder import Encoder
from retrieval.index import ChromaLocation, IndexUnavailableError, TitleIndex
from retrieval.index_leases import drop_superseded
from retrieval.playlist_graph import PlaylistGraph
from retrieval.playlist_graph_store import publish_folder, remove_others
from retrieval.signal_sources import prepare_signal_data

ACTIVE_TAGS_KEY = "tags.active"
TAGS_HISTORY_KEY = "tags.history"  # tag collections left in Chroma by earlier versions
COLLECTION_PREFIX = "tags-"  # how those collections were named
VECTORS_FILE, INFO_FILE = "vectors.npy", "tags.json"
_PAGE = 4096
_TRACKS_PER_CHUNK = 50_000


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
    graph = prepare_signal_data(catalog)
    title_ids, title_vectors = _title_vectors(titles)
    title_of_row = _title_of_row(graph, title_ids)
    fingerprint = catalog.fingerprint()
    root, folder = tags_folder(catalog), tags_folder(catalog) / f"{titles.info.collection}-{fingerprint}"
    mean, tracks = _mean(graph, title_of_row, title_vectors)
    info = TagIndexInfo(
        collection=folder.name, title_collection=titles.info.collection, encoder_name=titles.info.encoder_name,
        encoder_fingerprint=titles.info.encoder_fingerprint, catalog_fingerprint=fingerprint,
        tracks=tracks, built_at=time.strftime("%Y-%m-%dT%H:%M:%S"), seconds=0.0,
        mean=[round(float(x), 7) for x in mean],
    )

    def write(staging: Path) -> None:
        _write_vectors(staging / VECTORS_FILE, graph, title_of_row, title_vectors, mean, on_progress)
        (staging / INFO_FILE).write_text(json.dumps({"collection": folder.name}) + "\n")

    try:
        if not _complete(folder):  # else built before from the same titles and playlists
            publish_folder(root, folder, write, _complete)
    except OSError:
        if not _complete(folder):  # else another process published the same vectors first
            raise
    remove_others(root, keep=folder)
    info = TagIndexInfo(**{**asdict(info), "seconds": round(time.perf_counter() - started, 2)})
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


def _title_of_row(graph: PlaylistGraph, title_ids: np.ndarray) -> np.ndarray:
    """Per playlist row of the graph, its title's row among the title vectors (-1: no
    title, or one missing from the index, older than the catalog: it adds nothing)."""
    row_titles = graph.row_titles()
    row_of_title = np.full(int(max(title_ids.max(initial=-1), row_titles.max(initial=-1))) + 1, -1, np.int64)
    row_of_title[title_ids] = np.arange(len(title_ids))
    return np.where(row_titles >= 0, row_of_title[row_titles], -1)


def _chunks(graph: PlaylistGraph, title_of_row: np.ndarray, titles: int):
    """(first track id, sparse rows averaging each track's titles, whether it has any) per chunk."""
    from scipy import sparse

    for start in range(0, len(graph.plays), _TRACKS_PER_CHUNK):
        stop = min(start + _TRACKS_PER_CHUNK, len(graph.plays))
        rows, lengths = graph.rows_of_tracks(np.arange(start, stop))
        owners, held = np.repeat(np.arange(stop - start), lengths), title_of_row[rows]
        titled = held >= 0
        counts = sparse.csr_matrix((np.ones(int(titled.sum()), np.float32), (owners[titled], held[titled])),
                                   shape=(stop - start, titles))
        totals = np.asarray(counts.sum(axis=1)).ravel()
        yield start, sparse.diags(1.0 / np.maximum(totals, 1.0)).astype(np.float32) @ counts, totals > 0


def _mean(graph: PlaylistGraph, title_of_row: np.ndarray, title_vectors: np.ndarray) -> tuple[np.ndarray, int]:
    """The mean of the (uncentred) track vectors, without forming them, and how many there are."""
    weights, tracks = np.zeros(len(title_vectors), np.float64), 0
    for _, means, has in _chunks(graph, title_of_row, len(title_vectors)):
        weights += np.asarray(means.sum(axis=0)).ravel()
        tracks += int(has.sum())
    return (weights / max(tracks, 1) @ title_vectors).astype(np.float32), tracks


def _write_vectors(path: Path, graph: PlaylistGraph, title_of_row: np.ndarray, title_vectors: np.ndarray,
                   mean: np.ndarray, on_progress: Callable[[int, int], None] | None) -> None:
    vectors = np.lib.format.open_memmap(path, mode="w+", dtype=np.float16,
                                        shape=(len(graph.plays), title_vectors.shape[1]))
    for start, means, has in _chunks(graph, title_of_row, len(title_vectors)):
        chunk = _centre(means @ title_vectors, mean)
        chunk[~has] = 0.0
        vectors[start:start + len(chunk)] = chunk
        if on_progress:
            on_progress(start + len(chunk), len(graph.plays))
    vectors.flush()
    del vectors


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
