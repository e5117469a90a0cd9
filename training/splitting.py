"""Stage 5: an 80/10/10 split of the kept clusters' playlists, every cluster in each part.

Within each cluster the playlists are shuffled (seeded) and cut: at least one goes to
validation and one to test, the rest (at least one) to training. Clusters with fewer
than three playlists cannot be in all three parts; `keep_coherent` already left
them out of fine-tuning, like the incoherent ones.
"""

from __future__ import annotations

import json
import random
from collections import defaultdict
from dataclasses import dataclass
from itertools import chain, zip_longest
from pathlib import Path

import numpy as np

PARTS = ("train", "validation", "test")


@dataclass(frozen=True)
class TrainSplit:
    """pid -> cluster label of each part."""

    train: dict[int, int]
    validation: dict[int, int]
    test: dict[int, int]

    def part(self, name: str) -> dict[int, int]:
        return getattr(self, name)

    def save(self, path: Path, **about) -> None:
        document = {**about, **{name: sorted(self.part(name)) for name in PARTS},
                    "labels": {str(pid): label for name in PARTS for pid, label in self.part(name).items()}}
        path.write_text(json.dumps(document))

    @classmethod
    def load(cls, path: Path) -> TrainSplit:
        document = json.loads(path.read_text())
        labels = {int(pid): label for pid, label in document["labels"].items()}
        return cls(*({pid: labels[pid] for pid in document[name]} for name in PARTS))


def stratified_split(pids: np.ndarray, labels: np.ndarray, kept: frozenset[int], seed: int,
                     shares: tuple[float, float] = (0.1, 0.1)) -> TrainSplit:
    members: dict[int, list[int]] = defaultdict(list)
    for pid, label in zip(pids.tolist(), labels.tolist()):
        if label in kept:
            members[label].append(pid)
    rng = random.Random(seed)
    parts: tuple[dict[int, int], ...] = ({}, {}, {})
    for label in sorted(members):
        group = members[label]
        rng.shuffle(group)
        n_val = max(1, round(shares[0] * len(group)))
        n_test = max(1, round(shares[1] * len(group)))
        for part, chosen in zip(parts, (group[n_val + n_test:], group[:n_val], group[n_val:n_val + n_test])):
            part.update(dict.fromkeys(chosen, label))
    return TrainSplit(*parts)


def capped(examples: dict[int, int], limit: int | None, seed: int) -> dict[int, int]:
    """At most `limit` examples, taken round-robin across clusters so each stays represented."""
    if limit is None or len(examples) <= limit:
        return examples
    by_cluster: dict[int, list[int]] = defaultdict(list)
    for pid, label in sorted(examples.items()):
        by_cluster[label].append(pid)
    rng = random.Random(seed)
    groups = [rng.sample(pids, len(pids)) for _, pids in sorted(by_cluster.items())]
    rng.shuffle(groups)
    interleaved = [pid for pid in chain.from_iterable(zip_longest(*groups)) if pid is not None]
    return {pid: examples[pid] for pid in interleaved[:limit]}
