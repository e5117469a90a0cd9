"""Cold start of `agent generate`: whole-process wall time, before (torch query encoder)
and after (ONNX), on the demo catalog and on an MPD sample, with an import-time breakdown.

    python benchmarks/bench_cold_start.py [--mpd ../shared/data/mpd_sample] [--runs 7]
        [--demo-home DIR] [--sample-home DIR]

Each run is a fresh `python` process answering `generate --title T --format json`; the
two paths alternate so machine noise hits both alike. "Before" is the same code with
AGENT_QUERY_ENCODER=torch (the path every query took before the ONNX export). Homes are
built in temporary dirs unless given. Prints Markdown; figures, not assertions.
"""

from __future__ import annotations

import argparse
import os
import re
import statistics
import subprocess
import sys
import tempfile
import time
from collections import defaultdict
from pathlib import Path

ROOT = Path(__file__).resolve().parents[1]
AGENT = ["-c", "from agent.cli import main; main()"]
PATHS = {"before (torch)": {"AGENT_QUERY_ENCODER": "torch"}, "after (ONNX)": {}}
GROUPS = ("torch", "transformers", "sentence_transformers", "chromadb", "onnxruntime", "tokenizers", "agent",
          "retrieval", "numpy", "pydantic", "rich", "click")
TITLES = ["road trip", "rainy sunday coding", "Housewarming Party", "christmas 🎄", "gym", "sad girl hours", "케이팝"]


def env_for(home: Path, extra: dict[str, str]) -> dict[str, str]:
    env = {**os.environ, "AGENT_HOME": str(home), "PYTHONPATH": str(ROOT), "HF_HUB_OFFLINE": "1"}
    env.pop("AGENT_QUERY_ENCODER", None)
    return {**env, **extra}


def run_agent(home: Path, args: list[str], extra: dict[str, str] | None = None, python_flags=()) -> subprocess.CompletedProcess:
    command = [sys.executable, *python_flags, *AGENT, *args]
    result = subprocess.run(command, capture_output=True, text=True, env=env_for(home, extra or {}))
    if result.returncode != 0:
        raise SystemExit(f"agent {' '.join(args)} failed:\n{result.stderr[-2000:]}")
    return result


def prepare(home: Path | None, mpd: Path | None) -> Path:
    if home is not None:
        return home
    home = Path(tempfile.mkdtemp(prefix="bench-cold-"))
    print(f"building {'the MPD sample' if mpd else 'the demo'} catalog in {home} ...", file=sys.stderr)
    run_agent(home, ["ingest", str(mpd)] if mpd else ["generate", "--title", "warm up"])
    return home


def cold_times(home: Path, runs: int) -> dict[str, list[float]]:
    times: dict[str, list[float]] = defaultdict(list)
    for i in range(runs):
        for label, extra in PATHS.items():
            started = time.perf_counter()
            run_agent(home, ["generate", "--title", TITLES[i % len(TITLES)], "--format", "json"], extra)
            times[label].append(time.perf_counter() - started)
    return times


def import_breakdown(home: Path, extra: dict[str, str]) -> dict[str, float]:
    """Seconds of import per top-level package (cumulative, outermost imports only)."""
    stderr = run_agent(home, ["generate", "--title", "road trip", "--format", "json"], extra, ("-X", "importtime")).stderr
    totals: dict[str, float] = defaultdict(float)
    for line in stderr.splitlines():
        found = re.match(r"import time:\s+\d+ \|\s+(\d+) \|( *)(\S+)", line)
        if found and len(found.group(2)) <= 1:  # an import nobody else triggered: counted once
            root = found.group(3).split(".")[0]
            totals[root if root in GROUPS else "other"] += int(found.group(1)) / 1e6
    totals["all imports"] = sum(totals.values())
    return totals


def interpreter_start(runs: int) -> float:
    samples = []
    for _ in range(runs):
        started = time.perf_counter()
        subprocess.run([sys.executable, "-c", "pass"], check=True)
        samples.append(time.perf_counter() - started)
    return statistics.median(samples)


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--mpd", type=Path, default=ROOT.parent / "shared" / "data" / "mpd_sample")
    parser.add_argument("--runs", type=int, default=7)
    parser.add_argument("--demo-home", type=Path)
    parser.add_argument("--sample-home", type=Path)
    args = parser.parse_args()
    homes = {"demo (2,400 playlists)": prepare(args.demo_home, None)}
    if args.sample_home or args.mpd.exists():
        homes["MPD sample"] = prepare(args.sample_home, args.mpd)

    print(f"Cold `agent generate --format json`, median of {args.runs} runs (s); "
          f"`python -c pass` alone: {interpreter_start(args.runs):.2f} s\n")
    print("| catalog | path | median | min | max |\n|---|---|---:|---:|---:|")
    for catalog, home in homes.items():
        for label, samples in cold_times(home, args.runs).items():
            print(f"| {catalog} | {label} | {statistics.median(samples):.2f} | {min(samples):.2f} | {max(samples):.2f} |")

    home = next(iter(homes.values()))
    breakdowns = {label: import_breakdown(home, extra) for label, extra in PATHS.items()}
    print("\nImport time by package, one `-X importtime` run on the demo (s):\n")
    print("| package | " + " | ".join(breakdowns) + " |\n|---|" + "---:|" * len(breakdowns))
    names = sorted({n for b in breakdowns.values() for n in b}, key=lambda n: -max(b.get(n, 0) for b in breakdowns.values()))
    for name in names:
        print(f"| {name} | " + " | ".join(f"{b.get(name, 0):.2f}" for b in breakdowns.values()) + " |")


if __name__ == "__main__":
    main()
