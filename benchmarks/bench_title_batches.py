"""What encoding a server worker's waiting titles together saves: CPU time per request
for distinct titles answered one by one against in batches (as `agent serve --workers N`
hands them to a process), in one process, rounds alternating.

    python benchmarks/bench_title_batches.py DATA_DIR [--titles 600] [--batch 3] [--rounds 2]

DATA_DIR holds an ingested, indexed catalog. Prints the CPU milliseconds per request of
each round (process time, so other jobs on the machine change it less than wall time).
"""

from __future__ import annotations

import argparse
import sys
import time
from pathlib import Path

ROOT = Path(__file__).resolve().parents[1]
sys.path.insert(0, str(ROOT))
sys.path.insert(0, str(ROOT / "benchmarks"))

from agent.server.api import TitleBody, _request  # noqa: E402
from agent.server.app import ServeSettings  # noqa: E402
from agent.server.retrieval_pool import answer  # noqa: E402
from bench_serve import DISTINCT_TITLES, TITLES  # noqa: E402


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("home", type=Path)
    parser.add_argument("--titles", type=int, default=600)
    parser.add_argument("--batch", type=int, default=3)
    parser.add_argument("--rounds", type=int, default=2)
    args = parser.parse_args()
    service = ServeSettings(str(args.home), None, str(args.home / "catalog.sqlite"), False, 8).load_service()

    def drafts(titles: list[str]):
        return [_request(TitleBody(title=title, n=10, profile=None), "retrieval") for title in titles]

    for draft in drafts(TITLES):  # warm: every lazily built array read once
        answer(service, draft)
    titles = DISTINCT_TITLES[:args.titles]
    figures: dict[str, list[float]] = {"one by one": [], f"batches of {args.batch}": []}
    for _ in range(args.rounds):
        for way in figures:
            service.retriever().forget_queries()
            started = time.process_time()
            for start in range(0, len(titles), args.batch):
                batch = drafts(titles[start:start + args.batch])
                if way != "one by one":
                    service.encode_titles(batch)
                for draft in batch:
                    answer(service, draft)
            figures[way].append((time.process_time() - started) / len(titles) * 1000)
    for way, rounds in figures.items():
        print(f"{way}: " + ", ".join(f"{ms:.2f}" for ms in rounds) + " CPU ms per request")


if __name__ == "__main__":
    main()
