"""What a fine-tuning variant returns, and the batch orders both variants draw from."""

from __future__ import annotations

import random
from collections import defaultdict
from collections.abc import Iterator
from dataclasses import dataclass, field

import torch

from training.finetune import Batch, Examples, History


@dataclass
class Validation:
    loss_before: float
    loss_after: float
    head_accuracy_before: float | None = None  # FT-C only: the head's own accuracy
    head_accuracy_after: float | None = None
    centroid_accuracy_before: float | None = None  # any encoder: nearest cluster centroid
    centroid_accuracy_after: float | None = None


@dataclass
class Trained:
    model: object  # the SentenceTransformer, with its best weights loaded
    history: History
    validation: Validation
    details: dict = field(default_factory=dict)  # variant-specific facts for the model's metadata


def _batch(examples: Examples, rows: list[int]) -> Batch:
    return [examples.titles[i] for i in rows], torch.as_tensor(examples.labels[rows])


def batches_in_order(examples: Examples, size: int) -> Iterator[Batch]:
    for start in range(0, len(examples), size):
        yield _batch(examples, list(range(start, min(start + size, len(examples)))))


def shuffled_batches(examples: Examples, size: int, seed: int) -> Iterator[Batch]:
    rows = list(range(len(examples)))
    random.Random(seed).shuffle(rows)
    for start in range(0, len(rows), size):
        yield _batch(examples, rows[start:start + size])


def grouped_batches(examples: Examples, size: int, per_cluster: int, seed: int) -> Iterator[Batch]:
    """Batches made of groups of `per_cluster` titles sharing a cluster.

    Batch-all triplet loss learns only from batches holding two titles of one cluster;
    with 200 clusters a random batch of 32 rarely does.
    """
    rng = random.Random(seed)
    by_cluster: dict[int, list[int]] = defaultdict(list)
    for row, label in enumerate(examples.labels.tolist()):
        by_cluster[label].append(row)
    groups = []
    for rows in by_cluster.values():
        rng.shuffle(rows)
        groups.extend(rows[i:i + per_cluster] for i in range(0, len(rows), per_cluster))
    rng.shuffle(groups)
    batch: list[int] = []
    for group in groups:
        batch.extend(group)
        if len(batch) >= size:
            yield _batch(examples, batch)
            batch = []
    if len(batch) > 1:
        yield _batch(examples, batch)
