"""What a training run is told, in one frozen object, and the error a user can fix."""

from __future__ import annotations

import os
from dataclasses import dataclass, field

VARIANTS: tuple[str, ...] = ("ft-c", "ft-t", "ft-g")
DEVICE_ENV = "AGENT_DEVICE"


class TrainingError(ValueError):
    """Input that training cannot use as given; the message says what to change."""


def resolve_device(explicit: str | None = None) -> str:
    """Explicit first, then $AGENT_DEVICE, then a GPU when torch sees one, else the CPU."""
    if explicit:
        return explicit
    if os.environ.get(DEVICE_ENV):
        return os.environ[DEVICE_ENV]
    import torch

    return "cuda" if torch.cuda.is_available() else "cpu"


@dataclass(frozen=True)
class TrainOptions:
    k: int = 200
    min_coherence: float = 0.02
    elbow_ks: tuple[int, ...] = (50, 100, 150, 200, 250)
    variants: tuple[str, ...] = VARIANTS
    epochs: int = 4
    patience: int = 2  # epochs without a lower validation loss before stopping
    max_train: int | None = None
    batch_size: int = 8  # FT-C, as in the paper
    triplet_batch_size: int = 32  # FT-T: batch-all needs several titles per cluster in a batch
    per_cluster: int = 4  # titles of one cluster that travel together in an FT-T batch
    lr: float = 2e-5
    # The FT-C head starts from random weights: at the backbone's 2e-5 it barely leaves
    # chance within a few epochs, so it learns faster (the backbone keeps 2e-5).
    head_lr: float = 1e-3
    dropout: float = 0.1
    triplet_margin: float = 0.5  # on unit vectors, so distances lie in [0, 2]
    # FT-G: title pairs of playlists sharing tracks, the rest of the batch as negatives
    # unless the pre-trained guide rates them closer than the pair (training/contrastive.py).
    pair_batch_size: int = 32
    # GISTEmbedLoss's default 0.01 raised the loss on validation pairs from the first epoch on
    # the MPD sample (1.20 -> 1.67); 0.05, MultipleNegativesRankingLoss's scale of 20, lowered it.
    gist_temperature: float = 0.05
    min_shared_tracks: int = 2  # one shared hit says little: most playlists share one
    min_jaccard: float = 0.05
    tsne_points: int = 2000
    seed: int = 0
    device: str | None = None
    # Chunks of distinct track titles embedded and saved at a time, so a stopped run resumes.
    embed_chunk: int = 20_000
    embed_batch: int = 256

    def check(self) -> None:
        if self.k < 2:
            raise TrainingError(f"--k must be at least 2 clusters, got {self.k}")
        if not 0 <= self.min_coherence < 1:
            raise TrainingError(f"--min-coherence is a share between 0 and 1, got {self.min_coherence}")
        unknown = [v for v in self.variants if v not in VARIANTS]
        if unknown or not self.variants:
            raise TrainingError(f"unknown variant(s) {', '.join(unknown) or '(none)'}; choose from {', '.join(VARIANTS)}")
        if self.epochs < 1:
            raise TrainingError(f"--epochs must be at least 1, got {self.epochs}")
        if self.max_train is not None and self.max_train < 2:
            raise TrainingError(f"--max-train must be at least 2 titles, got {self.max_train}")
        if any(k < 1 for k in self.elbow_ks):
            raise TrainingError(f"--elbow values must be positive cluster counts, got {self.elbow_ks}")

    @property
    def resolved_device(self) -> str:
        return resolve_device(self.device)


@dataclass(frozen=True)
class Stage:
    """What the pipeline tells its caller about one finished stage."""

    name: str
    seconds: float
    cached: bool
    details: dict = field(default_factory=dict)
