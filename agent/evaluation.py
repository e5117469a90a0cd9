"""The evaluation runner: held-out playlists (or a file of them) in, one report out.

It composes generators into named configurations (retrieval with a voting rule and k,
the baselines, later encoders and LLM modes), asks each for 500 tracks per query
title, and scores them with `retrieval.metrics`. The query's own playlist is never in
the index it searches: held-out playlists are removed from a temporary index and from
the neighbours, which the paper's evaluation code did not do.
"""

from __future__ import annotations

import contextlib
import os
import platform
import statistics
import time
from collections.abc import Callable, Iterator, Mapping, Sequence
from dataclasses import dataclass
from pathlib import Path
from typing import NamedTuple

from pydantic import BaseModel, Field

from retrieval import metrics
from retrieval.baselines import ExactTitle, PopularTracks
from retrieval.catalog import Catalog
from retrieval.encoder import Encoder
from retrieval.generator import GenerationOptions, Retriever
from retrieval.index import ChromaLocation, TitleIndex, build_index, drop_index
from retrieval.mpd import read_file
from retrieval.normalize import artist_key, song_key
from retrieval.split import Split

DEPTH = 500  # the challenge's request size; every cutoff is scored from one list
CUTOFFS = (10, 66, 500)
HEADLINE = ("precision@10", "recall@10", "mrr@10", "ndcg@10", "hit@10", "r_precision")
LOWER_IS_BETTER = {"clicks"}
MATCH_BY = ("uri", "song")

Recommendation = list[tuple[tuple[str, str, str], float]]  # ((uri, name, artist), score)


class Query(NamedTuple):
    pid: int | None
    title: str
    tracks: list[tuple[str, str, str]]  # (uri, name, artist) of the real playlist


@dataclass(frozen=True)
class EvalConfig:
    """One column of the comparison."""

    kind: str  # "retrieval", "popular" or "exact"
    voting: str = "count"
    k: int = 50
    encoder: str | None = None  # a title encoder by name (pt, ft-c...); None: the retriever's own

    @property
    def name(self) -> str:
        if self.kind == "retrieval":
            return f"{self.encoder + ' ' if self.encoder else ''}{self.voting} k={self.k}"
        return {"popular": "popular", "exact": "exact title"}[self.kind]


def configurations(votings: Sequence[str], ks: Sequence[int], encoders: Sequence[str] = ()) -> list[EvalConfig]:
    """The retrieval grid (per encoder, when several are compared) plus the baselines, which every report carries."""
    grid = [EvalConfig("retrieval", voting, k, encoder) for encoder in (encoders or [None]) for voting in votings for k in ks]
    return grid + [EvalConfig("popular"), EvalConfig("exact")]


def held_out_queries(catalog: Catalog, split: Split) -> list[Query]:
    queries = []
    for pid in sorted(split.test_pids):
        playlist = catalog.playlist(pid)
        tracks = [(t.track_uri, t.track_name, t.artist_name) for t in playlist.tracks]
        queries.append(Query(pid, playlist.name or "", tracks))
    return queries


def file_queries(path: Path) -> tuple[list[Query], int]:
    """Playlists of an MPD-format file as queries; those without a title or tracks are skipped."""
    parsed = read_file(path)
    queries, skipped = [], 0
    for playlist in parsed.playlists:
        if not playlist.name or not playlist.name.strip() or not playlist.tracks:
            skipped += 1
            continue
        tracks = [(t.track_uri, t.track_name, t.artist_name) for t in playlist.tracks]
        queries.append(Query(playlist.pid, playlist.name, tracks))
    return queries, skipped


class ConfigResult(BaseModel):
    name: str
    kind: str
    voting: str | None = None
    k: int | None = None
    encoder: str | None = None
    means: dict[str, float]
    seconds_per_query: float


class QueryResult(BaseModel):
    pid: int | None
    title: str
    relevant: int
    scores: dict[str, dict[str, float]] = Field(description="config name -> metric -> value")


class EvalReport(BaseModel):
    created_at: str
    catalog: str
    catalog_fingerprint: str
    encoder: str
    holdout: str
    match_by: str
    depth: int = DEPTH
    queries: int
    results: list[ConfigResult]
    per_query: list[QueryResult]
    machine: dict[str, str | int | None]

    def best(self, metric: str) -> str:
        pick = min if metric in LOWER_IS_BETTER else max
        return pick(self.results, key=lambda r: r.means[metric]).name


def _keys(tracks: Sequence[tuple[str, str, str]], match_by: str) -> tuple[list[str], dict[str, str]]:
    """Track identities to compare, and each identity's artist (for R-precision)."""
    keys, artist_of = [], {}
    for uri, name, artist in tracks:
        key = uri if match_by == "uri" else song_key(name, artist)
        keys.append(key)
        artist_of[key] = artist_key(artist)
    return keys, artist_of


