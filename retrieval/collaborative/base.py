"""The interface the collaborative models share, and the matrix they are fitted on."""

from __future__ import annotations

from collections.abc import Sequence
from typing import Protocol

import numpy as np
from scipy import sparse

from retrieval.graph.arrays import PlaylistGraph


class Recommender(Protocol):
    """A model fitted on a playlists x tracks matrix that scores every track for some seeds."""

    name: str

    def fit(self, matrix: sparse.csr_matrix) -> Recommender:
        """Learn from `matrix` (playlist rows, track-id columns, 1 where a playlist holds a track)."""

    def scores(self, seed_track_ids: Sequence[int]) -> np.ndarray:
        """One score per track id (float32, higher is better, 0 for a track the seeds say
        nothing about, never negative); seeds unknown to the model are ignored."""


def playlist_matrix(graph: PlaylistGraph, hidden_rows: np.ndarray | None = None) -> sparse.csr_matrix:
    """The graph's playlists x tracks matrix; rows in `hidden_rows` (a mask: evaluation's
    held-out playlists) are emptied, so no model learns from them."""
    offsets, tracks, track_count = graph.csr_arrays()
    data = np.ones(len(tracks), np.float32)
    matrix = sparse.csr_matrix((data, tracks, offsets), shape=(len(offsets) - 1, track_count))
    if hidden_rows is not None and hidden_rows.any():
        keep = sparse.diags((~hidden_rows).astype(np.float32))
        matrix = (keep @ matrix).tocsr()
        matrix.eliminate_zeros()
    return matrix


def graph_of(matrix: sparse.csr_matrix) -> tuple[PlaylistGraph, np.ndarray]:
    """The playlist graph of a playlists x tracks matrix (its row numbers as pids) and each
    column's playlists: what a model that reads the saved graph needs to be fitted on a matrix."""
    rows = np.repeat(np.arange(matrix.shape[0]), np.diff(matrix.indptr))
    graph = PlaylistGraph.build(zip(rows.tolist(), matrix.indices.tolist()))
    return graph, np.bincount(matrix.indices, minlength=matrix.shape[1])


def known_seeds(seed_track_ids: Sequence[int], track_count: int) -> np.ndarray:
    """The distinct seed ids inside the matrix, in their order."""
    seeds = np.fromiter(dict.fromkeys(int(s) for s in seed_track_ids), np.int64)
    return seeds[(seeds >= 0) & (seeds < track_count)]


def topped_up(found: np.ndarray, popular: np.ndarray, banned: np.ndarray, n: int) -> np.ndarray:
    """`found`, then the most played tracks (`popular`, in that order) that are neither among
    them nor `banned`, to n in all."""
    popular = popular[:n + len(banned) + len(found)]
    fill = popular[~np.isin(popular, np.concatenate([found, banned]))]
    return np.concatenate([found, fill])[:n]


def top_tracks(scores: np.ndarray, n: int, exclude: Sequence[int] = ()) -> np.ndarray:
    """The ids of the n best-scored tracks (score above 0), best first, ties by the lower id."""
    scores = scores.copy()
    scores[known_seeds(exclude, len(scores))] = 0.0
    positive = np.flatnonzero(scores > 0)
    if len(positive) > n:
        cut = -np.partition(-scores[positive], n - 1)[n - 1]
        positive = positive[scores[positive] >= cut]
    return positive[np.lexsort((positive, -scores[positive]))][:n]
