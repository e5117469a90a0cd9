"""What the learned ranker costs a request: its features and its inference for 1,000 real
candidates (the fused ranking's best for common titles), median over titles and repeats,
with the load average beside them (the machine's other work shows in every figure).

    AGENT_HOME=DATA_DIR python benchmarks/bench_ranker_speed.py [--candidates 1000] [--repeats 20]

DATA_DIR needs a catalog, its index and a ranker (`agent tune --ranker`). Rows:
plays (read by track id), features (`candidate_features`), inference (predict, one thread),
inference on the default threads (what it was), the contributions for 10 shown tracks
(paid only when explanations are read), and a whole `reordered` of the first 200.
"""

from __future__ import annotations

import argparse
import os
import statistics
import sys
import time
from collections.abc import Callable
from pathlib import Path

ROOT = Path(__file__).resolve().parents[1]
sys.path.insert(0, str(ROOT))

from agent.workspace import Workspace  # noqa: E402
from retrieval.generator import GenerationOptions, Retriever  # noqa: E402
from retrieval.index.titles import open_index  # noqa: E402
from retrieval.ranking.learned import candidate_features  # noqa: E402

TITLES = ("dinner party", "road trip", "workout", "chill", "country", "throwback", "summer", "rap", "christmas",
          "party", "sleep", "rock")
SHOWN = 10


def times_ms(run: Callable[[], object], repeats: int) -> list[float]:
    times = []
    for _ in range(repeats):
        started = time.perf_counter()
        run()
        times.append((time.perf_counter() - started) * 1000)
    return times


def main() -> None:
    parser = argparse.ArgumentParser()
    parser.add_argument("--candidates", type=int, default=1000)
    parser.add_argument("--repeats", type=int, default=20)
    args = parser.parse_args()
    workspace = Workspace.resolve()
    catalog = workspace.user_catalog()
    retriever = Retriever(catalog, open_index(catalog, workspace.chroma))
    ranker, why_not = retriever.sources.learned_ranker()
    if ranker is None:
        raise SystemExit(f"no ranker to measure: {why_not}")
    booster = ranker._booster
    timings: dict[str, list[float]] = {}
    for title in TITLES:
        generated = retriever.generate(title, GenerationOptions(n=args.candidates))
        tracks, neighbours = generated.tracks, generated.neighbours
        ids = catalog.track_ids_for_uris([t.track_uri for t in tracks])
        track_ids = [ids[t.track_uri] for t in tracks]
        plays_of = retriever.sources.plays_getter(frozenset())
        plays = plays_of(track_ids)
        features = candidate_features(tracks, neighbours, plays, 0, True)
        runs = {
            "plays": lambda: plays_of(track_ids),
            "features": lambda: candidate_features(tracks, neighbours, plays, 0, True),
            "inference": lambda: booster.predict(features, num_threads=1),
            "inference, default threads": lambda: booster.predict(features),
            f"contributions, {SHOWN} tracks": lambda: booster.predict(features[:SHOWN], pred_contrib=True,
                                                                      num_threads=1),
            "plays + features + inference": lambda: booster.predict(
                candidate_features(tracks, neighbours, plays_of(track_ids), 0, True), num_threads=1),
            "reordered (200)": lambda: ranker.reordered(tracks, neighbours, plays, 0, True, SHOWN),
        }
        for name, run in runs.items():
            timings.setdefault(name, []).extend(times_ms(run, args.repeats))
    load = os.getloadavg()
    print(f"{len(TITLES)} titles x {args.repeats} repeats, {args.candidates} candidates each "
          f"({len(tracks)} for the last), {booster.num_trees()} trees; load average "
          f"{load[0]:.1f} {load[1]:.1f} {load[2]:.1f} on {os.cpu_count()} cores")
    print("| step | p50 ms | p90 ms |\n|---|---|---|")
    for name, times in timings.items():
        print(f"| {name} | {statistics.median(times):.2f} | {statistics.quantiles(times, n=10)[-1]:.2f} |")


if __name__ == "__main__":
    main()
