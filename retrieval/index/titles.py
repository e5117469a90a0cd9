"""The title index: one vector per distinct normalised title, stored in Chroma.

A build writes a new collection beside the live one and then switches the catalog's
pointer to it, so a reader that opened the old index keeps working during a rebuild.
The collection's metadata records which encoder made its vectors; generation loads
that same encoder, so queries and index never disagree. A build also writes an
exact-search copy of the vectors (`index_exact`), which queries search instead of Chroma.

What can go wrong is said, never hidden: an index older than the catalog's content
(an ingest without indexing, a killed build) opens with a warning; a collection left
half-built by a killed process is dropped by the next build; a damaged embedded store
is refused in one line, and `agent index` sets it aside and builds a fresh one.
"""

from __future__ import annotations

import json
import time
import uuid
from collections.abc import Callable
from dataclasses import asdict, dataclass, fields, replace
from pathlib import Path

import numpy as np

from retrieval.catalog import Catalog
from retrieval.encoding.encoder import Encoder
from retrieval.errors import IndexUnavailableError
from retrieval.index.exact import ExactExportWriter, ExactTitleSearch, InMemoryExport, kept_in_memory, remove_export
from retrieval.index.leases import IndexLease, drop_superseded, hold_active_or_warn
from retrieval.index.store import ChromaLocation, abandoned_collections, builder_metadata, completed_metadata

ACTIVE_INDEX_KEY = "index.active"
COLLECTION_PREFIX = "titles-"
EVAL_PREFIX = "eval-"
# How many superseded collections stay readable after a switch.
KEEP_PREVIOUS = 1


@dataclass(frozen=True)
class IndexInfo:
    collection: str
    encoder_name: str
    encoder_path: str
    encoder_fingerprint: str
    catalog_fingerprint: str
    titles: int
    built_at: str
    catalog_version: int = -1  # Catalog.content_version() when built; -1: recorded before it existed
    # The encoder exported to ONNX for torch-free queries; "" when there is none.
    onnx_path: str = ""
    # The digest of the exact-search export of its vectors (`index_exact`); "" when there is none.
    exact_digest: str = ""


class TitleIndex:
    """Nearest known titles to a query vector; `warnings` say when it lags its catalog.

    With an exact-search export, `nearest` reads it and Chroma is opened only when the
    collection itself is asked for (`location` says where).
    """

    def __init__(self, collection, info: IndexInfo, warnings: tuple[str, ...] = (), lease: IndexLease | None = None,
                 exact: ExactTitleSearch | None = None, location: ChromaLocation | None = None):
        self._collection = collection
        self.info = info
        self.warnings = warnings
        self._lease = lease
        self.exact = exact
        self._location = location

    @property
    def collection(self):
        if self._collection is None:
            self._collection = _open_collection(self._location, self.info, lease=None)
        return self._collection

    def close(self) -> None:
        """Release the hold on the collection, so a later build may drop it."""
        if self._lease:
            self._lease.release()

    def nearest(self, vector: np.ndarray, n: int) -> list[tuple[int, float]]:
        """(title_id, cosine similarity) of the n closest titles, closest first."""
        if self.exact:
            return self.exact.nearest(vector, n)
        n = min(n, self.info.titles)
        if n <= 0:
            return []
        result = self.collection.query(query_embeddings=[vector], n_results=n, include=["distances"])
        return [
            (int(item_id[1:]), 1.0 - float(distance))
            for item_id, distance in zip(result["ids"][0], result["distances"][0])
        ]

    def vectors(self, title_ids: list[int]) -> dict[int, np.ndarray]:
        got = self.collection.get(ids=[f"t{t}" for t in title_ids], include=["embeddings"])
        return {int(i[1:]): np.asarray(v, dtype=np.float32) for i, v in zip(got["ids"], got["embeddings"])}


