"""Sharpened neighbour weights: a neighbour playlist votes with similarity^p.

With k in the hundreds, far neighbours add recall deep in the list while the
near ones, weighing much more once sharpened, decide its top.
"""

from __future__ import annotations

from collections import Counter
from collections.abc import Sequence

EXACT_TITLE = 0.99  # a neighbour this similar carries the very title asked for


def sharpened(neighbours: Sequence[tuple[int, float]], power: float) -> list[tuple[int, float]]:
    """(pid, similarity) -> (pid, max(similarity, 0) ** power); power 1 leaves weights as they are.

    >>> sharpened([(1, 0.9), (2, 0.5)], 2)
    [(1, 0.81), (2, 0.25)]
    """
    return [(pid, round(max(similarity, 0.0) ** power, 9)) for pid, similarity in neighbours]


def crowded(neighbours: Sequence[tuple[int, float]], weights: Sequence[tuple[int, float]],
            power: float) -> list[tuple[int, float]]:
    """Each voter's weight times m ** (power - 1), where m of the neighbours share its title:
    a title held by many playlists then votes like m ** power of them, so fifty playlists
    named "party" do not outvote two named "dinner party" by their number alone. Playlists
    of one title share one vector, hence one similarity, which groups them. Power 1 leaves
    the weights as they are.

    >>> crowded([(1, 0.8), (2, 0.8), (3, 0.8), (4, 0.8), (5, 1.0)], [(1, 1), (2, 1), (3, 1), (4, 1), (5, 1)], 0.5)
    [(1, 0.5), (2, 0.5), (3, 0.5), (4, 0.5), (5, 1.0)]
    """
    if power == 1.0:
        return list(weights)
    sizes = Counter(round(similarity, 6) for _, similarity in neighbours)
    return [(pid, round(weight * sizes[round(similarity, 6)] ** (power - 1.0), 9))
            for (pid, weight), (_, similarity) in zip(weights, neighbours)]


def exact_weighted(neighbours: Sequence[tuple[int, float]], weights: Sequence[tuple[int, float]],
                   extra: float) -> list[tuple[int, float]]:
    """Each voter's weight times 1 + `extra` where its title is the very one asked for
    (similarity >= EXACT_TITLE); extra 0 leaves the weights as they are.

    >>> exact_weighted([(1, 1.0), (2, 0.8)], [(1, 1.0), (2, 0.5)], 1.0)
    [(1, 2.0), (2, 0.5)]
    """
    if not extra:
        return list(weights)
    return [(pid, round(weight * (1.0 + extra), 9) if similarity >= EXACT_TITLE else weight)
            for (pid, weight), (_, similarity) in zip(weights, neighbours)]
