"""Two late steps of a ranking: the collaborative model's scores as a signal, and the
discovery control, which trades the corpus's hits for the tracks the title and seeds
single out.

Discovery d in [0, 1] divides each candidate's fused score by plays ** (d x
DISCOVERY_EXPONENT): at 0 the ranking is untouched; at 1 a track in 100 playlists needs
10 times the votes of a track in 1 to stay level (at exponent 0.5). The change is recorded as the
"discovery" signal, so `--explain` still adds up.
"""

from __future__ import annotations

from collections.abc import Sequence

import numpy as np

from retrieval.collaborative.base import Recommender, top_tracks
from retrieval.signals.scores import TrackScores

DISCOVERY_EXPONENT = 0.5
COLLABORATIVE_CANDIDATES = 1000  # the model's best tracks that join the candidates


def collaborative_scores(model: Recommender | None, seed_ids: Sequence[int]) -> TrackScores:
    """The model's best tracks for the seeds, its best scoring 1 (none without a model)."""
    if model is None:
        return TrackScores.empty()
    scores = model.scores(seed_ids)
    best = np.sort(top_tracks(scores, COLLABORATIVE_CANDIDATES, exclude=seed_ids))
    if not len(best):
        return TrackScores.empty()
    values = scores[best].astype(np.float64)
    return TrackScores(best, values / values.max())


def discovered(tracks: np.ndarray, scores: np.ndarray, plays: np.ndarray, discovery: float,
               signals: dict[str, TrackScores], multipliers: dict[str, float]) -> np.ndarray:
    """`scores` divided by plays ** (discovery x DISCOVERY_EXPONENT), the change kept as a signal."""
    inside = (tracks >= 0) & (tracks < len(plays))
    counts = np.where(inside, plays[np.where(inside, tracks, 0)], 1)
    changed = scores / np.maximum(counts, 1) ** (discovery * DISCOVERY_EXPONENT)
    order = np.argsort(tracks)
    signals["discovery"], multipliers["discovery"] = TrackScores(tracks[order], (changed - scores)[order]), 1.0
    return changed
