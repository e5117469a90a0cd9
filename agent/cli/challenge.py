"""`agent challenge`: answer a RecSys Challenge 2018 challenge set, and score a submission.

`agent challenge CHALLENGE_SET -o submission.csv --team NAME --email ADDRESS` runs the
`answer` subcommand; `agent challenge score SUBMISSION --truth FILE` scores one.
"""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass
from pathlib import Path

import click

from agent.challenge.answering import Answer, ChallengeAnswerer
from agent.challenge.categories import category_order
from agent.challenge.reading import ChallengeFileError, read_challenge_set
from agent.challenge.scoring import SHOWN_PROBLEMS, artist_lookup, read_truth, rule_problems, score_submission, table_lines
from agent.challenge.submission import SubmissionWriter, read_submission
from agent.challenge.workers import Answering, answering
from agent.cli.active import open_active_catalog
from agent.cli.batch import interrupts_deferred
from agent.cli.common import stderr, stdout, stop_interrupted, workspace_options
from agent.cli.progress import counting, preparing_ranking_data, records_bar
from agent.files import refuse_input_as_output
from agent.safe_text import safe_text
from agent.workspace import Workspace, open_retriever
from retrieval.generator import FUSED, METHODS

ANSWER = "answer"
_FILE = click.Path(dir_okay=False, path_type=Path)


class _AnswerByDefault(click.Group):
    """`agent challenge FILE ...` is `agent challenge answer FILE ...`."""

    def parse_args(self, ctx: click.Context, args: list[str]) -> list[str]:
        if args and args[0] not in self.commands and args[0] not in ctx.help_option_names:
            args = [ANSWER, *args]
        return super().parse_args(ctx, args)


@click.group(cls=_AnswerByDefault)
def challenge() -> None:
    """The RecSys Challenge 2018: answer a challenge set (`agent challenge FILE -o OUT --team T
    --email E`), or score a submission (`agent challenge score FILE --truth TRUTH`)."""


def _plain_cell(ctx, param, value: str) -> str:
    # One cell of a comma-separated line: a comma or line break would shift every column.
    if not value.strip() or any(ch in value for ch in ',"\r\n') or not value.isprintable():
        raise click.BadParameter("give a non-empty value without commas, quotes or line breaks")
    return value.strip()


@challenge.command(ANSWER)
@click.argument("challenge_set", type=_FILE)
@click.option("-o", "--output", type=_FILE, required=True, help="The submission to write (.csv, or .csv.gz gzipped).")
@click.option("--team", required=True, callback=_plain_cell, help="Team name for the team_info line.")
@click.option("--email", required=True, callback=_plain_cell, help="Contact address for the team_info line.")
@click.option("--resume", is_flag=True, help="Keep the answers OUTPUT already holds and answer the rest.")
@click.option("--workers", type=click.IntRange(1, 64), default=1, show_default=True,
              help="Processes answering at once (up to the CPU cores); each holds its own copy of the retrieval data.")
@click.option("--ranker", is_flag=True, help="Reorder each answer's best candidates by the learned ranker "
                                             "(`agent tune --ranker` fits it).")
@click.option("--method", type=click.Choice(METHODS), default=FUSED, show_default=True,
              help="fused: this project's ranking; or one of the field's methods alone, for a baseline submission.")
@workspace_options
def answer(challenge_set: Path, output: Path, team: str, email: str, resume: bool, workers: int, ranker: bool,
           method: str, workspace: Workspace) -> None:
    """Answer every playlist of CHALLENGE_SET (challenge_set.json[.gz]) with 500 tracks."""
    playlists = read_challenge_set(challenge_set)
    refuse_input_as_output(output, [challenge_set])
    catalog, is_demo = open_active_catalog(workspace)
    with catalog:
        retriever = open_retriever(catalog, workspace, building=preparing_ranking_data)
        with counting("Preparing song names and the most played tracks"):  # minutes on a new large catalog
            answerer = ChallengeAnswerer(retriever, ranker=ranker, method=method)
        if why_not := answerer.why_no_ranker():
            stderr().print(f"Note: {safe_text(why_not)}", highlight=False)
        writer = SubmissionWriter(output, team, email, resume, pids=[playlist.pid for playlist in playlists])
        todo = [playlist for playlist in playlists if playlist.pid not in writer.done]
        kept = len(playlists) - len(todo)
        summary = Summary()
        try:
            with answering(answerer, workspace, workers) as answers:
                _answer_all(todo, answers, writer, summary)
        except KeyboardInterrupt:
            stop_interrupted(f"Interrupted: {kept + summary.written} of {len(playlists)} playlists are answered in "
                             f"{safe_text(output)}; add --resume to answer the rest.")
        finally:
            writer.close()
    _print_summary(summary, kept, output, is_demo)


