"""Item-kNN and playlist-kNN at scale: read straight from the graph an index build saved
(`on_graph`), or fitted on the playlists x tracks matrix (`--ways matrix,graph`; since the
models read graphs only, fitting on a matrix rebuilds a graph from it; at 46a79d3 it
built the scipy model the docs' "fitted on the matrix" rows measure).

    python benchmarks/bench_neighbourhood_scale.py GRAPH_FOLDER [--queries 100] [--seeds 5]

GRAPH_FOLDER is a catalog's saved graph (`DATA_DIR/catalog.sqlite.graph/p...-layout2`).
Each (model, way) runs in a child process of its own, so its peak RSS is its own: the
time to make the model ready, the median and p95 time of a query whose seeds are the
first tracks of a random playlist, and the peak RSS. Prints Markdown.
"""

from __future__ import annotations

import argparse
import json
import resource
import statistics
import subprocess
import sys
import time
from pathlib import Path

ROOT = Path(__file__).resolve().parents[1]
sys.path.insert(0, str(ROOT))


def run_one(folder: Path, model: str, way: str, queries: int, seeds: int) -> dict:
    import numpy as np

    from retrieval.collaborative.base import playlist_matrix
    from retrieval.collaborative.models import MODELS
    from retrieval.graph.arrays import PlaylistGraph

    graph = PlaylistGraph.load(folder)
    started = time.perf_counter()
    recommender = MODELS[model]()
    if way == "graph":
        recommender.on_graph(graph, graph.plays)
    else:
        recommender.fit(playlist_matrix(graph))
    ready = time.perf_counter() - started
    rng = np.random.default_rng(0)
    offsets, tracks, _ = graph.csr_arrays()
    rows = rng.choice(len(offsets) - 1, queries, replace=False)
    times = []
    for row in rows:
        asked = tracks[offsets[row]:offsets[row + 1]][:seeds].tolist()
        started = time.perf_counter()
        recommender.scores(asked)
        times.append(time.perf_counter() - started)
    times.sort()
    return {"model": model, "way": way, "ready_s": round(ready, 2),
            "query_p50_ms": round(statistics.median(times) * 1000, 1),
            "query_p95_ms": round(times[int(0.95 * (len(times) - 1))] * 1000, 1),
            "peak_rss_mib": round(resource.getrusage(resource.RUSAGE_SELF).ru_maxrss / 1024)}


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("folder", type=Path)
    parser.add_argument("--queries", type=int, default=100)
    parser.add_argument("--seeds", type=int, default=5)
    parser.add_argument("--ways", default="matrix,graph")
    parser.add_argument("--one", help=argparse.SUPPRESS)  # model:way, run in this process
    args = parser.parse_args()
    if args.one:
        model, way = args.one.split(":")
        print(json.dumps(run_one(args.folder, model, way, args.queries, args.seeds)))
        return
    print(f"{args.folder.name}: {args.queries} queries of {args.seeds} seeds\n")
    print("| model | way | ready s | query p50 ms | query p95 ms | peak RSS MiB |\n|---|---|---:|---:|---:|---:|")
    for model in ("itemknn", "playlistknn"):
        for way in args.ways.split(","):
            done = subprocess.run([sys.executable, __file__, str(args.folder), "--one", f"{model}:{way}",
                                   "--queries", str(args.queries), "--seeds", str(args.seeds)],
                                  capture_output=True, text=True)
            if done.returncode:
                print(f"| {model} | {way} | failed: {done.stderr.strip().splitlines()[-1][:80]} | | | |", flush=True)
                continue
            row = json.loads(done.stdout)
            print(f"| {model} | {way} | {row['ready_s']} | {row['query_p50_ms']} | {row['query_p95_ms']} | "
                  f"{row['peak_rss_mib']} |", flush=True)


if __name__ == "__main__":
    main()
