"""ALS (implicit feedback matrix factorisation, through `implicit` on the CPU).

Fitted on the tracks held by at least `min_plays` playlists (a track seen once has no
pattern to learn); at query time the seeds are folded in as a new playlist's vector,
without refitting. 64 factors keep the full MPD's fit within 2 GiB: its ~1M playlists and
~1M kept tracks cost 4 bytes x 64 x 2M = 0.5 GiB of factors beside the 66M-entry matrix.
"""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass, field

import numpy as np
from scipy import sparse
from threadpoolctl import threadpool_limits

from retrieval.collaborative.base import known_seeds

FACTORS = 64


@dataclass
class ALS:
    factors: int = FACTORS
    regularization: float = 1.0
    alpha: float = 5.0
    iterations: int = 15
    min_plays: int = 2
    name: str = "als"
    item_factors: np.ndarray | None = field(default=None, repr=False)
    tracks: np.ndarray | None = field(default=None, repr=False)  # track id of each factor row
    track_count: int = 0
    _solver: object = field(default=None, repr=False)  # folds seeds in; keeps the factors' YtY between queries

    def fit(self, matrix: sparse.csr_matrix) -> ALS:
        plays = np.bincount(matrix.indices, minlength=matrix.shape[1])
        self.tracks = np.flatnonzero(plays >= self.min_plays)
        self.track_count = matrix.shape[1]
        kept = matrix[:, self.tracks].tocsr()
        model = self._model()
        # implicit runs its own threads; one BLAS thread inside each is its advice.
        with threadpool_limits(1, "blas"):
            model.fit(kept, show_progress=False)
        self.item_factors = np.ascontiguousarray(model.item_factors, np.float32)
        self._solver = None
        return self

    def scores(self, seed_track_ids: Sequence[int]) -> np.ndarray:
        total = np.zeros(self.track_count, np.float32)
        columns = self._columns_of(known_seeds(seed_track_ids, self.track_count))
        if not len(columns) or self.item_factors is None or not len(self.item_factors):
            return total
        seeds = sparse.csr_matrix((np.ones(len(columns), np.float32), columns, [0, len(columns)]),
                                  shape=(1, len(self.tracks)))
        if self._solver is None:
            self._solver = self._model()
            self._solver.item_factors = self.item_factors
        user = self._solver.recalculate_user(0, seeds)
        total[self.tracks] = np.maximum(self.item_factors @ user, 0.0)
        return total

    def _columns_of(self, seeds: np.ndarray) -> np.ndarray:
        at = np.minimum(np.searchsorted(self.tracks, seeds), max(len(self.tracks) - 1, 0))
        return at[self.tracks[at] == seeds] if len(self.tracks) else at[:0]

    def _model(self):
        from implicit.cpu.als import AlternatingLeastSquares  # imported on first use: it loads BLAS and threads

        with threadpool_limits(1, "blas"):  # it checks BLAS's threads as it is made
            return AlternatingLeastSquares(factors=self.factors, regularization=self.regularization,
                                           alpha=self.alpha, iterations=self.iterations, random_state=0,
                                           num_threads=1)
