"""Stages 3 and 4: content clusters of playlist vectors, and which are coherent enough.

A cluster's coherence is the share of its playlists carrying its most frequent
normalised title. A cluster of scattered titles teaches the encoder nothing about
titles, so it is left out of fine-tuning (its playlists stay in the index).
"""

from __future__ import annotations

from collections import Counter
from collections.abc import Callable, Sequence
from dataclasses import dataclass

import numpy as np

from training.options import TrainingError

# Beyond this many playlists, mini-batch k-means: full k-means on the MPD takes hours.
_FULL_KMEANS_LIMIT = 200_000


def check_k(k: int, playlists: int) -> None:
    if playlists < 3:
        raise TrainingError(
            f"only {playlists} playlist(s) with a title and tracks; training needs at least 3 "
            "(one each for training, validation and test); ingest more MPD slices"
        )
    if k > playlists:
        raise TrainingError(
            f"--k {k} asks for more clusters than the {playlists:,} playlists with a title and tracks; "
            f"use --k {max(2, playlists // 20)} or fewer (about 20 playlists per cluster), or ingest more playlists"
        )


def kmeans(vectors: np.ndarray, k: int, seed: int) -> tuple[np.ndarray, float]:
    """Cluster labels (0..k-1) and the sum of squared distances to the centres (SSE)."""
    check_k(k, len(vectors))
    from sklearn.cluster import KMeans, MiniBatchKMeans

    if len(vectors) > _FULL_KMEANS_LIMIT:
        model = MiniBatchKMeans(n_clusters=k, random_state=seed, batch_size=4096, n_init=3)
    else:
        model = KMeans(n_clusters=k, random_state=seed, n_init=3)
    labels = model.fit_predict(vectors)
    return labels.astype(np.int64), float(model.inertia_)


def elbow(vectors: np.ndarray, ks: Sequence[int], seed: int, on_k: Callable[[int], None] | None = None) -> dict[int, float]:
    """SSE for each k that the data can hold (k below the number of playlists)."""
    sse = {}
    for k in sorted(set(ks)):
        if 2 <= k < len(vectors):
            sse[k] = kmeans(vectors, k, seed)[1]
        if on_k:
            on_k(k)
    return sse


@dataclass(frozen=True)
class Coherence:
    cluster: int
    size: int
    top_title_id: int
    share: float


def coherence(labels: np.ndarray, title_ids: np.ndarray) -> list[Coherence]:
    """Each non-empty cluster's most frequent title and its share of the cluster."""
    found = []
    for cluster in np.unique(labels):
        counts = Counter(title_ids[labels == cluster].tolist())
        title_id, top = counts.most_common(1)[0]
        size = sum(counts.values())
        found.append(Coherence(int(cluster), size, int(title_id), top / size))
    return found


@dataclass(frozen=True)
class KeptClusters:
    kept: frozenset[int]
    incoherent: frozenset[int]  # below --min-coherence
    too_small: frozenset[int]  # fewer playlists than splits, so not in every split
    playlists_removed: int

    def describe(self) -> str:
        return (
            f"{len(self.kept)} clusters kept; {len(self.incoherent)} below the coherence threshold and "
            f"{len(self.too_small)} too small for all three splits left out "
            f"({self.playlists_removed:,} playlists; they stay in the index)"
        )


def keep_coherent(clusters: Sequence[Coherence], min_coherence: float, min_size: int = 3) -> KeptClusters:
    incoherent = {c.cluster for c in clusters if c.share < min_coherence}
    too_small = {c.cluster for c in clusters if c.cluster not in incoherent and c.size < min_size}
    kept = {c.cluster for c in clusters} - incoherent - too_small
    if len(kept) < 2:
        best = max((c.share for c in clusters), default=0.0)
        raise TrainingError(
            f"--min-coherence {min_coherence:g} leaves {len(kept)} cluster(s) to learn from "
            f"({len(incoherent)} below it, {len(too_small)} with fewer than {min_size} playlists); "
            f"the most coherent cluster has {best:.3f}: lower --min-coherence below that, or lower --k"
        )
    removed = sum(c.size for c in clusters if c.cluster not in kept)
    return KeptClusters(frozenset(kept), frozenset(incoherent), frozenset(too_small), removed)