def score(recommended: Sequence[tuple[str, str, str]], truth: Sequence[tuple[str, str, str]], match_by: str) -> dict[str, float]:
    rec_keys, rec_artists = _keys(recommended, match_by)
    true_keys, true_artists = _keys(truth, match_by)
    return metrics.evaluate_list(rec_keys, true_keys, CUTOFFS, artist_of={**rec_artists, **true_artists})


def _generator(config: EvalConfig, retriever: Retriever, catalog: Catalog, exclude: frozenset[int]) -> Callable[[str], Recommendation]:
    if config.kind == "popular":
        popular = PopularTracks(catalog, exclude, depth=DEPTH)
        return lambda title: popular.recommend(title, DEPTH)
    if config.kind == "exact":
        exact = ExactTitle(catalog, exclude)
        return lambda title: exact.recommend(title, DEPTH)
    options = GenerationOptions(n=DEPTH, k=config.k, voting=config.voting, exclude_pids=exclude)

    def retrieve(title: str) -> Recommendation:
        playlist = retriever.generate(title, options)
        return [((t.track_uri, t.track_name, t.artist_name), t.score) for t in playlist.tracks]

    return retrieve


def run_evaluation(
    catalog: Catalog,
    retriever: Retriever,
    configs: Sequence[EvalConfig],
    queries: Sequence[Query],
    exclude_pids: frozenset[int],
    holdout: str,
    match_by: str = "uri",
    on_query: Callable[[int], None] | None = None,
    retrievers: Mapping[str, Retriever] | None = None,
) -> EvalReport:
    """Score every configuration on every query. `retriever` (and each of `retrievers`, by
    encoder name, for configurations naming an encoder) must search an index that holds
    none of the queries' own playlists."""
    if match_by not in MATCH_BY:
        raise ValueError(f"unknown --match-by {match_by!r}; choose one of {', '.join(MATCH_BY)}")
    generators = {
        c.name: _generator(c, (retrievers or {}).get(c.encoder, retriever), catalog, exclude_pids) for c in configs
    }
    seconds = {c.name: 0.0 for c in configs}
    per_query = []
    for done, query in enumerate(queries, 1):
        scores = {}
        for config in configs:
            started = time.perf_counter()
            recommended = generators[config.name](query.title)
            seconds[config.name] += time.perf_counter() - started
            scores[config.name] = score([track for track, _ in recommended], query.tracks, match_by)
        per_query.append(QueryResult(pid=query.pid, title=query.title, relevant=len(set(query.tracks)), scores=scores))
        if on_query:
            on_query(done)
    results = [_summary(c, per_query, seconds[c.name] / max(1, len(queries))) for c in configs]
    return EvalReport(
        created_at=time.strftime("%Y-%m-%dT%H:%M:%S"),
        catalog=str(catalog.path),
        catalog_fingerprint=catalog.fingerprint(),
        encoder=", ".join(r.index.info.encoder_name for r in retrievers.values()) if retrievers
        else retriever.index.info.encoder_name,
        holdout=holdout,
        match_by=match_by,
        queries=len(queries),
        results=results,
        per_query=per_query,
        machine={"python": platform.python_version(), "processor": platform.machine(), "cpus": os.cpu_count()},
    )


def _summary(config: EvalConfig, per_query: Sequence[QueryResult], seconds: float) -> ConfigResult:
    names = per_query[0].scores[config.name].keys() if per_query else []
    means = {m: statistics.fmean(q.scores[config.name][m] for q in per_query) for m in names}
    retrieval = config.kind == "retrieval"
    return ConfigResult(
        name=config.name, kind=config.kind, voting=config.voting if retrieval else None,
        k=config.k if retrieval else None, encoder=config.encoder if retrieval else None,
        means=means, seconds_per_query=seconds,
    )


# --------------------------------------------------------------------------- #
# Comparing title encoders (`--encoders pt,ft-c,ft-t`)
# --------------------------------------------------------------------------- #


@contextlib.contextmanager
def encoder_retrievers(
    catalog: Catalog,
    location: ChromaLocation,
    encoder_paths: Mapping[str, Path],
    exclude_pids: frozenset[int],
    on_progress: Callable[[str, int, int], None] | None = None,
) -> Iterator[dict[str, Retriever]]:
    """One retriever per encoder, each over a temporary index of the titles of the
    playlists not held out, embedded by that encoder; the indexes are dropped after."""
    built: list[TitleIndex] = []
    try:
        retrievers = {}
        for name, path in encoder_paths.items():
            encoder = Encoder(path)
            progress = (lambda done, total, name=name: on_progress(name, done, total)) if on_progress else None
            index = build_index(catalog, encoder, location, on_progress=progress, exclude_pids=exclude_pids, activate=False)
            built.append(index)
            retrievers[name] = Retriever(catalog, index, encoder)
        yield retrievers
    finally:
        for index in built:
            drop_index(location, index)
