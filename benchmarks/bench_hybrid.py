"""Tune the peer hybrid's weights on the validation split (never the held-out one): item-kNN
fixed at 1, playlist-kNN, ALS and title-kNN each from a small grid, chosen by mean NDCG@10.

    AGENT_HOME=DATA_DIR python benchmarks/bench_hybrid.py --seeds 5 [--limit 300] [--grid 0,0.25,0.5,1]

Each query's four peer scores are computed once and every weighting is scored on them.
Writes benchmarks/results/hybrid-tuning.json (every weighting's mean, best first).
"""

from __future__ import annotations

import argparse
import itertools
import json
import random
import statistics
import sys
import time
from pathlib import Path

ROOT = Path(__file__).resolve().parents[1]
sys.path.insert(0, str(ROOT))

from agent.evaluation.continuation import given_and_hidden  # noqa: E402
from agent.evaluation.queries import held_out_queries  # noqa: E402
from agent.evaluation.runner import score  # noqa: E402
from agent.evaluation.tuning import validation_split  # noqa: E402
from agent.workspace import Workspace  # noqa: E402
from retrieval.collaborative.base import top_tracks  # noqa: E402
from retrieval.collaborative.hybrid import HybridWeights, hybrid_scores  # noqa: E402
from retrieval.collaborative.peers import Peer  # noqa: E402
from retrieval.generator import Retriever  # noqa: E402
from retrieval.index.titles import derive_index, drop_index, open_index  # noqa: E402

DEPTH = 500  # title-kNN's list, as the peer's
CUTOFF = 10  # NDCG@10 depends on the first 10 tracks only


def main() -> None:
    parser = argparse.ArgumentParser()
    parser.add_argument("--seeds", type=int, default=5)
    parser.add_argument("--limit", type=int, help="a random sample of this many playlists (default: all)")
    parser.add_argument("--grid", default="0,0.25,0.5,1")
    args = parser.parse_args()
    grid = [float(value) for value in args.grid.split(",")]
    workspace = Workspace.resolve()
    catalog = workspace.user_catalog()
    split, exclude = validation_split(catalog)
    queries = held_out_queries(catalog, split)
    if args.limit:
        queries = random.Random(0).sample(queries, min(args.limit, len(queries)))
    queries = [q for q in queries if len(dict.fromkeys(q.tracks)) > args.seeds]
    base = open_index(catalog, workspace.chroma)
    index = derive_index(catalog, base, workspace.chroma, exclude)
    try:
        peer = Peer("hybrid", Retriever(catalog, index), exclude)
        started, cases = time.perf_counter(), []
        for query in queries:
            seeds, truth = given_and_hidden(query.tracks, args.seeds)
            cases.append((peer.hybrid_parts(query.title, seeds, DEPTH), peer.seed_ids(seeds), truth))
        print(f"{len(cases)} validation queries, {args.seeds} seeds: peer scores in "
              f"{time.perf_counter() - started:.0f}s", flush=True)
        count = len(next(iter(cases[0][0].values())))
        means = []
        for playlistknn, als, title_knn in itertools.product(grid, repeat=3):
            weights = HybridWeights(itemknn=1.0, playlistknn=playlistknn, als=als, title_knn=title_knn)
            ndcg = [score(peer.filled(top_tracks(hybrid_scores(parts, weights, count), CUTOFF, exclude=seeds),
                                      seeds, CUTOFF), truth, "uri")["ndcg@10"] for parts, seeds, truth in cases]
            means.append((statistics.fmean(ndcg), weights.describe()))
        means.sort(reverse=True)
        for mean, described in means[:10]:
            print(f"ndcg@10 {mean:.4f}  {described}")
        out = ROOT / "benchmarks" / "results" / "hybrid-tuning.json"
        out.parent.mkdir(exist_ok=True)
        out.write_text(json.dumps({"split": "validation", "seeds": args.seeds, "queries": len(cases),
                                   "ndcg@10": [{"weights": d, "mean": m} for m, d in means]}, indent=1))
    finally:
        drop_index(workspace.chroma, index)
        catalog.close()


if __name__ == "__main__":
    main()
