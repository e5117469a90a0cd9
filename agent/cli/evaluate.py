"""`agent evaluate`: the paper's metrics on held-out playlists or a file of playlists."""

from __future__ import annotations

import random
import time
from pathlib import Path

import click

from agent.charts import headline_bars
from agent.cli.common import stderr, stdout, user_errors, workspace_options
from agent.cli.continuation import run_continuation, save_versus_paper, versus_paper
from agent.cli.generate import open_active_catalog
from agent.cli.llm_options import LLMChoice, backend_options
from agent.cli.progress import counting
from agent.evaluation import (
    MATCH_BY,
    configurations,
    encoder_retrievers,
    file_queries,
    held_out_queries,
    run_evaluation,
)
from agent.modes import ModeOptions
from agent.render import print_report, report_markdown
from agent.workspace import Workspace, fusion_weights
from retrieval.generator import GenerationError, Retriever
from retrieval.index import derive_index, drop_index, open_index
from retrieval.split import HOLDOUT_UNITS, Split, holdout
from retrieval.voting import VOTING_RULES
from training.models import resolve_encoder, training_test_split


def _csv(kind):
    def parse(ctx, param, value: str):
        try:
            items = [kind(item.strip()) for item in value.split(",") if item.strip()]
        except ValueError as error:
            raise click.BadParameter(f"{value!r}: {error}") from error
        if not items:
            raise click.BadParameter("give at least one value")
        return items
    return parse


@click.command()
@click.option("--queries", "queries_file", type=click.Path(exists=True, dir_okay=False, path_type=Path),
              help="Score the playlists of this MPD-format file (e.g. a challenge set) instead of a held-out split.")
@click.option("--share", type=float, default=0.1, show_default=True, help="Share of playlists held out.")
@click.option("--seed", type=int, default=0, show_default=True)
@click.option("--holdout", "unit", type=click.Choice(HOLDOUT_UNITS), default="playlist", show_default=True,
              help="playlist: hold out playlists; title: hold out whole titles, so every query title is unseen.")
@click.option("--voting", default="count,similarity", show_default=True, callback=_csv(str),
              help=f"Voting rules to compare ({', '.join(VOTING_RULES)}).")
@click.option("--k", "ks", default="50", show_default=True, callback=_csv(int), help="Neighbour counts to compare.")
@click.option("--limit", type=int, help="Score only this many queries (seeded sample), for quick runs.")
@click.option("--match-by", type=click.Choice(MATCH_BY), default="uri", show_default=True,
              help="uri: compare track URIs; song: normalised (title, artist), for output without URIs.")
@click.option("--encoders", callback=lambda ctx, param, value: _csv(str)(ctx, param, value) if value else None,
              help="Compare title encoders (pt, ft-c, ft-t, model names or folders), each with its own temporary "
                   "index, on the test split of the run that trained them (unless --queries is given).")
@click.option("--modes", default="retrieval", show_default=True, callback=_csv(str),
              help="Generation modes to compare: retrieval, rerank (an LLM reorders the first voting rule's and "
                   "k's candidates), llm (an LLM names 10 songs).")
@click.option("--shots", "shot_counts", default="0", show_default=True, callback=_csv(int),
              help="--modes llm: example-song counts to compare (0, 1, 5).")
@click.option("--fuse", "fuses", default="none", show_default=True, callback=_csv(str),
              help="--modes rerank: none, rrf (reciprocal rank fusion with retrieval), or both.")
@click.option("--rerank-shuffles", "shuffle_counts", default="1", show_default=True, callback=_csv(int),
              help="--modes rerank: shuffled presentation counts to compare (e.g. 1,3,5), combined by Borda count.")
@click.option("--ablate", is_flag=True, help="Add rows of the fused default with each signal switched off in turn.")
@click.option("--seeds", "seed_counts", callback=lambda ctx, param, value: _csv(int)(ctx, param, value) if value else None,
              help="Score continuation instead: each held-out playlist given its title and first N tracks, "
                   "for each N of this list (e.g. 0,1,5,10,25).")
@click.option("--output-dir", type=click.Path(file_okay=False, path_type=Path),
              help="Where report.json and chart.png go [default: DATA_DIR/evaluations/TIMESTAMP].")
