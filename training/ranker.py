"""Fitting the learned ranker (`retrieval.ranking.learned`): LightGBM LambdaRank on
self-supervised queries from the catalog itself.

Each training playlist is hidden from the index and the signals (the caller's retriever
and `exclude_pids`) and asked as the RecSys Challenge asks: its title alone, its title
and its first 1, 5, 10, 25 or 100 tracks, its title and 25 or 100 tracks drawn at
random (the same draw for a playlist every time), and its first 5 or 10 tracks without
a title. A category needs a playlist longer than its seeds; the tracks that are not
seeds are what the ranker should put first among the fused ranking's best candidates. Queries are
split into folds by normalised title, so no playlist and no identical title sits on both
sides, and the held-back fold stops the boosting early. Which playlists are asked, and
what each query hides, `training.ranker_folds` decides (`agent tune --ranker`).
"""

from __future__ import annotations

import json
import random
import time
import zlib
from collections.abc import Callable, Sequence
from dataclasses import dataclass, field
from pathlib import Path

import numpy as np

from retrieval.catalog import Catalog
from retrieval.generator import GenerationError, GenerationOptions, Retriever
from retrieval.ranking.learned import DEPTH, FEATURES, candidate_features, library_versions
from retrieval.normalize import normalize_title

# (with title, seeds, drawn at random rather than the first ones): the challenge's ten.
CATEGORIES = ((True, 0, False), (True, 1, False), (True, 5, False), (False, 5, False), (True, 10, False),
              (False, 10, False), (True, 25, False), (True, 25, True), (True, 100, False), (True, 100, True))
STOPPING_FOLD = 5  # one title group in 5 stops the boosting
# Chosen on the held-back titles of the validation playlists (docs/ranking.md): small trees,
# slow learning; larger ones stopped after 15 trees with less gain.
SETTINGS = {"objective": "lambdarank", "n_estimators": 400, "learning_rate": 0.02, "num_leaves": 7,
            "min_child_samples": 100, "random_state": 0, "n_jobs": 1, "verbose": -1}


@dataclass
class RankerData:
    features: list[np.ndarray] = field(default_factory=list)  # one block of candidates per query
    labels: list[np.ndarray] = field(default_factory=list)
    folds: list[int] = field(default_factory=list)  # the title group's fold of each query
    random_seeds: list[bool] = field(default_factory=list)  # whether each query's seeds were drawn at random
    pids: list[int] = field(default_factory=list)  # the playlist each query asks

    def extend(self, other: RankerData) -> None:
        for name in ("features", "labels", "folds", "random_seeds", "pids"):
            getattr(self, name).extend(getattr(other, name))

    def of_playlists(self, pids: set[int]) -> RankerData:
        """The queries asking these playlists, in order."""
        kept = [i for i, pid in enumerate(self.pids) if pid in pids]
        return RankerData(*([getattr(self, name)[i] for i in kept]
                            for name in ("features", "labels", "folds", "random_seeds", "pids")))


def collect(retriever: Retriever, catalog: Catalog, pids: Sequence[int], exclude_pids: frozenset[int],
            on_progress: Callable[[int, int], None] | None = None) -> RankerData:
    """Candidates, features and labels of every (playlist, category) query with something left to find."""
    data = RankerData()
    for done, pid in enumerate(pids, 1):
        playlist = catalog.playlist(pid)
        uris = list(dict.fromkeys(t.track_uri for t in playlist.tracks))
        # A title of punctuation alone ("---") matches nothing: such a playlist is asked untitled.
        title = playlist.name if playlist.name and normalize_title(playlist.name) else ""
        fold = title_fold(title, STOPPING_FOLD)
        for with_title, seeds, drawn in category_queries(pid, uris, title):
            options = GenerationOptions(n=DEPTH, exclude_pids=exclude_pids, seed_uris=tuple(seeds), seeds_random=drawn)
            generated = retriever.generate(title if with_title else "", options)
            truth = set(uris) - set(seeds)
            labels = np.array([t.track_uri in truth for t in generated.tracks], np.float64)
            if not labels.any():
                continue  # nothing to learn: no order of these candidates is better than another
            plays = retriever.sources.plays_of_uris([t.track_uri for t in generated.tracks], exclude_pids)
            data.features.append(candidate_features(generated.tracks, generated.neighbours, plays, len(seeds),
                                                    with_title, drawn))
            data.labels.append(labels)
            data.folds.append(fold)
            data.random_seeds.append(drawn)
            data.pids.append(pid)
        if on_progress:
            on_progress(done, len(pids))
    return data


def title_fold(title: str, folds: int) -> int:
    """The fold of a playlist titled `title`: one for every playlist of the same normalised title."""
    return zlib.crc32(normalize_title(title).encode()) % folds


