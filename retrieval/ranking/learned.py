"""A learned ranker (LightGBM LambdaRank) that reorders the fused ranking's best candidates.

Features per candidate, all scale-free: each signal's part of the score over the best
score, the relative score, the rank, the track's plays (log), how many neighbour
playlists hold it, how many of them carry the very title (similarity >= EXACT) and the
best voter's similarity, and the request's own: its exact-title playlists, its best
neighbour's similarity, its seed count, whether it has a title and whether its seeds are
a random sample of the playlist rather than its first tracks (the challenge's "random"
categories: a sample speaks for the whole playlist, a beginning for what follows). Exact-title evidence
is what lets a model learn when two playlists titled "dinner party" should outvote fifty
loose "party" ones. Fitting lives in `training.ranker`; the model is a folder beside the
catalog (`ranker_folder`) with a manifest of its features, library versions and catalog.
"""

from __future__ import annotations

import json
import math
from collections.abc import Callable, Sequence
from pathlib import Path

import numpy as np

from retrieval.errors import ModelFolderError
from retrieval.model_folders import library_versions as model_library_versions
from retrieval.model_folders import model_folder
from retrieval.records import Candidate, Neighbour

SIGNALS = ("votes", "entity", "cooccurrence", "artists", "seeds", "seed_artists", "tags", "als", "popularity")
FEATURES = tuple(f"part_{s}" for s in SIGNALS) + (
    "relative_score", "log_rank", "log_plays", "voters", "exact_voters", "best_voter_similarity",
    "query_exact_playlists", "query_best_similarity", "seeds", "has_title", "seeds_random")
DEPTH = 200  # candidates the ranker reorders; the rest keep the fused order
EXACT = 0.99


def ranker_folder(catalog_path: Path) -> Path:
    return model_folder(catalog_path, "ranker")


def library_versions() -> dict[str, str]:
    return model_library_versions("lightgbm", "numpy")


def candidate_features(tracks: Sequence[Candidate], neighbours: Sequence[Neighbour], plays: np.ndarray,
                       seeds: int, has_title: bool, seeds_random: bool = False) -> np.ndarray:
    """One row of FEATURES per track (`plays[i]`: the playlists holding track i)."""
    similarity = {n.pid: n.similarity for n in neighbours}
    exact_pids = {pid for pid, value in similarity.items() if value >= EXACT}
    best = max((t.score for t in tracks), default=0.0) or 1.0
    query = [float(len(exact_pids)), neighbours[0].similarity if neighbours else 0.0, float(seeds), float(has_title),
             float(seeds_random)]
    rows = []
    for track, played in zip(tracks, plays.tolist()):
        parts = track.signals or {}
        voters = track.voters or []
        rows.append([parts.get(s, 0.0) / best for s in SIGNALS] + [
            track.score / best, math.log1p(track.rank), math.log1p(played), float(len(voters)),
            float(sum(pid in exact_pids for pid in voters)),
            max((similarity.get(pid, 0.0) for pid in voters), default=0.0)] + query)
    return np.array(rows, np.float64).reshape(len(rows), len(FEATURES))


class LearnedRanker:
    def __init__(self, booster, manifest: dict):
        self._booster = booster
        self.manifest = manifest

    @classmethod
    def load(cls, folder: Path, catalog_fingerprint: str) -> tuple[LearnedRanker | None, str | None]:
        """(the ranker, None), or (None, why it is not used); a damaged folder is an error naming it."""
        if not folder.exists():
            return None, f"no ranker in {folder}; ranking by the fused sum"
        import lightgbm  # imported on first use: a process that never ranks by a model never loads it

        try:
            manifest = json.loads((folder / "manifest.json").read_text(encoding="utf-8"))
            booster = lightgbm.Booster(model_file=str(folder / "model.txt"))
        except (OSError, ValueError, lightgbm.basic.LightGBMError) as error:
            raise ModelFolderError(f"the ranker folder {folder} is damaged ({str(error).splitlines()[0]}); "
                                   "run `agent tune --ranker` to rebuild it") from None
        if manifest.get("catalog_fingerprint") != catalog_fingerprint:
            return None, f"the ranker in {folder} was fitted on other playlists; ranking by the fused sum"
        if manifest.get("versions") != library_versions() or tuple(manifest.get("features", ())) != FEATURES:
            return None, (f"the ranker in {folder} was saved by other library versions or features; "
                          "ranking by the fused sum")
        return cls(booster, manifest), None

    def reordered(self, tracks: list[Candidate], neighbours: Sequence[Neighbour],
                  plays_of: Callable[[list[str | None]], np.ndarray], seeds: int, has_title: bool,
                  seeds_random: bool = False) -> list[Candidate]:
        """The first DEPTH tracks in the model's order (ties keep the fused order), the rest after."""
        head, rest = tracks[:DEPTH], tracks[DEPTH:]
        if len(head) < 2:
            return tracks
        features = candidate_features(head, neighbours, plays_of([t.track_uri for t in head]), seeds, has_title,
                                      seeds_random)
        predicted = self._booster.predict(features)
        order = np.lexsort((np.arange(len(head)), -predicted))
        chosen = [head[i] for i in order] + rest
        return [track.model_copy(update={"rank": rank}) for rank, track in enumerate(chosen, 1)]
