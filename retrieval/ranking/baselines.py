"""Baselines every evaluation reports beside the retriever.

- `PopularTracks`: the tracks in most playlists of the (training) catalog, whatever the title.
- `ExactTitle`: votes of the playlists whose normalised title equals the query's, the
  RecSys Challenge 2018 title baseline; empty when no known playlist has that title.
"""

from __future__ import annotations

import numpy as np

from retrieval.catalog import Catalog
from retrieval.normalize import normalize_title
from retrieval.ranking.sources import SignalSources
from retrieval.signals.voting import vote


class PopularTracks:
    def __init__(self, sources: SignalSources, exclude_pids: frozenset[int] = frozenset(), depth: int = 500):
        plays = sources.plays_array(exclude_pids)
        # Most played once the held-out playlists are left out, then lowest id.
        candidates = sources.most_played(exclude_pids)
        top = candidates[np.lexsort((candidates, -plays[candidates]))][:depth].tolist()
        rows = sources.catalog.track_rows(top)
        self.tracks = [(rows[t], float(plays[t])) for t in top]

    def recommend(self, title: str, n: int) -> list[tuple[tuple[str, str, str], float]]:
        """((uri, name, artist), score) of the n most popular tracks."""
        return self.tracks[:n]


class ExactTitle:
    def __init__(self, catalog: Catalog, exclude_pids: frozenset[int] = frozenset()):
        self.catalog = catalog
        self.exclude_pids = exclude_pids

    def recommend(self, title: str, n: int) -> list[tuple[tuple[str, str, str], float]]:
        title_id = self.catalog.title_id(normalize_title(title))
        if title_id is None:
            return []
        pids = [pid for pid, _ in self.catalog.playlists_with_title(title_id, 10**9, self.exclude_pids)]
        votes = vote([(pid, 1.0) for pid in pids], self.catalog.track_ids_of(pids))[:n]
        rows = self.catalog.track_rows(v.track_id for v in votes)
        return [(rows[v.track_id], v.score) for v in votes]
