"""`agent tune`: fit the fusion weights to the catalog, stored beside its index."""

from __future__ import annotations

import click

from agent.cli.common import SHARE, stdout, workspace_options
from agent.cli.active import open_active_catalog
from agent.cli.progress import counting
from agent.evaluation.tuning import GRID, REPORT_SEED, fit, validation_queries, validation_split
from agent.workspace import Workspace
from retrieval.ranking.fusion import TunedWeights, tuned_weights_path
from retrieval.generator import GenerationError, Retriever
from retrieval.catalog import Catalog
from retrieval.index.titles import TitleIndex, derive_index, drop_index, open_index
from retrieval.ranking.learned import ranker_folder
from retrieval.split import holdout
from training.ranker_folds import FOLDS, MAX_FOLDS, PLAYLISTS, train_ranker_on_folds


@click.command()
@click.option("--share", type=SHARE, default=0.1, show_default=True, help="Share of playlists used for validation.")
@click.option("--limit", type=int, help="Validate on only this many playlists, for a quicker fit.")
@click.option("--ranker", is_flag=True, help="Retrain the learned ranker (LightGBM LambdaRank) instead, on "
                                             "catalog folds; generation uses it with --ranker.")
@click.option("--folds", type=click.IntRange(2, MAX_FOLDS), default=FOLDS, show_default=True,
              help="With --ranker: catalog folds, each hidden while its playlists are asked.")
@click.option("--playlists", type=click.IntRange(min=1), default=PLAYLISTS, show_default=True,
              help="With --ranker: playlists asked in all, spread over the folds.")
@workspace_options
def tune(share: float, limit: int | None, ranker: bool, folds: int, playlists: int, workspace: Workspace) -> None:
    """Choose the signal weights (sharpness, entity, co-occurrence) on a validation split
    of this catalog; `agent generate` and `agent evaluate` then use them by default.

    The split `agent evaluate` reports on by default is left out of the fit.
    """
    catalog, _ = open_active_catalog(workspace)
    with catalog:
        base = open_index(catalog, workspace.chroma)
        if ranker:
            return _train_ranker(catalog, base, workspace, holdout(catalog, share, REPORT_SEED).test_pids,
                                 folds, playlists)
        split, leave_out = validation_split(catalog, share)
        queries = validation_queries(catalog, split)[:limit] if limit else validation_queries(catalog, split)
        if not queries:
            raise GenerationError("the catalog has too few titled playlists to hold some out for tuning")
        index = derive_index(catalog, base, workspace.chroma, leave_out)
        try:
            retriever = Retriever(catalog, index)
            with counting("Trying weights", total=sum(len(v) for v in GRID.values())) as update:
                weights, reached, defaults = fit(retriever, queries, leave_out, on_step=update)
        finally:
            drop_index(workspace.chroma, index)
        path = tuned_weights_path(workspace.chroma.path, base.info.collection)
        TunedWeights(weights, base.info.collection, reached, defaults,
                     f"{len(queries)} validation playlists ({share:.0%}, seed 1, without evaluate's split)").save(path)
    shown = ", ".join(f"{name} {value:g}" for name, value in weights.to_dict().items() if name in GRID)
    stdout().print(
        f"Tuned weights: {shown}\n"
        f"Validation NDCG@10 {reached['ndcg@10']:.4f} (built-in defaults {defaults['ndcg@10']:.4f}), "
        f"R-precision {reached['r_precision']:.4f} ({defaults['r_precision']:.4f}).\nSaved to {path}"
    )


def _train_ranker(catalog: Catalog, base: TitleIndex, workspace: Workspace, leave_out: frozenset[int], folds: int,
                  playlists: int) -> None:
    """The ranker fitted on `folds` catalog folds, evaluate's split (`leave_out`) hidden throughout."""
    folder = ranker_folder(catalog.path)
    with counting(f"Asking playlists of {folds} catalog folds as training queries", total=playlists) as update:
        figures = train_ranker_on_folds(catalog, base, workspace.chroma, leave_out, folder, folds, playlists,
                                        on_progress=update)
    stdout().print(
        f"Ranker: {figures['training_queries']} training queries from {figures['playlists_asked']} playlists asked in "
        f"{figures['folds']} folds, {figures['trees']} trees in {figures['seconds']:.0f}s; "
        f"NDCG@10 on the held-back titles {figures['stopping_ndcg@10_ranker']:.4f} "
        f"(fused order {figures['stopping_ndcg@10_fused']:.4f}){_on_random_seeds(figures)}.\nSaved to {folder}",
        markup=False, highlight=False)


def _on_random_seeds(figures: dict) -> str:
    if not figures.get("stopping_random_queries"):
        return ""
    return (f"; on its {figures['stopping_random_queries']} queries with seeds drawn at random "
            f"{figures['stopping_ndcg@10_random_ranker']:.4f} (fused {figures['stopping_ndcg@10_random_fused']:.4f})")
