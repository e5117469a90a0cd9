"""The training phase end to end: content clusters, then the FT-C, FT-T and FT-G title encoders.

    tracks -> track title vectors -> playlist vectors -> k-means -> coherent clusters
    -> 80/10/10 split -> FT-C / FT-T / FT-G fine-tuning -> model folders, plots, report

Each stage's result is kept under DATA_DIR/training/<catalog fingerprint>/, so a run
stopped half-way, or run again, redoes only what is missing. The caller sees
progress through a `Reporter` (the CLI draws bars; tests pass none).
"""

from __future__ import annotations

import contextlib
import json
import time
from collections.abc import Callable, Iterator
from dataclasses import asdict, dataclass, field
from pathlib import Path
from typing import Protocol

import numpy as np

from retrieval.catalog import Catalog
from retrieval.encoding.encoder import Encoder, default_encoder_path, model_fingerprint
from retrieval.encoding.onnx_export import ensure_onnx, onnx_root
from training import clustering, plots
from training.finetune import Examples, History, centroid_accuracy, embed, labelled, seed_everything
from training.layout import TrainingLayout, run_id
from training.models import SavedModel, library_versions, read_metadata, save_model
from training.options import Stage, TrainOptions
from training.playlist_vectors import mean_playlist_vectors, trainable_playlists
from training.splitting import PARTS, TrainSplit, capped, stratified_split
from training.track_vectors import embed_track_titles

ProgressFn = Callable[[int, int], None]
SIMILARITY_ANCHOR = "workout"
SIMILARITY_PROBES = ("k pop", "running", "sports")  # the paper's Figure 7, in normalised form


class Reporter(Protocol):
    def progress(self, description: str, total: int | None = None) -> contextlib.AbstractContextManager[ProgressFn]: ...

    def note(self, text: str) -> None: ...


class Silent:
    @contextlib.contextmanager
    def progress(self, description: str, total: int | None = None) -> Iterator[ProgressFn]:
        yield lambda done, of: None

    def note(self, text: str) -> None:
        pass


@dataclass
class TrainReport:
    run_id: str
    run_dir: Path
    catalog_fingerprint: str
    playlists: int
    clusters: dict
    split: dict[str, int]
    models: dict[str, str] = field(default_factory=dict)  # variant -> folder
    validation: dict[str, dict] = field(default_factory=dict)
    similarity: dict[str, dict[str, float]] = field(default_factory=dict)
    figures: dict[str, str] = field(default_factory=dict)
    stages: list[Stage] = field(default_factory=list)
    seconds: float = 0.0

    def to_json(self) -> str:
        document = asdict(self)
        document["run_dir"] = str(self.run_dir)
        return json.dumps(document, indent=2, default=str)


@contextlib.contextmanager
def _stage(report: TrainReport, name: str, cached: bool = False) -> Iterator[dict]:
    details: dict = {}
    started = time.perf_counter()
    yield details
    report.stages.append(Stage(name, round(time.perf_counter() - started, 2), details.pop("cached", cached), details))


