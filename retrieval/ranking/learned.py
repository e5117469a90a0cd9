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

A request pays for its features (built a column at a time) and one single-threaded
predict: under 2 ms for 1,000 candidates (docs/ranking.md). What raised each placed track
(`RankerReasons`, from the model's feature contributions) is worked out only when its
explanation is read, and said by `ranking.explain` in the fused ranking's own words.
"""

from __future__ import annotations

import itertools
import json
import math
from collections.abc import Sequence
from pathlib import Path

import numpy as np

from retrieval.errors import ModelFolderError
from retrieval.model_folders import library_versions as model_library_versions
from retrieval.model_folders import model_folder
from retrieval.records import Candidate, Neighbour
from retrieval.signals.neighbours import EXACT_TITLE

SIGNALS = ("votes", "entity", "cooccurrence", "artists", "seeds", "seed_artists", "tags", "als", "popularity")
FEATURES = tuple(f"part_{s}" for s in SIGNALS) + (
    "relative_score", "log_rank", "log_plays", "voters", "exact_voters", "best_voter_similarity",
    "query_exact_playlists", "query_best_similarity", "seeds", "has_title", "seeds_random")
DEPTH = 200  # candidates the ranker reorders; the rest keep the fused order
EXACT = EXACT_TITLE


def ranker_folder(catalog_path: Path) -> Path:
    return model_folder(catalog_path, "ranker")


def library_versions() -> dict[str, str]:
    return model_library_versions("lightgbm", "numpy")


def candidate_features(tracks: Sequence[Candidate], neighbours: Sequence[Neighbour], plays: np.ndarray,
                       seeds: int, has_title: bool, seeds_random: bool = False) -> np.ndarray:
    """One row of FEATURES per track (`plays[i]`: the playlists holding track i)."""
    count = len(tracks)
    rows = np.zeros((count, len(FEATURES)), np.float64)
    if not count:
        return rows
    scores = np.fromiter((t.score for t in tracks), np.float64, count)
    best = float(scores.max()) or 1.0  # a float, as the per-track division always was
    _signal_parts(tracks, rows)
    rows[:, :len(SIGNALS)] /= best
    rows[:, len(SIGNALS)] = scores / best
    # math.log1p, not numpy's: the two differ in the last bit, and the model was fitted on math's.
    rows[:, len(SIGNALS) + 1] = [math.log1p(t.rank) for t in tracks]
    rows[:, len(SIGNALS) + 2] = [math.log1p(played) for played in plays.tolist()]
    _voter_columns(tracks, neighbours, rows[:, len(SIGNALS) + 3:len(SIGNALS) + 6])
    similarity = {n.pid: n.similarity for n in neighbours}
    exact = sum(value >= EXACT for value in similarity.values())
    rows[:, len(SIGNALS) + 6:] = [float(exact), neighbours[0].similarity if neighbours else 0.0, float(seeds),
                                  float(has_title), float(seeds_random)]
    return rows


_SIGNAL_COLUMN = {name: column for column, name in enumerate(SIGNALS)}
_NONE: dict[str, float] = {}


def _signal_parts(tracks: Sequence[Candidate], rows: np.ndarray) -> None:
    """Each track's signal parts into its row's first columns, one column per signal present."""
    parts = [t.signals or _NONE for t in tracks]
    for name in set().union(*parts) & _SIGNAL_COLUMN.keys():
        rows[:, _SIGNAL_COLUMN[name]] = [part.get(name, 0.0) for part in parts]


def _voter_columns(tracks: Sequence[Candidate], neighbours: Sequence[Neighbour], out: np.ndarray) -> None:
    """voters, exact_voters and best_voter_similarity of each track, over all voters at once."""
    counts = np.fromiter((len(t.voters) if t.voters else 0 for t in tracks), np.int64, len(tracks))
    out[:, 0] = counts
    if not counts.any():
        return
    voters = np.fromiter(itertools.chain.from_iterable(t.voters for t in tracks if t.voters), np.int64, counts.sum())
    voter_similarity = _similarity_of(voters, neighbours)
    voted = np.flatnonzero(counts)
    starts = (np.cumsum(counts) - counts)[voted]
    out[voted, 1] = np.add.reduceat((voter_similarity >= EXACT).astype(np.float64), starts)
    out[voted, 2] = np.maximum.reduceat(voter_similarity, starts)


def _similarity_of(pids: np.ndarray, neighbours: Sequence[Neighbour]) -> np.ndarray:
    """Each pid's similarity among `neighbours` (0 for a pid not among them; a repeated pid's
    last, as a dict keeps it), by a sorted search instead of a dict lookup per voter."""
    similarity = {n.pid: n.similarity for n in neighbours}
    if not similarity:
        return np.zeros(len(pids), np.float64)
    known = np.fromiter(similarity, np.int64, len(similarity))
    order = np.argsort(known)
    known, values = known[order], np.fromiter(similarity.values(), np.float64, len(similarity))[order]
    found = np.minimum(np.searchsorted(known, pids), len(known) - 1)
    return np.where(known[found] == pids, values[found], 0.0)


def _whole_model(path: Path) -> Path:
    """The saved model's path, once its text is seen to be whole: for a file it cannot parse
    LightGBM prints its own "[Fatal]" line to stderr (a second line beside the one-line
    error), and a model string cut after its trees crashes it."""
    text = path.read_text(encoding="utf-8")
    if not (text.startswith("tree\n") and "\nend of trees" in text and "\nend of parameters" in text):
        raise ValueError(f"{path.name} is not a whole LightGBM model")
    return path


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
            booster = lightgbm.Booster(model_file=str(_whole_model(folder / "model.txt")))
        except (OSError, ValueError, lightgbm.basic.LightGBMError) as error:
            raise ModelFolderError(f"the ranker folder {folder} is damaged ({str(error).splitlines()[0]}); "
                                   "run `agent tune --ranker` to rebuild it") from None
        if manifest.get("catalog_fingerprint") != catalog_fingerprint:
            return None, f"the ranker in {folder} was fitted on other playlists; ranking by the fused sum"
        if manifest.get("versions") != library_versions() or tuple(manifest.get("features", ())) != FEATURES:
            return None, (f"the ranker in {folder} was saved by other library versions or features; "
                          "ranking by the fused sum")
        return cls(booster, manifest), None

    def reordered(self, tracks: list[Candidate], neighbours: Sequence[Neighbour], plays: np.ndarray, seeds: int,
                  has_title: bool, kept: int, seeds_random: bool = False) -> tuple[list[Candidate], RankerReasons | None]:
        """The first DEPTH tracks in the model's order (ties keep the fused order), the rest
        after, cut to `kept`; and what raised each kept track that the model placed.
        `plays[i]`: the playlists holding `tracks[i]` (at least the first DEPTH)."""
        head, rest = tracks[:DEPTH], tracks[DEPTH:]
        if len(head) < 2:
            return tracks[:kept], None
        features = candidate_features(head, neighbours, plays[:len(head)], seeds, has_title, seeds_random)
        # One thread: a request's few hundred rows take well under a millisecond, and
        # waking a pool of threads on a busy machine cost tens of milliseconds.
        predicted = self._booster.predict(features, num_threads=1)
        order = np.lexsort((np.arange(len(head)), -predicted))
        chosen = [head[i] for i in order][:kept] + rest[:max(0, kept - len(head))]
        placed = order[:kept]
        reasons = RankerReasons(self._booster, features[placed], [head[i].track_uri for i in placed],
                                plays[placed].tolist(), [head[i].rank for i in placed])
        return [track.model_copy(update={"rank": rank}) for rank, track in enumerate(chosen, 1)], reasons


# What each feature is evidence of, in the words' terms (`ranking.explain`). The fused score
# and rank are the signals' sum, so their part is shared among the track's signals (by each
# one's share of its score); the request's own features (its exact-title playlists, seeds...)
# say nothing of one track.
EVIDENCE = {"part_votes": "voters", "voters": "voters", "exact_voters": "voters", "best_voter_similarity": "voters",
            "part_entity": "entity", "part_cooccurrence": "cooccurrence", "part_artists": "artists",
            "part_seeds": "seeds", "part_seed_artists": "seed_artists", "part_tags": "tags", "part_als": "als",
            "part_popularity": "plays", "log_plays": "plays", "relative_score": "fused", "log_rank": "fused"}
_KINDS = tuple(dict.fromkeys(EVIDENCE.values()))
_KIND_OF_FEATURE = np.array([[EVIDENCE.get(f) == kind for kind in _KINDS] for f in FEATURES], np.float64)
_KIND_OF_SIGNAL = _KIND_OF_FEATURE[:len(SIGNALS)]
_FUSED = _KINDS.index("fused")
_ALWAYS_HELD = np.array([kind in ("plays", "fused") for kind in _KINDS])


class RankerReasons:
    """What raised each track the model placed, from its feature contributions (SHAP values),
    worked out only when first asked: a playlist shown without explanations never pays for them."""

    def __init__(self, booster, features: np.ndarray, uris: list[str | None], plays: list[int], fused_ranks: list[int]):
        self._booster, self._features = booster, features
        self._uris, self._plays, self._fused_ranks = uris, plays, fused_ranks
        self._evidence: dict[str, list[tuple[str, int]]] | None = None

    def evidence(self) -> dict[str, list[tuple[str, int]]]:
        """Track URI -> (what raised it, the number that goes with it: its plays, or its place
        by the fused sum), strongest first; only evidence the track has, and only what raised it."""
        if self._evidence is None:
            raised = self._by_kind()
            self._evidence = {uri: self._strongest(row, plays, fused) for uri, row, plays, fused
                              in zip(self._uris, raised, self._plays, self._fused_ranks) if uri}
        return self._evidence

    def _by_kind(self) -> np.ndarray:
        """Each track's contributions summed by kind of evidence; a kind it lacks is -inf."""
        contributions = self._booster.predict(self._features, pred_contrib=True, num_threads=1)[:, :len(FEATURES)]
        by_kind = contributions @ _KIND_OF_FEATURE
        parts = np.maximum(self._features[:, :len(SIGNALS)], 0.0)
        held = _ALWAYS_HELD | ((parts @ _KIND_OF_SIGNAL) > 0)
        held[:, _KINDS.index("voters")] |= self._features[:, FEATURES.index("voters")] > 0
        total = parts.sum(axis=1)
        shared = total > 0
        by_kind[shared] += (by_kind[shared, _FUSED] / total[shared])[:, None] * (parts[shared] @ _KIND_OF_SIGNAL)
        by_kind[shared, _FUSED] = 0.0
        return np.where(held, by_kind, -np.inf)

    @staticmethod
    def _strongest(row: np.ndarray, plays: int, fused_rank: int) -> list[tuple[str, int]]:
        numbers = {"plays": plays, "fused": fused_rank}
        return [(_KINDS[i], numbers.get(_KINDS[i], 0)) for i in np.argsort(-row, kind="stable") if row[i] > 0]
