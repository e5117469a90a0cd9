"""The ALS model on disk: a self-describing folder beside the catalog (manifest with the
settings, library versions and the catalog fingerprint it was fitted on), written by an
index build and published whole by a rename.

A model of another catalog content or other library versions is not used (the caller
is told why, and ranks without it); a folder that cannot be read is an error naming it.
"""

from __future__ import annotations

import json
import os
import shutil
import tempfile
import time
from dataclasses import asdict, dataclass
from pathlib import Path

import numpy as np

from retrieval.collaborative.als import ALS
from retrieval.errors import ModelFolderError
from retrieval.model_folders import library_versions as model_library_versions
from retrieval.model_folders import model_folder

FORMAT = 1
SETTINGS = ("factors", "regularization", "alpha", "iterations", "min_plays")


@dataclass(frozen=True)
class Manifest:
    model: str
    format: int
    settings: dict
    track_count: int
    catalog_fingerprint: str
    versions: dict[str, str]
    fit_seconds: float


def library_versions() -> dict[str, str]:
    return model_library_versions("implicit", "numpy")


def save_als(model: ALS, folder: Path, catalog_fingerprint: str, fit_seconds: float) -> None:
    manifest = Manifest("als", FORMAT, {name: getattr(model, name) for name in SETTINGS}, model.track_count,
                        catalog_fingerprint, library_versions(), round(fit_seconds, 2))
    folder.parent.mkdir(parents=True, exist_ok=True)
    staging = Path(tempfile.mkdtemp(prefix=".building-", dir=folder.parent))
    try:
        np.save(staging / "item_factors.npy", model.item_factors)
        np.save(staging / "tracks.npy", model.tracks)
        (staging / "manifest.json").write_text(json.dumps(asdict(manifest), indent=2) + "\n", encoding="utf-8")
        if folder.exists():
            shutil.rmtree(folder)
        os.replace(staging, folder)
    finally:
        shutil.rmtree(staging, ignore_errors=True)


def load_als(folder: Path, catalog_fingerprint: str) -> tuple[ALS | None, str | None]:
    """(the model, None), or (None, why it is not used) when it is missing or stale."""
    if not folder.exists():
        return None, None
    manifest = read_manifest(folder)
    if manifest.catalog_fingerprint != catalog_fingerprint:
        return None, (f"the ALS model in {folder} was fitted on other playlists; ranking without it "
                      "until the index is rebuilt")
    if manifest.versions != library_versions():
        return None, (f"the ALS model in {folder} was saved by other library versions ({manifest.versions}); "
                      "ranking without it until the index is rebuilt")
    try:
        factors = np.load(folder / "item_factors.npy")
        tracks = np.load(folder / "tracks.npy")
    except (OSError, ValueError) as error:
        raise ModelFolderError(f"the ALS model folder {folder} is damaged ({error}); "
                               "run `agent index` to rebuild it") from None
    if factors.ndim != 2 or len(factors) != len(tracks) or factors.shape[1] != manifest.settings.get("factors"):
        raise ModelFolderError(f"the ALS model folder {folder} is damaged (arrays do not match its manifest); "
                               "run `agent index` to rebuild it")
    return ALS(**manifest.settings, item_factors=factors, tracks=tracks, track_count=manifest.track_count), None


def read_manifest(folder: Path) -> Manifest:
    try:
        document = json.loads((folder / "manifest.json").read_text(encoding="utf-8"))
        return Manifest(**document)
    except (OSError, ValueError, TypeError) as error:
        raise ModelFolderError(f"the model folder {folder} has no readable manifest ({error}); "
                               "run `agent index` to rebuild it") from None


def als_folder(catalog_path: Path) -> Path:
    """Where a catalog's ALS model lives: beside it, as its playlist graph does."""
    return model_folder(catalog_path, "als")


def fit_and_save_als(rows: tuple[np.ndarray, np.ndarray, int], folder: Path, catalog_fingerprint: str,
                     model: ALS | None = None) -> ALS:
    """Fit on playlists as CSR rows (offsets, track ids, track count: `PlaylistGraph.csr_arrays()`)
    and save the model in `folder`."""
    started = time.perf_counter()
    model = (model or ALS()).fit_rows(*rows)
    save_als(model, folder, catalog_fingerprint, time.perf_counter() - started)
    return model
