"""`agent evaluate --categories challenge`: the table, and the files it leaves behind."""

from __future__ import annotations

import json
import time
from pathlib import Path

from agent.challenge.scoring import table_lines
from agent.cli.common import stdout
from agent.cli.output import OutputError
from agent.cli.progress import Bars
from agent.evaluation.challenge import evaluate_challenge
from agent.evaluation.jobs import QueryChoice
from agent.safe_text import safe_text
from agent.workspace import Workspace

LEADERBOARD_NOTE = ("The RecSys Challenge 2018's best main-track team (vl6, full MPD of 1M playlists) scored "
                    "R-prec 0.2241, NDCG 0.3946, clicks 1.784.")


def run_challenge_categories(catalog, workspace: Workspace, choice: QueryChoice, weights, output_dir: Path | None,
                             ranker: bool = False) -> None:
    """Score the ten categories; print the table; write report, challenge set and truth files."""
    report, challenge, truth = evaluate_challenge(catalog, workspace.chroma, choice, weights, Bars(), ranker)
    lines = table_lines(report.rows)
    out = stdout()
    out.print(f"Challenge categories · {safe_text(report.holdout)} · R-prec with artist credit; NDCG and clicks "
              "over the whole 500-track list", highlight=False)
    for line in lines:
        out.print(line, highlight=False)
    out.print(LEADERBOARD_NOTE, highlight=False)
    if report.note:
        out.print(f"Note: {safe_text(report.note)}", highlight=False)
    folder = output_dir or workspace.home / "evaluations" / time.strftime("%Y%m%d-%H%M%S-challenge")
    try:
        folder.mkdir(parents=True, exist_ok=True)
        (folder / "challenge.json").write_text(report.model_dump_json(indent=2))
        (folder / "challenge.md").write_text("\n".join(lines) + "\n")
        (folder / "challenge_set.json").write_text(json.dumps({"version": "held-out split", "playlists": challenge}))
        (folder / "truth.json").write_text(json.dumps({"playlists": truth}))
    except OSError as error:
        raise OutputError(f"cannot write the report to {folder}: {error.strerror or error}") from None
    out.print(f"Report: {safe_text(folder / 'challenge.json')} (and challenge.md); challenge set and truth: "
              f"{safe_text(folder / 'challenge_set.json')}, {safe_text(folder / 'truth.json')}", highlight=False)
