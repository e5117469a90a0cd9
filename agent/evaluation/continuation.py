"""Evaluation of playlist continuation (the RecSys Challenge 2018 task).

Each held-out playlist is given as its title and its first N tracks (the seeds); the
rest of it is the ground truth, and the seeds never count as hits. For every N the
fused method (title and seeds), title voting alone, seed co-occurrence alone (without
the seeds' artists either), the most-played tracks and any peers asked for
(`retrieval.collaborative.peers`) are scored side by side, with tail-NDCG, head share and coverage.
"""

from __future__ import annotations

import statistics
from collections.abc import Callable, Sequence
from dataclasses import replace

from pydantic import BaseModel

from agent.evaluation.configs import DEPTH, HEADLINE
from agent.evaluation.popularity import CUTOFF, head_uris, popularity_scores
from agent.evaluation.queries import Query
from agent.evaluation.runner import score
from retrieval.ranking.baselines import PopularTracks
from retrieval.generator import GenerationOptions, Retriever
from retrieval.collaborative.peers import SEEDED_PEERS, Peer
from retrieval.metrics.popularity import coverage_at

SEED_COUNTS = (0, 1, 5, 10, 25)
METHODS = ("fused", "title only", "co-occurrence only", "popular")
METRICS = HEADLINE + ("ndcg@500", "recall@500", f"tail_ndcg@{CUTOFF}", f"head_share@{CUTOFF}")


class ContinuationRow(BaseModel):
    seeds: int
    method: str
    queries: int
    means: dict[str, float]


class ContinuationReport(BaseModel):
    holdout: str
    rows: list[ContinuationRow]

    def mean(self, seeds: int, method: str, metric: str) -> float | None:
        for row in self.rows:
            if row.seeds == seeds and row.method == method:
                return row.means.get(metric)
        return None


def continuation_report(
    retriever: Retriever,
    queries: Sequence[Query],
    exclude_pids: frozenset[int],
    holdout: str,
    seed_counts: Sequence[int] = SEED_COUNTS,
    on_query: Callable[[int, int], None] | None = None,
    peers: Sequence[str] = (),
) -> ContinuationReport:
    """Score every method (and each of `peers`) for every seed count on the queries long
    enough to have a rest."""
    popular = PopularTracks(retriever.sources, exclude_pids, depth=DEPTH + max(seed_counts))
    base = GenerationOptions(n=DEPTH, exclude_pids=exclude_pids)
    head, played = head_uris(retriever.sources, exclude_pids)
    peer_of = {name: Peer(name, retriever, exclude_pids) for name in peers}
    work = [(n, q) for n in seed_counts for q in queries if len(dict.fromkeys(q.tracks)) > n]
    scores: dict[tuple[int, str], list[dict[str, float]]] = {}
    shown: dict[tuple[int, str], list[list[str]]] = {}
    for done, (count, query) in enumerate(work, 1):
        seeds, truth = given_and_hidden(query.tracks, count)
        methods = list(METHODS if count else ("fused", "popular")) + [p for p in peers if count or p not in SEEDED_PEERS]
        for method in methods:
            recommended = (peer_of[method].recommend(query.title, seeds, DEPTH) if method in peer_of
                           else _recommend(method, retriever, popular, base, query.title, seeds))
            uris = [track[0] for track in recommended]
            found = score(recommended, truth, "uri") | popularity_scores(uris, [t[0] for t in truth], head)
            scores.setdefault((count, method), []).append(found)
            shown.setdefault((count, method), []).append(uris[:CUTOFF])
        if on_query:
            on_query(done, len(work))
    rows = [
        ContinuationRow(seeds=count, method=method, queries=len(found),
                        means=_means(found) | {f"coverage@{CUTOFF}": coverage_at(shown[count, method], played, CUTOFF)})
        for (count, method), found in scores.items()
    ]
    return ContinuationReport(holdout=holdout, rows=rows)


def _means(found: list[dict[str, float]]) -> dict[str, float]:
    """Each metric's mean over the queries where it is defined (tail-NDCG is not where
    every relevant track is a hit)."""
    means = {}
    for metric in METRICS:
        values = [s[metric] for s in found if s[metric] == s[metric]]
        means[metric] = statistics.fmean(values) if values else float("nan")
    return means


def given_and_hidden(tracks: Sequence[tuple[str, str, str]], count: int) -> tuple[list[str], list[tuple[str, str, str]]]:
    """The seed URIs (the first `count` tracks) and the ground truth: the rest, less any
    repeat of a seed, so a seed can never count as a hit."""
    seeds = list(dict.fromkeys(track[0] for track in tracks[:count]))
    return seeds, [track for track in tracks[count:] if track[0] not in seeds]


def _recommend(method: str, retriever: Retriever, popular: PopularTracks, base: GenerationOptions,
               title: str, seeds: list[str]) -> list[tuple[str, str, str]]:
    if method == "popular":
        return [track for track, _ in popular.recommend(title, DEPTH + len(seeds)) if track[0] not in seeds][:DEPTH]
    if method == "title only":  # the seeds are only kept out of the output
        options = replace(base, exclude_track_uris=frozenset(seeds))
    elif method == "co-occurrence only":
        options = replace(base, seed_uris=tuple(seeds), fusion=replace(retriever.weights, seed_artists=0.0, tags=0.0))
    else:
        options = replace(base, seed_uris=tuple(seeds))
    playlist = retriever.generate("" if method == "co-occurrence only" else title, options)
    return [(t.track_uri, t.track_name, t.artist_name) for t in playlist.tracks]