def build_index(
    catalog: Catalog,
    encoder: Encoder,
    location: ChromaLocation,
    on_progress: Callable[[int, int], None] | None = None,
    exclude_pids: frozenset[int] = frozenset(),
    activate: bool = True,
    batch_size: int = 1024,
    onnx_path: Path | None = None,
) -> TitleIndex:
    """Embed every title in use and store the vectors in a new collection.

    With `activate`, the catalog's pointer moves to the new collection once it is
    complete and older collections beyond `KEEP_PREVIOUS` are dropped. Without it
    (evaluation on a held-out split), the caller owns the collection and drops it.
    """
    client = location.client()
    _drop_abandoned(client, location.path)
    version = catalog.content_version()  # read before the titles: a later ingest makes it stale
    titles = list(catalog.titles_in_use(exclude_pids))
    if not titles:
        raise IndexUnavailableError(f"the catalog {catalog.path} has no playlist titles to index; run `agent ingest` first")
    info = IndexInfo(
        collection=f"{COLLECTION_PREFIX}{time.strftime('%Y%m%d-%H%M%S')}-{uuid.uuid4().hex[:6]}",
        encoder_name=encoder.name,
        encoder_path=str(encoder.path),
        encoder_fingerprint=encoder.fingerprint,
        catalog_fingerprint=catalog.fingerprint(),
        titles=len(titles),
        built_at=time.strftime("%Y-%m-%dT%H:%M:%S"),
        catalog_version=version,
        onnx_path=str(onnx_path or ""),
    )
    collection = client.create_collection(
        info.collection,
        configuration={"hnsw": {"space": "cosine"}},
        metadata=_metadata(info, building=True),
        embedding_function=None,
    )
    # Queries search the export instead of the embedded store; a server's index is searched there.
    exact = None if location.url else (
        ExactExportWriter(location.path, info.collection, len(titles)) if activate else InMemoryExport())
    try:
        _embed_into(collection, exact, encoder, titles, batch_size, on_progress)
        info = replace(info, exact_digest=exact.finish()) if exact else info
    except BaseException:
        client.delete_collection(info.collection)
        if exact:
            exact.discard()
        raise
    collection.modify(metadata=_metadata(info, building=False))
    if activate:
        _switch_to(catalog, client, info, location.path)
    search = exact.search() if isinstance(exact, InMemoryExport) else (  # as `open_index` would search it
        ExactTitleSearch.load(location, info.collection, info.titles, info.exact_digest) if exact else None)
    return TitleIndex(collection, info, exact=search)


def _embed_into(collection, exact: ExactExportWriter | InMemoryExport | None, encoder: Encoder, titles: list[tuple[int, str]],
                batch_size: int, on_progress: Callable[[int, int], None] | None) -> None:
    for start in range(0, len(titles), batch_size):
        batch = titles[start:start + batch_size]
        vectors = encoder.encode([title for _, title in batch]).vectors
        collection.add(ids=[f"t{title_id}" for title_id, _ in batch], embeddings=vectors)
        if exact:
            exact.add([title_id for title_id, _ in batch], vectors)
        if on_progress:
            on_progress(start + len(batch), len(titles))


def _metadata(info: IndexInfo, building: bool) -> dict[str, str]:
    """The collection's metadata: its IndexInfo, and while building, who builds it."""
    metadata = {key: str(value) for key, value in asdict(info).items()}
    return {**metadata, **(builder_metadata() if building else completed_metadata())}


def _drop_abandoned(client, store: Path) -> None:
    """Drop collections whose build was killed (their builder process is gone)."""
    for name in abandoned_collections(client, (COLLECTION_PREFIX, EVAL_PREFIX)):
        try:
            client.delete_collection(name)
        except Exception:  # another build dropped it first
            pass
        remove_export(store, name)


