"""The packed-key sorts a query's ranking runs give exactly what the NumPy calls they
replace give, ties and negative values included, and fall back to them when the keys
do not fit in one int64."""

from __future__ import annotations

import numpy as np
import pytest

from retrieval.signals.sorting import best_first, by_score_then, grouped, union_sorted


@pytest.mark.parametrize("seed", range(5))
def test_grouping_equals_numpy_unique_and_a_stable_argsort(seed):
    rng = np.random.default_rng(seed)
    values = rng.integers(-50, 300, rng.integers(1, 5000))  # many repeats, some negative
    ids, first, inverse, by_value = grouped(values)
    expected = np.unique(values, return_index=True, return_inverse=True)
    for got, want in zip((ids, first, inverse), expected):
        assert got.tolist() == want.tolist()
    assert by_value.tolist() == np.argsort(values, kind="stable").tolist()


def test_grouping_values_too_wide_to_pack_falls_back_to_numpy():
    values = np.array([2**61, -(2**61), 5, 2**61])
    ids, first, inverse, by_value = grouped(values)
    assert ids.tolist() == [-(2**61), 5, 2**61] and first.tolist() == [1, 2, 0]
    assert inverse.tolist() == [2, 0, 1, 2] and by_value.tolist() == [1, 2, 0, 3]


@pytest.mark.parametrize("seed", range(5))
def test_best_first_equals_lexsort_on_rounded_scores_with_ties(seed):
    rng = np.random.default_rng(seed)
    size = int(rng.integers(1, 3000))
    # Sums of a few similarities: many equal scores, and some equal but for float noise.
    scores = np.round(rng.choice([0.1, 0.7, 0.2, -0.3, 0.5], (size, 3)).sum(axis=1) * rng.choice([1, 3], size), 9)
    tiebreak = rng.permutation(size * 2)[:size]
    assert best_first(scores, tiebreak).tolist() == np.lexsort((tiebreak, -scores)).tolist()


def test_best_first_scores_too_far_apart_to_pack_fall_back_to_lexsort():
    scores, tiebreak = np.array([1e12, -1e12, 1e12, 0.0]), np.array([3, 0, 1, 2])
    assert best_first(scores, tiebreak).tolist() == np.lexsort((tiebreak, -scores)).tolist() == [2, 0, 3, 1]


@pytest.mark.parametrize("seed", range(5))
def test_score_then_keys_equals_lexsort(seed):
    rng = np.random.default_rng(seed)
    size = int(rng.integers(1, 3000))
    values = rng.choice([0.25, 1.0 / 3, 2.0, 0.1 + 0.2], size)  # unrounded, with ties
    places = np.minimum(rng.integers(0, size + 1, size), size // 2).astype(np.float64)  # a shared "no place"
    ids = rng.permutation(3_000_000)[:size]
    assert by_score_then(values, places, ids).tolist() == np.lexsort((ids, places, -values)).tolist()


def test_union_of_sorted_arrays_is_the_sorted_union():
    rng = np.random.default_rng(0)
    arrays = [np.unique(rng.integers(0, 500, n)) for n in (300, 0, 200, 50)]
    assert union_sorted(arrays).tolist() == np.unique(np.concatenate(arrays)).tolist()
    assert union_sorted([np.empty(0, np.int64), np.array([4, 7])]).tolist() == [4, 7]
