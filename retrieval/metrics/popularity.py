"""Metrics of how far a list leans on the corpus's hits: pure functions over opaque track
ids, beside `retrieval.metrics.ranking` (which is at the module size limit).

The head is the corpus's 1% most frequent tracks. Real MPD playlists hold about a
quarter of their tracks from it; a method that fills its top 10 from it scores NDCG
on the hits everyone plays and says little about the title.
"""

from __future__ import annotations

import math
from collections.abc import Collection, Iterable, Mapping, Sequence

from retrieval.metrics.ranking import ndcg_at

HEAD_SHARE = 0.01


def head_of(plays: Mapping[str, int], share: float = HEAD_SHARE) -> frozenset[str]:
    """The `share` most frequent tracks (at least one; ties by the smaller id).

    >>> sorted(head_of({"a": 5, "b": 9, "c": 1, "d": 9}, share=0.5))
    ['b', 'd']
    """
    if not 0 < share <= 1:
        raise ValueError(f"the head share must be in (0, 1], got {share}")
    played = sorted((key for key, count in plays.items() if count > 0), key=lambda key: (-plays[key], key))
    return frozenset(played[:max(1, math.ceil(share * len(played)))]) if played else frozenset()


def tail_ndcg_at(recommended: Sequence[str], relevant: Collection[str], head: Collection[str], n: int) -> float:
    """NDCG@n against the playlist's tracks outside the head (a head track shown is a miss);
    NaN when every relevant track is in the head, so such a playlist is left out of a mean."""
    tail = frozenset(relevant) - frozenset(head)
    return ndcg_at(recommended, tail, n) if tail else math.nan


def head_share_at(recommended: Sequence[str], head: Collection[str], n: int) -> float:
    """The share of the first n recommendations that are head tracks (0 for an empty list)."""
    if n < 1:
        raise ValueError(f"the cutoff must be positive, got {n}")
    shown = list(recommended)[:n]
    return sum(track in head for track in shown) / len(shown) if shown else 0.0


def coverage_at(lists: Iterable[Sequence[str]], catalog_size: int, n: int) -> float:
    """The share of the catalog's tracks that appear in the first n of some list."""
    if catalog_size < 1:
        raise ValueError("the catalog must hold at least one track")
    return len({track for shown in lists for track in list(shown)[:n]}) / catalog_size
