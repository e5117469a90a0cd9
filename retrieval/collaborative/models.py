"""The collaborative models a process uses, by name, fitted on the playlists it may learn from.

With no playlists hidden, ALS is the model saved with the index (fitting it is an index
build's work); evaluation hides its queries' playlists, so every model it asks for is
fitted without them (seconds on the MPD sample), and kept for the next query of the run.
Item-kNN and playlist-kNN need no fit: they read the playlist graph the index build
saved, with the hidden playlists masked.
"""

from __future__ import annotations

from collections.abc import Callable
from pathlib import Path

import numpy as np

from retrieval.collaborative.als import ALS
from retrieval.collaborative.base import Recommender, playlist_matrix
from retrieval.collaborative.ease import EASE
from retrieval.collaborative.itemknn import ItemKNN
from retrieval.collaborative.playlistknn import PlaylistKNN
from retrieval.collaborative.store import load_als
from retrieval.graph.arrays import PlaylistGraph

MODELS: dict[str, Callable[[], Recommender]] = {"itemknn": ItemKNN, "playlistknn": PlaylistKNN, "als": ALS,
                                                "ease": EASE}
READ_FROM_GRAPH = ("itemknn", "playlistknn")


class CollaborativeModels:
    def __init__(self, graph: PlaylistGraph, als_folder: Path, fingerprint: str):
        self._graph = graph
        self._als_folder = als_folder
        self._fingerprint = fingerprint
        self._fitted: dict[tuple[str, frozenset[int]], Recommender | None] = {}
        self.warnings: list[str] = []  # why a saved model is not used

    def get(self, name: str, hidden_pids: frozenset[int],
            hidden: Callable[[], tuple[np.ndarray, np.ndarray]]) -> Recommender | None:
        """The model `name` fitted without `hidden_pids` (`hidden()`: the tracks' plays
        without them and a mask of their rows); None for ALS when no usable model was saved
        with the index."""
        key = (name, hidden_pids)
        if key not in self._fitted:
            if len(self._fitted) > 4:
                self._fitted.clear()  # evaluation moves from split to split: keep only the current one's
            if name == "als" and not hidden_pids:
                model, warning = load_als(self._als_folder, self._fingerprint)
                if model is None:
                    self.warnings.append(warning or f"no ALS model in {self._als_folder}; ranking without it "
                                                    "until the index is rebuilt")
            elif name in READ_FROM_GRAPH:
                plays, rows = hidden() if hidden_pids else (self._graph.plays, None)
                model = MODELS[name]().on_graph(self._graph, plays, rows)
            else:
                model = MODELS[name]().fit(playlist_matrix(self._graph, hidden()[1] if hidden_pids else None))
            self._fitted[key] = model
        return self._fitted[key]
