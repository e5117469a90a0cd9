"""The learned ranker: fitted on self-supervised queries of a tiny catalog, saved as a
self-describing folder, reordering only the candidates it was given; a stale folder is
not used, a damaged one is an error naming it."""

from __future__ import annotations

import json

import numpy as np
import pytest

from retrieval.errors import ModelFolderError
from retrieval.generator import GenerationOptions
from retrieval.ranking.learned import FEATURES, LearnedRanker, candidate_features, ranker_folder
from retrieval.records import Candidate, Neighbour
from tests.retrieval.test_signals import CORPUS, retriever, uris  # noqa: F401  (the module's retriever fixture)
from training import ranker


def test_features_carry_exact_title_evidence():
    neighbours = [Neighbour(pid=1, name="dinner party", similarity=1.0), Neighbour(pid=2, name="party", similarity=0.77),
                  Neighbour(pid=3, name="party", similarity=0.77)]
    tracks = [Candidate(track_uri="a", track_name="A", artist_name="x", rank=1, score=2.0, voters=[2, 3],
                        signals={"votes": 2.0}),
              Candidate(track_uri="b", track_name="B", artist_name="y", rank=2, score=1.0, voters=[1],
                        signals={"votes": 1.0})]
    rows = candidate_features(tracks, neighbours, np.array([50, 2]), seeds=0, has_title=True)
    column = {name: rows[:, i].tolist() for i, name in enumerate(FEATURES)}
    assert column["exact_voters"] == [0.0, 1.0] and column["best_voter_similarity"] == [0.77, 1.0]
    assert column["relative_score"] == [1.0, 0.5] and column["query_exact_playlists"] == [1.0, 1.0]


@pytest.fixture(scope="module")
def trained(retriever):
    folder = ranker_folder(retriever.catalog.path)
    pids = sorted(pid for group in CORPUS.pids.values() for pid in group)
    usual, ranker.STOPPING_FOLD = ranker.STOPPING_FOLD, 2  # a dozen titles: half of them stop the boosting
    try:
        ranker.train_ranker(retriever, retriever.catalog, pids, frozenset(), folder)
    finally:
        ranker.STOPPING_FOLD = usual
    return folder


def test_a_trained_ranker_is_a_self_describing_folder(trained, retriever):
    manifest = json.loads((trained / "manifest.json").read_text())
    assert manifest["features"] == list(FEATURES) and manifest["versions"]["lightgbm"]
    assert manifest["catalog_fingerprint"] == retriever.catalog.signals_fingerprint()
    assert manifest["validation"]["training_queries"] > 0


def test_the_ranker_reorders_the_same_songs(trained, retriever):
    fused = retriever.generate("xmas songs", GenerationOptions(n=8))
    learned = retriever.generate("xmas songs", GenerationOptions(n=8, ranker=True))
    assert not any("ranker" in w for w in learned.warnings)
    assert [t.rank for t in learned.tracks] == list(range(1, 9))
    assert set(uris(learned)) <= set(uris(retriever.generate("xmas songs", GenerationOptions(n=200))))
    assert len(learned.tracks) == len(fused.tracks)


def test_a_ranker_of_other_playlists_is_not_used(trained):
    model, why = LearnedRanker.load(trained, "another-catalog")
    assert model is None and "other playlists" in why


def test_a_damaged_ranker_folder_is_one_line_naming_it(trained, tmp_path):
    broken = tmp_path / "ranker"
    broken.mkdir()
    (broken / "manifest.json").write_text((trained / "manifest.json").read_text())
    (broken / "model.txt").write_text("not a model")
    with pytest.raises(ModelFolderError) as raised:
        LearnedRanker.load(broken, "x")
    assert str(broken) in str(raised.value) and "agent tune --ranker" in str(raised.value)
    assert "\n" not in str(raised.value)
