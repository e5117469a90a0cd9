"""Diagnostics of an answer that ranks given items (an LLM's rerank): did it stay in
the candidates, repeat itself, give the count asked for, or only echo the order it was
given? Pure functions, like the ranking metrics in `retrieval.metrics.ranking`.
"""

from __future__ import annotations

import math
from collections.abc import Collection, Hashable, Sequence
from itertools import combinations


def out_of_candidates_share(returned: Sequence[Hashable], candidates: Collection[Hashable]) -> float:
    """Share of returned items that were never offered (0.0 for an empty answer)."""
    if not returned:
        return 0.0
    offered = set(candidates)
    return sum(1 for item in returned if item not in offered) / len(returned)


def duplicate_share(returned: Sequence[Hashable]) -> float:
    """Share of returned items that repeat an earlier one: [a, b, a, a] -> 2/4."""
    if not returned:
        return 0.0
    return (len(returned) - len(set(returned))) / len(returned)


def wrong_count(returned: Sequence[Hashable], asked: int) -> float:
    """1.0 when the answer does not hold exactly the number of items asked for."""
    return 0.0 if len(returned) == asked else 1.0


def copy_score(returned: Sequence[Hashable], given_order: Sequence[Hashable]) -> float:
    """Longest common subsequence of the answer and the order it was given, over the
    answer's length: 1.0 means the model echoed its input order, whatever it kept.

    [0, 1, 2] for input [0, 1, 2, 3] -> 3/3; [2, 1, 0] -> 1/3.
    """
    if not returned:
        return 0.0
    return _lcs_length(list(returned), list(given_order)) / len(returned)


def _lcs_length(first: list, second: list) -> int:
    previous = [0] * (len(second) + 1)
    for item in first:
        current = [0]
        for j, other in enumerate(second, 1):
            current.append(previous[j - 1] + 1 if item == other else max(previous[j], current[j - 1]))
        previous = current
    return previous[-1]


def kendall_tau(first: Sequence[Hashable], second: Sequence[Hashable]) -> float:
    """Kendall's tau-a between two rankings over the items both contain (each item's
    first position counts): 1.0 same order, -1.0 reversed, NaN with fewer than two
    common items, since no pair can be compared.
    """
    position = {}
    for rank, item in enumerate(second):
        position.setdefault(item, rank)
    common = [position[item] for item in dict.fromkeys(first) if item in position]
    pairs = len(common) * (len(common) - 1) // 2
    if pairs == 0:
        return math.nan
    concordant = sum(1 for i, j in combinations(range(len(common)), 2) if common[i] < common[j])
    return (2 * concordant - pairs) / pairs

