"""The evaluation runner: held-out playlists (or a file of them) in, one report out.

It composes generators into named configurations (retrieval with a voting rule and k,
the baselines, later encoders and LLM modes), asks each for 500 tracks per query
title, and scores them with `retrieval.metrics.ranking`. The query's own playlist is never in
the index it searches: held-out playlists are removed from a temporary index and from
the neighbours, which the paper's evaluation code did not do.
"""

from __future__ import annotations

import os
import platform
import statistics
import time
from collections.abc import Callable, Mapping, Sequence

from agent.evaluation.configs import CUTOFFS, DEPTH, LLM_SONGS, MATCH_BY, EvalConfig
from agent.evaluation.queries import Query
from agent.evaluation.report import ConfigResult, EvalReport, QueryResult
from agent.playlist import PlaylistRequest, make_playlist
from retrieval.metrics import ranking as metrics
from retrieval.ranking.baselines import ExactTitle, PopularTracks
from retrieval.catalog import Catalog
from retrieval.ranking.fusion import PLAIN_WEIGHTS
from retrieval.generator import GenerationOptions, Retriever
from retrieval.normalize import artist_key, song_key

Recommendation = list[tuple[tuple[str | None, str, str], float]]  # ((uri, name, artist), score)


def _keys(tracks: Sequence[tuple[str, str, str]], match_by: str) -> tuple[list[str], dict[str, str]]:
    """Track identities to compare, and each identity's artist (for R-precision)."""
    keys, artist_of = [], {}
    for uri, name, artist in tracks:
        if match_by == "song":
            key = song_key(name, artist)
        else:  # a song an LLM named outside the catalog has no URI and can match nothing
            key = uri or f"not-in-catalog:{song_key(name, artist)}"
        keys.append(key)
        artist_of[key] = artist_key(artist)
    return keys, artist_of


def score(recommended: Sequence[tuple[str, str, str]], truth: Sequence[tuple[str, str, str]], match_by: str) -> dict[str, float]:
    rec_keys, rec_artists = _keys(recommended, match_by)
    true_keys, true_artists = _keys(truth, match_by)
    return metrics.evaluate_list(rec_keys, true_keys, CUTOFFS, artist_of={**rec_artists, **true_artists})


Generator = Callable[[str], tuple[Recommendation, dict[str, float]]]


def _generator(config: EvalConfig, retriever: Retriever, catalog: Catalog, exclude: frozenset[int],
               backend=None) -> Generator:
    """`title -> (recommendation, diagnostics)` for one configuration."""
    if config.kind == "popular":
        popular = PopularTracks(retriever.sources, exclude, depth=DEPTH)
        return lambda title: (popular.recommend(title, DEPTH), {})
    if config.kind == "exact":
        exact = ExactTitle(catalog, exclude)
        return lambda title: (exact.recommend(title, DEPTH), {})
    # An LLM names LLM_SONGS songs (the paper's Table 5 is at 10); rerank reorders the
    # top candidates of a 500-track retrieval, the rest keep retrieval order.
    depth = LLM_SONGS if config.mode == "llm" else DEPTH
    options = GenerationOptions(n=depth, k=config.k, voting=config.voting, exclude_pids=exclude,
                                fusion=_weights(config, retriever))
    request = PlaylistRequest(options=options, mode_options=config.mode_options)

    def generate(title: str) -> tuple[Recommendation, dict[str, float]]:
        playlist = make_playlist(retriever, backend, request.for_title(title))
        tracks = [((t.track_uri, t.track_name, t.artist_name), t.score) for t in playlist.tracks]
        return tracks, _llm_diagnostics(playlist)

    return generate


def _weights(config: EvalConfig, retriever: Retriever):
    if config.signals == "plain":
        return PLAIN_WEIGHTS
    if config.signals == "fused":
        return retriever.weights
    return retriever.weights.without(config.signals.removeprefix("-"))


def _llm_diagnostics(playlist) -> dict[str, float]:
    """How the LLM behaved on one query; empty for retrieval."""
    if playlist.llm is None:
        return {}
    found = {f"llm_{key}": float(value) for key, value in playlist.llm.diagnostics.items()
             if value is not None and key not in {"named", "kept", "matched"}}
    found["llm_fallback"] = float(playlist.llm.fallback)
    # One call per shuffled presentation is expected; only calls beyond those are retries.
    passes = int(playlist.llm.diagnostics.get("shuffles") or 1)
    found["llm_retries"] = float(max(0, playlist.llm.attempts - passes))
    if playlist.match_rate is not None:
        found["llm_match_rate"] = float(playlist.match_rate)
    return found


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
    backend=None,
) -> EvalReport:
    """Score every configuration on every query. `retriever` (and each of `retrievers`, by
    encoder name, for configurations naming an encoder) must search an index that holds
    none of the queries' own playlists."""
    if match_by not in MATCH_BY:
        raise ValueError(f"unknown match_by {match_by!r}; choose one of {', '.join(MATCH_BY)}")
    generators = {
        c.name: _generator(c, (retrievers or {}).get(c.encoder, retriever), catalog, exclude_pids, backend)
        for c in configs
    }
    seconds = {c.name: 0.0 for c in configs}
    per_query = []
    for done, query in enumerate(queries, 1):
        scores = {}
        for config in configs:
            started = time.perf_counter()
            recommended, diagnostics = generators[config.name](query.title)
            seconds[config.name] += time.perf_counter() - started
            scores[config.name] = score([track for track, _ in recommended], query.tracks, match_by) | diagnostics
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
    # Quality metrics exist for every query; LLM diagnostics only where they apply
    # (Kendall tau needs two picks), so each is averaged over the queries that have it.
    names = dict.fromkeys(m for q in per_query for m in q.scores[config.name])
    means = {}
    for metric in names:
        values = [q.scores[config.name][metric] for q in per_query if metric in q.scores[config.name]]
        values = [v for v in values if v == v]  # drop NaN
        if values:
            means[metric] = statistics.fmean(values)
    retrieval = config.kind == "retrieval"
    return ConfigResult(
        name=config.name, kind=config.kind, voting=config.voting if retrieval else None,
        k=config.k if retrieval else None, encoder=config.encoder if retrieval else None,
        mode=config.mode, means=means, seconds_per_query=seconds,
    )