@dataclass
class _Row:
    playlists: int = 0
    no_known_seed: int = 0
    unknown_seeds: int = 0
    fallback: int = 0
    seconds: float = 0.0


class Summary:
    def __init__(self):
        self.rows: dict[str, _Row] = {}
        self.written = 0

    def add(self, answer: Answer) -> None:
        row = self.rows.setdefault(answer.category, _Row())
        row.playlists += 1
        row.no_known_seed += answer.no_known_seed
        row.unknown_seeds += answer.unknown_seeds
        row.fallback += answer.fallback
        row.seconds += answer.seconds  # with workers, their times added up
        self.written += 1


def _answer_all(todo: list, answers: Answering, writer: SubmissionWriter, summary: Summary) -> None:
    def write_all(advance: Callable[[], None]) -> None:
        for found in answers(todo):
            with interrupts_deferred():  # a line is written and counted, or neither
                writer.write(found.pid, found.track_uris)
                summary.add(found)
            advance()

    if not stderr().is_terminal:
        write_all(lambda: None)
        return
    with records_bar() as bar:
        task = bar.add_task("Answering playlists", total=len(todo))
        write_all(lambda: bar.advance(task))


def _print_summary(summary: Summary, kept: int, output: Path, is_demo: bool) -> None:
    out = stdout()
    out.print("| category | playlists | no known seed | unknown seeds | popularity fallback | seconds |", highlight=False)
    out.print("|---|---:|---:|---:|---:|---:|", highlight=False)
    total = _Row()
    for name in sorted(summary.rows, key=category_order):
        row = summary.rows[name]
        out.print(f"| {name} | {row.playlists} | {row.no_known_seed} | {row.unknown_seeds} | {row.fallback} | "
                  f"{row.seconds:.1f} |", highlight=False)
        for key in vars(total):
            setattr(total, key, getattr(total, key) + getattr(row, key))
    out.print(f"| all | {total.playlists} | {total.no_known_seed} | {total.unknown_seeds} | {total.fallback} | "
              f"{total.seconds:.1f} |", highlight=False)
    kept_note = f" ({kept} kept from before)" if kept else ""
    out.print(f"Wrote {summary.written + kept} answers to {safe_text(output)}{kept_note}"
              + (" (demo catalog)" if is_demo else ""), highlight=False)


@challenge.command("score")
@click.argument("submission", type=_FILE)
@click.option("--truth", type=_FILE, required=True,
              help='The held-out tracks: JSON {"playlists": [{"pid", "category", "seeds", "held_out"}]}.')
@workspace_options
def score(submission: Path, truth: Path, workspace: Workspace) -> None:
    """Check SUBMISSION against the challenge's rules and score it per category (R-precision
    with the artist credit for the tracks your catalog knows)."""
    playlists = read_truth(truth)
    answers = read_submission(submission)
    catalog, is_demo = workspace.active_catalog()
    with catalog:
        rows = score_submission(answers, playlists, None if is_demo else artist_lookup(catalog))
    out = stdout()
    for line in table_lines(rows):
        out.print(safe_text(line), highlight=False)
    if is_demo:
        out.print("R-prec counts track matches only: no catalog to read the tracks' artists from.", highlight=False)
    problems = rule_problems(answers, playlists)
    if problems:
        for problem in problems[:SHOWN_PROBLEMS]:
            stderr().print(f"Rule broken: {safe_text(problem)}", highlight=False)
        raise ChallengeFileError(submission, f"breaks the challenge's rules in {len(problems)} way(s); "
                                 f"the first {min(len(problems), SHOWN_PROBLEMS)} are listed above")
    out.print(f"{safe_text(submission)} follows the rules: {len(playlists)} playlists, 500 distinct tracks each, "
              "no seed among them.", highlight=False)
