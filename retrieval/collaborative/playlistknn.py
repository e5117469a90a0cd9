"""Playlist-kNN on the seeds: the playlists sharing most of the seeds (cosine of their
track sets) vote for their tracks, each by its similarity ** power. `on_graph` reads it
straight from the playlist graph saved with the index, as item-kNN does."""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass, field

import numpy as np
from scipy import sparse

from retrieval.collaborative.base import known_seeds
from retrieval.graph.arrays import PlaylistGraph


@dataclass
class PlaylistKNN:
    neighbours: int = 100
    power: float = 2.0
    name: str = "playlistknn"
    _matrix: sparse.csr_matrix | None = field(default=None, repr=False)
    _by_track: sparse.csr_matrix | None = field(default=None, repr=False)
    _graph: PlaylistGraph | None = field(default=None, repr=False)
    _hidden: np.ndarray | None = field(default=None, repr=False)  # playlist rows it may not learn from
    _track_count: int = field(default=0, repr=False)

    def fit(self, matrix: sparse.csr_matrix) -> PlaylistKNN:
        self._matrix = matrix
        self._by_track = matrix.T.tocsr()
        return self

    def on_graph(self, graph: PlaylistGraph, plays: np.ndarray, hidden_rows: np.ndarray | None = None) -> PlaylistKNN:
        """The model over `graph` without the rows `hidden_rows` masks (`plays`: the
        tracks' counts without them, which only its size matters for here)."""
        self._graph, self._hidden, self._track_count = graph, hidden_rows, len(plays)
        return self

    def scores(self, seed_track_ids: Sequence[int]) -> np.ndarray:
        if self._graph is not None:
            return self._graph_scores(seed_track_ids)
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

    def _graph_scores(self, seed_track_ids: Sequence[int]) -> np.ndarray:
        graph = self._graph
        seeds = known_seeds(seed_track_ids, self._track_count)
        if not len(seeds):
            return np.zeros(self._track_count, np.float32)
        holding = graph.rows_of_tracks(seeds)[0]
        if self._hidden is not None:
            holding = holding[~self._hidden[holding]]
        rows, overlap = np.unique(holding, return_counts=True)
        lengths = graph.tracks_of_rows(rows)[1]
        similarity = overlap / np.sqrt(np.maximum(lengths, 1) * len(seeds))
        best = np.lexsort((rows, -similarity))[:self.neighbours]
        tracks, lengths = graph.tracks_of_rows(rows[best])
        weights = (similarity[best] ** self.power).astype(np.float32)
        return np.bincount(tracks, weights=np.repeat(weights, lengths), minlength=self._track_count).astype(np.float32)
