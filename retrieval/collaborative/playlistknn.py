"""Playlist-kNN on the seeds: the playlists sharing most of the seeds (cosine of their
track sets) vote for their tracks, each by its similarity ** power. It reads the playlist
graph saved with the index (`on_graph`), as item-kNN does; fitted on a matrix, that
matrix's graph."""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass, field

import numpy as np
from scipy import sparse

from retrieval.collaborative.base import graph_of, known_seeds
from retrieval.graph.arrays import PlaylistGraph


@dataclass
class PlaylistKNN:
    neighbours: int = 100
    power: float = 2.0
    name: str = "playlistknn"
    _graph: PlaylistGraph | None = field(default=None, repr=False)
    _hidden: np.ndarray | None = field(default=None, repr=False)  # playlist rows it may not learn from
    _track_count: int = field(default=0, repr=False)

    def fit(self, matrix: sparse.csr_matrix) -> PlaylistKNN:
        return self.on_graph(*graph_of(matrix))

    def on_graph(self, graph: PlaylistGraph, plays: np.ndarray, hidden_rows: np.ndarray | None = None) -> PlaylistKNN:
        """The model over `graph` without the rows `hidden_rows` masks (`plays`: the
        tracks' counts without them, which only its size matters for here)."""
        self._graph, self._hidden, self._track_count = graph, hidden_rows, len(plays)
        return self

    def scores(self, seed_track_ids: Sequence[int]) -> np.ndarray:
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
