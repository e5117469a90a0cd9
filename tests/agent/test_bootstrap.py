"""Paired bootstrap intervals, on lists whose answer is known."""

from __future__ import annotations

import pytest

from agent.evaluation.bootstrap import paired_bootstrap


def test_a_constant_gain_gives_a_tight_interval_above_zero():
    base = [0.1, 0.2, 0.3, 0.4] * 10
    result = paired_bootstrap(base, [b + 0.1 for b in base], "ndcg@10", resamples=300)
    assert result.difference[0] == pytest.approx(0.1)
    assert result.difference[1] == pytest.approx(0.1) and result.difference[2] == pytest.approx(0.1)
    assert 1 < result.ratio[1] <= result.ratio[0] <= result.ratio[2]


def test_noise_around_no_gain_gives_an_interval_that_straddles_zero():
    base = [0.2, 0.4, 0.1, 0.3] * 10
    result = paired_bootstrap(base, [0.4, 0.2, 0.3, 0.1] * 10, "ndcg@10", resamples=300)
    assert result.difference[1] < 0 < result.difference[2]


def test_unpaired_lists_are_refused():
    with pytest.raises(ValueError, match="paired"):
        paired_bootstrap([0.1], [0.1, 0.2], "ndcg@10")
