"""Contract tests every collaborative model passes (after implicit's recommender_base_test),
on tiny corpora where the right answer is known by construction, and each model's own arithmetic."""

from __future__ import annotations

import numpy as np
import pytest
from scipy import sparse

from retrieval.collaborative.als import ALS
from retrieval.collaborative.base import playlist_matrix, top_tracks
from retrieval.collaborative.ease import EASE
from retrieval.collaborative.itemknn import ItemKNN
from retrieval.collaborative.playlistknn import PlaylistKNN
from retrieval.graph.arrays import PlaylistGraph

# Two scenes are a rank-2 structure: two factors hold it, more fit the sampling noise of 24 playlists.
MODELS = [ItemKNN, PlaylistKNN, lambda: ALS(factors=2, iterations=20), lambda: EASE(regularization=1.0)]
IDS = ["itemknn", "playlistknn", "als", "ease"]


def two_scenes(playlists_per_scene: int = 12) -> sparse.csr_matrix:
    """Rock playlists hold tracks 0-9, jazz playlists tracks 10-19, never both; each
    playlist holds 5 of its scene's 10 tracks, so every track shares playlists with the rest."""
    rng = np.random.default_rng(0)
    rows = []
    for scene in (0, 10):
        for _ in range(playlists_per_scene):
            rows.append(sorted(scene + rng.choice(10, 5, replace=False)))
    return _matrix(rows, 20)


def _matrix(rows: list[list[int]], tracks: int) -> sparse.csr_matrix:
    offsets = np.cumsum([0] + [len(r) for r in rows])
    indices = np.concatenate([np.array(r, np.int64) for r in rows])
    return sparse.csr_matrix((np.ones(len(indices), np.float32), indices, offsets), shape=(len(rows), tracks))


@pytest.mark.parametrize("make", MODELS, ids=IDS)
def test_seeds_of_one_scene_bring_that_scene(make):
    model = make().fit(two_scenes())
    for seeds, scene in (([0, 3], range(10)), ([12, 15, 19], range(10, 20))):
        best = top_tracks(model.scores(seeds), 5, exclude=seeds)
        assert len(best) == 5 and set(best.tolist()) <= set(scene), (seeds, best)


@pytest.mark.parametrize("make", MODELS, ids=IDS)
def test_scores_cover_every_track_and_are_never_negative(make):
    scores = make().fit(two_scenes()).scores([1, 2])
    assert scores.shape == (20,) and scores.dtype == np.float32
    assert (scores >= 0).all() and scores[10:].max() < scores[:10].max()


@pytest.mark.parametrize("make", MODELS, ids=IDS)
def test_unknown_or_no_seeds_score_nothing(make):
    model = make().fit(two_scenes())
    assert not model.scores([]).any()
    assert not model.scores([-1, 99]).any()
    np.testing.assert_allclose(model.scores([4, 99]), model.scores([4]))


@pytest.mark.parametrize("make", MODELS, ids=IDS)
def test_hidden_playlists_teach_nothing(make):
    """Evaluation hides its queries' playlists: a track held only by them scores nothing."""
    rows = [[0, 1, 2], [0, 1, 2], [0, 1, 3], [1, 2, 3], [0, 2, 3], [0, 1, 4], [0, 1, 4]]
    graph = PlaylistGraph.build((pid, t) for pid, row in enumerate(rows) for t in row)
    hidden = np.zeros(len(rows), bool)
    hidden[[5, 6]] = True  # the only playlists holding track 4
    model = make().fit(playlist_matrix(graph, hidden))
    assert model.scores([0, 1])[4] == 0
    assert make().fit(playlist_matrix(graph)).scores([0, 1])[4] > 0


def test_itemknn_is_the_damped_asymmetric_cosine():
    """Tracks 0 and 1 share one 2-track playlist; track 0 is in 2 playlists, track 1 in 1:
    co = 2 ** -0.5, similarity = co / (2 ** 0.7 x 1 ** 0.3 + 10)."""
    matrix = _matrix([[0, 1], [0, 2, 3, 4]], 5)
    scores = ItemKNN(alpha=0.7, shrink=10, damping=0.5).fit(matrix).scores([0])
    assert scores[1] == pytest.approx(2 ** -0.5 / (2 ** 0.7 + 10), rel=1e-6)
    assert scores[2] == pytest.approx(4 ** -0.5 / (2 ** 0.7 + 10), rel=1e-6)


def test_playlistknn_votes_by_cosine_to_the_seeds():
    """Seeds {0, 1}: playlist [0, 1, 2] has cosine 2 / sqrt(3 x 2), [0, 3] 1 / sqrt(2 x 2)."""
    matrix = _matrix([[0, 1, 2], [0, 3], [4, 5]], 6)
    scores = PlaylistKNN(neighbours=10, power=1.0).fit(matrix).scores([0, 1])
    assert scores[2] == pytest.approx(2 / 6 ** 0.5, rel=1e-6)
    assert scores[3] == pytest.approx(0.5, rel=1e-6)
    assert scores[4] == 0 and scores[5] == 0


