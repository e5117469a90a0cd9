"""Speed of the foundation on an MPD sample: ingestion, index build, warm query latency,
and a cold `agent generate` process.

    python benchmarks/bench_foundation.py [--mpd ../shared/data/mpd_sample] [--queries 200]

Prints a Markdown table and writes benchmarks/results/foundation.json. Targets (issue 2,
2 cores): ingestion >= 5,000 playlists/s; warm p50 <= 20 ms and p95 <= 50 ms for 500
tracks; cold `agent generate` <= 5 s. Figures, not assertions: the machines are noisy.
"""

from __future__ import annotations

import argparse
import json
import os
import platform
import random
import statistics
import subprocess
import sys
import tempfile
import time
from pathlib import Path

ROOT = Path(__file__).resolve().parents[1]
sys.path.insert(0, str(ROOT))

from retrieval.catalog import Catalog  # noqa: E402
from retrieval.encoding.encoder import Encoder  # noqa: E402
from retrieval.generator import GenerationOptions, Retriever  # noqa: E402
from retrieval.index.titles import ChromaLocation, build_index  # noqa: E402
from retrieval.mpd.ingest import ingest_paths  # noqa: E402

NOVEL_TITLES = [
    "Housewarming Party", "rainy sunday coding", "road trip", "christmas", "gym", "sad girl hours",
    "throwback thursday", "beach vibes", "study focus", "wedding dance floor", "halloween 🎃",
    "케이팝", "late night drive", "sunday brunch", "pregame", "summer 17",
]


def percentile(values: list[float], share: float) -> float:
    ordered = sorted(values)
    return ordered[min(len(ordered) - 1, int(round(share * (len(ordered) - 1))))]


def bench_ingest(mpd: Path, runs: int) -> dict:
    rates = []
    for _ in range(runs):
        with tempfile.TemporaryDirectory() as tmp:
            catalog = Catalog(Path(tmp) / "catalog.sqlite")
            summary = ingest_paths(catalog, [mpd])
            catalog.close()
            rates.append(summary.playlists / summary.seconds)
    return {"playlists": summary.playlists, "playlists_per_s_best": max(rates),
            "playlists_per_s_median": statistics.median(rates)}


def bench_queries(retriever: Retriever, titles: list[str], n: int) -> dict:
    options = GenerationOptions(n=n)
    for title in titles[:5]:
        retriever.generate(title, options)  # warm-up: first calls pay for lazy init
    seconds = []
    for title in titles:
        started = time.perf_counter()
        retriever.generate(title, options)
        seconds.append(time.perf_counter() - started)
    return {"n": n, "queries": len(titles), "p50_ms": 1000 * percentile(seconds, 0.5),
            "p95_ms": 1000 * percentile(seconds, 0.95)}


def bench_cold_cli(home: Path, runs: int) -> dict:
    env = {**os.environ, "AGENT_HOME": str(home), "HF_HUB_OFFLINE": "1"}
    agent = Path(sys.executable).with_name("agent")
    seconds = []
    for _ in range(runs):
        started = time.perf_counter()
        subprocess.run([str(agent), "generate", "--title", "road trip", "--format", "json"],
                       env=env, check=True, capture_output=True)
        seconds.append(time.perf_counter() - started)
    return {"runs": runs, "median_s": statistics.median(seconds), "best_s": min(seconds)}


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument("--mpd", type=Path, default=ROOT.parent / "shared" / "data" / "mpd_sample")
    parser.add_argument("--queries", type=int, default=200)
    parser.add_argument("--runs", type=int, default=3)
    args = parser.parse_args()
    if not args.mpd.exists():
        sys.exit(f"no MPD sample at {args.mpd}; pass --mpd PATH")

    results: dict = {"machine": {"cpus": os.cpu_count(), "python": platform.python_version()}}
    results["ingest"] = bench_ingest(args.mpd, args.runs)
    with tempfile.TemporaryDirectory() as tmp:
        home = Path(tmp)
        catalog = Catalog(home / "catalog.sqlite")
        ingest_paths(catalog, [args.mpd])
        encoder = Encoder()
        started = time.perf_counter()
        index = build_index(catalog, encoder, ChromaLocation(path=home / "chroma"))
        results["index"] = {"titles": index.info.titles, "seconds": time.perf_counter() - started}
        retriever = Retriever(catalog, index, encoder)
        names = list(catalog.playlist_names().values())
        titles = random.Random(0).sample(names, min(args.queries, len(names))) + NOVEL_TITLES
        results["query_500"] = bench_queries(retriever, titles, 500)
        results["query_10"] = bench_queries(retriever, titles, 10)
        catalog.close()
        results["cold_cli"] = bench_cold_cli(home, args.runs)

    out = ROOT / "benchmarks" / "results" / "foundation.json"
    out.parent.mkdir(parents=True, exist_ok=True)
    out.write_text(json.dumps(results, indent=2))
    print("| measure | figure | target |\n|---|---|---|")
    print(f"| ingestion ({results['ingest']['playlists']:,} playlists) | "
          f"{results['ingest']['playlists_per_s_best']:,.0f} playlists/s (best of {args.runs}) | >= 5,000 |")
    print(f"| index build ({results['index']['titles']:,} titles) | {results['index']['seconds']:.1f} s | |")
    for key in ("query_500", "query_10"):
        q = results[key]
        print(f"| warm query, {q['n']} tracks ({q['queries']} titles) | p50 {q['p50_ms']:.1f} ms, "
              f"p95 {q['p95_ms']:.1f} ms | p50 <= 20, p95 <= 50 ms |")
    print(f"| cold `agent generate` | median {results['cold_cli']['median_s']:.2f} s | <= 5 s |")
    print(f"\n(written to {out.relative_to(ROOT)})")


if __name__ == "__main__":
    main()
