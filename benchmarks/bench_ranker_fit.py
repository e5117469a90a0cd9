"""The learned ranker's fit on the validation playlists: collects the training queries once
(kept in benchmarks/results/ranker-data-*.pkl, one per set of categories and features),
then fits with several settings and prints each one's NDCG@10 on the held-back titles
against the fused order (over all queries and over those with random seeds), and the
learning curve against the number of training queries.

    AGENT_HOME=DATA_DIR python benchmarks/bench_ranker_fit.py [--limit 430] [--save]
    AGENT_HOME=DATA_DIR python benchmarks/bench_ranker_fit.py --sizes 100,200,400,800,all [--draws 3]

--sizes fits the default settings on that many training queries (drawn at random from the
training titles, `--draws` times each; the stopping fold stays whole) and prints the
stopping fold's NDCG@10 against the fused order with a paired 95% bootstrap interval.

    AGENT_HOME=DATA_DIR python benchmarks/bench_ranker_fit.py --folds 5 --playlists 400 --save

--folds collects on K catalog folds (`training.ranker_folds`) instead, with the validation
split hidden as well as the reported one, so `bench_ranking.py --split validation` then
judges a ranker that never learned from a validation playlist. Every askable playlist is
collected once (benchmarks/results/ranker-folds-*.pkl); --playlists N fits on the queries
of the N playlists `agent tune --ranker --playlists N` would ask (a subset of a larger N's).
"""

from __future__ import annotations

import argparse
import pickle
import random
import statistics
import sys
import time
import zlib
from pathlib import Path

import numpy as np

ROOT = Path(__file__).resolve().parents[1]
sys.path.insert(0, str(ROOT))

from agent.evaluation.bootstrap import paired_bootstrap  # noqa: E402
from agent.evaluation.tuning import validation_queries, validation_split  # noqa: E402
from agent.workspace import Workspace  # noqa: E402
from retrieval.generator import Retriever  # noqa: E402
from retrieval.index.titles import derive_index, drop_index, open_index  # noqa: E402
from retrieval.ranking.learned import ranker_folder  # noqa: E402
from retrieval.ranking.learned import FEATURES  # noqa: E402
from training import ranker, ranker_folds  # noqa: E402

# Queries collected for other categories or features cannot be fitted with these.
_ASKED = zlib.crc32(repr((ranker.CATEGORIES, FEATURES)).encode())
CACHE = ROOT / "benchmarks" / "results" / f"ranker-data-{_ASKED:08x}.pkl"
TRIALS = [{"learning_rate": 0.05, "num_leaves": 31, "min_child_samples": 20}, {"num_leaves": 7, "min_child_samples": 50},
          {"learning_rate": 0.1, "num_leaves": 15}, {"num_leaves": 7, "min_child_samples": 100, "learning_rate": 0.02}]


def main() -> None:
    parser = argparse.ArgumentParser()
    parser.add_argument("--limit", type=int)
    parser.add_argument("--save", action="store_true", help="fit the default settings and save the ranker")
    parser.add_argument("--sizes", help="learning curve: comma-separated training-query counts, or all")
    parser.add_argument("--draws", type=int, default=3, help="random draws of the training queries per size")
    parser.add_argument("--folds", type=int, help="collect on this many catalog folds (training.ranker_folds)")
    parser.add_argument("--playlists", help="with --folds: playlists asked, or all")
    args = parser.parse_args()
    if args.folds:
        return on_folds(args.folds, args.playlists or "all", args.save)
    if CACHE.exists():
        data = pickle.loads(CACHE.read_bytes())
    else:
        workspace = Workspace.resolve()
        catalog = workspace.user_catalog()
        split, leave_out = validation_split(catalog)
        pids = [q.pid for q in validation_queries(catalog, split)][:args.limit]
        index = derive_index(catalog, open_index(catalog, workspace.chroma), workspace.chroma, leave_out)
        try:
            started = time.perf_counter()
            data = ranker.collect(Retriever(catalog, index), catalog, pids, leave_out)
            print(f"collected {len(data.labels)} queries from {len(pids)} playlists in "
                  f"{time.perf_counter() - started:.0f}s", flush=True)
        finally:
            drop_index(workspace.chroma, index)
        CACHE.parent.mkdir(exist_ok=True)
        CACHE.write_bytes(pickle.dumps(data))
    if args.save:
        workspace = Workspace.resolve()
        catalog = workspace.user_catalog()
        started = time.perf_counter()
        booster, figures = ranker.fit(data)
        ranker.save(booster, ranker_folder(catalog.path), catalog.signals_fingerprint(), figures,
                    time.perf_counter() - started)
        print("saved", figures, flush=True)
        return
    if args.sizes:
        learning_curve(data, args.sizes.split(","), args.draws)
        return
    for trial in TRIALS:
        ranker.SETTINGS = replace_settings(trial)
        started = time.perf_counter()
        _, figures = ranker.fit(data)
        print(trial, figures, f"{time.perf_counter() - started:.1f}s", flush=True)