def test_als_learns_only_tracks_held_by_two_playlists():
    matrix = two_scenes()
    once = sparse.vstack([matrix, _matrix([[19, 20]], 21)[:, :20]]).tocsr()
    once = sparse.hstack([once, sparse.csr_matrix(([1.0], ([once.shape[0] - 1], [0])), shape=(once.shape[0], 1))]).tocsr()
    model = ALS(factors=2, iterations=5).fit(once)
    assert 20 not in model.tracks.tolist() and model.scores([19])[20] == 0


def test_ease_keeps_only_the_most_played_items():
    """Track 0 is in every playlist, 1 in two, 2 in one: with 2 items, track 2 is never scored."""
    matrix = _matrix([[0, 1], [0, 1], [0, 2]], 3)
    model = EASE(items=2, regularization=1.0).fit(matrix)
    assert model.scores([0])[2] == 0 and model.scores([0])[1] > 0
    assert not model.scores([2]).any()


def test_als_from_csr_rows_learns_what_implicit_learns_from_the_kept_columns():
    """The build fits ALS from the graph's arrays, alpha set on the entries as they are made;
    the reference is implicit itself, given the matrix of kept tracks and alpha: the same
    item factors. A track held once is left out and scores nothing."""
    from implicit.cpu.als import AlternatingLeastSquares

    rows = [sorted(scene + np.random.default_rng(scene + i).choice(10, 5, replace=False))
            for scene in (0, 10) for i in range(12)] + [[20, 3]]  # track 20: one playlist, not kept
    matrix = _matrix(rows, 21)
    model = ALS(factors=2, iterations=10).fit_rows(matrix.indptr, matrix.indices.astype(np.int32), 21)
    reference = AlternatingLeastSquares(factors=2, regularization=1.0, alpha=5.0, iterations=10, random_state=0,
                                        num_threads=1)
    reference.fit(matrix[:, :20].tocsr(), show_progress=False)
    assert model.tracks.tolist() == list(range(20))
    np.testing.assert_allclose(model.item_factors, reference.item_factors, rtol=1e-5, atol=1e-6)
    assert model.scores([20]).max() == 0 and model.scores([0, 3])[:20].max() > 0


def test_als_rows_may_be_empty_anywhere():
    """Playlists emptied by evaluation (or empty in the data) at the start, middle and end
    keep their place: the kept matrix has a row for each, holding nothing."""
    from retrieval.collaborative.als import _kept_columns

    rows = [[], [0, 1, 2], [], [1, 2, 3, 4], [0, 3], []]  # track 4: one playlist, not kept
    offsets = np.cumsum([0] + [len(r) for r in rows])
    track_ids = np.array([t for r in rows for t in r], np.int32)
    matrix, kept = _kept_columns(offsets, track_ids, 5, 2, 5.0)
    assert kept.tolist() == [0, 1, 2, 3]
    assert [matrix[i].indices.tolist() for i in range(len(rows))] == [[], [0, 1, 2], [], [1, 2, 3], [0, 3], []]
    assert set(matrix.data.tolist()) == {5.0}
    assert ALS(factors=2, iterations=3).fit_rows(offsets, track_ids, 5).item_factors.shape == (4, 2)


def test_als_takes_the_most_factors_its_memory_budget_allows():
    """64 factors for a catalog like the MPD sample; at the full MPD's size (65.5M distinct
    entries, 1M playlists, 1.35M tracks held twice or more) 64 would pass the budget, 32 do not."""
    from retrieval.collaborative.als import MEMORY_BUDGET, factors_within

    assert factors_within(MEMORY_BUDGET, 330_000, 4_865, 50_000) == 64
    assert factors_within(MEMORY_BUDGET, 65_500_000, 1_000_000, 1_350_000) == 32
    assert factors_within(MEMORY_BUDGET, 500_000_000, 10_000_000, 5_000_000) == 16
    assert ALS(iterations=2).fit(two_scenes()).factors == 64


@pytest.mark.parametrize("make", [ItemKNN, lambda: PlaylistKNN(neighbours=7)], ids=["itemknn", "playlistknn"])
def test_read_from_the_saved_graph_the_neighbourhood_models_score_as_when_fitted(make):
    """`agent index` saves the playlist graph; item-kNN and playlist-kNN read it as it is
    (no matrix, no copy) and must score every track as the fitted matrix model does,
    with evaluation's hidden playlists masked the same way."""
    rng = np.random.default_rng(3)
    rows = [sorted(rng.choice(40, rng.integers(1, 15), replace=False).tolist()) for _ in range(60)]
    graph = PlaylistGraph.build((pid, t) for pid, row in enumerate(rows) for t in row)
    hidden = np.zeros(len(rows), bool)
    hidden[rng.choice(len(rows), 12, replace=False)] = True
    plays_seen = np.bincount(np.concatenate([r for r, h in zip(rows, hidden) if not h]), minlength=40)
    for mask, plays in ((None, graph.plays), (hidden, plays_seen)):
        fitted = make().fit(playlist_matrix(graph, mask))
        read = make().on_graph(graph, plays, mask)
        for seeds in ([0], [1, 2, 3], [5, 39, 17, 22, 8], [-1, 99], []):
            expected, got = fitted.scores(seeds), read.scores(seeds)
            assert got.dtype == np.float32 and got.shape == expected.shape
            np.testing.assert_allclose(got, expected, rtol=1e-5, atol=1e-7)
            assert top_tracks(got, 10, seeds).tolist() == top_tracks(expected, 10, seeds).tolist()
