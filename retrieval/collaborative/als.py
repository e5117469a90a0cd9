"""ALS (implicit feedback matrix factorisation, through `implicit` on the CPU).

Fitted on the tracks held by at least `min_plays` playlists (a track seen once has no
pattern to learn); at query time the seeds are folded in as a new playlist's vector,
without refitting. Unless told, it takes as many factors (up to 64) as keep the fit
within its memory budget (`factors_within`): 64 on the MPD sample, 32 on the full MPD.
"""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass, field

import numpy as np
from scipy import sparse
from threadpoolctl import threadpool_limits

from retrieval.collaborative.base import known_seeds

FACTOR_CHOICES = (64, 48, 32, 16)
# The fit's share of a build phase's 2 GiB; the process itself takes ~0.17 GB more.
MEMORY_BUDGET = int(1.8 * 2**30)
# Measured peaks of fits at 100k and 1M synthetic playlists (0.43 GB with 64 factors, 2.0 GB
# with 32): ~23.4 bytes per entry of the playlists (the kept matrix, implicit's transpose
# of it, the graph's pages and the build's temporaries) and 4 bytes per factor of every
# playlist and kept track.
BYTES_PER_ENTRY = 24


def factors_within(budget: int, entries: int, playlists: int, tracks: int) -> int:
    """The most factors of FACTOR_CHOICES whose fit stays within `budget` bytes (the fewest
    when none does)."""
    for factors in FACTOR_CHOICES:
        if BYTES_PER_ENTRY * entries + 4 * factors * (playlists + tracks) <= budget:
            return factors
    return FACTOR_CHOICES[-1]


@dataclass
class ALS:
    factors: int | None = None  # None: chosen by `factors_within` when fitted
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
        return self.fit_rows(matrix.indptr, matrix.indices, matrix.shape[1])

    def fit_rows(self, offsets: np.ndarray, track_ids: np.ndarray, track_count: int) -> ALS:
        """Fit on playlists given as CSR rows (`offsets` into `track_ids`), as the playlist
        graph holds them: the kept tracks' matrix is built straight from them, its entries
        already weighted by alpha, so no full-width copy and no scaled copy of the matrix
        is ever made (the full MPD's fit stays within 2 GiB)."""
        kept, self.tracks = _kept_columns(offsets, track_ids, track_count, self.min_plays, self.alpha)
        self.track_count = track_count
        if self.factors is None:
            self.factors = factors_within(MEMORY_BUDGET, len(track_ids), len(offsets) - 1, len(self.tracks))
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
        seeds = sparse.csr_matrix((np.full(len(columns), self.alpha, np.float32), columns, [0, len(columns)]),
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
            # alpha is applied to the entries as they are built (`_kept_columns`), not by a copy.
            return AlternatingLeastSquares(factors=self.factors, regularization=self.regularization,
                                           alpha=1.0, iterations=self.iterations, random_state=0,
                                           num_threads=1)


def _kept_columns(offsets: np.ndarray, track_ids: np.ndarray, track_count: int, min_plays: int,
                  value: float) -> tuple[sparse.csr_matrix, np.ndarray]:
    """(the playlists x kept-tracks matrix with `value` at each entry, the kept track ids):
    the tracks held by at least `min_plays` playlists, renumbered in id order."""
    plays = np.bincount(track_ids, minlength=track_count)
    kept = np.flatnonzero(plays >= min_plays)
    del plays
    column = np.full(track_count, -1, np.int32)
    column[kept] = np.arange(len(kept), dtype=np.int32)
    columns = column[track_ids]
    held = columns >= 0
    indices = columns[held]
    del columns
    # Kept entries per playlist, summed over each non-empty row's stretch of `held` (a
    # running count of all 66M entries would cost 8 bytes each).
    offsets = np.asarray(offsets, np.int64)
    counts = np.zeros(len(offsets) - 1, np.int64)
    filled = offsets[1:] > offsets[:-1]
    if filled.any():
        counts[filled] = np.add.reduceat(held, offsets[:-1][filled], dtype=np.int64)
    del held
    indptr = np.concatenate(([0], np.cumsum(counts)))
    data = np.full(len(indices), value, np.float32)
    return sparse.csr_matrix((data, indices, indptr), shape=(len(offsets) - 1, len(kept))), kept
