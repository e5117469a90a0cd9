"""LLM ranking diagnostics against values computed by hand."""

import math

import pytest

from retrieval.ranking.diagnostics import copy_score, duplicate_share, kendall_tau, out_of_candidates_share, wrong_count


def test_out_of_candidates_counts_exactly_the_uninvited():
    # 7 and 9 were never offered: 2 of 5 returned.
    assert out_of_candidates_share([0, 7, 1, 9, 2], range(5)) == pytest.approx(2 / 5)
    assert out_of_candidates_share([], range(5)) == 0.0


def test_duplicate_share_counts_repeats_after_the_first():
    # a, b, a, a: the second and third "a" repeat -> 2/4.
    assert duplicate_share(["a", "b", "a", "a"]) == pytest.approx(0.5)
    assert duplicate_share(["a", "b"]) == 0.0


def test_wrong_count():
    assert wrong_count([1, 2, 3], 3) == 0.0
    assert wrong_count([1, 2], 3) == 1.0
    assert wrong_count([1, 2, 3, 4], 3) == 1.0


def test_copy_score_is_one_for_an_echo_and_low_for_a_reversal():
    given = [0, 1, 2, 3, 4]
    assert copy_score([0, 1, 2, 3, 4], given) == 1.0
    assert copy_score([0, 1, 2], given) == 1.0  # a truncated echo is still an echo
    # [4, 3, 2, 1, 0]: any increasing subsequence has length 1 -> 1/5.
    assert copy_score([4, 3, 2, 1, 0], given) == pytest.approx(1 / 5)
    # [1, 0, 2, 4, 3]: LCS e.g. 1, 2, 4 (or 0, 2, 3) has length 3 -> 3/5.
    assert copy_score([1, 0, 2, 4, 3], given) == pytest.approx(3 / 5)
    assert copy_score([], given) == 0.0


def test_kendall_tau_by_hand():
    assert kendall_tau([0, 1, 2, 3], [0, 1, 2, 3]) == 1.0
    assert kendall_tau([3, 2, 1, 0], [0, 1, 2, 3]) == -1.0
    # [1, 0, 2] vs [0, 1, 2]: pairs (1,0) discordant, (1,2) concordant, (0,2) concordant
    # -> (2 - 1) / 3.
    assert kendall_tau([1, 0, 2], [0, 1, 2]) == pytest.approx(1 / 3)
    # Only common items count; repeats use their first position.
    assert kendall_tau([9, 0, 1, 0], [0, 1, 5]) == 1.0
    assert math.isnan(kendall_tau([0], [0, 1]))
