"""`agent evaluate --seeds 0,1,5,10,25`: continuation scored per seed count, and the
paired comparison of the fused default with the paper's method."""

from __future__ import annotations

import json
import time
from pathlib import Path

from rich.console import Console
from rich.table import Table

from agent.evaluation.bootstrap import paired_bootstrap
from agent.evaluation.continuation import METHODS, ContinuationReport
from agent.evaluation import EvalReport
from agent.files import FileWriteError, write_user_file
from agent.workspace import Workspace

PAPER_METHOD = "count k=50"
COMPARED = ("ndcg@10", "r_precision")


def run_continuation(report: ContinuationReport, output_dir: Path | None, workspace: Workspace,
                     console: Console) -> None:
    """Show the continuation table and write continuation.json and .md."""
    markdown = continuation_markdown(report)
    console.print(continuation_table(report))
    folder = output_dir or workspace.home / "evaluations" / time.strftime("%Y%m%d-%H%M%S-seeds")
    try:
        folder.mkdir(parents=output_dir is None, exist_ok=True)  # a folder the user names: its parent must exist
    except OSError as error:
        raise FileWriteError(f"cannot write the report to {folder}: {error.strerror or error}") from None
    write_user_file(folder / "continuation.json", report.model_dump_json(indent=2))
    write_user_file(folder / "continuation.md", markdown + "\n")
    console.print(f"Report: {folder / 'continuation.json'} (and continuation.md)")


# Older reports lack the popularity columns: they show as blanks.
COLUMNS = ("ndcg@10", "r_precision", "recall@500", "tail_ndcg@10", "head_share@10", "coverage@10")


def _rows(report: ContinuationReport):
    """(seeds, method, queries, figures of COLUMNS): METHODS first, then the peers in report order."""
    methods = list(METHODS) + [m for m in dict.fromkeys(r.method for r in report.rows) if m not in METHODS]
    for count in sorted({row.seeds for row in report.rows}):
        for method in methods:
            row = next((r for r in report.rows if r.seeds == count and r.method == method), None)
            if row is not None:
                yield count, method, row.queries, [_figure(row.means.get(c)) for c in COLUMNS]


def _figure(value: float | None) -> str:
    return "" if value is None or value != value else f"{value:.4f}"


def continuation_table(report: ContinuationReport) -> Table:
    table = Table(title=f"Continuation · {report.holdout} · first N tracks given, the rest to find",
                  title_justify="left", caption="seeds never count as hits; 500 tracks per query")
    for column in ("seeds", "method", "queries") + COLUMNS:
        table.add_column(column, justify="left" if column == "method" else "right")
    for count, method, queries, figures in _rows(report):
        table.add_row(str(count), method, str(queries), *figures)
    return table


def continuation_markdown(report: ContinuationReport) -> str:
    lines = ["| seeds | method | queries | NDCG@10 | R-precision | recall@500 | tail-NDCG@10 | head share@10 "
             "| coverage@10 |", "|---|---|---|---|---|---|---|---|---|"]
    lines += [f"| {c} | {m} | {q} | " + " | ".join(f) + " |" for c, m, q, f in _rows(report)]
    return "\n".join(lines)


def versus_paper(report: EvalReport) -> list[str]:
    """Paired 95% bootstrap intervals of each fused row against the paper's method."""
    names = {r.name for r in report.results}
    if PAPER_METHOD not in names:
        return []
    lines = []
    for name in (r.name for r in report.results if r.name.startswith("fused")):
        for metric in COMPARED:
            base = [q.scores[PAPER_METHOD][metric] for q in report.per_query]
            cand = [q.scores[name][metric] for q in report.per_query]
            lines.append(f"{name} vs {PAPER_METHOD}: " + paired_bootstrap(base, cand, metric).describe())
    return lines


def save_versus_paper(lines: list[str], folder: Path) -> None:
    if lines:
        write_user_file(folder / "versus_paper.json", json.dumps(lines, indent=2, ensure_ascii=False) + "\n")
