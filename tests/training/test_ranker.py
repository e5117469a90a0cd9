"""The learned ranker: fitted on self-supervised queries of a tiny catalog, saved as a
self-describing folder, reordering only the candidates it was given; a stale folder is
not used, a damaged one is an error naming it."""

from __future__ import annotations

import json
import math
import shutil

import numpy as np
import pytest

from conftest import uri
from retrieval.errors import ModelFolderError
from retrieval.generator import GenerationOptions
from retrieval.ranking import learned
from retrieval.ranking.learned import EXACT, FEATURES, SIGNALS, LearnedRanker, candidate_features, ranker_folder
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


def test_features_say_whether_the_seeds_are_a_random_sample():
    tracks = [Candidate(track_uri="a", track_name="A", artist_name="x", rank=1, score=1.0, signals={"seeds": 1.0})]
    column = FEATURES.index("seeds_random")
    drawn = candidate_features(tracks, [], np.array([3]), seeds=25, has_title=True, seeds_random=True)
    first = candidate_features(tracks, [], np.array([3]), seeds=25, has_title=True, seeds_random=False)
    assert drawn[0, column] == 1.0 and first[0, column] == 0.0


def test_training_asks_the_random_categories_with_a_sample_drawn_once_per_playlist():
    uris = [f"spotify:track:t{i}" for i in range(120)]
    queries = ranker.category_queries(7, uris, "road trip")
    assert {(titled, len(seeds), drawn) for titled, seeds, drawn in queries} == set(ranker.CATEGORIES)
    for titled, seeds, drawn in queries:
        assert set(seeds) <= set(uris) and len(set(seeds)) == len(seeds)
        assert seeds == sorted(seeds, key=uris.index)  # a sample keeps the playlist's order
        assert (seeds != uris[:len(seeds)]) == drawn
    assert ranker.category_queries(7, uris, "road trip") == queries  # the same draw on every fit
    assert ranker.category_queries(8, uris, "road trip") != queries


def test_a_category_needs_a_playlist_longer_than_its_seeds_and_a_title_when_it_has_one():
    short = [f"spotify:track:t{i}" for i in range(30)]
    assert max(len(seeds) for _, seeds, _ in ranker.category_queries(1, short, "gym")) == 25
    assert {(titled, len(seeds)) for titled, seeds, _ in ranker.category_queries(1, short, " ")} == {(False, 5),
                                                                                                   (False, 10)}


def test_training_queries_with_drawn_seeds_carry_the_flag(retriever, monkeypatch):
    monkeypatch.setattr(ranker, "CATEGORIES", ((True, 2, False), (True, 2, True)))
    pids = sorted(CORPUS.pids["xmas"] | CORPUS.pids["workout"])
    data = ranker.collect(retriever, retriever.catalog, pids, frozenset())
    column = FEATURES.index("seeds_random")
    assert set(data.random_seeds) == {True, False}
    for drawn, features in zip(data.random_seeds, data.features):
        assert set(features[:, column]) == {float(drawn)}


def test_generation_tells_the_ranker_whether_the_seeds_were_drawn(trained, retriever, monkeypatch):
    seen = []

    def recording(*args, **kwargs):
        rows = candidate_features(*args, **kwargs)
        seen.append(rows[0, FEATURES.index("seeds_random")])
        return rows

    monkeypatch.setattr(learned, "candidate_features", recording)
    for drawn in (True, False):
        retriever.generate("xmas songs", GenerationOptions(n=5, ranker=True, seed_uris=(uri("xmas01"), uri("xmas04")),
                                                           seeds_random=drawn))
    assert seen == [1.0, 0.0]


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


def test_a_ranker_saved_with_the_features_before_seeds_random_is_not_used(trained, tmp_path):
    older = tmp_path / "ranker"
    shutil.copytree(trained, older)
    manifest = json.loads((older / "manifest.json").read_text())
    manifest["features"] = [name for name in manifest["features"] if name != "seeds_random"]
    (older / "manifest.json").write_text(json.dumps(manifest))
    model, why = LearnedRanker.load(older, manifest["catalog_fingerprint"])
    assert model is None and "features" in why and "fused sum" in why


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


