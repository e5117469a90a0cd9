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
from retrieval.fusion import ABLATABLE, PLAIN_WEIGHTS
from retrieval.generator import DEFAULT_K, GenerationOptions, Retriever
from retrieval.index import ChromaLocation, TitleIndex, build_index, drop_index
from retrieval.mpd import read_file
from retrieval.normalize import artist_key, song_key
from retrieval.split import Split

DEPTH = 500  # the challenge's request size; every cutoff is scored from one list
LLM_SONGS = 10  # songs asked of an LLM in mode llm
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
    mode: str = "retrieval"  # with kind "retrieval": retrieval, rerank or llm (agent.modes)
    shots: int = 0
    fuse: str = "none"
    shuffles: int = 1
    # "plain": title votes alone (the paper's method and the voting rules); "fused": the
    # default signals (tuned weights when stored); "-entity" etc.: fused with one signal off.
    signals: str = "plain"

    @property
    def name(self) -> str:
        if self.kind == "retrieval":
            if self.signals != "plain":
                return f"fused k={self.k}" + (f" {self.signals}" if self.signals != "fused" else "")
            if self.mode == "llm":
                return f"llm {self.shots}-shot"
            prefix = f"{self.encoder} " if self.encoder else ""
            prefix += "rerank+rrf " if self.mode == "rerank" and self.fuse == "rrf" else ""
            prefix += "rerank " if self.mode == "rerank" and self.fuse != "rrf" else ""
            suffix = f" S={self.shuffles}" if self.mode == "rerank" and self.shuffles > 1 else ""
            return f"{prefix}{self.voting} k={self.k}{suffix}"
        return {"popular": "popular", "exact": "exact title"}[self.kind]


def configurations(
    votings: Sequence[str],
    ks: Sequence[int],
    encoders: Sequence[str] = (),
    modes: Sequence[str] = ("retrieval",),
    shots: Sequence[int] = (0,),
    fuses: Sequence[str] = ("none",),
    shuffles: Sequence[int] = (1,),
    fused: bool = False,
    ablate: bool = False,
) -> list[EvalConfig]:
    """The retrieval grid (per encoder, when several are compared), the fused default and
    its ablations, the LLM modes on the grid's first voting rule and k, and the baselines,
    which every report carries."""
    grid = []
    if "retrieval" in modes:
        grid = [EvalConfig("retrieval", v, k, e) for e in (encoders or [None]) for v in votings for k in ks]
        if fused or ablate:
            grid.append(EvalConfig("retrieval", "similarity", DEFAULT_K, signals="fused"))
        if ablate:
            grid += [EvalConfig("retrieval", "similarity", DEFAULT_K, signals=f"-{name}") for name in ABLATABLE]
    if "rerank" in modes:
        grid += [EvalConfig("retrieval", votings[0], ks[0], mode="rerank", fuse=fuse, shuffles=s)
                 for fuse in fuses for s in shuffles]
    if "llm" in modes:
        grid += [EvalConfig("retrieval", votings[0], ks[0], mode="llm", shots=n) for n in shots]
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
    mode: str = "retrieval"
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
        return pick((r for r in self.results if metric in r.means), key=lambda r: r.means[metric]).name


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
        popular = PopularTracks(catalog, exclude, depth=DEPTH)
        return lambda title: (popular.recommend(title, DEPTH), {})
    if config.kind == "exact":
        exact = ExactTitle(catalog, exclude)
        return lambda title: (exact.recommend(title, DEPTH), {})
    from agent.modes import ModeOptions, make_playlist

    # An LLM names LLM_SONGS songs (the paper's Table 5 is at 10); rerank reorders the
    # top candidates of a 500-track retrieval, the rest keep retrieval order.
    depth = LLM_SONGS if config.mode == "llm" else DEPTH
    options = GenerationOptions(n=depth, k=config.k, voting=config.voting, exclude_pids=exclude,
                                fusion=_weights(config, retriever))
    mode = ModeOptions(mode=config.mode, shots=config.shots, fuse=config.fuse, shuffles=config.shuffles)

    def generate(title: str) -> tuple[Recommendation, dict[str, float]]:
        playlist = make_playlist(retriever, backend, title, options, mode)
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
        raise ValueError(f"unknown --match-by {match_by!r}; choose one of {', '.join(MATCH_BY)}")
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
