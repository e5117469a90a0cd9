"""`agent train`: content clusters and the fine-tuned title encoders FT-C, FT-T and FT-G."""

from __future__ import annotations

from pathlib import Path
from typing import TYPE_CHECKING

import click
from rich.table import Table

from agent.cli.common import stderr, stdout, workspace_options
from agent.cli.active import open_active_catalog
from agent.cli.progress import Bars
from agent.safe_text import safe_text
from agent.workspace import Workspace
from training.options import VARIANTS, TrainOptions

if TYPE_CHECKING:
    from training.pipeline import TrainReport


def _ints(ctx, param, value: str) -> tuple[int, ...]:
    try:
        return tuple(int(item) for item in value.split(",") if item.strip())
    except ValueError as error:
        raise click.BadParameter(f"{value!r} is not a comma-separated list of whole numbers") from error


def _variants(ctx, param, value: str) -> tuple[str, ...]:
    chosen = tuple(item.strip().lower() for item in value.split(",") if item.strip())
    unknown = [v for v in chosen if v not in VARIANTS]
    if unknown or not chosen:
        raise click.BadParameter(f"{value!r}: choose from {', '.join(VARIANTS)}")
    return chosen


@click.command()
@click.option("--k", type=int, default=TrainOptions.k, show_default=True, help="Content clusters (k-means).")
@click.option("--elbow", "elbow_ks", default=",".join(map(str, TrainOptions.elbow_ks)), show_default=True,
              callback=_ints, help="Values of k whose SSE is plotted as an elbow curve.")
@click.option("--min-coherence", type=float, default=TrainOptions.min_coherence, show_default=True,
              help="Clusters whose most frequent title holds a smaller share are left out of fine-tuning.")
@click.option("--variants", default=",".join(VARIANTS), show_default=True, callback=_variants,
              help="ft-c: classification head + cross-entropy; ft-t: batch-all triplet loss; ft-g: titles of "
                   "playlists sharing tracks as positive pairs, in-batch negatives guided by the pre-trained model.")
@click.option("--epochs", type=int, default=TrainOptions.epochs, show_default=True,
              help="At most this many epochs; stops earlier when validation loss stops falling.")
@click.option("--patience", type=int, default=TrainOptions.patience, show_default=True,
              help="Epochs without a lower validation loss before stopping.")
@click.option("--max-train", type=int, help="Train on at most this many titles (for quick runs).")
@click.option("--seed", type=int, default=TrainOptions.seed, show_default=True)
@click.option("--device", help="cpu, cuda, mps... [env AGENT_DEVICE; default: a GPU when present].")
@workspace_options
def train(k, elbow_ks, min_coherence, variants, epochs, patience, max_train, seed, device, workspace: Workspace) -> None:
    """Cluster playlists by content and fine-tune the title encoder on the clusters.

    Stages are cached under DATA_DIR/training/, so running again resumes. Models go to
    DATA_DIR/models/; use them with `agent index --encoder ft-c` and compare them with
    `agent evaluate --encoders pt,ft-c,ft-t,ft-g`.
    """
    from training.pipeline import train as run_training  # torch: loaded only when training

    options = TrainOptions(k=k, elbow_ks=elbow_ks, min_coherence=min_coherence, variants=variants,
                           epochs=epochs, patience=patience, max_train=max_train, seed=seed, device=device)
    options.check()
    catalog, is_demo = open_active_catalog(workspace)
    with catalog:
        if is_demo:
            stderr().print("Training on the demo catalog (no MPD slices ingested).")
        report = run_training(catalog, workspace.home, options, Bars())
    _print_summary(report)


def _print_summary(report: TrainReport) -> None:
    console = stdout()
    stages = Table(title=f"Training run {report.run_id}", title_justify="left")
    for column in ("stage", "seconds", "cached"):
        stages.add_column(column)
    for stage in report.stages:
        stages.add_row(stage.name, f"{stage.seconds:.1f}", "yes" if stage.cached else "")
    console.print(stages)
    clusters = report.clusters
    console.print(
        f"{report.playlists:,} playlists in {clusters['non_empty']} clusters; {clusters['kept']} kept, "
        f"{clusters['below_min_coherence']} below coherence {clusters['min_coherence']:g}, "
        f"{clusters['too_small_for_three_splits']} too small for three splits "
        f"({clusters['playlists_left_out']:,} playlists left out of fine-tuning, still in the index)."
    )
    split = report.split
    console.print(f"Split: {split['train']:,} train / {split['validation']:,} validation / {split['test']:,} test "
                  f"({split['test_titles_also_in_train']:,} test titles also carried by a training playlist).")
    models = Table(title="Validation (before -> after fine-tuning)", title_justify="left")
    for column in ("model", "loss", "centroid accuracy", "folder"):
        models.add_column(column)
    for variant, folder in report.models.items():
        v = report.validation[variant]
        models.add_row(safe_text(variant), f"{v['loss_before']:.3f} -> {v['loss_after']:.3f}",
                       f"{v['centroid_accuracy_before']:.3f} -> {v['centroid_accuracy_after']:.3f}", safe_text(Path(folder).name))
    console.print(models)
    similarity = Table(title="Cosine with “workout” (paper's Figure 7)", title_justify="left")
    similarity.add_column("encoder")
    probes = list(next(iter(report.similarity.values())))
    for probe in probes:
        similarity.add_column(probe, justify="right")
    for name, row in report.similarity.items():
        similarity.add_row(safe_text(name), *(f"{row[p]:.3f}" for p in probes))
    console.print(similarity)
    console.print("Figures: " + ", ".join(f"{name} {safe_text(path)}" for name, path in report.figures.items()))
    console.print(f"Models: {safe_text(Path(next(iter(report.models.values()))).parent)}")
    console.print(f"Report: {safe_text(report.run_dir / 'report.json')}  ({report.seconds:.0f} s)")
