"""Learning curve of the fine-tuned title encoders: the gain over the pre-trained MiniLM
(PT) against the number of training playlists, on real MPD titles.

    AGENT_HOME=DATA_DIR python benchmarks/bench_learning_curve.py ../shared/data/mpd_sample \
        [--sizes 1000,2000,all] [--variants ft-g,ft-c] [--epochs 2]

DATA_DIR gets the MPD files ingested when its catalog is empty (real titles only:
synthetic MPD-shaped data says nothing about how titles relate). For each size, one
training run (`agent train --max-train SIZE`, the clusters and split shared by all
sizes) fine-tunes each variant on at most SIZE training playlists; every model is then
scored on the SAME test playlists of the split, unseen in training, with similarity
voting at k=50 over an index of all non-test playlists, against PT on the same queries.
Differences carry paired 95% bootstrap intervals. Prints a Markdown table and writes
benchmarks/results/learning-curve.json. Figures, not assertions.
"""

from __future__ import annotations

import argparse
import json
import os
import sys
import time
from pathlib import Path

ROOT = Path(__file__).resolve().parents[1]
sys.path.insert(0, str(ROOT))
os.environ.setdefault("HF_HUB_OFFLINE", "1")

from agent.cli.progress import Bars  # noqa: E402
from agent.evaluation.bootstrap import paired_bootstrap  # noqa: E402
from agent.evaluation.jobs import QueryChoice, evaluate_encoders  # noqa: E402
from retrieval.catalog import Catalog  # noqa: E402
from retrieval.index.titles import ChromaLocation  # noqa: E402
from retrieval.mpd.ingest import ingest_paths  # noqa: E402
from training.models import read_metadata  # noqa: E402
from training.options import TrainOptions  # noqa: E402
from training.pipeline import train  # noqa: E402

VOTING, K = "similarity", 50
METRICS = ("ndcg@10", "r_precision")


def ensure_catalog(home: Path, mpd: Path) -> Catalog:
    catalog = Catalog(home / "catalog.sqlite")
    if catalog.is_empty():
        files = sorted(mpd.glob("*.json")) if mpd.is_dir() else [mpd]
        ingest_paths(catalog, files)
    return catalog


def one_size(catalog: Catalog, home: Path, size: int | None, variants: tuple[str, ...], epochs: int) -> dict:
    """Train the variants on at most `size` playlists, then score them and PT on the test split."""
    options = TrainOptions(variants=variants, epochs=epochs, patience=1, max_train=size, tsne_points=500)
    started = time.perf_counter()
    report = train(catalog, home, options, Bars())
    trained_seconds = time.perf_counter() - started
    names = {variant: Path(folder).name for variant, folder in report.models.items()}
    evaluation = evaluate_encoders(catalog, ChromaLocation(path=home / "chroma"), home, ["pt", *names.values()],
                                   [VOTING], [K], QueryChoice(), "uri", Bars())
    scores = {name: [q.scores[f"{name} {VOTING} k={K}"] for q in evaluation.per_query] for name in ["pt", *names.values()]}
    row = {"max_train": size, "queries": evaluation.queries, "train_seconds": round(trained_seconds, 1),
           "holdout": evaluation.holdout, "pt": {m: _mean(scores["pt"], m) for m in METRICS}, "variants": {}}
    for variant, name in names.items():
        metadata = read_metadata(Path(report.models[variant])) or {}
        comparisons = {m: paired_bootstrap([s[m] for s in scores["pt"]], [s[m] for s in scores[name]], m) for m in METRICS}
        row["variants"][variant] = {
            "model": name, "train_playlists": metadata.get("train_examples"), "train_pairs": metadata.get("train_pairs"),
            "best_epoch": metadata.get("best_epoch"), "epochs_run": metadata.get("epochs_run"),
            "validation": metadata.get("validation"),
            **{m: {"mean": c.candidate, "difference": list(c.difference)} for m, c in comparisons.items()},
        }
    return row


def _mean(per_query: list[dict], metric: str) -> float:
    return sum(s[metric] for s in per_query) / len(per_query)


def pays_off_from(rows: list[dict], variant: str, metric: str) -> int | None:
    """The smallest training size from which every larger size beats PT with an interval above zero."""
    found = None
    for row in sorted(rows, key=lambda r: r["variants"][variant]["train_playlists"]):
        result = row["variants"][variant]
        if result[metric]["difference"][1] > 0:
            found = found or result["train_playlists"]
        else:
            found = None
    return found


def markdown(rows: list[dict], variants: tuple[str, ...]) -> str:
    lines = ["| variant | training playlists (pairs) | NDCG@10: PT -> FT, difference [95% CI] "
             "| R-precision: PT -> FT, difference [95% CI] | best epoch | run s (all variants) |",
             "|---|---|---|---|---|---|"]
    for variant in variants:
        for row in rows:
            r = row["variants"][variant]
            pairs = f" ({r['train_pairs']:,} pairs)" if r.get("train_pairs") else ""
            cells = [f"{row['pt'][m]:.4f} -> {r[m]['mean']:.4f}, {_interval(r[m]['difference'])}" for m in METRICS]
            lines.append(f"| {variant} | {r['train_playlists']:,}{pairs} | {cells[0]} | {cells[1]} "
                         f"| {r['best_epoch']} of {r['epochs_run']} | {row['train_seconds']:.0f} |")
    return "\n".join(lines)


def _interval(difference: list[float]) -> str:
    return f"{difference[0]:+.4f} [{difference[1]:+.4f}, {difference[2]:+.4f}]"


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("mpd", type=Path, help="MPD slice files (a folder or one file) with real titles")
    parser.add_argument("--sizes", default="1000,2000,all", help="training playlists per run; all: the whole split")
    parser.add_argument("--variants", default="ft-g,ft-c")
    parser.add_argument("--epochs", type=int, default=2)
    args = parser.parse_args()
    home = Path(os.environ.get("AGENT_HOME", ".agent-home")).expanduser()
    sizes = [None if s.strip() == "all" else int(s) for s in args.sizes.split(",")]
    variants = tuple(v.strip() for v in args.variants.split(","))
    with ensure_catalog(home, args.mpd) as catalog:
        rows = [one_size(catalog, home, size, variants, args.epochs) for size in sizes]
    table = markdown(rows, variants)
    payoff = {v: {m: pays_off_from(rows, v, m) for m in METRICS} for v in variants}
    print(f"\n{rows[0]['queries']} test queries ({rows[0]['holdout']}); {VOTING} voting, k={K}, {args.epochs} epochs\n")
    print(table)
    for variant, metrics in payoff.items():
        print(f"\n{variant} beats PT (95% interval above zero): " + "; ".join(
            f"{metric} from {size:,} training playlists" if size else f"{metric} at no size measured"
            for metric, size in metrics.items()))
    out = ROOT / "benchmarks" / "results" / "learning-curve.json"
    out.parent.mkdir(parents=True, exist_ok=True)
    out.write_text(json.dumps({"voting": VOTING, "k": K, "epochs": args.epochs, "rows": rows,
                               "pays_off_from": payoff}, indent=2) + "\n")


if __name__ == "__main__":
    main()