@backend_options
@workspace_options
def evaluate(queries_file, share, seed, unit, voting, ks, limit, match_by, encoders, modes, shot_counts, fuses,
             shuffle_counts, ablate, seed_counts, output_dir, llm: LLMChoice, workspace: Workspace) -> None:
    """Score retrieval configurations and the baselines with precision, recall, MRR, NDCG,
    HIT at 10, 66 and 500, R-precision and clicks.

    Held-out playlists leave the index before their titles are queried, so no query
    can vote for its own tracks.
    """
    with user_errors():
        for rule in voting:
            if rule not in VOTING_RULES:
                raise GenerationError(f"unknown voting rule {rule!r}; choose from {', '.join(VOTING_RULES)}")
        configs = configurations(voting, ks, modes=modes, shots=shot_counts, fuses=fuses, shuffles=shuffle_counts,
                                 fused=modes == ["retrieval"], ablate=ablate)
        for config in configs:
            if config.kind == "retrieval":
                ModeOptions(mode=config.mode, shots=config.shots, fuse=config.fuse, shuffles=config.shuffles).check()
        for name in modes:
            ModeOptions(mode=name).check()
        # Opened before any slow step, so a missing key or GGUF fails at once.
        backend = llm.open(workspace) if set(modes) - {"retrieval"} else None
        catalog, is_demo = open_active_catalog(workspace)
        if encoders:
            with catalog:
                report = _compare_encoders(catalog, workspace, encoders, queries_file, share, seed, unit, voting,
                                           ks, limit, match_by)
            return _publish(report, output_dir, workspace, is_demo)
        with catalog:
            base = open_index(catalog, workspace.chroma)
            if queries_file:
                queries, skipped = file_queries(queries_file)
                exclude, index, label = frozenset(), base, f"queries from {queries_file.name}"
                if skipped:
                    stderr().print(f"Skipped {skipped} playlist(s) of {queries_file} without a title or tracks.")
            else:
                split = holdout(catalog, share, seed, unit)
                queries = held_out_queries(catalog, split)
                exclude, label = split.test_pids, split.describe()
                index = derive_index(catalog, base, workspace.chroma, split.test_pids)
            try:
                if limit:
                    queries = random.Random(seed).sample(queries, min(limit, len(queries)))
                if not queries:
                    raise GenerationError("no queries to score: the catalog or file has no titled playlists with tracks")
                retriever = Retriever(catalog, index, weights=fusion_weights(workspace, base.info.collection))
                if seed_counts:
                    return run_continuation(catalog, retriever, queries, exclude, label, seed_counts, output_dir,
                                            workspace, stdout())
                with counting("Scoring queries", total=len(queries)) as update:
                    report = run_evaluation(
                        catalog, retriever, configs, queries, exclude, label, match_by,
                        on_query=lambda done: update(done, len(queries)), backend=backend,
                    )
            finally:
                if index is not base:
                    drop_index(workspace.chroma, index)
        _publish(report, output_dir, workspace, is_demo)


def _publish(report, output_dir: Path | None, workspace: Workspace, is_demo: bool) -> None:
    print_report(stdout(), report)
    folder = output_dir or workspace.home / "evaluations" / time.strftime("%Y%m%d-%H%M%S")
    folder.mkdir(parents=True, exist_ok=True)
    compared = versus_paper(report)
    for line in compared:
        stdout().print(line, highlight=False)
    save_versus_paper(compared, folder)
    (folder / "report.json").write_text(report.model_dump_json(indent=2))
    (folder / "report.md").write_text(report_markdown(report) + "\n")
    headline_bars(report, folder / "chart.png")
    stdout().print(f"Report: {folder / 'report.json'} (and report.md)\nChart:  {folder / 'chart.png'}"
                   + ("\n(demo catalog)" if is_demo else ""))


def _compare_encoders(catalog, workspace: Workspace, encoders, queries_file, share, seed, unit, voting, ks, limit,
                      match_by):
    """Table 1 of the paper: the retrieval grid under each encoder, on the training run's test split."""
    paths = {name: resolve_encoder(name, workspace.home, catalog.fingerprint()) for name in encoders}
    for name, path in paths.items():
        stderr().print(f"Encoder {name}: {path}", highlight=False)
    if queries_file:
        queries, skipped = file_queries(queries_file)
        exclude, label = frozenset(), f"queries from {queries_file.name}"
        if skipped:
            stderr().print(f"Skipped {skipped} playlist(s) of {queries_file} without a title or tracks.")
    else:
        found = training_test_split(paths, catalog.fingerprint())
        if found is None:  # no fine-tuned encoder: an ordinary held-out split
            split = holdout(catalog, share, seed, unit)
            found = split.test_pids, split.describe()
        exclude, label = found
        queries = held_out_queries(catalog, Split(exclude, share, seed, "playlist"))
    if limit:
        queries = random.Random(seed).sample(queries, min(limit, len(queries)))
    if not queries:
        raise GenerationError("no queries to score: the catalog or file has no titled playlists with tracks")
    with counting("Embedding titles per encoder") as update, encoder_retrievers(
        catalog, workspace.chroma, paths, exclude, on_progress=lambda name, done, total: update(done, total),
    ) as retrievers:
        with counting("Scoring queries", total=len(queries)) as scored:
            return run_evaluation(
                catalog, next(iter(retrievers.values())), configurations(voting, ks, list(paths)), queries, exclude,
                label, match_by, on_query=lambda done: scored(done, len(queries)), retrievers=retrievers,
            )
