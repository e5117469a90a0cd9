"""Trained encoders on disk: self-describing folders, found again by name.

A model folder is a plain sentence-transformers folder (anything that loads one can
use it) plus `playlist_agent.json`, which says how it was made. `pt` names the
pre-trained MiniLM; `ft-c`, `ft-t` and `ft-g` name the latest trained model of that variant.

Saving proves what was saved: the folder is loaded back from disk and must embed
exactly as the trained model does and differently from the base model, so a serving
path that silently loads the base model cannot pass for a fine-tuned one.
"""

from __future__ import annotations

import json
import platform
import shutil
import time
from dataclasses import dataclass
from pathlib import Path

import numpy as np

from retrieval.encoding.encoder import EncoderError, default_encoder_path, model_fingerprint
from training.layout import models_dir
from training.options import VARIANTS, TrainingError

METADATA_FILE = "playlist_agent.json"
PRETRAINED = "pt"
# Titles the saved model is checked on: plain words, so every model embeds them.
PROBE_TITLES = ("workout", "christmas songs", "chill vibes", "road trip", "k pop", "country")


@dataclass(frozen=True)
class SavedModel:
    path: Path
    metadata: dict

    @property
    def name(self) -> str:
        return self.metadata["name"]


def library_versions() -> dict[str, str]:
    import sentence_transformers
    import sklearn
    import torch
    import transformers

    return {
        "python": platform.python_version(), "torch": torch.__version__, "transformers": transformers.__version__,
        "sentence_transformers": sentence_transformers.__version__, "scikit_learn": sklearn.__version__,
        "numpy": np.__version__,
    }


def save_model(model, folder: Path, metadata: dict, base_path: Path, base_model=None) -> SavedModel:
    """Write the model and its metadata, then check that the folder is the trained model."""
    temporary = folder.with_name(folder.name + ".partial")
    shutil.rmtree(temporary, ignore_errors=True)
    model.save(str(temporary))
    proof = prove_trained(model, temporary, base_path, base_model)
    document = {**metadata, "check": proof, "created_at": time.strftime("%Y-%m-%dT%H:%M:%S")}
    (temporary / METADATA_FILE).write_text(json.dumps(document, indent=2))
    shutil.rmtree(folder, ignore_errors=True)
    temporary.replace(folder)
    return SavedModel(folder, document)


def prove_trained(model, folder: Path, base_path: Path, base_model=None, titles=PROBE_TITLES) -> dict:
    """Reload `folder` from disk: it must embed as `model` does and unlike the base model
    (`base_model`, when the caller has it loaded from `base_path` already)."""
    from sentence_transformers import SentenceTransformer

    device = str(model.device)
    reloaded = SentenceTransformer(str(folder), device=device, local_files_only=True)
    base = base_model or SentenceTransformer(str(base_path), device=device, local_files_only=True)
    trained_vectors, reloaded_vectors, base_vectors = (
        m.encode(list(titles), normalize_embeddings=True, convert_to_numpy=True) for m in (model, reloaded, base)
    )
    proof = {
        "reloaded_matches_trained": bool(np.allclose(reloaded_vectors, trained_vectors, atol=1e-5)),
        "max_abs_difference_from_base": float(np.abs(reloaded_vectors - base_vectors).max()),
        "weights_differ_from_base": _weights_differ(reloaded, base),
        "base_fingerprint": model_fingerprint(base_path),
        "probe_titles": list(titles),
    }
    if not proof["reloaded_matches_trained"]:
        raise TrainingError(f"the model saved in {folder} does not embed as the trained model did; it was not saved correctly")
    if not proof["weights_differ_from_base"] or proof["max_abs_difference_from_base"] < 1e-6:
        raise TrainingError(
            f"the model saved in {folder} is identical to the base model {base_path}: training changed nothing "
            "(too few steps? try more --epochs or a larger --max-train)"
        )
    return proof


def _weights_differ(model, base) -> bool:
    ours, theirs = model.state_dict(), base.state_dict()
    return any(not np.array_equal(ours[key].cpu().numpy(), theirs[key].cpu().numpy()) for key in ours if key in theirs)


