"""Retrieval's voting end to end (catalog, Chroma index, neighbours, votes) with the
keyword stand-in encoder, whose similarities are known exactly, so every score and
every rank below is worked out by hand."""

from __future__ import annotations

import math

import pytest

from conftest import make_playlist, uri, write_slice_file
from keyword_encoder import KeywordEncoder
from retrieval.catalog import Catalog
from retrieval.ranking.fusion import PLAIN_WEIGHTS
from retrieval.generator import GenerationOptions, Retriever
from retrieval.index.titles import ChromaLocation, build_index
from retrieval.mpd.ingest import ingest_paths

HALF = 1 / math.sqrt(2)  # cosine of "christmas" and "christmas party"
A, B, C, D = "xmas01", "xmas03", "chill06", "gym01"  # four songs by four artists
PLAYLISTS = [
    (1, "christmas party", [A]),
    (2, "christmas", [A, B]),
    (3, "party", [B, C]),
    (4, "workout", [D]),
]


@pytest.fixture(scope="module")
def retriever(tmp_path_factory):
    folder = tmp_path_factory.mktemp("keywords")
    catalog = Catalog(folder / "catalog.sqlite")
    ingest_paths(catalog, [write_slice_file(folder / "mpd", [make_playlist(p, n, k) for p, n, k in PLAYLISTS])])
    encoder = KeywordEncoder(["christmas", "party", "workout"])
    index = build_index(catalog, encoder, ChromaLocation(folder / "chroma"))
    yield Retriever(catalog, index, encoder)
    catalog.close()


def test_the_stand_in_gives_exact_cosines():
    encoder = KeywordEncoder(["christmas", "party"])
    both, one, none = encoder.encode(["Christmas party", "christmas", "road trip"]).vectors
    assert float(both @ one) == pytest.approx(HALF, abs=1e-7)
    assert float(both @ none) == 0.0 and float(none @ none) == pytest.approx(1.0)


def test_neighbours_are_the_closest_titles_with_their_exact_similarity(retriever):
    neighbours, warnings = retriever.neighbours("christmas party", k=3)
    assert warnings == []
    assert neighbours[0].pid == 1 and neighbours[0].similarity == pytest.approx(1.0, abs=1e-6)
    assert {n.pid: n.similarity for n in neighbours[1:]} == pytest.approx({2: HALF, 3: HALF}, abs=1e-6)


def test_similarity_voting_sums_the_voters_similarities(retriever):
    playlist = retriever.generate("christmas party", GenerationOptions(n=5, k=3, voting="similarity", fusion=PLAIN_WEIGHTS))
    scores = {t.track_uri: t.score for t in playlist.tracks}
    # a: the exact title (1) and "christmas" (1/sqrt 2); b: "christmas" and "party"; c: "party".
    assert scores == pytest.approx({uri(A): 1 + HALF, uri(B): 2 * HALF, uri(C): HALF}, abs=1e-5)
    assert [t.track_uri for t in playlist.tracks] == [uri(A), uri(B), uri(C)]


def test_count_voting_breaks_the_tie_by_the_most_similar_voter(retriever):
    playlist = retriever.generate("christmas party", GenerationOptions(n=5, k=3, voting="count", fusion=PLAIN_WEIGHTS))
    # a and b both have two voters; a's best voter is the exact title (similarity 1).
    assert [(t.track_uri, t.score) for t in playlist.tracks] == [(uri(A), 2), (uri(B), 2), (uri(C), 1)]
    assert playlist.tracks[0].voters[0] == 1


def test_with_k_1_only_the_exact_title_votes(retriever):
    playlist = retriever.generate("christmas", GenerationOptions(n=5, k=1, voting="similarity", fusion=PLAIN_WEIGHTS))
    assert [n.pid for n in playlist.neighbours] == [2]
    assert {t.track_uri: t.score for t in playlist.tracks} == pytest.approx({uri(A): 1.0, uri(B): 1.0}, abs=1e-5)
