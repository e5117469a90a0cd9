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
    """
    if any(r.mode != "retrieval" for r in report.results):
        _print_modes_report(console, report)
        return
    if len(report.results) > 4:
        _print_wide_report(console, report)
        return

    metric_names = [f"{m}@{n}" for n in CUTOFFS for m in ("precision", "recall", "mrr", "ndcg", "hit")]
    metric_names += ["r_precision", "clicks"] + [f"paper_ndcg@{n}" for n in CUTOFFS]
    table = Table(
        title=f"{report.queries} queries · {safe_text(report.holdout)} · tracks matched by {report.match_by}",
        caption="bold = best per metric; clicks: lower is better; paper_ndcg = the paper's inflated NDCG, for comparison only",
        title_justify="left",
    )
    table.add_column("metric", no_wrap=True)
    for result in report.results:
        table.add_column(safe_text(result.name), justify="right", no_wrap=True)
    for metric in metric_names:
        best = report.best(metric)
        cells = []
        for result in report.results:
            value = result.means[metric]
            text = f"{value:.2f}" if metric in LOWER_IS_BETTER else f"{value:.4f}"
            cells.append(Text(text, style="bold green" if result.name == best else ""))
        table.add_row(metric, *cells)
    table.add_row("seconds/query", *[f"{r.seconds_per_query:.3f}" for r in report.results])
    console.print(table)


def _print_wide_report(console: Console, report: EvalReport) -> None:
    table = Table(title=f"{report.queries} queries · {safe_text(report.holdout)} · tracks matched by {report.match_by}",
                  caption="bold = best per metric; clicks: lower is better; every metric in report.json",
                  title_justify="left")
    table.add_column("configuration", no_wrap=True)
    for metric in SUMMARY_METRICS:
        table.add_column(metric.replace("precision", "prec").replace("r_prec", "R-prec"), justify="right")
    table.add_column("s/query", justify="right")
    best = {m: report.best(m) for m in SUMMARY_METRICS}
    for result in report.results:
        cells = []
        for metric in SUMMARY_METRICS:
            value = result.means[metric]
            text = f"{value:.2f}" if metric in LOWER_IS_BETTER else f"{value:.3f}"
            cells.append(Text(text, style="bold green" if best[metric] == result.name else ""))
        table.add_row(safe_text(result.name), *cells, f"{result.seconds_per_query:.3f}")
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
    table = Table(
        title=f"{report.queries} queries · {safe_text(report.holdout)} · tracks matched by {report.match_by}",
        caption="quality at 10 (bold = best); LLM diagnostics per query, averaged: copy 1.0 = echoed its input "
                "order; out-of-cand and dup counted before repair; fallback = retrieval order used",
        title_justify="left",
    )
    table.add_column("configuration", no_wrap=True)
    for _, label in MODE_COLUMNS:
        table.add_column(label, justify="right")
    table.add_column("s/query", justify="right")
    quality = [metric for metric, _ in MODE_COLUMNS[:5]]
    best = {m: report.best(m) for m in quality}
    for result in report.results:
        cells = []
        for metric, _ in MODE_COLUMNS:
            value = result.means.get(metric)
            text = "-" if value is None else f"{value:.3f}"
            cells.append(Text(text, style="bold green" if best.get(metric) == result.name else ""))
        table.add_row(safe_text(result.name), *cells, f"{result.seconds_per_query:.2f}")
    console.print(table)
