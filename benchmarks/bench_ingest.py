"""Ingest against merely parsing the same files with the standard library's `json`,
side by side in one run, then the key-indexing step that follows an ingest.

    python benchmarks/synth_mpd.py --sample ../shared/data/mpd_sample --playlists 30000 --out /tmp/synth30k
    python benchmarks/bench_ingest.py /tmp/synth30k [--rounds 3] [--work DIR]

Each round parses every file with `json.loads` and ingests them all into a fresh
catalog, in alternating order; the best round of each is compared (the machine is
shared: the load average is printed beside every figure). Wall time is what a user
waits; CPU time (this process and its children, the process reading ahead) says how
much work it was, and the busier of the two processes what the wall time would be on
two idle cores. Then, on
the last catalog, "Indexing song and artist names" (`prepare_name_lookups`).
"""

from __future__ import annotations

import argparse
import json
import os
import resource
import shutil
import sys
import tempfile
import time
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parents[1]))

from retrieval.catalog import Catalog  # noqa: E402
from retrieval.mpd.ingest import ingest_paths  # noqa: E402
from retrieval.mpd.parse import find_files  # noqa: E402
from retrieval.resolve import prepare_name_lookups  # noqa: E402


def _cpu(who: int) -> float:
    usage = resource.getrusage(who)
    return usage.ru_utime + usage.ru_stime


def measured(function) -> dict:
    load, own, children, started = os.getloadavg()[0], _cpu(resource.RUSAGE_SELF), _cpu(resource.RUSAGE_CHILDREN), time.perf_counter()
    function()
    own, children = _cpu(resource.RUSAGE_SELF) - own, _cpu(resource.RUSAGE_CHILDREN) - children
    return {"wall_s": time.perf_counter() - started, "cpu_s": own + children, "own_cpu_s": own,
            "children_cpu_s": children, "load": load}


def parse_with_json(files: list[Path]) -> None:
    for path in files:
        json.loads(path.read_bytes())


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument("corpus", type=Path, help="a folder of mpd.slice.*.json files")
    parser.add_argument("--rounds", type=int, default=3)
    parser.add_argument("--work", type=Path, default=None, help="where the catalogs go (default: a temporary folder)")
    args = parser.parse_args()
    files = [path for path in find_files([args.corpus]) if path.name.startswith("mpd.slice.")]
    work = Path(tempfile.mkdtemp(prefix="bench-ingest-", dir=args.work))
    runs: dict[str, list[dict]] = {"json": [], "ingest": []}
    try:
        for round_ in range(args.rounds):
            catalog = Catalog(work / f"catalog-{round_}.sqlite")
            steps = [("json", lambda: parse_with_json(files)), ("ingest", lambda: ingest_paths(catalog, files))]
            for name, step in steps if round_ % 2 == 0 else steps[::-1]:
                runs[name].append(measured(step))
                print(f"round {round_ + 1} {name}: {_show(runs[name][-1])}", flush=True)
            if round_ < args.rounds - 1:
                catalog.close()
        names = measured(lambda: prepare_name_lookups(catalog))
        playlists = catalog.stats().playlists
        catalog.close()
    finally:
        shutil.rmtree(work, ignore_errors=True)
    best = {name: min(values, key=lambda run: run["wall_s"]) for name, values in runs.items()}
    print(f"\n{len(files)} files, {playlists:,} playlists; best of {args.rounds} rounds:")
    for name, run in best.items():
        print(f"  {name:7} {_show(run)}")
    ingest, parse = best["ingest"], best["json"]
    # Storing and reading ahead overlap: on two idle cores the ingest takes about as long
    # as the busier of the two processes.
    busier = max(ingest["own_cpu_s"], ingest["children_cpu_s"])
    print(f"  ingest / json: x{ingest['wall_s'] / parse['wall_s']:.2f} wall, x{ingest['cpu_s'] / parse['cpu_s']:.2f} CPU; "
          f"storing {ingest['own_cpu_s']:.2f} s CPU, reading ahead {ingest['children_cpu_s']:.2f} s CPU: "
          f"the busier one x{busier / parse['cpu_s']:.2f} the CPU of json")
    print(f"  indexing song and artist names: {_show(names)}")


def _show(run: dict) -> str:
    return f"{run['wall_s']:.2f} s wall, {run['cpu_s']:.2f} s CPU (load {run['load']:.1f})"


if __name__ == "__main__":
    main()