def derive_index(
    catalog: Catalog,
    base: TitleIndex,
    location: ChromaLocation,
    exclude_pids: frozenset[int],
    batch_size: int = 2048,
) -> TitleIndex:
    """A temporary index of the titles still carried once `exclude_pids` are removed.

    Vectors are copied from `base`, not re-embedded. The caller drops it with
    `drop_index` when done; it is never made the active index.
    """
    if catalog.read_only and base.exact is not None:  # no collection can be made there: rows kept in memory
        return TitleIndex(None, **kept_in_memory(base.info, base.exact, catalog.titles_in_use(exclude_pids)))
    client = location.client()
    _drop_abandoned(client, location.path)
    titles = [title_id for title_id, _ in catalog.titles_in_use(exclude_pids)]
    info = replace(
        base.info,
        collection=f"{EVAL_PREFIX}{time.strftime('%Y%m%d-%H%M%S')}-{uuid.uuid4().hex[:6]}",
        titles=len(titles),
        built_at=time.strftime("%Y-%m-%dT%H:%M:%S"),
        exact_digest="",  # no export on disk: searched in memory (below)
    )
    # Marked as building for its whole life: the caller drops it, or, if the caller is
    # killed first, the next build does.
    collection = client.create_collection(
        info.collection, configuration={"hnsw": {"space": "cosine"}},
        metadata=_metadata(info, building=True), embedding_function=None,
    )
    copied = InMemoryExport()
    try:
        for start in range(0, len(titles), batch_size):
            batch = titles[start:start + batch_size]
            got = base.collection.get(ids=[f"t{t}" for t in batch], include=["embeddings"])
            collection.add(ids=got["ids"], embeddings=got["embeddings"])
            copied.add([int(title_id[1:]) for title_id in got["ids"]], got["embeddings"])
    except BaseException:
        client.delete_collection(info.collection)
        raise
    return TitleIndex(collection, info, exact=None if location.url else copied.search())


def drop_index(location: ChromaLocation, index: TitleIndex) -> None:
    if index._collection is not None or index._location is not None:  # else derived in memory: nothing stored
        location.client().delete_collection(index.info.collection)


def _switch_to(catalog: Catalog, client, info: IndexInfo, store: Path) -> None:
    history = json.loads(catalog.get_meta("index.history") or "[]")
    catalog.set_meta(ACTIVE_INDEX_KEY, json.dumps(asdict(info)))
    history.append(info.collection)
    kept = drop_superseded(client, catalog.path, history, KEEP_PREVIOUS + 1)
    catalog.set_meta("index.history", json.dumps(kept))
    for dropped in set(history) - set(kept):
        remove_export(store, dropped)


def active_index_info(catalog: Catalog) -> IndexInfo | None:
    raw = catalog.get_meta(ACTIVE_INDEX_KEY)
    if not raw:
        return None
    known = {f.name for f in fields(IndexInfo)}
    return IndexInfo(**{key: value for key, value in json.loads(raw).items() if key in known})


def staleness(catalog: Catalog, info: IndexInfo) -> str | None:
    """A warning when the catalog changed after the index was built, else None."""
    if info.catalog_version >= 0:
        stale = info.catalog_version != catalog.content_version()
    else:  # built before versions were recorded: the cheap parts of the fingerprint decide
        parts = info.catalog_fingerprint.split("-")
        stale = f"{parts[0]}-{parts[-1]}" != catalog.quick_fingerprint()
    if not stale:
        return None
    return (
        "the title index is older than the catalog (an ingest without indexing, or an index build "
        "that was interrupted): playlists stored since cannot be found; run `agent index` to update it"
    )


def _lease_active(catalog: Catalog) -> tuple[IndexInfo, IndexLease | None, list[str]]:
    """The active index's info, a lease on its collection, and a warning when none could be taken."""
    info, lease, warnings = hold_active_or_warn(catalog.path, lambda: active_index_info(catalog),
                                                lambda info: info.collection, catalog.read_only)
    if info is None:
        raise IndexUnavailableError(f"no title index for the catalog {catalog.path}; run `agent index`")
    return info, lease, warnings


def open_index(catalog: Catalog, location: ChromaLocation) -> TitleIndex:
    """The active index, held for this process until `close()`: rebuilds meanwhile keep it.

    Its exact-search export answers queries when there is a matching one and the store is
    embedded; Chroma is then not even imported unless the collection itself is used.
    """
    info, lease, warnings = _lease_active(catalog)
    exact = ExactTitleSearch.load(location, info.collection, info.titles, info.exact_digest)
    collection = None if exact else _open_collection(location, info, lease)
    stale = staleness(catalog, info)
    return TitleIndex(collection, info, (*warnings, *([stale] if stale else [])), lease, exact, location)


def _open_collection(location: ChromaLocation, info: IndexInfo, lease: IndexLease | None):
    try:
        return location.client().get_collection(info.collection, embedding_function=None)
    except Exception as error:  # chromadb raises NotFoundError, ValueError or HTTP errors by version
        if lease:
            lease.release()
        raise IndexUnavailableError(
            f"the index collection {info.collection!r} is not in {location.describe()} ({error}); "
            "run `agent index` to rebuild it there"
        ) from error
