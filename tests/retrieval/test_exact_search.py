"""Queries search the index's exact-search export instead of Chroma: the true nearest
titles in Chroma's order (closest first, equal distances in the order the titles were
added), the similarities Chroma gives within 1e-5; a stale or missing export is never
used; and `agent generate` then imports no chromadb at all."""

from __future__ import annotations

import json
import shutil
import subprocess
import sys
from pathlib import Path

import numpy as np
import pytest

from conftest import build_corpus, write_slice_file
from demo_home import built_demo_home, subprocess_env
from retrieval.catalog import Catalog
from retrieval.errors import IndexUnavailableError
from retrieval.index.titles import ChromaLocation, TitleIndex, build_index, open_index
from retrieval.index.exact import EXACT_FOLDER, ExactTitleSearch, export_folder
from retrieval.mpd.ingest import ingest_paths

QUERIES = ["road trip", "xmas songs", "christmas", "workout", "gym beast mode", "chill vibes", "sleep",
           "rainy sunday coding", "케이팝", "🎄🎄", "zzzz qqq", "a", "summer " * 300]


def _chroma_index(index: TitleIndex, location: ChromaLocation) -> TitleIndex:
    """The same index searched through its Chroma collection."""
    return TitleIndex(location.client().get_collection(index.info.collection, embedding_function=None), index.info)


def _true_nearest(vectors: np.ndarray, title_ids: list[int], query: np.ndarray, n: int) -> list[tuple[int, float]]:
    """Brute force in float64 over the vectors Chroma stores, ties in the order they were added."""
    vectors = vectors / np.linalg.norm(vectors, axis=1, keepdims=True)
    similarities = vectors @ (query / np.linalg.norm(query))
    rows = np.lexsort((np.arange(len(similarities)), -similarities))[:n]
    return [(title_ids[row], float(similarities[row])) for row in rows]


@pytest.fixture(scope="module")
def corpus_index(tmp_path_factory, encoder):
    folder = tmp_path_factory.mktemp("exact")
    catalog = Catalog(folder / "catalog.sqlite")
    ingest_paths(catalog, [write_slice_file(folder / "mpd", build_corpus().playlists)])
    location = ChromaLocation(path=folder / "chroma")
    build_index(catalog, encoder, location)
    yield catalog, location
    catalog.close()


def test_on_the_test_corpus_the_export_answers_exactly_as_chroma(corpus_index, encoder):
    catalog, location = corpus_index
    index = open_index(catalog, location)
    assert index.exact is not None
    chroma = _chroma_index(index, location)
    titles = [title for _, title in catalog.titles_in_use(frozenset())]
    for vector in encoder.encode(titles + QUERIES).vectors:
        for n in (1, 3, 5, index.info.titles, index.info.titles + 5):
            ours, theirs = index.nearest(vector, n), chroma.nearest(vector, n)
            assert [t for t, _ in ours] == [t for t, _ in theirs]
            assert np.allclose([s for _, s in ours], [s for _, s in theirs], rtol=0, atol=1e-5)
    index.close()


def test_on_the_demo_catalog_the_export_finds_the_true_nearest_and_everything_chroma_finds(encoder):
    """Chroma's HNSW search is approximate: on the demo it misses some true neighbours
    (a title's own vector, at times). The export must find the true ones, keep every
    neighbour Chroma finds above its cut with the same similarity, in Chroma's order."""
    home = built_demo_home()
    with Catalog(home / "demo" / "catalog.sqlite") as catalog:
        location = ChromaLocation(path=home / "chroma")
        index = open_index(catalog, location)
        assert index.exact is not None
        chroma = _chroma_index(index, location)
        stored = chroma.collection.get(include=["embeddings"])
        title_ids, vectors = [int(i[1:]) for i in stored["ids"]], np.asarray(stored["embeddings"], np.float64)
        titles = [title for _, title in catalog.titles_in_use(frozenset())]
        queries = titles[::4] + QUERIES  # about 220 titles
        for query, vector in zip(queries, encoder.encode(queries).vectors):
            for n in (10, 100, 300):
                ours, theirs = index.nearest(vector, n), chroma.nearest(vector, n)
                truth = _true_nearest(vectors, title_ids, vector.astype(np.float64), n)
                assert np.allclose([s for _, s in ours], [s for _, s in truth], rtol=0, atol=1e-5), query
                _same_where_unambiguous(ours, truth)
                assert all(s >= c - 1e-5 for (_, s), (_, c) in zip(ours, theirs)), query  # never worse at any rank
                found = dict(ours)
                above_cut = [(t, s) for t, s in theirs if s > ours[-1][1] + 1e-5]
                assert all(abs(found[t] - s) <= 1e-5 for t, s in above_cut), query
                _in_the_same_order(ours, [t for t, _ in theirs if t in found])
        index.close()


