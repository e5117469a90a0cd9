"""Evaluation reports as people read them: Rich tables in the terminal, a Markdown table in report.md."""

from __future__ import annotations

from rich.console import Console
from rich.table import Table
from rich.text import Text

from agent.evaluation.configs import CUTOFFS, LOWER_IS_BETTER
from agent.evaluation.report import EvalReport
from agent.safe_text import safe_text

SUMMARY_METRICS = ("precision@10", "recall@10", "mrr@10", "ndcg@10", "hit@10", "recall@66", "ndcg@66",
                   "recall@500", "ndcg@500", "r_precision", "clicks")


def report_markdown(report: EvalReport) -> str:
    """The summary metrics as a Markdown table (configurations as rows), best in bold;
    with LLM modes, Table 5's metrics and the LLM diagnostics."""
    columns, labels = SUMMARY_METRICS, SUMMARY_METRICS
    if any(r.mode != "retrieval" for r in report.results):
        columns = tuple(metric for metric, _ in MODE_COLUMNS)
        labels = tuple(label for _, label in MODE_COLUMNS)
    lines = ["| configuration | " + " | ".join(labels) + " | s/query |",
             "|---" * (len(columns) + 2) + "|"]
    best = {m: report.best(m) for m in columns if any(m in r.means for r in report.results)}
    for result in report.results:
        cells = []
        for metric in columns:
            if metric not in result.means:
                cells.append("-")
                continue
            value = result.means[metric]
            text = f"{value:.2f}" if metric in LOWER_IS_BETTER else f"{value:.4f}"
            cells.append(f"**{text}**" if best.get(metric) == result.name and not metric.startswith("llm_") else text)
        lines.append(f"| {result.name} | " + " | ".join(cells) + f" | {result.seconds_per_query:.3f} |")
    return "\n".join(lines)


def print_report(console: Console, report: EvalReport) -> None:
    """The paper's Table 1 layout: metrics as rows, configurations as columns, best in bold.

    More configurations than fit side by side are shown as rows of the summary metrics.
    A table wider than the terminal is cut into parts that fit, each with the row names.
    """
    if any(r.mode != "retrieval" for r in report.results):
        _print_modes_report(console, report)
        return
    if len(report.results) > 4:
        _print_wide_report(console, report)
        return

    metric_names = [f"{m}@{n}" for n in CUTOFFS for m in ("precision", "recall", "mrr", "ndcg", "hit")]
    metric_names += ["r_precision", "clicks"] + [f"paper_ndcg@{n}" for n in CUTOFFS]
    columns = []
    for result in report.results:
        cells = [_cell(result.means[metric], metric, report.best(metric) == result.name, 4) for metric in metric_names]
        columns.append((safe_text(result.name), cells + [Text(f"{result.seconds_per_query:.3f}")]))
    print_fitting(console, _title(report),
                  "bold = best per metric; clicks: lower is better; paper_ndcg = the paper's inflated NDCG, "
                  "for comparison only", ("metric", [*metric_names, "seconds/query"]), columns)


def _print_wide_report(console: Console, report: EvalReport) -> None:
    columns = []
    for metric in SUMMARY_METRICS:
        best = report.best(metric)
        cells = [_cell(r.means[metric], metric, best == r.name, 3) for r in report.results]
        columns.append((metric.replace("precision", "prec").replace("r_prec", "R-prec"), cells))
    columns.append(("s/query", [Text(f"{r.seconds_per_query:.3f}") for r in report.results]))
    print_fitting(console, _title(report), "bold = best per metric; clicks: lower is better; every metric in report.json",
                  ("configuration", [safe_text(r.name) for r in report.results]), columns)


def _title(report: EvalReport) -> str:
    return f"{report.queries} queries · {safe_text(report.holdout)} · tracks matched by {report.match_by}"


def _cell(value: float | None, metric: str, best: bool, digits: int) -> Text:
    if value is None:
        return Text("-")
    text = f"{value:.2f}" if metric in LOWER_IS_BETTER else f"{value:.{digits}f}"
    return Text(text, style="bold green" if best else "")


def print_fitting(console: Console, title: str, caption: str, rows: tuple[str, list[str]],
                  columns: list[tuple[str, list[Text]]]) -> None:
    """One table, cut into parts no wider than the console (each repeating the row names),
    so no number is ever shortened to "0…"."""
    def width(header: str, cells) -> int:
        return max(len(str(cell)) for cell in [header, *cells]) + 3  # padding and the border

    room = console.width - 1 - width(*rows)
    parts: list[list[tuple[str, list[Text]]]] = [[]]
    used = 0
    for column in columns:
        if parts[-1] and used + width(*column) > room:
            parts.append([])
            used = 0
        parts[-1].append(column)
        used += width(*column)
    for number, part in enumerate(parts):
        table = Table(title=title if number == 0 else None, title_justify="left",
                      caption=caption if number == len(parts) - 1 else None)
        table.add_column(rows[0], no_wrap=True)
        for header, _ in part:
            table.add_column(header, justify="right", no_wrap=True)
        for i, label in enumerate(rows[1]):
            table.add_row(label, *[cells[i] for _, cells in part])
        console.print(table)


# The paper's Table 5 (quality at 10) beside how the LLM behaved: a copy score of 1.0
# means the reranker echoed the order it was given; tau compares its order to retrieval's.
MODE_COLUMNS = (
    ("precision@10", "P@10"), ("recall@10", "R@10"), ("mrr@10", "MRR@10"), ("r_precision", "R-prec"),
    ("ndcg@10", "NDCG@10"), ("llm_match_rate", "match"), ("llm_copy_score", "copy"),
    ("llm_kendall_tau_vs_retrieval", "tau"), ("llm_out_of_candidates_share", "out-of-cand"),
    ("llm_duplicate_share", "dup"), ("llm_wrong_count", "wrong n"), ("llm_retries", "retries"),
    ("llm_fallback", "fallback"),
)


def _print_modes_report(console: Console, report: EvalReport) -> None:
    quality = [metric for metric, _ in MODE_COLUMNS[:5]]
    best = {m: report.best(m) for m in quality}
    columns = [(label, [_cell(r.means.get(metric), metric, best.get(metric) == r.name, 3) for r in report.results])
               for metric, label in MODE_COLUMNS]
    columns.append(("s/query", [Text(f"{r.seconds_per_query:.2f}") for r in report.results]))
    print_fitting(console, _title(report),
                  "quality at 10 (bold = best); LLM diagnostics per query, averaged: copy 1.0 = echoed its input "
                  "order; out-of-cand and dup counted before repair; fallback = retrieval order used",
                  ("configuration", [safe_text(r.name) for r in report.results]), columns)
