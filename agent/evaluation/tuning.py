"""Fitting the fusion weights to a user's own catalog (`agent tune`).

The weights are chosen on a validation split that never overlaps the split
`agent evaluate` reports on (held out with seed 0): playlists held out with another
seed, minus the reported ones, leave a temporary index together with the reported
ones, and a coordinate search over a small grid keeps the weights with the best
NDCG@10 (R-precision breaks ties).
"""

from __future__ import annotations

import statistics
from collections.abc import Callable, Sequence
from dataclasses import replace

from agent.evaluation.configs import DEPTH
from agent.evaluation.queries import Query, held_out_queries
from agent.evaluation.runner import score
from retrieval.catalog import Catalog
from retrieval.ranking.fusion import DEFAULT_WEIGHTS, FusionWeights
from retrieval.generator import GenerationOptions, Retriever
from retrieval.split import Split, holdout

REPORT_SEED = 0  # `agent evaluate`'s default split: never used for choosing
VALIDATION_SEED = 1
GRID: dict[str, tuple[float, ...]] = {
    "sharpness": (1.0, 2.0, 3.0, 4.0),
    "entity": (0.0, 1.0, 3.0, 5.0),
    "cooccurrence": (0.0, 0.1, 0.2),
    "artists": (0.0, 0.15, 0.3),
}
OBJECTIVE = ("ndcg@10", "r_precision")


def validation_split(catalog: Catalog, share: float = 0.1) -> tuple[Split, frozenset[int]]:
    """The validation playlists, and every playlist the tuning index must leave out."""
    reported = holdout(catalog, share, REPORT_SEED).test_pids
    validation = holdout(catalog, share, VALIDATION_SEED).test_pids - reported
    return Split(validation, share, VALIDATION_SEED, "playlist"), validation | reported


def validation_queries(catalog: Catalog, split: Split) -> list[Query]:
    return held_out_queries(catalog, split)


def mean_scores(retriever: Retriever, queries: Sequence[Query], weights: FusionWeights,
                exclude_pids: frozenset[int]) -> dict[str, float]:
    options = GenerationOptions(n=DEPTH, exclude_pids=exclude_pids, fusion=weights)
    found = []
    for query in queries:
        playlist = retriever.generate(query.title, options)
        found.append(score([(t.track_uri, t.track_name, t.artist_name) for t in playlist.tracks], query.tracks, "uri"))
    return {metric: statistics.fmean(s[metric] for s in found) for metric in OBJECTIVE}


def fit(retriever: Retriever, queries: Sequence[Query], exclude_pids: frozenset[int],
        on_step: Callable[[int, int], None] | None = None) -> tuple[FusionWeights, dict[str, float], dict[str, float]]:
    """(best weights, their scores, the built-in defaults' scores) by one coordinate pass."""
    steps = sum(len(values) for values in GRID.values())
    cache: dict[FusionWeights, dict[str, float]] = {}

    def measured(weights: FusionWeights) -> dict[str, float]:
        if weights not in cache:
            cache[weights] = mean_scores(retriever, queries, weights, exclude_pids)
        return cache[weights]

    def key(weights: FusionWeights) -> tuple[float, ...]:
        return tuple(round(measured(weights)[m], 6) for m in OBJECTIVE)

    best, done = DEFAULT_WEIGHTS, 0
    for name, values in GRID.items():
        for value in values:
            trial = replace(best, **{name: value})
            if key(trial) > key(best):
                best = trial
            done += 1
            if on_step:
                on_step(done, steps)
    return best, measured(best), measured(DEFAULT_WEIGHTS)
