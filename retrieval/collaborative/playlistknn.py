"""Playlist-kNN on the seeds: the playlists sharing most of the seeds (cosine of their
track sets) vote for their tracks, each by its similarity ** power."""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass, field

import numpy as np
from scipy import sparse

from retrieval.collaborative.base import known_seeds


@dataclass
class PlaylistKNN:
    neighbours: int = 100
    power: float = 2.0
    name: str = "playlistknn"
    _matrix: sparse.csr_matrix | None = field(default=None, repr=False)
    _by_track: sparse.csr_matrix | None = field(default=None, repr=False)

    def fit(self, matrix: sparse.csr_matrix) -> PlaylistKNN:
        self._matrix = matrix
        self._by_track = matrix.T.tocsr()
        return self

    def scores(self, seed_track_ids: Sequence[int]) -> np.ndarray:
        track_count = self._matrix.shape[1]
        seeds = known_seeds(seed_track_ids, track_count)
        if not len(seeds):
            return np.zeros(track_count, np.float32)
        holding = self._by_track[seeds].indices  # playlist rows, once per seed they hold
        overlap = np.bincount(holding, minlength=self._matrix.shape[0]).astype(np.float64)
        lengths = np.diff(self._matrix.indptr)
        similarity = overlap / np.sqrt(np.maximum(lengths, 1) * len(seeds))
        rows = np.flatnonzero(similarity > 0)
        rows = rows[np.lexsort((rows, -similarity[rows]))][:self.neighbours]
        weights = (similarity[rows] ** self.power).astype(np.float32)
        return np.asarray(self._matrix[rows].T @ weights, np.float32).ravel()