def trained_models(home: Path) -> list[SavedModel]:
    """Every finished model under DATA_DIR/models, oldest first."""
    found = []
    for meta in sorted(models_dir(home).glob(f"*/{METADATA_FILE}")):
        try:
            found.append(SavedModel(meta.parent, json.loads(meta.read_text())))
        except ValueError:
            continue  # a damaged metadata file: not a model we can vouch for
    return sorted(found, key=lambda m: (m.metadata.get("created_at", ""), m.path.name))


def latest(home: Path, variant: str, catalog_fingerprint: str | None = None) -> SavedModel | None:
    candidates = [
        m for m in trained_models(home)
        if m.metadata.get("variant") == variant
        and (catalog_fingerprint is None or m.metadata.get("catalog_fingerprint") == catalog_fingerprint)
    ]
    return candidates[-1] if candidates else None


def resolve_encoder(name_or_path: str | Path | None, home: Path, catalog_fingerprint: str | None = None) -> Path:
    """The model folder meant by `pt`, a variant (`ft-c`...), a trained model's name, or a path.

    A variant prefers the latest model trained on the catalog with `catalog_fingerprint`
    (the demo and the user's catalog share a data dir), else the latest of any catalog.
    """
    if name_or_path is None or str(name_or_path) == PRETRAINED:
        return default_encoder_path()
    wanted = str(name_or_path)
    if wanted in VARIANTS:
        found = (catalog_fingerprint and latest(home, wanted, catalog_fingerprint)) or latest(home, wanted)
        if found is None:
            raise EncoderError(
                f"no trained {wanted} model in {models_dir(home)}; run `agent train` first "
                f"(or name a model folder by path)"
            )
        return found.path
    by_name = models_dir(home) / wanted
    if (by_name / METADATA_FILE).exists():
        return by_name
    path = Path(wanted).expanduser()
    if path.is_dir():
        return path
    raise EncoderError(
        f"unknown encoder {wanted!r}: give pt, {', '.join(VARIANTS)}, the name of a folder in "
        f"{models_dir(home)}, or the path of a sentence-transformers model folder"
    )


def read_metadata(path: Path) -> dict | None:
    meta = path / METADATA_FILE
    return json.loads(meta.read_text()) if meta.exists() else None


def training_test_split(encoder_paths: dict[str, Path], catalog_fingerprint: str) -> tuple[frozenset[int], str] | None:
    """The test pids of the run that trained the fine-tuned encoders among `encoder_paths`,
    and a description; None when none of them was trained here (e.g. only `pt`).

    Encoders from different runs, or a run on another catalog, are refused: their
    training playlists could be another run's test playlists.
    """
    runs = {}
    for name, path in encoder_paths.items():
        metadata = read_metadata(path)
        if metadata and "run_dir" in metadata:
            runs.setdefault(metadata["run_dir"], []).append(name)
    if not runs:
        return None
    if len(runs) > 1:
        described = "; ".join(f"{', '.join(names)} from {Path(run).name}" for run, names in runs.items())
        raise TrainingError(
            f"the fine-tuned encoders come from different training runs ({described}), so no test split is "
            "unseen by all of them; compare encoders of one run, or pass --queries FILE"
        )
    run_dir = Path(next(iter(runs)))
    split_file = run_dir / "split.json"
    if not split_file.exists():
        raise TrainingError(f"the training run {run_dir} has no split.json; run `agent train` again to write it")
    document = json.loads(split_file.read_text())
    if document.get("catalog_fingerprint") != catalog_fingerprint:
        raise TrainingError(
            f"the encoders were trained on another catalog ({document.get('catalog_fingerprint')}) than the "
            f"active one ({catalog_fingerprint}); their test split names other playlists. Train on this "
            "catalog (`agent train`) or pass --queries FILE"
        )
    test = frozenset(document["test"])
    return test, f"{len(test):,} test playlists of training run {run_dir.name} (playlists unseen in fine-tuning)"
