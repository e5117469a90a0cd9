"""Sharpened neighbour weights: a neighbour playlist votes with similarity^p.

With k in the hundreds, far neighbours add recall deep in the list while the
near ones, weighing much more once sharpened, decide its top.
"""

from __future__ import annotations

from collections.abc import Sequence


def sharpened(neighbours: Sequence[tuple[int, float]], power: float) -> list[tuple[int, float]]:
    """(pid, similarity) -> (pid, max(similarity, 0) ** power); power 1 leaves weights as they are.

    >>> sharpened([(1, 0.9), (2, 0.5)], 2)
    [(1, 0.81), (2, 0.25)]
    """
    return [(pid, round(max(similarity, 0.0) ** power, 9)) for pid, similarity in neighbours]