def _in_the_same_order(ours: list[tuple[int, float]], theirs: list[int]) -> None:
    """The titles of `theirs` (Chroma's) come in the same order in `ours`: exact ties by the order
    they were added as Chroma does; only titles apart by float32 noise (1e-6) may swap."""
    position = {title: rank for rank, (title, _) in enumerate(ours)}
    ranks = np.array([position[t] for t in theirs])
    similarities = np.array([ours[r][1] for r in ranks])
    swapped = np.triu(ranks[:, None] > ranks[None, :])  # i before j in Chroma's list, after it in ours
    assert (np.abs(similarities[:, None] - similarities[None, :])[swapped] <= 1e-6).all()


def _same_where_unambiguous(ours: list[tuple[int, float]], truth: list[tuple[int, float]]) -> None:
    """The same titles in the same order, except among similarities equal within float32 noise."""
    for (title, similarity), (true_title, true_similarity) in zip(ours, truth):
        if title != true_title:
            near = [s for _, s in truth if abs(s - true_similarity) <= 1e-6]
            assert len(near) > 1 and abs(similarity - true_similarity) <= 1e-6


def test_a_stale_or_damaged_export_is_never_used(corpus_index, encoder):
    catalog, location = corpus_index
    index = open_index(catalog, location)
    folder = export_folder(location.path, index.info.collection)
    backup = folder.with_name("backup")
    shutil.copytree(folder, backup)
    manifest = json.loads((folder / "manifest.json").read_text())
    damages = {
        "another collection's export": lambda: (folder / "manifest.json").write_text(
            json.dumps({**manifest, "collection": "titles-other"})),
        "a digest that is not the recorded one": lambda: (folder / "manifest.json").write_text(
            json.dumps({**manifest, "digest": manifest["digest"][:-4] + "0000"})),
        "fewer titles than the index": lambda: np.save(folder / "title_ids.npy", np.arange(2)),
        "an unreadable vectors file": lambda: (folder / "vectors.npy").write_bytes(b"garbage"),
        "no export at all": lambda: shutil.rmtree(folder),
    }
    query = encoder.encode(["xmas songs"]).vectors[0]
    expected = index.nearest(query, 3)
    try:
        for damage, apply in damages.items():
            apply()
            reopened = open_index(catalog, location)
            assert reopened.exact is None, damage
            assert [t for t, _ in reopened.nearest(query, 3)] == [t for t, _ in expected], damage  # through Chroma
            reopened.close()
            shutil.rmtree(folder, ignore_errors=True)
            shutil.copytree(backup, folder)
    finally:
        index.close()
    assert ExactTitleSearch.load(location, index.info.collection, index.info.titles, "") is None  # not recorded


def test_a_chroma_server_is_searched_through_chroma_even_beside_an_export(corpus_index):
    catalog, location = corpus_index
    with pytest.raises(IndexUnavailableError, match="Chroma server"):
        open_index(catalog, ChromaLocation(path=location.path, url="http://127.0.0.1:9"))


