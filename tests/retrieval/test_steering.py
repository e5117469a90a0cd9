"""Crowd-tag track vectors and steering by words, on the hand-made corpus (real MiniLM, real Chroma)."""

from __future__ import annotations

import json

import numpy as np
import pytest

from retrieval.catalog import Catalog
from retrieval.generator import GenerationError, GenerationOptions, Retriever
from retrieval.index.titles import ChromaLocation, IndexUnavailableError, build_index
from retrieval.mpd.ingest import ingest_paths
from retrieval.ranking.steering import Steering, generate_steered, steer_order
from retrieval.index.tags import build_tag_index, open_tag_index
from tests.conftest import build_corpus, failed_cleanly, ok, run_agent, write_slice_file

CORPUS = build_corpus()


@pytest.fixture(scope="module")
def built(tmp_path_factory, encoder):
    home = tmp_path_factory.mktemp("steer-home")
    catalog = Catalog(home / "catalog.sqlite")
    ingest_paths(catalog, [write_slice_file(home, CORPUS.playlists)])
    location = ChromaLocation(path=home / "chroma")
    titles = build_index(catalog, encoder, location)
    tags = build_tag_index(catalog, titles, location)
    yield catalog, Retriever(catalog, titles, encoder), tags, location
    catalog.close()


def test_every_catalog_track_gets_a_unit_tag_vector(built):
    catalog, _, tags, _ = built
    uris = sorted(CORPUS.track_names)
    vectors = tags.vectors(uris)
    assert sorted(vectors) == uris and tags.info.tracks == catalog.stats().tracks == len(uris)
    assert all(abs(np.linalg.norm(v) - 1) < 1e-4 for v in vectors.values())


def test_a_track_vector_is_nearest_the_words_of_its_playlists(built):
    _, retriever, tags, _ = built
    words = tags.word_vectors(retriever.encoder, ["christmas", "workout", "chill"])
    for theme, row in (("xmas", 0), ("workout", 1), ("chill", 2)):
        for track_uri, vector in tags.vectors(sorted(CORPUS.uris[theme])).items():
            assert int(np.argmax(words @ vector)) == row, track_uri


def test_tag_vectors_are_recorded_with_their_title_index(built):
    catalog, retriever, tags, location = built
    assert open_tag_index(catalog, retriever.index, location).info.collection == tags.info.collection
    assert tags.info.title_collection == retriever.index.info.collection
    assert tags.info.encoder_fingerprint == retriever.index.info.encoder_fingerprint


def test_a_new_title_index_needs_new_tag_vectors(built, encoder):
    catalog, retriever, _, location = built
    newer = build_index(catalog, encoder, location, activate=False)
    try:
        with pytest.raises(IndexUnavailableError, match="no track tag vectors"):
            open_tag_index(catalog, newer, location)
    finally:
        location.client().delete_collection(newer.info.collection)


def test_chill_steered_toward_christmas_brings_christmas_tracks_up(built):
    _, retriever, tags, _ = built
    options = GenerationOptions(n=5)
    plain = retriever.generate("chill", options)
    steered = generate_steered(retriever, tags, "chill", options, Steering.parse(["christmas"], strength=0.8))
    christmas = CORPUS.uris["xmas"]
    assert not {t.track_uri for t in plain.tracks} & christmas
    assert len({t.track_uri for t in steered.tracks} & christmas) >= 3
    assert [t.rank for t in steered.tracks] == [1, 2, 3, 4, 5]
    scores = [t.score for t in steered.tracks]
    assert scores == sorted(scores, reverse=True)  # a steered table's scores fall with the rank too


def test_steering_away_from_a_word_keeps_its_tracks_out(built):
    _, retriever, tags, _ = built
    options = GenerationOptions(n=5)
    away = generate_steered(retriever, tags, "chill", options, Steering.parse(["-christmas"], strength=0.8))
    assert not {t.track_uri for t in away.tracks} & CORPUS.uris["xmas"]


def test_strength_zero_changes_nothing(built):
    _, retriever, tags, _ = built
    options = GenerationOptions(n=8)
    plain = retriever.generate("relax", options)
    steered = generate_steered(retriever, tags, "relax", options, Steering.parse(["workout"], strength=0.0))
    assert steered.tracks == plain.tracks


def test_steer_order_mixes_z_scores():
    scores, similarity = [3.0, 2.0, 1.0], [0.0, 0.1, 0.9]
    assert steer_order(scores, similarity, 0.0) == [0, 1, 2]
    assert steer_order(scores, similarity, 1.0) == [2, 1, 0]
    assert steer_order(scores, [0.5, 0.5, 0.5], 0.7) == [0, 1, 2]  # no spread: retrieval's order


@pytest.mark.parametrize("words, strength", [(["!!!"], 0.5), (["party"], 1.5), (["party"], -0.1)])
def test_bad_steering_is_refused(words, strength):
    with pytest.raises(GenerationError):
        Steering.parse(words, strength)


def test_minus_and_plus_set_the_direction():
    steering = Steering.parse(["upbeat", "-sad", "+90s"])
    assert steering.words == ("upbeat", "sad", "90s") and steering.toward == (True, False, True)


@pytest.fixture(scope="module")
def home(tmp_path_factory, reuse_encoder):
    data = tmp_path_factory.mktemp("steer-cli-home")
    result = ok(run_agent("ingest", write_slice_file(data / "mpd", CORPUS.playlists), "--data-dir", data))
    assert "tag vectors for 23 tracks" in result.output
    return data


def test_generate_steers_from_the_command_line(home):
    result = ok(run_agent("generate", "-t", "chill", "-n", 5, "--steer", "christmas", "--steer-strength", 0.8,
                          "--format", "json", "--data-dir", home))
    record = json.loads(result.stdout)
    uris = {t["track_uri"] for t in record["tracks"]}
    assert len(uris & CORPUS.uris["xmas"]) >= 3
    assert record["made_with"]["steering"] == ["christmas"] and record["made_with"]["settings"]["steer_strength"] == 0.8
    table = ok(run_agent("generate", "chill", "-n", 3, "--steer", "-christmas", "--data-dir", home))
    assert "steered -christmas (strength 0.5" in " ".join(table.stdout.split())


def test_steering_an_llm_mode_is_refused(home):
    failed_cleanly(run_agent("generate", "-t", "chill", "--steer", "party", "--mode", "rerank", "--data-dir", home),
                   "--steer works with the retrieval mode only", exit_code=1)
