"""The field's methods as an evaluation's peers: what the fused ranking must beat.

- item-kNN, playlist-kNN, ALS and EASE continue a playlist from its seed tracks
  (`retrieval.collaborative`), fitted without the held-out playlists; a list they cannot
  fill is filled with the most-played tracks;
- title-kNN is title voting alone as the field tunes it: 200 nearest playlists, each
  voting similarity ** 3 (no other signal);
- hybrid is the weighted sum of item-kNN, playlist-kNN, ALS and title-kNN, each scaled so
  its best track scores 1 (`retrieval.collaborative.hybrid`, weights tuned on validation).
"""

from __future__ import annotations

from dataclasses import replace

import numpy as np

from retrieval.collaborative.base import top_tracks, topped_up
from retrieval.collaborative.hybrid import HybridWeights, hybrid_scores, sparse_scores
from retrieval.ranking.fusion import PLAIN_WEIGHTS
from retrieval.generator import FUSED, METHODS, GenerationOptions, Retriever

PEERS = tuple(method for method in METHODS if method != FUSED)
SEEDED_PEERS = ("itemknn", "playlistknn", "als", "ease")
HYBRID_SEEDED = ("itemknn", "playlistknn", "als")
TITLE_KNN_K = 200
TITLE_KNN_WEIGHTS = replace(PLAIN_WEIGHTS, sharpness=3.0)

Track = tuple[str, str, str]  # (uri, name, artist)


def check_peers(names: list[str]) -> None:
    unknown = [name for name in names if name not in PEERS]
    if unknown:
        raise ValueError(f"unknown peer {unknown[0]!r}; choose from {', '.join(PEERS)}")


class Peer:
    """One peer method, answering (title, seed URIs) with up to n tracks, seeds never among them."""

    def __init__(self, name: str, retriever: Retriever, exclude_pids: frozenset[int],
                 hybrid: HybridWeights = HybridWeights()):
        self.name = name
        self.hybrid = hybrid
        self._retriever = retriever
        self._exclude = exclude_pids

    def recommend(self, title: str, seed_uris: list[str], n: int) -> list[Track]:
        if self.name == "title-knn":
            return [(t.track_uri, t.track_name, t.artist_name) for t in self._title_knn(title, seed_uris, n)]
        seeds = self.seed_ids(seed_uris)
        return self.filled(top_tracks(self.scores(title, seed_uris, n), n, exclude=seeds), seeds, n)

    def scores(self, title: str, seed_uris: list[str], depth: int) -> np.ndarray:
        """Every track's score (not title-kNN's: it ranks through the retriever); `depth`:
        how far down the hybrid reads title-kNN's list."""
        if self.name == "hybrid":
            return hybrid_scores(self.hybrid_parts(title, seed_uris, depth), self.hybrid, self._track_count())
        model = self._retriever.sources.model(self.name, self._exclude)
        return model.scores(self.seed_ids(seed_uris)) if model else np.zeros(self._track_count(), np.float32)

    def hybrid_parts(self, title: str, seed_uris: list[str], depth: int) -> dict[str, np.ndarray]:
        """Each of the hybrid's peers' scores for every track (title-kNN's beyond its top
        `depth` count as 0): what the hybrid weighs, kept apart so tuning scores many weightings."""
        seeds, count = self.seed_ids(seed_uris), self._track_count()
        parts = {}
        for name in HYBRID_SEEDED:
            model = self._retriever.sources.model(name, self._exclude) if seeds else None
            parts[name] = model.scores(seeds) if model else np.zeros(count, np.float32)
        voted = self._title_knn(title, seed_uris, depth) if title.strip() else []
        ids = self._retriever.sources.catalog.track_ids_for_uris([t.track_uri for t in voted])
        parts["title_knn"] = sparse_scores(np.array([ids[t.track_uri] for t in voted], np.int64),
                                           np.array([t.score for t in voted], np.float32), count)
        return parts

    def filled(self, found: np.ndarray, seeds: list[int], n: int) -> list[Track]:
        """`found` then the most-played tracks, to n, seeds never among them."""
        chosen = topped_up(found, self._retriever.sources.most_played(self._exclude), np.array(seeds, np.int64),
                           n).tolist()
        rows = self._retriever.sources.track_rows(chosen)
        return [tuple(rows[t]) for t in chosen]

    def _title_knn(self, title: str, seed_uris: list[str], n: int):
        options = GenerationOptions(n=n, k=TITLE_KNN_K, fusion=TITLE_KNN_WEIGHTS, exclude_pids=self._exclude,
                                    exclude_track_uris=frozenset(seed_uris))
        return self._retriever.generate(title, options).tracks

    def seed_ids(self, seed_uris: list[str]) -> list[int]:
        return list(self._retriever.sources.catalog.track_ids_for_uris(seed_uris).values())

    def _track_count(self) -> int:
        return len(self._retriever.sources.graph.plays)
