"""Where training keeps its files under the data dir.

    DATA_DIR/training/<catalog fingerprint>/tracks-<encoder fingerprint>/   track vectors, in chunks
    DATA_DIR/training/<catalog fingerprint>/playlists-<encoder fingerprint>.npz
    DATA_DIR/training/<catalog fingerprint>/runs/<run id>/                 clusters, split, plots, report
    DATA_DIR/models/<variant>-<run id>/                                    the trained encoders

A run id names the catalog and the settings that shape a model, so running the same
command again finds the finished stages and skips them.
"""

from __future__ import annotations

import hashlib
import json
from dataclasses import dataclass
from pathlib import Path

from training.options import TrainOptions


def run_id(options: TrainOptions, catalog_fingerprint: str) -> str:
    """Names the settings and the catalog: models of the demo and of the user's catalog,
    trained with the same settings in one data dir, must not take each other's place."""
    shaping = {
        "catalog": catalog_fingerprint,
        "k": options.k, "min_coherence": options.min_coherence, "seed": options.seed,
        "epochs": options.epochs, "patience": options.patience, "max_train": options.max_train,
        "batch_size": options.batch_size, "triplet_batch_size": options.triplet_batch_size,
        "lr": options.lr, "head_lr": options.head_lr, "margin": options.triplet_margin,
        "pair_batch_size": options.pair_batch_size, "gist_temperature": options.gist_temperature,
        "min_shared_tracks": options.min_shared_tracks, "min_jaccard": options.min_jaccard,
    }
    digest = hashlib.sha256(json.dumps(shaping, sort_keys=True).encode()).hexdigest()[:6]
    return f"k{options.k}-c{options.min_coherence:g}-s{options.seed}-{digest}"


@dataclass(frozen=True)
class TrainingLayout:
    home: Path
    catalog_fingerprint: str
    encoder_fingerprint: str

    @property
    def root(self) -> Path:
        return self.home / "training" / self.catalog_fingerprint

    @property
    def tracks(self) -> Path:
        return self.root / f"tracks-{self.encoder_fingerprint}"

    @property
    def playlists(self) -> Path:
        return self.root / f"playlists-{self.encoder_fingerprint}.npz"

    def run(self, run: str) -> Path:
        return self.root / "runs" / run

    def model(self, variant: str, run: str) -> Path:
        return models_dir(self.home) / f"{variant}-{run}"


def models_dir(home: Path) -> Path:
    return home / "models"
