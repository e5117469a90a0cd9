"""Weighing the signals into one ranking, and the weights a catalog was tuned to.

Every signal arrives scaled to [0, 1] (its best track scores 1); a track's fused
score is the weighted sum, and each weighted part is kept so `--explain` can say
why the track is there. Tuned weights are stored as JSON beside the index they were
fitted on, with the validation scores they reached.
"""

from __future__ import annotations

import json
from collections.abc import Mapping
from dataclasses import asdict, dataclass, fields, replace
from pathlib import Path

import numpy as np

from retrieval.signals.scores import TrackScores, summed

# Signals that can be switched off one at a time (evaluation's ablation).
ABLATABLE = ("sharpness", "entity", "cooccurrence", "artists", "tail")


@dataclass(frozen=True)
class FusionWeights:
    """How much each signal counts. Defaults chosen on a validation split of the MPD
    sample (never the reported split); `agent tune` fits them to a user's catalog."""

    sharpness: float = 3.0  # neighbour votes weigh similarity ** sharpness
    crowding: float = 1.0  # a title held by m neighbour playlists votes like m ** crowding of them
    exact: float = 0.0  # a neighbour with the very title (similarity >= 0.99) votes 1 + exact times
    votes: float = 1.0
    entity: float = 3.0
    cooccurrence: float = 0.2
    artists: float = 0.15  # the best-voted artists' other tracks
    seeds: float = 5.0  # a request's seed weight is seeds * n / (n + 1) for n seed tracks
    seed_artists: float = 0.6  # the seeds' artists, as a share of the seed weight
    # A seeded request's best candidates scaled by 1 + tags x their crowd tags' likeness
    # to the seeds and the title (`signals.crowd_tags`).
    tags: float = 2.0
    tags_title: float = 0.5  # the title's share of the direction, against the seeds'
    tail: bool = True  # back-fill with the most-played tracks
    # A seeded request's ALS scores (`retrieval.collaborative`), its best candidate scoring 1.
    collaborative: float = 0.0

    def without(self, signal: str) -> FusionWeights:
        """These weights with one signal switched off (sharpness off is plain similarity)."""
        if signal not in ABLATABLE:
            raise ValueError(f"unknown signal {signal!r}; choose one of {', '.join(ABLATABLE)}")
        return replace(self, **{signal: {"sharpness": 1.0, "tail": False}.get(signal, 0.0)})

    def to_dict(self) -> dict[str, float | bool]:
        return asdict(self)

    @classmethod
    def from_dict(cls, values: Mapping[str, object]) -> FusionWeights:
        known = {f.name: f.type for f in fields(cls)}
        return cls(**{key: value for key, value in values.items() if key in known})


DEFAULT_WEIGHTS = FusionWeights()
# The paper's method and the voting rules before fusion: title votes alone, no tail.
PLAIN_WEIGHTS = FusionWeights(sharpness=1.0, entity=0.0, cooccurrence=0.0, artists=0.0, seeds=0.0, seed_artists=0.0,
                              tags=0.0, tail=False)


def seed_weight(weights: FusionWeights, seeds: int) -> float:
    """More seeds weigh more against the title, with diminishing returns."""
    return weights.seeds * seeds / (seeds + 1) if seeds else 0.0


def fused_totals(signals: Mapping[str, TrackScores], weights: Mapping[str, float]) -> TrackScores:
    """Every track some weighed signal scored, with the weighted sum of its signals.

    >>> fused_totals({"votes": TrackScores.from_dict({1: 1.0, 2: 0.5}),
    ...               "entity": TrackScores.from_dict({2: 1.0})}, {"votes": 1.0, "entity": 0.5}).to_dict()
    {1: 1.0, 2: 1.0}
    """
    return summed([(scores, weights.get(name, 0.0)) for name, scores in signals.items()])


def contributions(signals: Mapping[str, TrackScores], weights: Mapping[str, float],
                  tracks: np.ndarray) -> list[dict[str, float]]:
    """For each of the given tracks (the ones shown), {signal: weighted part}, so
    `--explain` can say why each is there.

    >>> contributions({"votes": TrackScores.from_dict({1: 1.0, 2: 0.5}),
    ...                "entity": TrackScores.from_dict({2: 1.0})}, {"votes": 1.0, "entity": 0.5}, np.array([2]))
    [{'votes': 0.5, 'entity': 0.5}]
    """
    columns = [(name, (weights.get(name, 0.0) * scores.lookup(tracks)).tolist())
               for name, scores in signals.items() if weights.get(name, 0.0)]
    return [{name: values[i] for name, values in columns if values[i]} for i in range(len(tracks))]


# --------------------------------------------------------------------------- #
# Tuned weights, stored beside the index
# --------------------------------------------------------------------------- #


@dataclass(frozen=True)
class TunedWeights:
    weights: FusionWeights
    index: str  # the index collection they were fitted with
    validation: dict[str, float]  # scores reached on the validation split
    baseline: dict[str, float]  # the built-in defaults' scores on the same split
    split: str

    def save(self, path: Path) -> None:
        path.parent.mkdir(parents=True, exist_ok=True)
        document = asdict(self) | {"weights": self.weights.to_dict()}
        path.write_text(json.dumps(document, indent=2) + "\n", encoding="utf-8")

    @classmethod
    def load(cls, path: Path) -> TunedWeights | None:
        """The stored weights, or None when there are none or the file cannot be read."""
        try:
            document = json.loads(path.read_text(encoding="utf-8"))
            return cls(**(document | {"weights": FusionWeights.from_dict(document["weights"])}))
        except (OSError, ValueError, KeyError, TypeError):
            return None


def tuned_weights_path(folder: Path, index_collection: str) -> Path:
    return folder / f"fusion-{index_collection}.json"
