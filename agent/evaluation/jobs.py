"""The two evaluations `agent evaluate` runs, each one call: configurations on a held-out
split (or a file of queries), and the retrieval grid under several title encoders.

Progress and notes go to a `Reporter` (bars in the CLI), so this module prints nothing.
"""

from __future__ import annotations

import random
from collections.abc import Sequence
from dataclasses import dataclass
from pathlib import Path
from typing import TYPE_CHECKING

from agent.evaluation.configs import EvalConfig, configurations
from agent.evaluation.continuation import ContinuationReport, continuation_report
from agent.evaluation.encoders import encoder_retrievers
from agent.evaluation.queries import Query, file_queries, held_out_queries
from agent.evaluation.report import EvalReport
from agent.evaluation.runner import run_evaluation
from retrieval.catalog import Catalog
from retrieval.ranking.fusion import DEFAULT_WEIGHTS, FusionWeights
from retrieval.generator import GenerationError, Retriever
from retrieval.index.titles import ChromaLocation, derive_index, drop_index, open_index
from retrieval.split import Split, holdout
from training.models import resolve_encoder, training_test_split

if TYPE_CHECKING:
    from training.pipeline import Reporter


@dataclass(frozen=True)
class QueryChoice:
    """Which playlists are scored: a file's, else a seeded held-out share; `limit` samples them."""

    queries_file: Path | None = None
    share: float = 0.1
    seed: int = 0
    unit: str = "playlist"
    limit: int | None = None


@dataclass(frozen=True)
class Queries:
    queries: list[Query]
    exclude: frozenset[int]  # playlists no retriever may use: the queries' own
    label: str


def select_queries(catalog: Catalog, choice: QueryChoice, reporter: Reporter,
                   test_split: tuple[frozenset[int], str] | None = None) -> Queries:
    """The queries, from the file, from `test_split` (pids, label) when given, else a fresh hold-out."""
    if choice.queries_file:
        queries, skipped = file_queries(choice.queries_file)
        exclude, label = frozenset(), f"queries from {choice.queries_file.name}"
        if skipped:
            reporter.note(f"Skipped {skipped} playlist(s) of {choice.queries_file} without a title or tracks.")
    else:
        if test_split is None:
            split = holdout(catalog, choice.share, choice.seed, choice.unit)
            test_split = split.test_pids, split.describe()
        exclude, label = test_split
        queries = held_out_queries(catalog, Split(exclude, choice.share, choice.seed, choice.unit))
    if choice.limit:
        queries = random.Random(choice.seed).sample(queries, min(choice.limit, len(queries)))
    if not queries:
        raise GenerationError("no queries to score: the catalog or file has no titled playlists with tracks")
    return Queries(queries, exclude, label)


def evaluate_configurations(catalog: Catalog, chroma: ChromaLocation, configs: Sequence[EvalConfig],
                            choice: QueryChoice, match_by: str, reporter: Reporter, backend=None,
                            weights: FusionWeights = DEFAULT_WEIGHTS) -> EvalReport:
    """Every configuration on the chosen queries, over an index without the held-out playlists."""
    selected = select_queries(catalog, choice, reporter)
    base = open_index(catalog, chroma)
    index = derive_index(catalog, base, chroma, selected.exclude) if selected.exclude else base
    try:
        with reporter.progress("Scoring queries", total=len(selected.queries)) as update:
            return run_evaluation(
                catalog, Retriever(catalog, index, weights=weights), configs, selected.queries, selected.exclude,
                selected.label,
                match_by, on_query=lambda done: update(done, len(selected.queries)), backend=backend,
            )
    finally:
        if index is not base:
            drop_index(chroma, index)


def evaluate_encoders(catalog: Catalog, chroma: ChromaLocation, home: Path, encoders: Sequence[str],
                      votings: Sequence[str], ks: Sequence[int], choice: QueryChoice, match_by: str,
                      reporter: Reporter) -> EvalReport:
    """Table 1 of the paper: the retrieval grid under each encoder, on the training run's test split."""
    paths = {name: resolve_encoder(name, home, catalog.fingerprint()) for name in encoders}
    for name, path in paths.items():
        reporter.note(f"Encoder {name}: {path}")
    test_split = None if choice.queries_file else training_test_split(paths, catalog.fingerprint())
    # With no fine-tuned encoder among them, an ordinary held-out split.
    selected = select_queries(catalog, choice, reporter, test_split)
    with reporter.progress("Embedding titles per encoder") as update, encoder_retrievers(
        catalog, chroma, paths, selected.exclude, on_progress=lambda name, done, total: update(done, total),
    ) as retrievers:
        with reporter.progress("Scoring queries", total=len(selected.queries)) as scored:
            return run_evaluation(
                catalog, next(iter(retrievers.values())), configurations(votings, ks, list(paths)), selected.queries,
                selected.exclude, selected.label, match_by,
                on_query=lambda done: scored(done, len(selected.queries)), retrievers=retrievers,
            )


def evaluate_continuation(catalog: Catalog, chroma: ChromaLocation, choice: QueryChoice, seed_counts: Sequence[int],
                          weights: FusionWeights, reporter: Reporter, peers: Sequence[str] = ()) -> ContinuationReport:
    """Held-out playlists given their title and first N tracks, for each N of `seed_counts`."""
    selected = select_queries(catalog, choice, reporter)
    base = open_index(catalog, chroma)
    index = derive_index(catalog, base, chroma, selected.exclude) if selected.exclude else base
    try:
        with reporter.progress("Scoring continuations") as update:
            return continuation_report(Retriever(catalog, index, weights=weights), selected.queries,
                                       selected.exclude, selected.label, seed_counts, on_query=update, peers=peers)
    finally:
        if index is not base:
            drop_index(chroma, index)
