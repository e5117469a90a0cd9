"""Item-kNN with shrinkage and length damping, the challenge's strongest neighbourhood model.

Two tracks are alike by the playlists holding both, each counting length ** -damping
(a 200-track playlist says less about any pair than a 20-track one), over an asymmetric
cosine: co(i, j) / (plays(i) ** alpha x plays(j) ** (1 - alpha) + shrink). The shrink
keeps a pair seen once among rare tracks from outranking a pair seen fifty times.

It reads the playlist graph saved with the index (`on_graph`): nothing is fitted or
copied (at the full MPD's scale a weighted matrix and its transpose would take
gigabytes); each query gathers the playlists holding its seeds. Fitted on a matrix, it
reads that matrix's graph.
"""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass, field

import numpy as np
from scipy import sparse

from retrieval.collaborative.base import graph_of, known_seeds
from retrieval.graph.arrays import PlaylistGraph


@dataclass
class ItemKNN:
    alpha: float = 0.7
    shrink: float = 10.0
    damping: float = 0.5
    name: str = "itemknn"
    _plays: np.ndarray | None = field(default=None, repr=False)
    _graph: PlaylistGraph | None = field(default=None, repr=False)
    _hidden: np.ndarray | None = field(default=None, repr=False)  # playlist rows it may not learn from
    _other_side: np.ndarray | None = field(default=None, repr=False)

    def fit(self, matrix: sparse.csr_matrix) -> ItemKNN:
        return self.on_graph(*graph_of(matrix))

    def on_graph(self, graph: PlaylistGraph, plays: np.ndarray, hidden_rows: np.ndarray | None = None) -> ItemKNN:
        """The model over `graph` without the rows `hidden_rows` masks; `plays` counts the
        playlists holding each track once those are left out."""
        self._graph, self._hidden, self._plays = graph, hidden_rows, plays.astype(np.float64)
        self._other_side = self._plays ** (1 - self.alpha)  # once, not once per entry a query gathers
        return self

    def scores(self, seed_track_ids: Sequence[int]) -> np.ndarray:
        graph, plays = self._graph, self._plays
        seeds = known_seeds(seed_track_ids, len(plays))
        rows, held = graph.rows_of_tracks(seeds)
        seed_side = np.repeat(plays[seeds] ** self.alpha, held)
        if self._hidden is not None:
            kept = ~self._hidden[rows]
            rows, seed_side = rows[kept], seed_side[kept]
        tracks, lengths = graph.tracks_of_rows(rows)
        damped = np.maximum(lengths, 1).astype(np.float64) ** -self.damping
        similarity = np.repeat(damped, lengths) / (np.repeat(seed_side, lengths) * self._other_side[tracks]
                                                   + self.shrink)
        return np.bincount(tracks, weights=similarity, minlength=len(plays)).astype(np.float32)
