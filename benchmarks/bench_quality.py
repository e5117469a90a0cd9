"""Warm query latency of retrieval at a given k, for 10 and 500 tracks, and of 5-seed
continuations: the cost of the quality signals.

    AGENT_HOME=DATA_DIR python benchmarks/bench_quality.py [--k 400] [--label after]

DATA_DIR holds an ingested, indexed catalog (`agent ingest ../shared/data/mpd_sample`).
Copy it into an older checkout's benchmarks/ and run it there for the "before" figures
(the seed requests are skipped where seeds do not exist). Prints a Markdown table and writes
benchmarks/results/quality-LABEL.json. Figures, not assertions: machines are noisy.
"""

from __future__ import annotations

import argparse
import dataclasses
import json
import os
import random
import sys
import time
from pathlib import Path

ROOT = Path(__file__).resolve().parents[1]
sys.path.insert(0, str(ROOT))

from bench_foundation import NOVEL_TITLES, percentile  # noqa: E402

from retrieval.catalog import Catalog  # noqa: E402
from retrieval.generator import GenerationOptions, Retriever  # noqa: E402
from retrieval.index.titles import ChromaLocation, open_index  # noqa: E402


def timed(retriever: Retriever, requests: list[tuple[str, GenerationOptions]], rounds: int) -> dict:
    for title, options in requests[:5]:
        retriever.generate(title, options)  # warm-up: lazy loading is not a query's cost
    seconds = []
    # Every query pays for encoding its title, as a title never asked before does.
    forget = retriever.forget_queries
    for _ in range(rounds):
        for title, options in requests:
            forget()
            started = time.perf_counter()
            retriever.generate(title, options)
            seconds.append(time.perf_counter() - started)
    return {"queries": len(seconds), "p50_ms": round(1000 * percentile(seconds, 0.5), 1),
            "p95_ms": round(1000 * percentile(seconds, 0.95), 1)}


def seed_requests(catalog: Catalog, count: int, seeds: int) -> list[tuple[str, GenerationOptions]]:
    rng = random.Random(0)
    pids = rng.sample(catalog.pids(), count)
    requests = []
    for pid in pids:
        playlist = catalog.playlist(pid)
        uris = tuple(dict.fromkeys(t.track_uri for t in playlist.tracks))[:seeds]
        requests.append((playlist.name or "", GenerationOptions(n=500, seed_uris=uris)))
    return requests


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--k", type=int, default=400)
    parser.add_argument("--rounds", type=int, default=3)
    parser.add_argument("--label", default="after")
    args = parser.parse_args()
    home = Path(os.environ.get("AGENT_HOME", ".")).expanduser()
    catalog = Catalog(home / "catalog.sqlite")
    retriever = Retriever(catalog, open_index(catalog, ChromaLocation(home / "chroma")))
    results = {"k": args.k, "label": args.label}
    for n in (10, 500):
        requests = [(title, GenerationOptions(n=n, k=args.k)) for title in NOVEL_TITLES]
        results[f"n{n}"] = timed(retriever, requests, args.rounds)
    if "seed_uris" in {f.name for f in dataclasses.fields(GenerationOptions)}:
        results["seeds5_n500"] = timed(retriever, seed_requests(catalog, 16, 5), args.rounds)
    print(f"| {args.label} (k={args.k}) | " + " | ".join(
        f"{name}: p50 {r['p50_ms']} ms, p95 {r['p95_ms']} ms" for name, r in results.items() if isinstance(r, dict)
    ) + " |")
    out = ROOT / "benchmarks" / "results" / f"quality-{args.label}.json"
    out.parent.mkdir(parents=True, exist_ok=True)
    out.write_text(json.dumps(results, indent=2) + "\n")


if __name__ == "__main__":
    main()