def test_a_rebuild_writes_its_own_export_and_superseded_ones_go_with_their_collections(tmp_path, encoder):
    location = ChromaLocation(path=tmp_path / "chroma")
    with Catalog(tmp_path / "catalog.sqlite") as catalog:
        ingest_paths(catalog, [write_slice_file(tmp_path / "mpd", build_corpus().playlists)])
        first = build_index(catalog, encoder, location).info.collection
        builds = [build_index(catalog, encoder, location).info.collection for _ in range(3)]
        reader = open_index(catalog, location)
        assert reader.info.collection == builds[-1] and reader.exact is not None
        left = {p.name for p in (location.path / EXACT_FOLDER).iterdir()}
        assert first not in left and builds[-1] in left and len(left) == 2  # the active one and one before
        reader.close()


PROBE = """
import json, sys
from agent.cli import cli
try:
    cli(["generate", "--title", "road trip", "-n", "5", "--format", "json"])
except SystemExit as done:
    assert done.code in (0, None), done.code
print(json.dumps({{"chromadb": "chromadb" in sys.modules, "unneeded": sorted(set(sys.modules) & {unneeded})}}))
"""
# What other commands and the LLM modes load; a retrieval-only `agent generate` does without.
UNNEEDED = {"agent.cli.evaluate", "agent.cli.serve", "agent.cli.chat", "agent.cli.llm_config", "agent.llm.config"}


def _generate_in_subprocess(home: Path) -> tuple[dict, dict]:
    probe = PROBE.format(unneeded=UNNEEDED)
    result = subprocess.run([sys.executable, "-c", probe], capture_output=True, text=True, timeout=300,
                            env=subprocess_env(home))
    assert result.returncode == 0, result.stderr
    *playlist, loaded = result.stdout.strip().splitlines()
    return json.loads("\n".join(playlist)), json.loads(loaded)


def test_generate_with_an_export_imports_no_chromadb_and_without_one_falls_back(tmp_path):
    playlist, loaded = _generate_in_subprocess(built_demo_home())
    assert loaded == {"chromadb": False, "unneeded": []}
    assert len(playlist["tracks"]) == 5 and playlist["warnings"] == []

    home = tmp_path / "home"
    shutil.copytree(built_demo_home(), home)
    shutil.rmtree(home / "chroma" / EXACT_FOLDER)
    playlist, loaded = _generate_in_subprocess(home)
    assert loaded["chromadb"]  # the index was searched through Chroma
    assert len(playlist["tracks"]) == 5 and playlist["warnings"] == []


def test_an_evaluation_index_is_searched_exactly_too_and_leaves_out_the_held_out_titles(corpus_index, encoder):
    from retrieval.index.titles import derive_index, drop_index

    catalog, location = corpus_index
    base = open_index(catalog, location)
    held_out = frozenset(catalog.pids()[:3])
    derived = derive_index(catalog, base, location, held_out)
    try:
        kept = [title_id for title_id, _ in catalog.titles_in_use(held_out)]
        assert derived.exact is not None and len(kept) < base.info.titles
        chroma = _chroma_index(derived, location)
        for vector in encoder.encode(QUERIES[:6]).vectors:
            found = derived.nearest(vector, len(kept))
            assert sorted(t for t, _ in found) == sorted(kept)
            assert [t for t, _ in found[:3]] == [t for t, _ in chroma.nearest(vector, 3)]
    finally:
        drop_index(location, derived)


def test_an_index_built_for_comparison_only_is_searched_exactly_from_memory(corpus_index, encoder):
    catalog, location = corpus_index
    built = build_index(catalog, encoder, location, activate=False)
    try:
        assert built.exact is not None  # encoder comparisons measure exact search, as generate answers
        chroma = _chroma_index(built, location)
        for vector in encoder.encode(QUERIES[:6]).vectors:
            assert [t for t, _ in built.nearest(vector, 3)] == [t for t, _ in chroma.nearest(vector, 3)]
    finally:
        from retrieval.index.titles import drop_index
        drop_index(location, built)
