"""Comparing title encoders (`--encoders pt,ft-c,ft-g`): one temporary index per encoder."""

from __future__ import annotations

import contextlib
from collections.abc import Callable, Iterator, Mapping
from pathlib import Path

from retrieval.catalog import Catalog
from retrieval.encoding.encoder import Encoder
from retrieval.generator import Retriever
from retrieval.index.titles import ChromaLocation, TitleIndex, build_index, drop_index


@contextlib.contextmanager
def encoder_retrievers(
    catalog: Catalog,
    location: ChromaLocation,
    encoder_paths: Mapping[str, Path],
    exclude_pids: frozenset[int],
    on_progress: Callable[[str, int, int], None] | None = None,
) -> Iterator[dict[str, Retriever]]:
    """One retriever per encoder, each over a temporary index of the titles of the
    playlists not held out, embedded by that encoder; the indexes are dropped after."""
    built: list[TitleIndex] = []
    try:
        retrievers = {}
        for name, path in encoder_paths.items():
            encoder = Encoder(path)
            progress = (lambda done, total, name=name: on_progress(name, done, total)) if on_progress else None
            index = build_index(catalog, encoder, location, on_progress=progress, exclude_pids=exclude_pids, activate=False)
            built.append(index)
            retrievers[name] = Retriever(catalog, index, encoder)
        yield retrievers
    finally:
        for index in built:
            drop_index(location, index)