def on_folds(folds: int, playlists: str, save: bool) -> None:
    workspace = Workspace.resolve()
    catalog = workspace.user_catalog()
    _, leave_out = validation_split(catalog)
    cache = ROOT / "benchmarks" / "results" / f"ranker-folds-{_ASKED:08x}-k{folds}.pkl"
    if cache.exists():
        data = pickle.loads(cache.read_bytes())
    else:
        plan = ranker_folds.plan_folds(catalog, leave_out, folds, playlists=len(catalog.pids()))
        started = time.perf_counter()
        data = ranker_folds.collect_folds(catalog, open_index(catalog, workspace.chroma), workspace.chroma, plan,
                                          leave_out)
        print(f"collected {len(data.labels)} queries from {sum(map(len, plan.asked))} playlists in "
              f"{time.perf_counter() - started:.0f}s", flush=True)
        cache.parent.mkdir(exist_ok=True)
        cache.write_bytes(pickle.dumps(data))
    count = len(catalog.pids()) if playlists == "all" else int(playlists)
    plan = ranker_folds.plan_folds(catalog, leave_out, folds, count)
    subset = data.of_playlists({pid for asked in plan.asked for pid in asked})
    started = time.perf_counter()
    booster, figures = ranker.fit(subset)
    seconds = time.perf_counter() - started
    print(f"{sum(map(len, plan.asked))} playlists asked, {len(set(subset.pids))} with queries: "
          f"{figures} (fit {seconds:.1f}s)", flush=True)
    if save:
        ranker.save(booster, ranker_folder(catalog.path), catalog.signals_fingerprint(), figures, seconds,
                    training=ranker_folds.training_record(plan, subset, len(leave_out)))


def learning_curve(data: ranker.RankerData, sizes: list[str], draws: int) -> None:
    """The default settings fitted on growing random subsets of the training titles' queries,
    each judged on the same whole stopping fold (which also stops the boosting, as in `fit`)."""
    stopping = [i for i, fold in enumerate(data.folds) if fold == 0]
    training = [i for i, fold in enumerate(data.folds) if fold != 0]
    fused = [ranker._ndcg10(data.labels[i], -np.arange(len(data.labels[i]))) for i in stopping]
    print(f"stopping fold: {len(stopping)} queries, fused order NDCG@10 {statistics.fmean(fused):.4f}", flush=True)
    for size in sizes:
        count = len(training) if size == "all" else min(int(size), len(training))
        for draw in range(1 if count == len(training) else draws):
            chosen = sorted(random.Random(draw).sample(training, count)) + stopping
            subset = ranker.RankerData([data.features[i] for i in chosen], [data.labels[i] for i in chosen],
                                       [data.folds[i] for i in chosen], [data.random_seeds[i] for i in chosen])
            started = time.perf_counter()
            booster, figures = ranker.fit(subset)
            ranked = [ranker._ndcg10(data.labels[i], booster.predict(data.features[i])) for i in stopping]
            print(f"training queries {count} draw {draw}: trees {figures['trees']}, "
                  f"{paired_bootstrap(fused, ranked, 'ndcg@10').describe()} ({time.perf_counter() - started:.1f}s)",
                  flush=True)


def replace_settings(trial: dict) -> dict:
    return {**BASE, **trial}


BASE = dict(ranker.SETTINGS)

if __name__ == "__main__":
    main()
