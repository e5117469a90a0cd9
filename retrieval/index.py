"""The title index: one vector per distinct normalised title, stored in Chroma.

A build writes a new collection beside the live one and then switches the catalog's
pointer to it, so a reader that opened the old index keeps working during a rebuild.
The collection's metadata records which encoder made its vectors; generation loads
that same encoder, so queries and index never disagree.
"""

from __future__ import annotations

import json
import os
import time
import uuid
from collections.abc import Callable, Iterator
from dataclasses import asdict, dataclass, replace
from itertools import islice
from pathlib import Path
from urllib.parse import urlparse

import numpy as np

from retrieval.catalog import Catalog
from retrieval.encoder import Encoder

ACTIVE_INDEX_KEY = "index.active"
COLLECTION_PREFIX = "titles-"
# How many superseded collections stay readable after a switch.
KEEP_PREVIOUS = 1


class IndexUnavailableError(RuntimeError):
    """No index, or one that cannot be reached; the message says how to fix it."""


@dataclass(frozen=True)
class ChromaLocation:
    """Where Chroma lives: a server URL, else an embedded store under `path`."""

    path: Path
    url: str | None = None

    def describe(self) -> str:
        return self.url or f"embedded Chroma at {self.path}"

    def client(self):
        os.environ.setdefault("ANONYMIZED_TELEMETRY", "False")
        import chromadb
        from chromadb.config import Settings

        settings = Settings(anonymized_telemetry=False)
        if self.url:
            parsed = urlparse(self.url if "://" in self.url else f"http://{self.url}")
            if not parsed.hostname:
                raise IndexUnavailableError(f"cannot read a host from Chroma URL {self.url!r}; use http://HOST:PORT")
            port = parsed.port or (443 if parsed.scheme == "https" else 8000)
            try:
                return chromadb.HttpClient(
                    host=parsed.hostname, port=port, ssl=parsed.scheme == "https", settings=settings
                )
            except Exception as error:  # chromadb raises bare ValueError/ConnectionError here
                raise IndexUnavailableError(f"cannot reach the Chroma server at {self.url}: {error}") from error
        self.path.mkdir(parents=True, exist_ok=True)
        return chromadb.PersistentClient(path=str(self.path), settings=settings)


@dataclass(frozen=True)
class IndexInfo:
    collection: str
    encoder_name: str
    encoder_path: str
    encoder_fingerprint: str
    catalog_fingerprint: str
    titles: int
    built_at: str
    # The encoder exported to ONNX for torch-free queries; "" when there is none.
    onnx_path: str = ""


class TitleIndex:
    """Nearest known titles to a query vector."""

    def __init__(self, collection, info: IndexInfo):
        self.collection = collection
        self.info = info

    def nearest(self, vector: np.ndarray, n: int) -> list[tuple[int, float]]:
        """(title_id, cosine similarity) of the n closest titles, closest first."""
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


def _batches(iterator: Iterator, size: int) -> Iterator[list]:
    while batch := list(islice(iterator, size)):
        yield batch


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
        onnx_path=str(onnx_path or ""),
    )
    collection = client.create_collection(
        info.collection,
        configuration={"hnsw": {"space": "cosine"}},
        metadata={key: str(value) for key, value in asdict(info).items()},
        embedding_function=None,
    )
    try:
        done = 0
        for batch in _batches(iter(titles), batch_size):
            vectors = encoder.encode([title for _, title in batch]).vectors
            collection.add(ids=[f"t{title_id}" for title_id, _ in batch], embeddings=vectors)
            done += len(batch)
            if on_progress:
                on_progress(done, len(titles))
    except BaseException:
        client.delete_collection(info.collection)
        raise
    if activate:
        _switch_to(catalog, client, info)
    return TitleIndex(collection, info)


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
    client = location.client()
    titles = [title_id for title_id, _ in catalog.titles_in_use(exclude_pids)]
    info = replace(
        base.info,
        collection=f"eval-{time.strftime('%Y%m%d-%H%M%S')}-{uuid.uuid4().hex[:6]}",
        titles=len(titles),
        built_at=time.strftime("%Y-%m-%dT%H:%M:%S"),
    )
    collection = client.create_collection(
        info.collection, configuration={"hnsw": {"space": "cosine"}},
        metadata={key: str(value) for key, value in asdict(info).items()}, embedding_function=None,
    )
    try:
        for start in range(0, len(titles), batch_size):
            batch = titles[start:start + batch_size]
            got = base.collection.get(ids=[f"t{t}" for t in batch], include=["embeddings"])
            collection.add(ids=got["ids"], embeddings=got["embeddings"])
    except BaseException:
        client.delete_collection(info.collection)
        raise
    return TitleIndex(collection, info)


def drop_index(location: ChromaLocation, index: TitleIndex) -> None:
    location.client().delete_collection(index.info.collection)


def _switch_to(catalog: Catalog, client, info: IndexInfo) -> None:
    history = json.loads(catalog.get_meta("index.history") or "[]")
    catalog.set_meta(ACTIVE_INDEX_KEY, json.dumps(asdict(info)))
    history.append(info.collection)
    stale, kept = history[:-(KEEP_PREVIOUS + 1)], history[-(KEEP_PREVIOUS + 1):]
    for name in stale:
        try:
            client.delete_collection(name)
        except Exception:  # already gone (another data dir's cleanup, manual deletion)
            pass
    catalog.set_meta("index.history", json.dumps(kept))


def active_index_info(catalog: Catalog) -> IndexInfo | None:
    raw = catalog.get_meta(ACTIVE_INDEX_KEY)
    return IndexInfo(**json.loads(raw)) if raw else None


def open_index(catalog: Catalog, location: ChromaLocation) -> TitleIndex:
    info = active_index_info(catalog)
    if info is None:
        raise IndexUnavailableError(f"no title index for the catalog {catalog.path}; run `agent index`")
    client = location.client()
    try:
        collection = client.get_collection(info.collection, embedding_function=None)
    except Exception as error:  # chromadb raises NotFoundError, ValueError or HTTP errors by version
        raise IndexUnavailableError(
            f"the index collection {info.collection!r} is not in {location.describe()} ({error}); "
            "run `agent index` to rebuild it there"
        ) from error
    return TitleIndex(collection, info)
