"""The corpus's head (its 1% most frequent tracks, by URI) and the per-list popularity
metrics an evaluation reports beside NDCG: tail-NDCG@10 and head share@10."""

from __future__ import annotations

from collections.abc import Sequence

import numpy as np

from retrieval.metrics.popularity import head_of, head_share_at, tail_ndcg_at
from retrieval.ranking.sources import SignalSources

CUTOFF = 10


def head_uris(sources: SignalSources, exclude_pids: frozenset[int]) -> tuple[frozenset[str], int]:
    """The head's URIs, counted without the held-out playlists, and how many tracks are played."""
    plays = sources.plays_array(exclude_pids)
    played = np.flatnonzero(plays > 0).tolist()
    rows = sources.catalog.track_rows(played)
    return head_of({rows[t][0]: int(plays[t]) for t in played}), len(played)


def popularity_scores(recommended: Sequence[str], truth: Sequence[str], head: frozenset[str]) -> dict[str, float]:
    return {f"tail_ndcg@{CUTOFF}": tail_ndcg_at(recommended, set(truth), head, CUTOFF),
            f"head_share@{CUTOFF}": head_share_at(recommended, head, CUTOFF)}
