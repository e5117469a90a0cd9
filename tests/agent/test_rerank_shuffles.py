"""Position-bias control: shuffled presentations combined by Borda count."""

from __future__ import annotations

import pytest

from agent.llm.config import LocalOptions
from agent.llm.local import LocalBackend
from agent.playlist.rerank import _presentation, borda, rerank
from tests.agent.test_llm_local import CANDIDATES


def test_borda_by_hand():
    # Points are len - position: a: 3+2+3 = 8, b: 2+3+1 = 6, c: 1+1+2 = 4.
    assert borda([["a", "b", "c"], ["b", "a", "c"], ["a", "c", "b"]]) == ["a", "b", "c"]
    # A tie (a: 2+1, b: 1+2) keeps the first ranking's order.
    assert borda([["a", "b"], ["b", "a"]]) == ["a", "b"]


def test_presentations_start_in_retrieval_order_and_are_seeded():
    assert _presentation(6, 0, seed=0) == list(range(6))
    shuffled = _presentation(6, 1, seed=0)
    assert sorted(shuffled) == list(range(6)) and shuffled == _presentation(6, 1, seed=0)
    assert _presentation(6, 2, seed=0) != shuffled or _presentation(6, 3, seed=0) != shuffled


@pytest.fixture(scope="module")
def backend() -> LocalBackend:
    return LocalBackend(LocalOptions())


def test_three_shuffled_passes_rank_exactly_the_candidates(backend):
    result = rerank(backend, "summer road trip", CANDIDATES, wanted=3, shuffles=3)
    assert not result.info.fallback, result.warnings
    assert sorted(c.track_uri for c in result.candidates) == sorted(c.track_uri for c in CANDIDATES)
    assert result.info.attempts >= 3  # one call per presentation at least
    diagnostics = result.info.diagnostics
    assert diagnostics["shuffles"] == 3.0
    assert 0.0 <= diagnostics["copy_score"] <= 1.0 and diagnostics["out_of_candidates_share"] == 0.0


def test_shuffles_must_be_positive(backend):
    with pytest.raises(ValueError, match="at least 1"):
        rerank(backend, "x", CANDIDATES, wanted=3, shuffles=0)
