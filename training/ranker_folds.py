"""The learned ranker's training queries from K catalog folds over all playlists.

Every playlist that `leave_out` does not hold (evaluation's reported split) falls in one of
K folds by a hash of its normalised title, so identical titles share a fold. Each fold in
turn is hidden, with `leave_out`, from a temporary index (`derive_index`) and from every
signal (`exclude_pids`, which the playlist graph's counts and the collaborative models
already honour), and a sample of its playlists is asked as the challenge's categories ask
(`ranker.collect`). So every playlist asked is hidden from its own query, no identical
title sits beside it, and the other K - 1 folds answer it, as the whole catalog answers a
user. The cap on playlists asked is spread evenly over the folds; each fold's playlists
are shuffled once with a fixed seed and its first ones asked, so a smaller cap asks a
subset of a larger one's playlists (the learning curve in docs/ranking.md).
"""

from __future__ import annotations

import random
import time
from collections.abc import Callable
from dataclasses import dataclass
from pathlib import Path

from retrieval.catalog import Catalog
from retrieval.encoding.encoder import Encoder
from retrieval.generator import Retriever
from retrieval.index.store import ChromaLocation
from retrieval.index.titles import TitleIndex, derive_index, drop_index
from retrieval.normalize import normalize_title
from training.ranker import RankerData, collect, fit, save, title_fold

FOLDS = 5
# Each fold builds its own temporary index: 100 already takes twenty times the default run,
# and a count such as 10**20 would have its per-fold lists fill the memory first.
MAX_FOLDS = 100
# Asked in all, spread over the folds: `agent tune --ranker` on the 4,865-playlist MPD
# sample in about 5 minutes on 2 busy cores (docs/ranking.md, "Trained on catalog folds").
PLAYLISTS = 1200
SEED = 0
# A category asks a title (one track left to find) or five tracks without one (six).
_ASKABLE_UNTITLED = 6


@dataclass(frozen=True)
class FoldPlan:
    folds: int
    members: list[frozenset[int]]  # each fold's playlists: hidden while it is asked
    asked: list[list[int]]  # each fold's playlists asked, in the order drawn

    def hidden(self, fold: int, leave_out: frozenset[int]) -> frozenset[int]:
        return self.members[fold] | leave_out


def plan_folds(catalog: Catalog, leave_out: frozenset[int], folds: int = FOLDS, playlists: int = PLAYLISTS,
               seed: int = SEED) -> FoldPlan:
    """Every playlist outside `leave_out` in its title's fold, and up to `playlists` of
    them to ask, as evenly over the folds as they allow."""
    if folds < 2:
        raise ValueError(f"the ranker needs at least 2 catalog folds, got {folds}")
    members: list[set[int]] = [set() for _ in range(folds)]
    askable: list[list[int]] = [[] for _ in range(folds)]
    for pid, name, tracks in catalog.playlists_listed():
        if pid in leave_out:
            continue
        fold = title_fold(name, folds)
        members[fold].add(pid)
        if tracks >= (1 if normalize_title(name) else _ASKABLE_UNTITLED):
            askable[fold].append(pid)
    for fold, pids in enumerate(askable):
        random.Random(seed * 1_000_003 + fold).shuffle(pids)
    return FoldPlan(folds, [frozenset(m) for m in members], [pids[:share] for pids, share in
                                                             zip(askable, _shares(playlists, askable))])


def _shares(total: int, askable: list[list[int]]) -> list[int]:
    """`total` dealt to the folds one at a time, skipping a fold with no playlist left to ask."""
    shares = [0] * len(askable)
    while total > 0 and any(share < len(pids) for share, pids in zip(shares, askable)):
        for fold, pids in enumerate(askable):
            if total > 0 and shares[fold] < len(pids):
                shares[fold] += 1
                total -= 1
    return shares


def collect_folds(catalog: Catalog, base: TitleIndex, location: ChromaLocation, plan: FoldPlan,
                  leave_out: frozenset[int], encoder: Encoder | None = None,
                  on_progress: Callable[[int, int], None] | None = None) -> RankerData:
    """The training queries of every fold, each asked with its fold (and `leave_out`) hidden."""
    data, done, total = RankerData(), 0, sum(len(asked) for asked in plan.asked)
    for fold, asked in enumerate(plan.asked):
        if not asked:
            continue
        hidden = plan.hidden(fold, leave_out)
        index = derive_index(catalog, base, location, hidden)
        try:
            retriever = Retriever(catalog, index, encoder)
            encoder = retriever.encoder  # loaded once for all folds
            data.extend(collect(retriever, catalog, asked, hidden, _shifted(on_progress, done, total)))
            # Gone before the next fold's is made: two retrievers' signal data at once
            # (its crowd tags, the graph's pages) was the peak at 1M playlists.
            del retriever
        finally:
            drop_index(location, index)
        done += len(asked)
    return data


def _shifted(on_progress: Callable[[int, int], None] | None, before: int,
             total: int) -> Callable[[int, int], None] | None:
    """A fold's progress as progress over all folds."""
    return (lambda done, _: on_progress(before + done, total)) if on_progress else None


def train_ranker_on_folds(catalog: Catalog, base: TitleIndex, location: ChromaLocation, leave_out: frozenset[int],
                          folder: Path, folds: int = FOLDS, playlists: int = PLAYLISTS, encoder: Encoder | None = None,
                          on_progress: Callable[[int, int], None] | None = None) -> dict:
    """Collect on `folds` catalog folds, fit, and save the ranker with what it was fitted on."""
    started = time.perf_counter()
    plan = plan_folds(catalog, leave_out, folds, playlists)
    data = collect_folds(catalog, base, location, plan, leave_out, encoder, on_progress)
    booster, figures = fit(data)
    save(booster, folder, catalog.signals_fingerprint(), figures, time.perf_counter() - started,
         training=training_record(plan, data, len(leave_out)))
    return figures | {"seconds": round(time.perf_counter() - started, 1), "folds": folds,
                      "playlists_asked": sum(len(asked) for asked in plan.asked)}


def training_record(plan: FoldPlan, data: RankerData, left_out: int) -> dict:
    """What the manifest says of the training queries: folds, playlists asked and queries per fold."""
    fold_of = {pid: fold for fold, asked in enumerate(plan.asked) for pid in asked}
    queries = [0] * plan.folds
    for pid in data.pids:
        queries[fold_of[pid]] += 1
    return {"folds": plan.folds, "seed": SEED, "fold_by": "crc32 of the normalised title",
            "playlists_asked": sum(len(asked) for asked in plan.asked),
            "playlists_asked_per_fold": [len(asked) for asked in plan.asked],
            "playlists_hidden_per_fold": [len(members) for members in plan.members],
            "queries_per_fold": queries, "playlists_left_out": left_out}