def category_queries(pid: int, uris: Sequence[str], title: str) -> list[tuple[bool, list[str], bool]]:
    """(with title, seed URIs, drawn at random) of each category the playlist can be asked
    in: one longer than its seeds, with a title when the category has one. Random seeds
    keep the playlist's order and are drawn by a generator seeded with the pid, so every
    fit asks the same queries."""
    draw = random.Random(pid)
    queries = []
    for with_title, count, drawn in CATEGORIES:
        if len(uris) <= count or (with_title and not title.strip()):
            continue
        seeds = [uris[i] for i in sorted(draw.sample(range(len(uris)), count))] if drawn else list(uris[:count])
        queries.append((with_title, seeds, drawn))
    return queries


def fit(data: RankerData):
    """(the booster, validation figures: NDCG@10 of the fused order and of the ranker on the
    stopping fold, over all its queries and over those whose seeds were drawn at random)."""
    import lightgbm

    stopping = np.array(data.folds) == 0
    train = [i for i, held in enumerate(stopping) if not held]
    valid = [i for i, held in enumerate(stopping) if held]
    if not train or not valid:
        raise GenerationError(f"too few training queries to fit the ranker ({len(train)} to learn from, {len(valid)} "
                              f"held back to stop it): the catalog needs more titled playlists with tracks")
    model = lightgbm.LGBMRanker(**SETTINGS)
    held_x, held_y = _stacked(data, valid)
    model.fit(*_stacked(data, train), group=[len(data.labels[i]) for i in train], eval_X=(held_x,), eval_y=(held_y,),
              eval_group=[[len(data.labels[i]) for i in valid]], eval_at=[10],
              callbacks=[lightgbm.early_stopping(30, verbose=False)])
    fused = [_ndcg10(data.labels[i], -np.arange(len(data.labels[i]))) for i in valid]
    ranked = [_ndcg10(data.labels[i], model.booster_.predict(data.features[i])) for i in valid]
    drawn = [data.random_seeds[i] for i in valid] if data.random_seeds else [False] * len(valid)
    figures = {"training_queries": len(train), "stopping_queries": len(valid), "trees": model.booster_.num_trees(),
               "stopping_ndcg@10_fused": _mean(fused), "stopping_ndcg@10_ranker": _mean(ranked),
               "stopping_random_queries": sum(drawn),
               "stopping_ndcg@10_random_fused": _mean([v for v, d in zip(fused, drawn) if d]),
               "stopping_ndcg@10_random_ranker": _mean([v for v, d in zip(ranked, drawn) if d])}
    return model.booster_, figures


def save(booster, folder: Path, catalog_fingerprint: str, figures: dict, seconds: float,
         training: dict | None = None) -> None:
    """The model and its manifest; `training` says what it was fitted on (folds, playlists asked)."""
    folder.mkdir(parents=True, exist_ok=True)
    booster.save_model(str(folder / "model.txt"))
    manifest = {"model": "lambdarank", "features": list(FEATURES), "versions": library_versions(),
                "catalog_fingerprint": catalog_fingerprint, "settings": SETTINGS, "categories": CATEGORIES,
                "depth": DEPTH, "validation": figures, "fit_seconds": round(seconds, 1)}
    if training:
        manifest["training"] = training
    (folder / "manifest.json").write_text(json.dumps(manifest, indent=2) + "\n", encoding="utf-8")


def train_ranker(retriever: Retriever, catalog: Catalog, pids: Sequence[int], exclude_pids: frozenset[int],
                 folder: Path, on_progress: Callable[[int, int], None] | None = None) -> dict:
    started = time.perf_counter()
    booster, figures = fit(collect(retriever, catalog, pids, exclude_pids, on_progress))
    save(booster, folder, catalog.signals_fingerprint(), figures, time.perf_counter() - started)
    return figures | {"seconds": round(time.perf_counter() - started, 1)}


def _stacked(data: RankerData, queries: list[int]) -> tuple[np.ndarray, np.ndarray]:
    return np.vstack([data.features[i] for i in queries]), np.concatenate([data.labels[i] for i in queries])


def _mean(values: list[float]) -> float | None:
    return round(float(np.mean(values)), 4) if values else None


def _ndcg10(labels: np.ndarray, predicted: np.ndarray) -> float:
    order = np.lexsort((np.arange(len(labels)), -predicted))[:10]
    gains = labels[order] / np.log2(np.arange(2, len(order) + 2))
    ideal = (1 / np.log2(np.arange(2, min(10, int(labels.sum())) + 2))).sum()
    return float(gains.sum() / ideal) if ideal else 0.0
