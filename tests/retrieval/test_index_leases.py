"""Leases on index collections, with the real embedded Chroma: a reader's collection
survives any number of rebuilds while its process lives, and goes once it is released or
its process is gone (the same host+pid check as a killed build's mark)."""

from __future__ import annotations

import socket
import subprocess
import sys
from pathlib import Path

from conftest import build_corpus, write_slice_file
from retrieval.catalog import Catalog
from retrieval.generator import GenerationOptions, Retriever
from retrieval.index.titles import ChromaLocation, build_index, open_index
from retrieval.index.leases import lease_directory, leased_collections
from retrieval.mpd.ingest import ingest_paths


def collections(location: ChromaLocation) -> set[str]:
    return {c.name if hasattr(c, "name") else c for c in location.client().list_collections()}


def dead_pid() -> int:
    process = subprocess.Popen([sys.executable, "-c", "pass"])
    process.wait()
    return process.pid


def test_a_held_collection_survives_rebuilds_and_goes_once_released(tmp_path: Path, encoder):
    location = ChromaLocation(path=tmp_path / "chroma")
    with Catalog(tmp_path / "catalog.sqlite") as catalog:
        ingest_paths(catalog, [write_slice_file(tmp_path / "mpd", build_corpus().playlists)])
        first = build_index(catalog, encoder, location)
        reader = open_index(catalog, location)
        before = Retriever(catalog, reader, encoder).generate("xmas songs", GenerationOptions(n=3, k=3))
        for _ in range(3):
            build_index(catalog, encoder, location)
        assert first.info.collection in collections(location)
        after = Retriever(catalog, reader, encoder).generate("xmas songs", GenerationOptions(n=3, k=3))
        assert after.model_dump(exclude={"seconds"}) == before.model_dump(exclude={"seconds"})

        reader.close()
        assert leased_collections(lease_directory(catalog.path)) == set()
        build_index(catalog, encoder, location)
        assert first.info.collection not in collections(location)


def test_a_lease_of_a_process_that_is_gone_holds_nothing_and_is_removed(tmp_path: Path):
    folder = lease_directory(tmp_path / "catalog.sqlite")
    folder.mkdir()
    dead = folder / f"titles-old@{socket.gethostname()}@{dead_pid()}@abcd1234.lease"
    elsewhere = folder / "titles-far@another-host@1@abcd1234.lease"  # cannot be checked: kept
    dead.touch()
    elsewhere.touch()
    assert leased_collections(folder) == {"titles-far"}
    assert not dead.exists() and elsewhere.exists()


def test_a_held_tag_collection_survives_rebuilds_too(tmp_path: Path, encoder):
    from retrieval.index.tags import build_tag_index, open_tag_index, tags_folder

    location = ChromaLocation(path=tmp_path / "chroma")
    with Catalog(tmp_path / "catalog.sqlite") as catalog:
        ingest_paths(catalog, [write_slice_file(tmp_path / "mpd", build_corpus().playlists)])
        titles = build_index(catalog, encoder, location)
        build_tag_index(catalog, titles, location)
        held_titles = open_index(catalog, location)
        held = open_tag_index(catalog, held_titles, location)
        before = held.vectors(["spotify:track:xmas01"])
        for _ in range(2):
            build_tag_index(catalog, build_index(catalog, encoder, location), location)
        # Its folder is replaced, yet the array it mapped is still read whole.
        assert not (tags_folder(catalog) / held.info.collection).exists()
        after = held.vectors(["spotify:track:xmas01"])
        assert list(after) == list(before) and (after["spotify:track:xmas01"] == before["spotify:track:xmas01"]).all()