def reference_features(tracks, neighbours, plays, seeds, has_title, seeds_random=False) -> np.ndarray:
    """The features as first written, one Python row per track: what the model was fitted on."""
    similarity = {n.pid: n.similarity for n in neighbours}
    exact_pids = {pid for pid, value in similarity.items() if value >= EXACT}
    best = max((t.score for t in tracks), default=0.0) or 1.0
    query = [float(len(exact_pids)), neighbours[0].similarity if neighbours else 0.0, float(seeds), float(has_title),
             float(seeds_random)]
    rows = []
    for track, played in zip(tracks, plays.tolist()):
        parts, voters = track.signals or {}, track.voters or []
        rows.append([parts.get(s, 0.0) / best for s in SIGNALS] + [
            track.score / best, math.log1p(track.rank), math.log1p(played), float(len(voters)),
            float(sum(pid in exact_pids for pid in voters)),
            max((similarity.get(pid, 0.0) for pid in voters), default=0.0)] + query)
    return np.array(rows, np.float64).reshape(len(rows), len(FEATURES))


REQUESTS = [("xmas songs", 0), ("workout", 0), ("chill vibes", 0), ("xmas songs", 2), ("", 3)]


def real_candidates(retriever, title: str, seeds: int):
    seed_uris = tuple(uris(retriever.generate("xmas songs", GenerationOptions(n=seeds)))) if seeds else ()
    generated = retriever.generate(title, GenerationOptions(n=200, seed_uris=seed_uris))
    plays = retriever.sources.plays_of_uris(uris(generated), frozenset())
    return generated, plays, seed_uris


@pytest.mark.parametrize("title, seeds", REQUESTS)
def test_the_features_are_the_ones_the_model_was_fitted_on(retriever, title, seeds):
    generated, plays, _ = real_candidates(retriever, title, seeds)
    for neighbours in (generated.neighbours, generated.neighbours[:2], []):
        expected = reference_features(generated.tracks, neighbours, plays, seeds, bool(title))
        assert np.array_equal(candidate_features(generated.tracks, neighbours, plays, seeds, bool(title)), expected)


@pytest.mark.parametrize("title, seeds", REQUESTS)
def test_the_ranker_orders_as_the_model_scores_the_first_features(trained, retriever, title, seeds):
    generated, plays, seed_uris = real_candidates(retriever, title, seeds)
    model, _ = LearnedRanker.load(trained, retriever.catalog.signals_fingerprint())
    scores = model._booster.predict(reference_features(generated.tracks, generated.neighbours, plays, seeds, bool(title)))
    expected = [generated.tracks[i].track_uri for i in np.lexsort((np.arange(len(scores)), -scores))][:10]
    learned = retriever.generate(title, GenerationOptions(n=10, ranker=True, seed_uris=seed_uris))
    assert uris(learned) == expected


def test_contributions_are_worked_out_only_when_the_explanations_are_read(trained, retriever, monkeypatch):
    model, _ = retriever.sources.learned_ranker()
    asked = []
    predict = model._booster.predict
    monkeypatch.setattr(model._booster, "predict", lambda *a, **kw: asked.append(kw) or predict(*a, **kw))
    playlist = retriever.generate("xmas songs", GenerationOptions(n=5, ranker=True))
    assert not any(kw.get("pred_contrib") for kw in asked)
    explanations = playlist.explanations
    assert [kw.get("pred_contrib") for kw in asked].count(True) == 1
    assert all(e.startswith("Ranked up mostly by: ") for e in explanations)
    assert not any(feature in " ".join(explanations) for feature in FEATURES)


@pytest.mark.parametrize("damage", [lambda text: "not a model", lambda text: "", lambda text: text[: len(text) // 2],
                                    lambda text: text[: text.index("end of trees")]],
                         ids=["garbage", "empty", "cut in its parameters", "cut in its trees"])
def test_a_damaged_ranker_model_prints_nothing_beside_the_one_line_error(trained, tmp_path, capfd, damage):
    broken = tmp_path / "ranker"
    broken.mkdir()
    (broken / "manifest.json").write_text((trained / "manifest.json").read_text())
    (broken / "model.txt").write_text(damage((trained / "model.txt").read_text()))
    with pytest.raises(ModelFolderError, match="agent tune --ranker"):
        LearnedRanker.load(broken, "x")
    assert capfd.readouterr().err == ""  # LightGBM's own "[Fatal]" line would be a second one
