"""The field's peers combined: a weighted sum of item-kNN, playlist-kNN, ALS and title-kNN,
each scaled so its best track scores 1 (their raw scales differ by orders of magnitude).

Plain data in and out: one score array per peer (a track id's score at its index), the
weights, and the combined scores. A peer that says nothing (no seeds, no title) adds 0.
"""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass, fields

import numpy as np

HYBRID_PARTS = ("itemknn", "playlistknn", "als", "title_knn")


@dataclass(frozen=True)
class HybridWeights:
    """Each peer's weight in the sum. The defaults were chosen on the validation split of the
    MPD sample (all its 423 playlists, 5 seeds, by NDCG@10; item-kNN fixed at 1, the others
    from {0, 0.25, 0.5, 1}; a finer grid to 0.5 chose the same):
    `benchmarks/bench_hybrid.py --seeds 5` reproduces it. Adding playlist-kNN
    to the other three never raised NDCG@10 there, so its weight is 0."""

    itemknn: float = 1.0
    playlistknn: float = 0.0
    als: float = 0.25
    title_knn: float = 0.25

    def __post_init__(self) -> None:
        for field in fields(self):
            value = getattr(self, field.name)
            if not value >= 0:
                raise ValueError(f"hybrid weight {field.name} must be 0 or more, not {value}")

    def describe(self) -> str:
        return " ".join(f"{field.name}={getattr(self, field.name):g}" for field in fields(self))


def max_normalised(scores: np.ndarray) -> np.ndarray:
    """`scores` over their maximum (all zeros stay zeros)."""
    best = float(scores.max()) if len(scores) else 0.0
    return scores / best if best > 0 else np.zeros_like(scores)


def hybrid_scores(parts: Mapping[str, np.ndarray], weights: HybridWeights, track_count: int) -> np.ndarray:
    """The weighted sum of each part's max-normalised scores (`parts` keyed by HYBRID_PARTS;
    a part missing or weighted 0 adds nothing)."""
    unknown = set(parts) - set(HYBRID_PARTS)
    if unknown:
        raise ValueError(f"unknown hybrid part {sorted(unknown)[0]!r}; choose from {', '.join(HYBRID_PARTS)}")
    total = np.zeros(track_count, np.float32)
    for name, scores in parts.items():
        weight = getattr(weights, name)
        if weight:
            total += np.float32(weight) * max_normalised(np.asarray(scores, np.float32))
    return total


def sparse_scores(track_ids: np.ndarray, values: np.ndarray, track_count: int) -> np.ndarray:
    """A dense score array from scores known for some tracks only (title-kNN's top list)."""
    dense = np.zeros(track_count, np.float32)
    keep = (track_ids >= 0) & (track_ids < track_count)
    dense[track_ids[keep]] = np.maximum(values[keep], 0)
    return dense
