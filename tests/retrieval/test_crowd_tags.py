"""Crowd tags for continuation: tracks described by the titles of the playlists holding
them, on vectors small enough that the answer is known, then through generation on the
hand-made corpus (real MiniLM, Chroma and SQLite)."""

from __future__ import annotations

from dataclasses import replace

import numpy as np
import pytest

from conftest import build_corpus, uri, write_slice_file
from retrieval.catalog import Catalog
from retrieval.ranking.fusion import DEFAULT_WEIGHTS
from retrieval.generator import GenerationOptions, Retriever
from retrieval.index.titles import ChromaLocation, TitleIndex, build_index, open_index
from retrieval.mpd.ingest import ingest_paths
from retrieval.signals import crowd_tags
from retrieval.signals.crowd_tags import CrowdTags, tag_similarity

# Titles 0, 1, 2 along the three axes; rows 0-3 are playlists titled 0, 1, 1, 2 and row 4
# has no title. Track 7 is in rows 0 and 1, track 8 in rows 2, 3 and 4, track 9 in none.
VECTORS = np.eye(3, dtype=np.float32)
TITLE_OF_ROW = np.array([0, 1, 1, 2, -1])
HOLDING = {7: np.array([0, 1]), 8: np.array([2, 3, 4]), 9: np.array([], np.int64)}


def rows_of_tracks(tracks):
    held = [HOLDING[track] for track in tracks.tolist()]
    return np.concatenate(held).astype(np.int64), np.array([len(rows) for rows in held])


def tags() -> CrowdTags:
    return CrowdTags(rows_of_tracks, TITLE_OF_ROW, VECTORS)


def test_a_tracks_tags_are_the_mean_title_of_its_playlists_less_the_mean_playlist_title():
    centre = np.array([1, 2, 1]) / 4  # over the four titled playlists
    found = tags().of(np.array([7, 8, 9]), hidden=None)
    assert found[0] == pytest.approx(np.array([0.5, 0.5, 0]) - centre)
    assert found[1] == pytest.approx(np.array([0, 0.5, 0.5]) - centre)  # the untitled playlist adds nothing
    assert not found[2].any()  # no playlist: no tags


def test_hidden_playlists_describe_no_track_and_leave_the_centre():
    hidden = np.array([False, True, False, False, False])  # evaluation hides the playlist it asks for
    found = tags().of(np.array([7]), hidden)
    assert found[0] == pytest.approx(np.array([1, 0, 0]) - np.array([1, 1, 1]) / 3)


def test_a_track_in_many_playlists_is_described_by_its_first_ones(monkeypatch):
    monkeypatch.setattr(crowd_tags, "TAG_PLAYLISTS", 1)
    found = tags().of(np.array([8]), hidden=None)
    assert found[0] == pytest.approx(np.array([0, 1, 0]) - np.array([1, 2, 1]) / 4)


def test_the_title_turns_the_direction_toward_its_own_tags():
    candidates = np.array([[1.0, 0.0], [0.0, 1.0]])  # one like the seeds, one like the title
    seeds, title = np.array([[2.0, 0.0]]), np.array([0.0, 1.0])
    seeds_only = tag_similarity(candidates, seeds, title, title_share=0.0)
    with_title = tag_similarity(candidates, seeds, title, title_share=2.0)
    assert seeds_only[0] > seeds_only[1] and with_title[1] > with_title[0]


# --------------------------------------------------------------------------- #
# Through generation
# --------------------------------------------------------------------------- #

CORPUS = build_corpus()
XMAS_SEEDS = (uri("xmas02"), uri("xmas05"))


@pytest.fixture(scope="module")
def retriever(tmp_path_factory, encoder):
    folder = tmp_path_factory.mktemp("crowd-tags")
    catalog = Catalog(folder / "catalog.sqlite")
    ingest_paths(catalog, [write_slice_file(folder / "mpd", CORPUS.playlists)])
    build_index(catalog, encoder, ChromaLocation(path=folder / "chroma"))
    index = open_index(catalog, ChromaLocation(path=folder / "chroma"))  # as a command opens it
    assert index.exact is not None
    yield Retriever(catalog, index, encoder)
    catalog.close()


def test_seeds_rescale_the_best_candidates_and_say_so(retriever):
    for seeds in (XMAS_SEEDS, XMAS_SEEDS[:1]):
        result = retriever.generate("xmas songs", GenerationOptions(n=5, seed_uris=seeds))
        assert all("tags" in t.signals for t in result.tracks)
        for track in result.tracks:  # the parts still add up to the score shown
            assert sum(track.signals.values()) == pytest.approx(track.score, abs=1e-5)
    off = retriever.generate("xmas songs", GenerationOptions(n=5, seed_uris=XMAS_SEEDS,
                                                             fusion=replace(DEFAULT_WEIGHTS, tags=0.0)))
    assert not any("tags" in t.signals for t in off.tracks)


def test_a_title_without_seeds_goes_without_tags(retriever):
    assert not any("tags" in (t.signals or {}) for t in retriever.generate("xmas songs", GenerationOptions(n=5)).tracks)


def test_tags_never_turn_a_score_negative(retriever):
    strong = replace(DEFAULT_WEIGHTS, tags=50.0)  # a cosine below -1/50 would take more than the whole score
    result = retriever.generate("workout", GenerationOptions(n=30, seed_uris=XMAS_SEEDS, fusion=strong))
    assert all(t.score >= 0 for t in result.tracks)
    assert any(t.signals.get("tags", 0) < 0 for t in result.tracks)  # some were pushed down


def test_an_index_without_title_vectors_answers_without_tags(retriever):
    without = Retriever(retriever.catalog, replace_exact(retriever.index), retriever.encoder)
    result = without.generate("xmas songs", GenerationOptions(n=5, seed_uris=XMAS_SEEDS))
    assert result.tracks and not any("tags" in t.signals for t in result.tracks)


def replace_exact(index):
    """The same index searched through Chroma alone, as with a Chroma server."""
    return TitleIndex(index.collection, index.info, index.warnings)