def train(catalog: Catalog, home: Path, options: TrainOptions = TrainOptions(), reporter: Reporter = Silent()) -> TrainReport:
    started = time.perf_counter()
    options.check()
    rows = trainable_playlists(catalog)  # fails early, before minutes of embedding
    clustering.check_k(options.k, len(rows))
    seed_everything(options.seed)
    base_path = default_encoder_path()
    layout = TrainingLayout(home, catalog.fingerprint(), model_fingerprint(base_path))
    run = run_id(options, layout.catalog_fingerprint)
    run_dir = layout.run(run)
    run_dir.mkdir(parents=True, exist_ok=True)
    device = options.resolved_device
    report = TrainReport(run, run_dir, layout.catalog_fingerprint, len(rows), clusters={}, split={})

    with _stage(report, "load base model"):
        encoder = Encoder(base_path, device=device)

    with _stage(report, "embed track titles") as details:
        embedding_started = time.perf_counter()
        with reporter.progress("Embedding track titles") as update:
            tracks, details["cached"] = embed_track_titles(
                catalog, encoder, layout.tracks, options.embed_chunk, options.embed_batch, update)
        details["distinct_titles"] = len(tracks.title_vectors)
        if not details["cached"]:
            details["titles_per_second"] = round(len(tracks.title_vectors) / max(time.perf_counter() - embedding_started, 1e-9), 1)
        details["tracks"] = len(tracks.uris)
        details["device"] = device

    with _stage(report, "playlist vectors") as details:
        playlists, details["cached"] = mean_playlist_vectors(catalog, tracks, layout.playlists)
        details["playlists"] = len(playlists)
    del tracks

    with _stage(report, "elbow curve") as details:
        sse, details["cached"] = _elbow(layout.root / f"elbow-s{options.seed}.json", playlists.vectors, options, reporter)
        report.figures["elbow"] = str(plots.elbow_plot(sse, options.k, run_dir / "elbow.png"))
        details["sse"] = sse

    with _stage(report, "k-means") as details:
        labels, details["cached"] = _clusters(layout.root / f"clusters-k{options.k}-s{options.seed}.npy", playlists.vectors, options)

    with _stage(report, "coherence filter") as details:
        coherences = clustering.coherence(labels, playlists.title_ids)
        kept = clustering.keep_coherent(coherences, options.min_coherence)
        report.clusters = {
            "k": options.k, "non_empty": len(coherences), "kept": len(kept.kept),
            "below_min_coherence": len(kept.incoherent), "too_small_for_three_splits": len(kept.too_small),
            "playlists_left_out": kept.playlists_removed, "min_coherence": options.min_coherence,
            "coherence_quartiles": np.quantile([c.share for c in coherences], [0, 0.25, 0.5, 0.75, 1]).round(3).tolist(),
        }
        details.update(report.clusters)
        reporter.note(f"Clusters: {kept.describe()}.")

    with _stage(report, "split") as details:
        split = stratified_split(playlists.pids, labels, kept.kept, options.seed)
        titles = _normalised_titles(catalog)
        title_of_pid = {int(p): titles[int(t)] for p, t in zip(playlists.pids, playlists.title_ids)}
        report.split = {name: len(split.part(name)) for name in PARTS}
        train_titles = {title_of_pid[p] for p in split.train}
        report.split["test_titles_also_in_train"] = sum(title_of_pid[p] in train_titles for p in split.test)
        split.save(run_dir / "split.json", run_id=run, catalog_fingerprint=layout.catalog_fingerprint,
                   seed=options.seed, k=options.k, min_coherence=options.min_coherence)
        details.update(report.split)

    classes = {label: i for i, label in enumerate(sorted(kept.kept))}
    train_set = labelled(title_of_pid, capped(split.train, options.max_train, options.seed), classes)
    validation_set = labelled(title_of_pid, split.validation, classes)
    about = {"run_id": run, "run_dir": str(run_dir), "base_model_path": str(base_path),
             "base_model_fingerprint": layout.encoder_fingerprint, "catalog_path": str(catalog.path),
             "catalog_fingerprint": layout.catalog_fingerprint, "clusters": len(classes)}
    histories = _fine_tune_variants(report, layout, catalog, encoder.model, train_set, validation_set, options, reporter,
                                    about)
    report.figures["loss"] = str(plots.loss_plot(histories, run_dir / "loss.png"))

    with _stage(report, "ONNX export") as details:  # torch-free queries once an index uses the model
        for variant, folder in report.models.items():
            exported = ensure_onnx(Encoder(Path(folder), device=device), onnx_root(home))
            details[variant] = str(exported) if exported else "not exportable; queries use torch"

    with _stage(report, "t-SNE") as details:
        tsne = run_dir / "tsne.png"
        details["cached"] = tsne.exists()
        if not tsne.exists():
            plots.tsne_plot(playlists.vectors, labels, kept.kept, options.tsne_points, options.seed, tsne)
        report.figures["tsne"] = str(tsne)

    with _stage(report, "similarity check"):
        models = {"pt": encoder.model, **{v: _load(Path(f), device) for v, f in report.models.items()}}
        report.similarity = similarity_table(models)
        report.figures["similarity"] = str(plots.similarity_plot(report.similarity, SIMILARITY_ANCHOR, run_dir / "similarity.png"))

    report.seconds = round(time.perf_counter() - started, 2)
    (run_dir / "report.json").write_text(report.to_json())
    return report


def _fine_tune_variants(report: TrainReport, layout: TrainingLayout, catalog: Catalog, base_model, train_set: Examples,
                        validation_set: Examples, options: TrainOptions, reporter: Reporter, about: dict) -> dict[str, History]:
    """Each variant's model, trained unless this run saved it already; their loss histories."""
    histories: dict[str, History] = {}
    pretrained_accuracy: float | None = None
    for variant in options.variants:
        with _stage(report, f"fine-tune {variant}") as details:
            folder = layout.model(variant, report.run_id)
            saved = read_metadata(folder)
            details["cached"] = saved is not None
            if saved is None:
                if pretrained_accuracy is None:  # measured once, shared by the variants
                    pretrained_accuracy = centroid_accuracy(base_model, train_set, validation_set, seed=options.seed)
                trainer = _trainer(variant, catalog, base_model)
                saved = _fine_tune(variant, trainer, folder, train_set, validation_set, options, options.resolved_device,
                                   reporter, base_model, pretrained_accuracy, about).metadata
            report.models[variant] = str(folder)
            report.validation[variant] = saved["validation"]
            histories[variant] = History(**saved["history"])
            details.update(saved["validation"])
    return histories


