"""The sorts a query runs over its candidate tracks, done as one sort of int64 keys.

NumPy's stable argsorts and lexsorts (merge sorts over an index) took a quarter of a
query. Packing each element's sort keys and its position into one int64 lets NumPy's
vectorised sort do the work instead, with the same result. Every function falls back
to the NumPy call it replaces when the keys do not fit in 62 bits.
"""

from __future__ import annotations

import numpy as np

ID = np.int64
_BITS = 62


def grouped(values: np.ndarray) -> tuple[np.ndarray, np.ndarray, np.ndarray, np.ndarray]:
    """`np.unique(values, return_index=True, return_inverse=True)` of integers, and the
    positions grouped by value, each group in position order (a stable argsort).

    >>> [a.tolist() for a in grouped(np.array([7, -2, 7, 5]))]
    [[-2, 5, 7], [1, 3, 0], [2, 0, 2, 1], [1, 3, 0, 2]]
    """
    values = np.asarray(values, ID)
    if not len(values):
        return values, values, values, values
    low = int(values.min())
    bits = _bits(len(values) - 1)
    if _bits(int(values.max()) - low) + bits > _BITS:
        ids, first, inverse = np.unique(values, return_index=True, return_inverse=True)
        return ids, first, inverse, np.argsort(values, kind="stable")
    keys = np.sort(((values - low) << bits) | np.arange(len(values), dtype=ID))
    ordered, positions = (keys >> bits) + low, keys & ((1 << bits) - 1)
    starts = np.empty(len(keys), bool)
    starts[0] = True
    np.not_equal(ordered[1:], ordered[:-1], out=starts[1:])
    inverse = np.empty(len(keys), ID)
    inverse[positions] = np.cumsum(starts) - 1
    return ordered[starts], positions[starts], inverse, positions


def best_first(scores: np.ndarray, tiebreak: np.ndarray) -> np.ndarray:
    """`np.lexsort((tiebreak, -scores))`: highest score first, ties by the lower tie-breaker,
    for scores rounded to 9 decimals and distinct non-negative integer tie-breakers of
    the query's size (such as first positions).

    >>> best_first(np.array([0.5, 2.0, 0.5]), np.array([9, 4, 3])).tolist()
    [1, 2, 0]
    """
    if not len(scores):
        return np.empty(0, np.intp)
    # A score rounded to 9 decimals is a whole number of nanos: equal scores give equal
    # nanos, and unequal ones unequal nanos in the same order.
    nanos = np.rint(np.asarray(scores, np.float64) * 1e9)
    top, bottom, last = nanos.max(initial=0.0), nanos.min(initial=0.0), int(tiebreak.max())
    bits = _bits(last)
    if not np.isfinite(top - bottom) or top - bottom >= 2.0 ** 52 or _bits(int(top - bottom)) + bits > _BITS:
        return np.lexsort((tiebreak, -scores))
    below = (top - nanos).astype(ID)  # best first
    keys = np.sort((below << bits) | np.asarray(tiebreak, ID))
    where = np.empty(last + 1, np.intp)
    where[tiebreak] = np.arange(len(tiebreak))
    return where[keys & ((1 << bits) - 1)]


def by_score_then(values: np.ndarray, *keys: np.ndarray) -> np.ndarray:
    """`np.lexsort((*reversed(keys), -values))`: highest value first, ties by `keys` (non-negative
    integers, the first most significant, together distinct) ascending."""
    shift = 0
    packed = np.zeros(len(values), ID)
    for key in reversed(keys):
        key = np.asarray(key).astype(ID)
        width = _bits(int(key.max(initial=0)))
        if shift + width > _BITS or (len(key) and key.min() < 0):
            return np.lexsort((*reversed(keys), -values))
        packed |= key << shift
        shift += width
    order = np.argsort(packed)  # distinct keys: any sort is stable
    return order[np.argsort(-values[order], kind="stable")]


def union_sorted(arrays: list[np.ndarray]) -> np.ndarray:
    """The sorted union of sorted arrays of distinct values, each merged in without a sort.

    >>> union_sorted([np.array([2, 5]), np.array([1, 5, 9])]).tolist()
    [1, 2, 5, 9]
    """
    union = arrays[0]
    for other in arrays[1:]:
        at = np.searchsorted(union, other)
        known = union[np.minimum(at, len(union) - 1)] == other if len(union) else np.zeros(len(other), bool)
        union = np.insert(union, at[~known], other[~known])
    return union


def _bits(number: int) -> int:
    return max(1, int(number).bit_length())
