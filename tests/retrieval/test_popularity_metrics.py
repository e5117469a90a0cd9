"""Tail-NDCG, head share and coverage against values worked out by hand."""

from __future__ import annotations

import math

import pytest

from retrieval.metrics.popularity import coverage_at, head_of, head_share_at, tail_ndcg_at


def test_the_head_is_the_most_frequent_share():
    plays = {f"t{i}": 100 - i for i in range(100)} | {"never": 0}
    assert head_of(plays) == {"t0"}  # 1% of 100 played tracks
    assert head_of(plays, share=0.05) == {"t0", "t1", "t2", "t3", "t4"}
    assert head_of({"a": 1}) == {"a"}  # at least one
    assert head_of({}) == frozenset()
    with pytest.raises(ValueError):
        head_of(plays, share=0)


def test_tail_ndcg_scores_only_the_tracks_outside_the_head():
    """Truth {h, x, y}, head {h}: the tail is {x, y}. List [h, x, z]: one tail hit at rank 2,
    DCG = 1/log2(3); ideal over 2 tail tracks = 1 + 1/log2(3)."""
    value = tail_ndcg_at(["h", "x", "z"], {"h", "x", "y"}, {"h"}, 10)
    assert value == pytest.approx((1 / math.log2(3)) / (1 + 1 / math.log2(3)))
    # The same list scored by plain NDCG would credit h at rank 1: tail-NDCG does not.
    assert tail_ndcg_at(["x", "y"], {"h", "x", "y"}, {"h"}, 10) == pytest.approx(1.0)


def test_tail_ndcg_is_undefined_when_every_relevant_track_is_a_hit():
    assert math.isnan(tail_ndcg_at(["h"], {"h"}, {"h", "g"}, 10))


def test_head_share_counts_the_first_n():
    assert head_share_at(["h", "x", "g", "y"], {"h", "g"}, 2) == 0.5
    assert head_share_at(["h", "x", "g", "y"], {"h", "g"}, 10) == 0.5  # over the 4 shown
    assert head_share_at([], {"h"}, 10) == 0.0
    with pytest.raises(ValueError):
        head_share_at(["h"], {"h"}, 0)


def test_coverage_counts_distinct_tracks_in_every_top_n():
    assert coverage_at([["a", "b", "c"], ["b", "d"]], catalog_size=10, n=2) == pytest.approx(0.3)  # a, b, d
    with pytest.raises(ValueError):
        coverage_at([], catalog_size=0, n=10)
