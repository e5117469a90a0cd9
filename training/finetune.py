"""Stage 6, what both variants share: titles with cluster labels, forward passes, the
epoch loop with early stopping on validation loss, and nearest-centroid accuracy.

The loop keeps the weights of the epoch with the lowest validation loss (in memory)
and puts them back when it stops, so the model saved is the best one, not the last.
"""

from __future__ import annotations

import copy
import math
import time
from collections.abc import Callable, Iterable, Sequence
from dataclasses import dataclass, field

import numpy as np
import torch

from training.options import TrainOptions

Batch = tuple[list[str], torch.Tensor]


@dataclass(frozen=True)
class Examples:
    """Playlist titles and their cluster labels, relabelled 0..classes-1."""

    titles: list[str]
    labels: np.ndarray
    pids: tuple[int, ...] = ()  # the playlist of each title, when known (FT-G reads their tracks)

    def __len__(self) -> int:
        return len(self.titles)


def labelled(titles_by_pid: dict[int, str], labels_by_pid: dict[int, int], classes: dict[int, int]) -> Examples:
    pids = sorted(labels_by_pid)
    return Examples([titles_by_pid[p] for p in pids], np.array([classes[labels_by_pid[p]] for p in pids], dtype=np.int64),
                    tuple(pids))


@dataclass
class History:
    train_loss: list[float] = field(default_factory=list)  # per epoch, mean over steps
    validation_loss: list[float] = field(default_factory=list)  # index 0: before training
    best_epoch: int = 0
    seconds: float = 0.0

    @property
    def epochs_run(self) -> int:
        return len(self.train_loss)


def to_device(features: dict, device: str) -> dict:
    return {key: value.to(device) if isinstance(value, torch.Tensor) else value for key, value in features.items()}


def tokenize(model, titles: Sequence[str], device: str) -> dict:
    preprocess = getattr(model, "preprocess", None) or model.tokenize  # renamed in sentence-transformers 6
    return to_device(preprocess(list(titles)), device)


def pooled(model, titles: Sequence[str], device: str) -> torch.Tensor:
    """Mean-pooled embeddings before the final normalisation: what a classification head reads."""
    normalize = _normalize_module()
    features = tokenize(model, titles, device)
    for module in model:
        if isinstance(module, normalize):
            break
        features = module(features)
    return features["sentence_embedding"]


def _normalize_module():
    try:
        from sentence_transformers.sentence_transformer.modules import Normalize
    except ImportError:  # sentence-transformers before 6
        from sentence_transformers.models import Normalize
    return Normalize


def embed(model, titles: Sequence[str], batch_size: int = 256) -> np.ndarray:
    return model.encode(list(titles), batch_size=batch_size, normalize_embeddings=True, convert_to_numpy=True)


def centroid_accuracy(model, train: Examples, validation: Examples, sample: int = 3000, seed: int = 0) -> float:
    """Share of validation titles whose nearest cluster centroid (of training titles) is their own.

    Reads only the embeddings, so it compares any encoder, pre-trained or fine-tuned.
    """
    rows = np.random.default_rng(seed).permutation(len(train))[:sample]
    vectors = embed(model, [train.titles[i] for i in rows])
    labels = train.labels[rows]
    classes = int(max(train.labels.max(), validation.labels.max())) + 1
    centroids = np.zeros((classes, vectors.shape[1]), np.float32)
    np.add.at(centroids, labels, vectors)
    centroids /= np.maximum(np.linalg.norm(centroids, axis=1, keepdims=True), 1e-12)
    predicted = (embed(model, validation.titles) @ centroids.T).argmax(axis=1)
    return float((predicted == validation.labels).mean())


def fit(
    modules: Sequence[torch.nn.Module],
    optimizer: torch.optim.Optimizer,
    batches: Callable[[int], Iterable[Batch]],
    loss_of: Callable[[Batch], torch.Tensor],
    validation_loss: Callable[[], float],
    options: TrainOptions,
    on_step: Callable[[int, int], None] | None = None,
    steps_per_epoch: int = 0,
) -> History:
    """Train for up to `options.epochs`, stopping after `options.patience` epochs without a
    lower validation loss; the weights of the trained epoch with the lowest validation loss
    are loaded back at the end."""
    history, started = History(), time.perf_counter()
    history.validation_loss.append(validation_loss())
    # The untrained weights are measured but never kept as "best": a run whose validation
    # loss never falls must show it in its numbers, not hand back the base model as trained.
    best, best_state = math.inf, None
    stale, step, total = 0, 0, steps_per_epoch * options.epochs
    for epoch in range(1, options.epochs + 1):
        for module in modules:
            module.train()
        losses = []
        for batch in batches(epoch):
            loss = loss_of(batch)
            optimizer.zero_grad()
            loss.backward()
            optimizer.step()
            losses.append(float(loss.detach()))
            step += 1
            if on_step:
                on_step(step, total)
        history.train_loss.append(float(np.mean(losses)) if losses else math.nan)
        current = validation_loss()
        history.validation_loss.append(current)
        if current < best:
            best, history.best_epoch, stale = current, epoch, 0
            best_state = [copy.deepcopy(m.state_dict()) for m in modules]
        else:
            stale += 1
            if stale >= options.patience:
                break
    for module, state in zip(modules, best_state or [None] * len(modules)):
        if state is not None:  # None: every validation loss was NaN; keep the last weights
            module.load_state_dict(state)
        module.eval()
    if on_step:
        on_step(total, total)
    history.seconds = time.perf_counter() - started
    return history


def seed_everything(seed: int) -> None:
    import random

    random.seed(seed)
    np.random.seed(seed)
    torch.manual_seed(seed)
