"""EASE (Steck 2019): a closed-form item-item model, B = I - P / diag(P) with
P = (X'X + lambda I)^-1. Its dense item matrix limits it to the `items` most-played
tracks (15,000 floats squared is 0.9 GB); the others score 0, so a caller falls back
to popularity for them."""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass, field

import numpy as np
from scipy import sparse

from retrieval.collaborative.base import known_seeds


@dataclass
class EASE:
    items: int = 15_000
    regularization: float = 500.0
    name: str = "ease"
    _weights: np.ndarray | None = field(default=None, repr=False)
    _tracks: np.ndarray | None = field(default=None, repr=False)  # track id of each item, ascending
    _track_count: int = 0

    def fit(self, matrix: sparse.csr_matrix) -> EASE:
        plays = np.bincount(matrix.indices, minlength=matrix.shape[1])
        played = np.flatnonzero(plays > 0)
        self._tracks = np.sort(played[np.lexsort((played, -plays[played]))][:self.items])
        self._track_count = matrix.shape[1]
        kept = matrix[:, self._tracks]
        gram = np.asarray((kept.T @ kept).todense(), np.float32)
        gram[np.diag_indices_from(gram)] += self.regularization
        inverse = np.linalg.inv(gram)
        del gram
        inverse /= -np.diag(inverse)  # column j divided by -P[j, j]
        inverse[np.diag_indices_from(inverse)] = 0.0
        self._weights = inverse
        return self

    def scores(self, seed_track_ids: Sequence[int]) -> np.ndarray:
        total = np.zeros(self._track_count, np.float32)
        seeds = known_seeds(seed_track_ids, self._track_count)
        at = np.minimum(np.searchsorted(self._tracks, seeds), max(len(self._tracks) - 1, 0))
        items = at[self._tracks[at] == seeds] if len(self._tracks) else at[:0]
        if len(items):
            total[self._tracks] = np.maximum(self._weights[items].sum(axis=0), 0.0)
        return total