def _trainer(variant: str, catalog: Catalog, base_model):
    from training.classifier import train_classifier
    from training.contrastive import guided_trainer
    from training.triplet import train_triplet

    if variant == "ft-g":  # the pre-trained model guides which in-batch negatives count
        return guided_trainer(catalog, guide=base_model)
    return {"ft-c": train_classifier, "ft-t": train_triplet}[variant]


def _fine_tune(variant: str, trainer, folder: Path, train_set: Examples, validation_set: Examples, options: TrainOptions,
               device: str, reporter: Reporter, base_model, pretrained_accuracy: float, about: dict) -> SavedModel:
    seed_everything(options.seed)
    model = _load(Path(about["base_model_path"]), device)
    with reporter.progress(f"Fine-tuning {variant.upper()} ({len(train_set):,} titles)") as update:
        trained = trainer(model, train_set, validation_set, options, device, on_step=update)
    trained.validation.centroid_accuracy_before = pretrained_accuracy
    trained.validation.centroid_accuracy_after = centroid_accuracy(trained.model, train_set, validation_set, seed=options.seed)
    history = trained.history
    metadata = {
        "name": f"{variant}-{about['run_id']}", "variant": variant, **about,
        "k": options.k, "min_coherence": options.min_coherence, "seed": options.seed,
        "epochs": options.epochs, "epochs_run": history.epochs_run, "best_epoch": history.best_epoch,
        "patience": options.patience, "lr": options.lr, "head_lr": options.head_lr if variant == "ft-c" else None,
        "batch_size": {"ft-c": options.batch_size, "ft-t": options.triplet_batch_size}.get(variant, options.pair_batch_size),
        "train_examples": len(train_set), "validation_examples": len(validation_set), "max_train": options.max_train,
        "validation": asdict(trained.validation), "history": asdict(history), "device": device,
        "libraries": library_versions(), **trained.details,
    }
    saved = save_model(trained.model, folder, metadata, Path(about["base_model_path"]), base_model)
    reporter.note(
        f"{variant.upper()}: validation loss {trained.validation.loss_before:.3f} -> {trained.validation.loss_after:.3f}, "
        f"centroid accuracy {pretrained_accuracy:.3f} -> {trained.validation.centroid_accuracy_after:.3f} "
        f"(best epoch {history.best_epoch} of {history.epochs_run}); saved {folder}"
    )
    return saved


def _load(path: Path, device: str):
    from sentence_transformers import SentenceTransformer

    return SentenceTransformer(str(path), device=device, local_files_only=True)


def similarity_table(models: dict, anchor: str = SIMILARITY_ANCHOR, probes=SIMILARITY_PROBES) -> dict[str, dict[str, float]]:
    """Cosine of `anchor` with each probe under each model."""
    table = {}
    for name, model in models.items():
        vectors = embed(model, [anchor, *probes])
        table[name] = {probe: round(float(vectors[0] @ vectors[i + 1]), 4) for i, probe in enumerate(probes)}
    return table


def _normalised_titles(catalog: Catalog) -> dict[int, str]:
    return catalog.normalized_titles()


def _elbow(cache: Path, vectors: np.ndarray, options: TrainOptions, reporter: Reporter) -> tuple[dict[int, float], bool]:
    known = {int(k): v for k, v in json.loads(cache.read_text()).items()} if cache.exists() else {}
    # A k the data cannot hold (k >= playlists) is never computed, so it is not missing either.
    missing = [k for k in options.elbow_ks if k not in known and 2 <= k < len(vectors)]
    if missing:
        with reporter.progress("Elbow curve (k-means per k)", total=len(missing)) as update:
            done = iter(range(1, len(missing) + 1))
            known.update(clustering.elbow(vectors, missing, options.seed, on_k=lambda k: update(next(done), len(missing))))
        cache.write_text(json.dumps(known))
    return {k: known[k] for k in sorted(options.elbow_ks) if k in known}, not missing


def _clusters(cache: Path, vectors: np.ndarray, options: TrainOptions) -> tuple[np.ndarray, bool]:
    if cache.exists():
        labels = np.load(cache)
        if len(labels) == len(vectors):
            return labels, True
    labels, _ = clustering.kmeans(vectors, options.k, options.seed)
    np.save(cache, labels)
    return labels, False


def load_split(run_dir: Path) -> TrainSplit:
    return TrainSplit.load(run_dir / "split.json")
