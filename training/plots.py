"""PNG figures of a training run (matplotlib without a display)."""

from __future__ import annotations

from collections.abc import Mapping
from pathlib import Path

import numpy as np

from training.finetune import History


def _pyplot():
    import matplotlib

    matplotlib.use("Agg")
    import matplotlib.pyplot as plt

    return plt


def _save(fig, path: Path) -> Path:
    path.parent.mkdir(parents=True, exist_ok=True)
    fig.tight_layout()
    fig.savefig(path, dpi=120)
    _pyplot().close(fig)
    return path


def elbow_plot(sse: Mapping[int, float], chosen: int, path: Path) -> Path:
    plt = _pyplot()
    fig, ax = plt.subplots(figsize=(6, 4))
    ks = sorted(sse)
    ax.plot(ks, [sse[k] for k in ks], marker="o")
    if chosen in sse:
        ax.scatter([chosen], [sse[chosen]], color="red", zorder=3, label=f"k={chosen} (used)")
        ax.legend()
    ax.set_xlabel("k (clusters)")
    ax.set_ylabel("SSE (sum of squared distances to centres)")
    ax.set_title("Elbow curve of playlist content vectors", fontsize=10)
    return _save(fig, path)


def loss_plot(histories: Mapping[str, History], path: Path) -> Path:
    plt = _pyplot()
    fig, axes = plt.subplots(1, len(histories), figsize=(5.5 * len(histories), 4), squeeze=False)
    for ax, (variant, history) in zip(axes[0], histories.items()):
        epochs = range(1, history.epochs_run + 1)
        ax.plot(list(epochs), history.train_loss, marker="o", label="training")
        ax.plot(range(0, len(history.validation_loss)), history.validation_loss, marker="s", label="validation")
        if history.best_epoch:
            ax.axvline(history.best_epoch, color="grey", linestyle=":", label=f"best (epoch {history.best_epoch})")
        ax.set_xlabel("epoch (0 = before training)")
        ax.set_ylabel("loss")
        ax.set_title(variant.upper(), fontsize=10)
        ax.legend(fontsize=8)
    return _save(fig, path)


def tsne_plot(vectors: np.ndarray, labels: np.ndarray, kept: frozenset[int], points: int, seed: int, path: Path) -> Path:
    """Playlist vectors in 2-D, coloured by cluster; clusters left out of fine-tuning in grey."""
    from sklearn.manifold import TSNE

    rows = np.random.default_rng(seed).permutation(len(vectors))[:points]
    perplexity = float(min(30, max(2, (len(rows) - 1) / 3)))
    xy = TSNE(n_components=2, perplexity=perplexity, init="pca", random_state=seed).fit_transform(vectors[rows])
    chosen = labels[rows]
    is_kept = np.isin(chosen, list(kept))
    plt = _pyplot()
    fig, ax = plt.subplots(figsize=(7, 6))
    ax.scatter(xy[~is_kept, 0], xy[~is_kept, 1], s=4, c="lightgrey", label="left out of fine-tuning")
    ax.scatter(xy[is_kept, 0], xy[is_kept, 1], s=4, c=chosen[is_kept] % 20, cmap="tab20")
    ax.set_title(f"t-SNE of {len(rows):,} playlist content vectors, coloured by cluster", fontsize=10)
    ax.set_xticks([])
    ax.set_yticks([])
    if (~is_kept).any():
        ax.legend(fontsize=8, loc="best")
    return _save(fig, path)


def similarity_plot(table: Mapping[str, Mapping[str, float]], anchor: str, path: Path) -> Path:
    """Cosine of `anchor` with each probe title, one group of bars per encoder (the paper's Figure 7)."""
    plt = _pyplot()
    encoders = list(table)
    probes = list(next(iter(table.values())))
    width = 0.8 / len(encoders)
    fig, ax = plt.subplots(figsize=(6.5, 4))
    for i, encoder in enumerate(encoders):
        ax.bar([j + i * width for j in range(len(probes))], [table[encoder][p] for p in probes], width, label=encoder)
    ax.set_xticks([j + width * (len(encoders) - 1) / 2 for j in range(len(probes))], probes)
    ax.set_ylabel(f"cosine similarity with “{anchor}”")
    ax.legend()
    return _save(fig, path)
