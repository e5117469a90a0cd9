"""Cold start of `agent generate`: whole-process wall time on the demo catalog and on an
MPD sample, this checkout against earlier code, with an import-time breakdown.

    python benchmarks/bench_cold_start.py [--mpd ../shared/data/mpd_sample] [--runs 7]
        [--demo-home DIR] [--sample-home DIR] [--no-torch]
        [--before CODE_DIR [--before-demo-home DIR] [--before-sample-home DIR]]

Each run is a fresh `python` process answering `generate --title T --format json`; the
variants alternate so machine noise hits them alike:

- "after": this checkout;
- "torch query encoder": this checkout with AGENT_QUERY_ENCODER=torch (the path every
  query took before the ONNX export; `--no-torch` leaves it out);
- "before": the code in CODE_DIR (e.g. `git worktree add ../before main`), on homes
  built by that code, so each side reads the index files its own code writes.

Homes are built in temporary dirs unless given. The import table says, per variant, how
long importing each package took and whether chromadb was imported at all. Prints
Markdown with the load average; figures, not assertions.
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
from dataclasses import dataclass, field
from pathlib import Path

ROOT = Path(__file__).resolve().parents[1]
AGENT = ["-c", "from agent.cli import main; main()"]
GROUPS = ("torch", "transformers", "sentence_transformers", "chromadb", "onnxruntime", "tokenizers", "agent",
          "retrieval", "numpy", "pydantic", "rich", "click")
TITLES = ["road trip", "rainy sunday coding", "Housewarming Party", "christmas 🎄", "gym", "sad girl hours", "케이팝"]
DEMO, SAMPLE = "demo (2,400 playlists)", "MPD sample"


@dataclass
class Variant:
    label: str
    code: Path
    extra: dict[str, str] = field(default_factory=dict)
    homes: dict[str, Path] = field(default_factory=dict)  # catalog -> data dir


def env_for(variant: Variant, home: Path) -> dict[str, str]:
    env = {**os.environ, "AGENT_HOME": str(home), "PYTHONPATH": str(variant.code), "HF_HUB_OFFLINE": "1"}
    env.pop("AGENT_QUERY_ENCODER", None)
    return {**env, **variant.extra}


def run_agent(variant: Variant, home: Path, args: list[str], python_flags=()) -> subprocess.CompletedProcess:
    command = [sys.executable, *python_flags, *AGENT, *args]
    result = subprocess.run(command, capture_output=True, text=True, env=env_for(variant, home), cwd=variant.code)
    if result.returncode != 0:
        raise SystemExit(f"agent {' '.join(args)} ({variant.label}) failed:\n{result.stderr[-2000:]}")
    return result


def prepare(variant: Variant, home: Path | None, mpd: Path | None) -> Path:
    if home is not None:
        return home
    home = Path(tempfile.mkdtemp(prefix="bench-cold-"))
    what = "the MPD sample" if mpd else "the demo"
    print(f"building {what} catalog with {variant.label}'s code in {home} ...", file=sys.stderr)
    run_agent(variant, home, ["ingest", str(mpd)] if mpd else ["generate", "--title", "warm up"])
    return home


def cold_times(variants: list[Variant], catalog: str, runs: int) -> dict[str, list[float]]:
    times: dict[str, list[float]] = defaultdict(list)
    for i in range(runs):
        for variant in variants:
            started = time.perf_counter()
            run_agent(variant, variant.homes[catalog], ["generate", "--title", TITLES[i % len(TITLES)], "--format", "json"])
            times[variant.label].append(time.perf_counter() - started)
    return times


def import_breakdown(variant: Variant, home: Path) -> tuple[dict[str, float], bool]:
    """Seconds of import per top-level package (cumulative, outermost imports only), and
    whether chromadb was imported at all."""
    args = ["generate", "--title", "road trip", "--format", "json"]
    stderr = run_agent(variant, home, args, ("-X", "importtime")).stderr
    totals: dict[str, float] = defaultdict(float)
    for line in stderr.splitlines():
        found = re.match(r"import time:\s+\d+ \|\s+(\d+) \|( *)(\S+)", line)
        if found and len(found.group(2)) <= 1:  # an import nobody else triggered: counted once
            root = found.group(3).split(".")[0]
            totals[root if root in GROUPS else "other"] += int(found.group(1)) / 1e6
    totals["all imports"] = sum(totals.values())
    return totals, any(re.search(r"\|\s+chromadb$", line) for line in stderr.splitlines())


def interpreter_start(runs: int) -> float:
    samples = []
    for _ in range(runs):
        started = time.perf_counter()
        subprocess.run([sys.executable, "-c", "pass"], check=True)
        samples.append(time.perf_counter() - started)
    return statistics.median(samples)


def load_average() -> str:
    return "/".join(f"{value:.1f}" for value in os.getloadavg())


def variants_from(args: argparse.Namespace) -> list[Variant]:
    variants = [Variant("after", ROOT)]
    if args.torch:
        variants.append(Variant("torch query encoder", ROOT, {"AGENT_QUERY_ENCODER": "torch"}))
    if args.before:
        variants.append(Variant(f"before ({args.before.name})", args.before.resolve()))
    use_sample = args.sample_home or args.before_sample_home or args.mpd.exists()
    for variant in variants:
        own = variant.code != ROOT
        demo_home = args.before_demo_home if own else args.demo_home
        sample_home = args.before_sample_home if own else args.sample_home
        variant.homes[DEMO] = prepare(variant, demo_home, None)
        if use_sample:
            variant.homes[SAMPLE] = prepare(variant, sample_home, args.mpd)
    return variants


def print_imports(variants: list[Variant]) -> None:
    found = {v.label: import_breakdown(v, v.homes[DEMO]) for v in variants}
    breakdowns = {label: totals for label, (totals, _) in found.items()}
    print("\nImport time by package, one `-X importtime` run on the demo (s):\n")
    print("| package | " + " | ".join(breakdowns) + " |\n|---|" + "---:|" * len(breakdowns))
    names = sorted({n for b in breakdowns.values() for n in b}, key=lambda n: -max(b.get(n, 0) for b in breakdowns.values()))
    for name in names:
        print(f"| {name} | " + " | ".join(f"{b.get(name, 0):.2f}" for b in breakdowns.values()) + " |")
    print("| chromadb imported at all | " + " | ".join("yes" if chroma else "no" for _, chroma in found.values()) + " |")


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--mpd", type=Path, default=ROOT.parent / "shared" / "data" / "mpd_sample")
    parser.add_argument("--runs", type=int, default=7)
    parser.add_argument("--demo-home", type=Path)
    parser.add_argument("--sample-home", type=Path)
    parser.add_argument("--no-torch", dest="torch", action="store_false", help="leave out the torch query encoder")
    parser.add_argument("--before", type=Path, help="a checkout of earlier code to compare with")
    parser.add_argument("--before-demo-home", type=Path)
    parser.add_argument("--before-sample-home", type=Path)
    args = parser.parse_args()
    variants = variants_from(args)

    print(f"Cold `agent generate --format json`, median of {args.runs} runs (s); load average "
          f"(1/5/15 min) {load_average()} at the start; `python -c pass` alone: {interpreter_start(args.runs):.2f} s\n")
    print("| catalog | code | median | min | max |\n|---|---|---:|---:|---:|")
    for catalog in variants[0].homes:
        for label, samples in cold_times(variants, catalog, args.runs).items():
            print(f"| {catalog} | {label} | {statistics.median(samples):.2f} | {min(samples):.2f} | {max(samples):.2f} |")
    print_imports(variants)
    print(f"\nLoad average at the end: {load_average()}")


if __name__ == "__main__":
    main()
