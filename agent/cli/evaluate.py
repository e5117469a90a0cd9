"""`agent evaluate`: the paper's metrics on held-out playlists or a file of playlists."""

from __future__ import annotations

import time
from pathlib import Path

import click

from agent.cli.common import SHARE, stdout, workspace_options
from agent.cli.challenge_report import run_challenge_categories
from agent.cli.continuation import run_continuation, save_versus_paper, versus_paper
from agent.cli.active import open_active_catalog
from agent.cli.llm_options import LLMChoice, backend_options
from agent.cli.output import OutputError
from agent.files import write_user_file
from agent.cli.progress import Bars
from agent.evaluation import MATCH_BY, configurations
from agent.evaluation.jobs import QueryChoice, evaluate_configurations, evaluate_continuation, evaluate_encoders
from agent.evaluation.charts import headline_bars
from agent.evaluation.tables import print_report, report_markdown
from agent.playlist import ModeOptions
from agent.safe_text import safe_text
from agent.workspace import Workspace, active_fusion_weights
from retrieval.generator import GenerationError
from retrieval.collaborative.peers import PEERS, check_peers
from retrieval.split import HOLDOUT_UNITS
from retrieval.signals.voting import VOTING_RULES


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


def _at_least_one(item: str) -> int:
    # Checked with the command line, before any work starts and any progress is shown.
    number = int(item)
    if number < 1:
        raise ValueError(f"{number} is below 1")
    return number


def _peers(value: str | None) -> list[str]:
    names = [name.strip() for name in (value or "").split(",") if name.strip()]
    try:
        check_peers(names)
    except ValueError as error:
        raise click.BadParameter(str(error)) from None
    return names


@click.command()
@click.option("--queries", "queries_file", type=click.Path(exists=True, dir_okay=False, path_type=Path),
              help="Score the playlists of this MPD-format file (e.g. a challenge set) instead of a held-out split.")
@click.option("--share", type=SHARE, default=0.1, show_default=True, help="Share of playlists held out.")
@click.option("--seed", type=int, default=0, show_default=True)
@click.option("--holdout", "unit", type=click.Choice(HOLDOUT_UNITS), default="playlist", show_default=True,
              help="playlist: hold out playlists; title: hold out whole titles, so every query title is unseen.")
@click.option("--voting", default="count,similarity", show_default=True, callback=_csv(str),
              help=f"Voting rules to compare ({', '.join(VOTING_RULES)}).")
@click.option("--k", "ks", default="50", show_default=True, callback=_csv(_at_least_one), help="Neighbour counts to compare.")
@click.option("--limit", type=click.IntRange(min=1), help="Score only this many queries (seeded sample), for quick runs.")
@click.option("--match-by", type=click.Choice(MATCH_BY), default="uri", show_default=True,
              help="uri: compare track URIs; song: normalised (title, artist), for output without URIs.")
@click.option("--encoders", callback=lambda ctx, param, value: _csv(str)(ctx, param, value) if value else None,
              help="Compare title encoders (pt, ft-c, ft-t, ft-g, model names or folders), each with its own temporary "
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
@click.option("--categories", type=click.Choice(["challenge"]),
              help="challenge: the RecSys Challenge 2018's ten categories made from the held-out playlists, "
                   "scored with its metrics per category (writes the challenge set and its truth too).")
@click.option("--ranker", is_flag=True, help="With --categories: answer as `agent challenge --ranker` does, "
                                             "reordered by the learned ranker.")
@click.option("--baselines", "peers", callback=lambda ctx, param, value: _peers(value),
              help=f"With --seeds: score the field's methods beside the fused default ({', '.join(PEERS)}).")
@click.option("--output-dir", type=click.Path(file_okay=False, path_type=Path),
              help="Where report.json and chart.png go [default: DATA_DIR/evaluations/TIMESTAMP].")
@backend_options
@workspace_options
def evaluate(queries_file, share, seed, unit, voting, ks, limit, match_by, encoders, modes, shot_counts, fuses,
             shuffle_counts, ablate, seed_counts, categories, ranker, peers, output_dir, llm: LLMChoice,
             workspace: Workspace) -> None:
    """Score retrieval configurations and the baselines with precision, recall, MRR, NDCG,
    HIT at 10, 66 and 500, R-precision and clicks.

    Held-out playlists leave the index before their titles are queried, so no query
    can vote for its own tracks.
    """
    for rule in voting:
        if rule not in VOTING_RULES:
            raise GenerationError(f"unknown voting rule {rule!r}; choose from {', '.join(VOTING_RULES)}")
    configs = configurations(voting, ks, modes=modes, shots=shot_counts, fuses=fuses, shuffles=shuffle_counts,
                             fused=modes == ["retrieval"], ablate=ablate)
    for name in modes:
        ModeOptions(mode=name).check()
    for config in configs:
        if config.kind == "retrieval":
            config.mode_options.check()
    if ranker and not categories:
        raise click.UsageError("--ranker answers the challenge categories: give --categories challenge too")
    if peers and not seed_counts:
        raise click.UsageError("--baselines scores continuations: give --seeds too (e.g. --seeds 0,5)")
    choice = QueryChoice(queries_file, share, seed, unit, limit)
    # Opened before any slow step, so a missing key or GGUF fails at once.
    backend = llm.open(workspace) if set(modes) - {"retrieval"} else None
    catalog, is_demo = open_active_catalog(workspace)
    with catalog:
        weights = active_fusion_weights(workspace, catalog)
        if categories:
            return run_challenge_categories(catalog, workspace, choice, weights, output_dir, ranker)
        if seed_counts:
            report = evaluate_continuation(catalog, workspace.chroma, choice, seed_counts, weights, Bars(), peers)
            return run_continuation(report, output_dir, workspace, stdout())
        if encoders:
            report = evaluate_encoders(catalog, workspace.chroma, workspace.home, encoders, voting, ks, choice,
                                       match_by, Bars())
        else:
            report = evaluate_configurations(catalog, workspace.chroma, configs, choice, match_by, Bars(), backend,
                                             weights)
    _publish(report, output_dir, workspace, is_demo)


def _publish(report, output_dir: Path | None, workspace: Workspace, is_demo: bool) -> None:
    print_report(stdout(), report)
    compared = versus_paper(report)
    for line in compared:
        stdout().print(line, highlight=False)
    folder = output_dir or workspace.home / "evaluations" / time.strftime("%Y%m%d-%H%M%S")
    try:
        folder.mkdir(parents=output_dir is None, exist_ok=True)  # a folder the user names: its parent must exist
        save_versus_paper(compared, folder)
        write_user_file(folder / "report.json", report.model_dump_json(indent=2))
        write_user_file(folder / "report.md", report_markdown(report) + "\n")
        headline_bars(report, folder / "chart.png")
    except OSError as error:
        raise OutputError(f"cannot write the report to {folder}: {error.strerror or error}") from None
    stdout().print(f"Report: {safe_text(folder / 'report.json')} (and report.md)\nChart:  {safe_text(folder / 'chart.png')}"
                   + ("\n(demo catalog)" if is_demo else ""))
