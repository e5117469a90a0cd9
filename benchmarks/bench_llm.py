"""Latency of each mode with a local GGUF (default: the bundled SmolLM2-135M) on the
demo catalog: retrieval, LLM rerank of the top candidates (plain and RRF-fused), and
pure-LLM generation with 0, 1 and 5 example songs.

    python benchmarks/bench_llm.py [--titles 5] [--n 10] [--candidates 50] [--model-path GGUF] [--threads N]

Prints a Markdown table (median, min, max seconds per playlist, LLM share, fallbacks)
and writes benchmarks/results/llm.json. Target (issue 5, 2 cores): a rerank of 50
candidates under 5 s. The first call of each title re-reads the prompt, later ones of
the same mode reuse llama.cpp's prompt cache only for the shared prefix; every title
here is new, so each figure includes reading its prompt. Figures, not assertions:
the load average is printed beside them, as shared machines are noisy.
"""

from __future__ import annotations

import argparse
import json
import os
import platform
import statistics
import sys
import tempfile
import time
from pathlib import Path

ROOT = Path(__file__).resolve().parents[1]
sys.path.insert(0, str(ROOT))

from agent.llm.config import LLMConfig  # noqa: E402
from agent.llm.local import default_threads  # noqa: E402
from agent.llm.registry import create_backend  # noqa: E402
from agent.playlist import ModeOptions, PlaylistRequest, make_playlist  # noqa: E402
from agent.workspace import Workspace, ensure_demo, open_retriever  # noqa: E402
from retrieval.generator import GenerationOptions  # noqa: E402

TITLES = ["summer road trip", "rainy sunday coding", "throwback thursday", "beach vibes", "late night drive",
          "wedding dance floor", "sad girl hours", "study focus"]


def modes(candidates: int) -> list[tuple[str, ModeOptions]]:
    return [
        ("retrieval", ModeOptions("retrieval")),
        (f"rerank {candidates}", ModeOptions("rerank", candidates=candidates)),
        (f"rerank {candidates} rrf", ModeOptions("rerank", candidates=candidates, fuse="rrf")),
        ("llm 0-shot", ModeOptions("llm", shots=0)),
        ("llm 1-shot", ModeOptions("llm", shots=1)),
        ("llm 5-shot", ModeOptions("llm", shots=5)),
    ]


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--titles", type=int, default=5)
    parser.add_argument("--n", type=int, default=10)
    parser.add_argument("--candidates", type=int, default=50)
    parser.add_argument("--model-path", type=Path)
    parser.add_argument("--threads", type=int)
    parser.add_argument("--data-dir", type=Path, help="default: a temporary dir (the demo is built, ~20 s)")
    args = parser.parse_args()

    home = args.data_dir or Path(tempfile.mkdtemp(prefix="bench-llm-"))
    workspace = Workspace.resolve(home)
    ensure_demo(workspace)
    config = LLMConfig().with_flags("local", args.model_path)
    if args.threads:
        config.local.n_threads = args.threads
    started = time.perf_counter()
    backend = create_backend(config)
    load_seconds = time.perf_counter() - started
    catalog, _ = workspace.active_catalog()
    retriever = open_retriever(catalog, workspace)
    retriever.generate("warm up", GenerationOptions(n=args.n))  # MiniLM's first call
    options = GenerationOptions(n=args.n)
    titles = TITLES[: args.titles]
    rows = []
    for name, mode in modes(args.candidates):
        seconds, llm_seconds, fallbacks, match_rates = [], [], 0, []
        for title in titles:
            playlist = make_playlist(retriever, backend, PlaylistRequest(title, options, mode))
            seconds.append(playlist.seconds)
            if playlist.llm:
                llm_seconds.append(playlist.llm.seconds)
                fallbacks += playlist.llm.fallback
            if playlist.match_rate is not None:
                match_rates.append(playlist.match_rate)
        rows.append({
            "mode": name, "median_s": statistics.median(seconds), "min_s": min(seconds), "max_s": max(seconds),
            "llm_median_s": statistics.median(llm_seconds) if llm_seconds else None,
            "fallbacks": fallbacks, "match_rate": statistics.fmean(match_rates) if match_rates else None,
        })
        print(f"  {name}: median {rows[-1]['median_s']:.2f} s", file=sys.stderr, flush=True)
    catalog.close()
    load = os.getloadavg()
    machine = {"python": platform.python_version(), "cpus": os.cpu_count(), "threads": args.threads or default_threads(),
               "loadavg_1_5_15": [round(x, 2) for x in load], "model": backend.model, "load_s": round(load_seconds, 2)}
    print(f"\n{backend.model} · {len(titles)} titles · n={args.n} · {machine['threads']} llama.cpp thread(s) · "
          f"{os.cpu_count()} CPUs · load average {load[0]:.1f} / {load[1]:.1f} / {load[2]:.1f} · model load {load_seconds:.2f} s\n")
    print("| mode | median s | min s | max s | LLM median s | fallbacks | match rate |")
    print("|---|---:|---:|---:|---:|---:|---:|")
    for row in rows:
        llm = f"{row['llm_median_s']:.2f}" if row["llm_median_s"] is not None else "-"
        rate = f"{row['match_rate']:.0%}" if row["match_rate"] is not None else "-"
        print(f"| {row['mode']} | {row['median_s']:.2f} | {row['min_s']:.2f} | {row['max_s']:.2f} | {llm} | "
              f"{row['fallbacks']}/{len(titles)} | {rate} |")
    out = ROOT / "benchmarks" / "results"
    out.mkdir(parents=True, exist_ok=True)
    (out / "llm.json").write_text(json.dumps({"machine": machine, "n": args.n, "titles": titles, "rows": rows}, indent=2))


if __name__ == "__main__":
    main()
