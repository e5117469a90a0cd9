"""The peer hybrid (`retrieval.collaborative.hybrid`) on the two-scenes corpus, where the
right answer is known by construction, and its arithmetic on hand-made scores."""

from __future__ import annotations

import numpy as np
import pytest

from retrieval.collaborative.als import ALS
from retrieval.collaborative.base import top_tracks
from retrieval.collaborative.hybrid import HybridWeights, hybrid_scores, max_normalised, sparse_scores
from retrieval.collaborative.itemknn import ItemKNN
from retrieval.collaborative.playlistknn import PlaylistKNN
from tests.retrieval.test_collaborative import two_scenes

ONLY = {"itemknn": HybridWeights(1, 0, 0, 0), "playlistknn": HybridWeights(0, 1, 0, 0),
        "als": HybridWeights(0, 0, 1, 0), "title_knn": HybridWeights(0, 0, 0, 1)}


@pytest.fixture(scope="module")
def models():
    matrix = two_scenes()
    return {"itemknn": ItemKNN().fit(matrix), "playlistknn": PlaylistKNN().fit(matrix),
            "als": ALS(factors=2, iterations=20).fit(matrix)}


def parts_for(models, seeds: list[int], title_votes: dict[int, float]) -> dict[str, np.ndarray]:
    """Each peer's scores for `seeds`; title-kNN's are given, as its title voting would."""
    ids = np.array(list(title_votes), np.int64)
    title = sparse_scores(ids, np.array(list(title_votes.values()), np.float32), 20)
    return {name: model.scores(seeds) for name, model in models.items()} | {"title_knn": title}


@pytest.mark.parametrize("name", list(ONLY))
def test_one_weight_alone_ranks_as_that_peer(models, name):
    seeds = [0, 3]
    parts = parts_for(models, seeds, {12: 3.0, 5: 2.0, 17: 1.0})
    alone = top_tracks(hybrid_scores(parts, ONLY[name], 20), 10, exclude=seeds)
    np.testing.assert_array_equal(alone, top_tracks(parts[name], 10, exclude=seeds))


@pytest.mark.parametrize("seeds, scene", [([0, 3], range(10)), ([12, 15, 19], range(10, 20))])
def test_seeds_of_one_scene_bring_that_scene_first(models, seeds, scene):
    # The title leans the other way, weakly: the default weights let the seeds decide.
    other = 10 if scene.start == 0 else 0
    parts = parts_for(models, seeds, {other + 1: 1.0, other + 2: 0.5})
    best = top_tracks(hybrid_scores(parts, HybridWeights(), 20), 5, exclude=seeds)
    assert len(best) == 5 and set(best.tolist()) <= set(scene), best


def test_each_peer_counts_by_its_weight_whatever_its_scale():
    # Raw scales differ by orders of magnitude between peers; normalised, equal weights tie.
    parts = {"itemknn": np.array([0, 900, 0], np.float32), "als": np.array([0, 0, 0.003], np.float32)}
    both = hybrid_scores(parts, HybridWeights(itemknn=1, playlistknn=0, als=1, title_knn=0), 3)
    np.testing.assert_allclose(both, [0, 1, 1])
    leaning = hybrid_scores(parts, HybridWeights(itemknn=1, playlistknn=0, als=0.5, title_knn=0), 3)
    assert top_tracks(leaning, 1)[0] == 1


def test_a_peer_with_nothing_to_say_adds_nothing():
    assert not max_normalised(np.zeros(4, np.float32)).any()
    parts = {"itemknn": np.zeros(3, np.float32), "title_knn": np.array([0, 2, 4], np.float32)}
    np.testing.assert_allclose(hybrid_scores(parts, HybridWeights(), 3), [0, 0.125, 0.25])


def test_weights_below_zero_and_unknown_parts_are_refused():
    with pytest.raises(ValueError, match="als"):
        HybridWeights(als=-1)
    with pytest.raises(ValueError, match="ease"):
        hybrid_scores({"ease": np.ones(3, np.float32)}, HybridWeights(), 3)
