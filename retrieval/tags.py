"""Crowd-tag track vectors: a track is described by the titles of the playlists holding it.

A track's vector is the mean of the title vectors of its playlists (a title carried by
three of them counts three times), so "Mr. Brightside" sits among "party", "2000s" and
"throwback". The title vectors are read back from the title index rather than
re-encoded, and the means are one sparse product (tracks x titles) @ (titles x dims).

Every track vector shares a large common part (the "average playlist title"); it is
subtracted (the mean tag vector, stored with the collection) and the rest scaled to
unit length, so that a dot product compares what is particular to two tracks. Words
compared with them (steering) are centred the same way by `TagIndex.word_vectors`.

The vectors live in a second Chroma collection, recorded in the catalog beside the
title index it was built from; a rebuild of the title index rebuilds it.
"""

from __future__ import annotations

import json
import time
import uuid
from collections.abc import Callable
from dataclasses import asdict, dataclass

import numpy as np

from retrieval.catalog import Catalog
from retrieval.encoder import Encoder
from retrieval.index import ChromaLocation, IndexUnavailableError, TitleIndex
from retrieval.index_leases import IndexLease, drop_superseded, hold_active_or_warn

ACTIVE_TAGS_KEY = "tags.active"
TAGS_HISTORY_KEY = "tags.history"
COLLECTION_PREFIX = "tags-"
KEEP_PREVIOUS = 1
_PAGE = 4096


@dataclass(frozen=True)
class TagIndexInfo:
    collection: str
    title_collection: str  # the title index whose vectors were averaged
    encoder_name: str
    encoder_fingerprint: str
    catalog_fingerprint: str
    tracks: int
    built_at: str
    seconds: float
    mean: list[float]  # subtracted from every track vector and from every word


class TagIndex:
    """Centred, unit-length tag vectors of the catalog's tracks, by track URI."""

    def __init__(self, collection, info: TagIndexInfo, lease: IndexLease | None = None):
        self.collection = collection
        self.info = info
        self._lease = lease  # released when this index is collected
        self.mean = np.asarray(info.mean, dtype=np.float32)

    def vectors(self, uris: list[str]) -> dict[str, np.ndarray]:
        """The vectors of those of `uris` that have one (tracks only in untitled playlists have none)."""
        found: dict[str, np.ndarray] = {}
        uris = list(dict.fromkeys(uris))  # Chroma refuses a repeated id
        for start in range(0, len(uris), _PAGE):
            got = self.collection.get(ids=uris[start:start + _PAGE], include=["embeddings"])
            found.update(zip(got["ids"], np.asarray(got["embeddings"], dtype=np.float32)))
        return found

    def word_vectors(self, encoder: Encoder, words: list[str]) -> np.ndarray:
        """The words' embeddings, centred like the track vectors (rows of unit length)."""
        return _centre(encoder.encode(words).vectors, self.mean)


def build_tag_index(
    catalog: Catalog,
    titles: TitleIndex,
    location: ChromaLocation,
    on_progress: Callable[[int, int], None] | None = None,
    batch_size: int = 5000,  # Chroma's limit is 5461; larger batches add faster
) -> TagIndex:
    """Average the title vectors of each track's playlists and store them in a new collection."""
    started = time.perf_counter()
    title_ids, title_vectors = _title_vectors(titles)
    track_ids, means = _track_means(catalog, title_ids, title_vectors)
    # The mean of the track vectors, without forming them: (mean row of `means`) @ titles.
    mean = (np.asarray(means.mean(axis=0)).ravel() @ title_vectors).astype(np.float32)
    client = location.client()
    name = f"{COLLECTION_PREFIX}{time.strftime('%Y%m%d-%H%M%S')}-{uuid.uuid4().hex[:6]}"
    # Only looked up by id, never searched, so the graph is kept as small as Chroma allows.
    collection = client.create_collection(
        name, configuration={"hnsw": {"space": "cosine", "ef_construction": 16, "max_neighbors": 4}},
        embedding_function=None,
    )
    try:
        for start in range(0, len(track_ids), batch_size):
            chunk = track_ids[start:start + batch_size]
            rows = catalog.track_rows(chunk.tolist())
            vectors = _centre(means[start:start + batch_size] @ title_vectors, mean)
            collection.add(ids=[rows[int(t)][0] for t in chunk], embeddings=vectors)
            if on_progress:
                on_progress(start + len(chunk), len(track_ids))
    except BaseException:
        client.delete_collection(name)
        raise
    info = TagIndexInfo(
        collection=name, title_collection=titles.info.collection, encoder_name=titles.info.encoder_name,
        encoder_fingerprint=titles.info.encoder_fingerprint, catalog_fingerprint=catalog.fingerprint(),
        tracks=len(track_ids), built_at=time.strftime("%Y-%m-%dT%H:%M:%S"),
        seconds=round(time.perf_counter() - started, 2), mean=[round(float(x), 7) for x in mean],
    )
    _switch_to(catalog, client, info)
    return TagIndex(collection, info)


