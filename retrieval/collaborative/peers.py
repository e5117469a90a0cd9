"""The field's methods as an evaluation's peers: what the fused ranking must beat.

- item-kNN, playlist-kNN, ALS and EASE continue a playlist from its seed tracks
  (`retrieval.collaborative`), fitted without the held-out playlists; a list they cannot
  fill is filled with the most-played tracks;
- title-kNN is title voting alone as the field tunes it: 200 nearest playlists, each
  voting similarity ** 3 (no other signal).
"""

from __future__ import annotations

from dataclasses import replace

import numpy as np

from retrieval.collaborative.base import top_tracks
from retrieval.ranking.fusion import PLAIN_WEIGHTS
from retrieval.generator import GenerationOptions, Retriever

PEERS = ("itemknn", "playlistknn", "als", "ease", "title-knn")
SEEDED_PEERS = ("itemknn", "playlistknn", "als", "ease")
TITLE_KNN_K = 200
TITLE_KNN_WEIGHTS = replace(PLAIN_WEIGHTS, sharpness=3.0)

Track = tuple[str, str, str]  # (uri, name, artist)


def check_peers(names: list[str]) -> None:
    unknown = [name for name in names if name not in PEERS]
    if unknown:
        raise ValueError(f"unknown peer {unknown[0]!r}; choose from {', '.join(PEERS)}")


class Peer:
    """One peer method, answering (title, seed URIs) with up to n tracks, seeds never among them."""

    def __init__(self, name: str, retriever: Retriever, exclude_pids: frozenset[int]):
        self.name = name
        self._retriever = retriever
        self._exclude = exclude_pids

    def recommend(self, title: str, seed_uris: list[str], n: int) -> list[Track]:
        if self.name == "title-knn":
            options = GenerationOptions(n=n, k=TITLE_KNN_K, fusion=TITLE_KNN_WEIGHTS, exclude_pids=self._exclude,
                                        exclude_track_uris=frozenset(seed_uris))
            return [(t.track_uri, t.track_name, t.artist_name) for t in self._retriever.generate(title, options).tracks]
        sources = self._retriever.sources
        seeds = list(sources.catalog.track_ids_for_uris(seed_uris).values())
        model = sources.model(self.name, self._exclude)
        found = top_tracks(model.scores(seeds), n, exclude=seeds) if model else np.empty(0, np.int64)
        popular = sources.most_played(self._exclude)[:n + len(seeds) + len(found)]
        fill = popular[~np.isin(popular, np.concatenate([found, np.array(seeds, np.int64)]))]
        chosen = np.concatenate([found, fill])[:n].tolist()
        rows = sources.catalog.track_rows(chosen)
        return [tuple(rows[t]) for t in chosen]
