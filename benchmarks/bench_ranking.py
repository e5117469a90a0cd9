"""Ranking variants on a validation split (or, once, the held-out split): the fused sum,
with ALS scores added, at several discovery settings, and the peers, per seed count, with
paired 95% bootstrap intervals against the first variant.

    AGENT_HOME=DATA_DIR python benchmarks/bench_ranking.py --split validation --seeds 0,5 \
        --variants base,als=0.5,disc=0.3 [--peers itemknn,als] [--limit 200] [--label NAME]

A variant is `base` or `+`-joined settings: `als=W` (FusionWeights.collaborative),
`disc=D` (GenerationOptions.discovery), `sharp=S` (FusionWeights.sharpness), `crowd=C` (FusionWeights.crowding), `seedw=W` (FusionWeights.seeds),
`ranker=1` (the learned ranker saved beside the catalog), or `paper` (the paper's method: count voting
by the 50 nearest titles alone, as `agent evaluate --ablate`'s "count k=50"). A peer is any of
`retrieval.collaborative.peers.PEERS`, `hybrid` included (its default, validation-tuned weights). Writes benchmarks/results/ranking-LABEL.json.
"""

from __future__ import annotations

import argparse
import json
import random
import statistics
import sys
import time
from dataclasses import replace
from pathlib import Path

ROOT = Path(__file__).resolve().parents[1]
sys.path.insert(0, str(ROOT))

from agent.evaluation.bootstrap import paired_bootstrap  # noqa: E402
from agent.evaluation.continuation import given_and_hidden  # noqa: E402
from agent.evaluation.popularity import head_uris, popularity_scores  # noqa: E402
from agent.evaluation.queries import held_out_queries  # noqa: E402
from agent.evaluation.runner import score  # noqa: E402
from agent.evaluation.tuning import validation_split  # noqa: E402
from agent.workspace import Workspace  # noqa: E402
from retrieval.generator import GenerationOptions, Retriever  # noqa: E402
from retrieval.index.titles import derive_index, drop_index, open_index  # noqa: E402
from retrieval.collaborative.peers import Peer  # noqa: E402
from retrieval.ranking.fusion import PLAIN_WEIGHTS  # noqa: E402
from retrieval.split import holdout  # noqa: E402

DEPTH = 500
METRICS = ("ndcg@10", "r_precision", "tail_ndcg@10", "head_share@10")


def variant_options(spec: str, retriever: Retriever, exclude: frozenset[int]) -> GenerationOptions:
    if spec == "paper":
        return GenerationOptions(n=DEPTH, k=50, voting="count", exclude_pids=exclude, fusion=PLAIN_WEIGHTS)
    weights, discovery, ranker = retriever.weights, 0.0, False
    for part in spec.split("+"):
        if part == "base":
            continue
        name, value = part.split("=")
        if name == "als":
            weights = replace(weights, collaborative=float(value))
        elif name == "disc":
            discovery = float(value)
        elif name == "ranker":
            ranker = value == "1"
        elif name == "sharp":
            weights = replace(weights, sharpness=float(value))
        elif name == "exact":
            weights = replace(weights, exact=float(value))
        elif name == "crowd":
            weights = replace(weights, crowding=float(value))
        elif name == "seedw":
            weights = replace(weights, seeds=float(value))
        else:
            raise SystemExit(f"unknown setting {name!r} in {spec!r}")
    return GenerationOptions(n=DEPTH, exclude_pids=exclude, fusion=weights, discovery=discovery, ranker=ranker)


def main() -> None:
    parser = argparse.ArgumentParser()
    parser.add_argument("--split", choices=("validation", "held-out"), default="validation")
    parser.add_argument("--seeds", default="0,5")
    parser.add_argument("--variants", default="base")
    parser.add_argument("--peers", default="")
    parser.add_argument("--limit", type=int)
    parser.add_argument("--label", default="run")
    args = parser.parse_args()
    workspace = Workspace.resolve()
    catalog = workspace.user_catalog()
    if args.split == "validation":
        split, exclude = validation_split(catalog)
    else:
        split = holdout(catalog, 0.1, 0)
        exclude = split.test_pids
    queries = held_out_queries(catalog, split)
    if args.limit:
        queries = random.Random(0).sample(queries, min(args.limit, len(queries)))
    base = open_index(catalog, workspace.chroma)
    index = derive_index(catalog, base, workspace.chroma, exclude)
    try:
        retriever = Retriever(catalog, index)
        head, _ = head_uris(retriever.sources, exclude)
        variants = [v for v in args.variants.split(",") if v]
        peers = [p for p in args.peers.split(",") if p]
        results = {}
        for count in [int(n) for n in args.seeds.split(",")]:
            work = [q for q in queries if len(dict.fromkeys(q.tracks)) > count]
            per = {}
            for name in variants + peers:
                started, found = time.perf_counter(), []
                peer = Peer(name, retriever, exclude) if name in peers else None
                options = None if peer else variant_options(name, retriever, exclude)
                for query in work:
                    seeds, truth = given_and_hidden(query.tracks, count)
                    if peer:
                        tracks = peer.recommend(query.title, seeds, DEPTH)
                    else:
                        playlist = retriever.generate(query.title, replace(options, seed_uris=tuple(seeds)))
                        tracks = [(t.track_uri, t.track_name, t.artist_name) for t in playlist.tracks]
                    uris = [t[0] for t in tracks]
                    found.append(score(tracks, truth, "uri") | popularity_scores(uris, [t[0] for t in truth], head))
                per[name] = found
                print(f"seeds {count} {name}: " + ", ".join(
                    f"{m} {_mean(found, m):.4f}" for m in METRICS) + f" ({len(found)} queries, "
                    f"{time.perf_counter() - started:.0f}s)", flush=True)
            first = variants[0] if variants else peers[0]
            for name in per:
                if name != first:
                    compared = paired_bootstrap([s["ndcg@10"] for s in per[first]], [s["ndcg@10"] for s in per[name]],
                                                "ndcg@10")
                    print(f"  seeds {count} {name} vs {first}: {compared.describe()}", flush=True)
            # Every metric per query (NaN where a playlist has no tail track), for intervals afterwards.
            results[count] = {name: {m: _mean(found, m) for m in METRICS} | {"per_query_ndcg@10": [
                s["ndcg@10"] for s in found], "per_query": {m: [s[m] for s in found] for m in METRICS}}
                for name, found in per.items()}
        out = ROOT / "benchmarks" / "results" / f"ranking-{args.label}.json"
        out.parent.mkdir(exist_ok=True)
        out.write_text(json.dumps({"split": args.split, "queries": len(queries), "results": results}, indent=1))
    finally:
        drop_index(workspace.chroma, index)
        catalog.close()


def _mean(found: list[dict[str, float]], metric: str) -> float:
    values = [s[metric] for s in found if s[metric] == s[metric]]
    return statistics.fmean(values) if values else float("nan")


if __name__ == "__main__":
    main()