def _title_vectors(titles: TitleIndex) -> tuple[np.ndarray, np.ndarray]:
    """(title ids, their vectors) read back from the title index, page by page."""
    ids: list[int] = []
    chunks: list[np.ndarray] = []
    for offset in range(0, titles.info.titles, _PAGE):
        got = titles.collection.get(limit=_PAGE, offset=offset, include=["embeddings"])
        ids += [int(item[1:]) for item in got["ids"]]
        chunks.append(np.asarray(got["embeddings"], dtype=np.float32))
    return np.asarray(ids, dtype=np.int64), np.concatenate(chunks)


def _track_means(catalog: Catalog, title_ids: np.ndarray, title_vectors: np.ndarray):
    """(track ids, sparse tracks x titles matrix whose rows average a track's titles)."""
    from scipy import sparse

    row_of_title = np.full(int(title_ids.max(initial=0)) + 1, -1, dtype=np.int64)
    row_of_title[title_ids] = np.arange(len(title_ids))
    tracks, titles, counts = [], [], []
    for batch in catalog.track_title_counts():
        array = np.asarray(batch, dtype=np.int64)
        tracks.append(array[:, 0])
        known = array[:, 1] < len(row_of_title)
        titles.append(np.where(known, row_of_title[np.minimum(array[:, 1], len(row_of_title) - 1)], -1))
        counts.append(array[:, 2])
    if not tracks:
        return np.zeros(0, np.int64), sparse.csr_matrix((0, len(title_ids)), dtype=np.float32)
    tracks, titles, counts = np.concatenate(tracks), np.concatenate(titles), np.concatenate(counts)
    indexed = titles >= 0  # a title missing from the index (index older than the catalog) adds nothing
    tracks, titles, counts = tracks[indexed], titles[indexed], counts[indexed]
    track_ids, rows = np.unique(tracks, return_inverse=True)
    matrix = sparse.csr_matrix(
        (counts.astype(np.float32), (rows, titles)), shape=(len(track_ids), len(title_ids))
    )
    totals = np.asarray(matrix.sum(axis=1)).ravel()
    return track_ids, sparse.diags(1.0 / totals).astype(np.float32) @ matrix


def _centre(vectors: np.ndarray, mean: np.ndarray) -> np.ndarray:
    centred = np.asarray(vectors, dtype=np.float32) - mean
    norms = np.linalg.norm(centred, axis=1, keepdims=True)
    return centred / np.maximum(norms, 1e-12)


def _switch_to(catalog: Catalog, client, info: TagIndexInfo) -> None:
    history = json.loads(catalog.get_meta(TAGS_HISTORY_KEY) or "[]") + [info.collection]
    catalog.set_meta(ACTIVE_TAGS_KEY, json.dumps(asdict(info)))
    catalog.set_meta(TAGS_HISTORY_KEY, json.dumps(drop_superseded(client, catalog.path, history, KEEP_PREVIOUS + 1)))


def active_tags_info(catalog: Catalog) -> TagIndexInfo | None:
    raw = catalog.get_meta(ACTIVE_TAGS_KEY)
    return TagIndexInfo(**json.loads(raw)) if raw else None


def open_tag_index(catalog: Catalog, titles: TitleIndex, location: ChromaLocation) -> TagIndex:
    """The tag vectors built from `titles`; an error when there are none or they are stale."""
    # Held like the title index, so a rebuild during a batch keeps it (the title index gave any notice).
    info, lease, _notice = hold_active_or_warn(catalog.path, lambda: active_tags_info(catalog),
                                               lambda info: info.collection, catalog.read_only)
    if info is None or info.title_collection != titles.info.collection:
        raise IndexUnavailableError(
            f"the catalog {catalog.path} has no track tag vectors for its current title index; run `agent index`"
        )
    try:
        collection = location.client().get_collection(info.collection, embedding_function=None)
    except Exception as error:  # chromadb raises NotFoundError, ValueError or HTTP errors by version
        raise IndexUnavailableError(
            f"the tag collection {info.collection!r} is not in {location.describe()} ({error}); run `agent index`"
        ) from error
    return TagIndex(collection, info, lease)
