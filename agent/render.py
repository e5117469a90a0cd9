"""Turning `GeneratedPlaylist` records into what users read or feed to other tools."""

from __future__ import annotations

import csv
import io

from rich.console import Console
from rich.table import Table
from rich.text import Text

from retrieval.records import GeneratedPlaylist

FORMATS = ("table", "json", "jsonl", "csv", "m3u")


def as_json(playlist: GeneratedPlaylist) -> str:
    return playlist.model_dump_json(indent=2)


def as_jsonl(playlist: GeneratedPlaylist) -> str:
    return playlist.model_dump_json()


def as_csv(playlist: GeneratedPlaylist) -> str:
    buffer = io.StringIO()
    writer = csv.writer(buffer, lineterminator="\n")
    writer.writerow(["rank", "track_uri", "track_name", "artist_name", "score"])
    for track in playlist.tracks:
        writer.writerow([track.rank, track.track_uri, track.track_name, track.artist_name, track.score])
    return buffer.getvalue().rstrip("\n")


def as_m3u(playlist: GeneratedPlaylist) -> str:
    lines = ["#EXTM3U", f"#PLAYLIST:{playlist.title}"]
    for track in playlist.tracks:
        if track.track_uri is None:  # an LLM's song the catalog lacks: nothing to play
            lines.append(f"# not in catalog: {track.artist_name} - {track.track_name}")
            continue
        lines.append(f"#EXTINF:-1,{track.artist_name} - {track.track_name}")
        lines.append(track.link or track.track_uri)
    return "\n".join(lines)


def as_text(playlist: GeneratedPlaylist, fmt: str) -> str:
    return {"json": as_json, "jsonl": as_jsonl, "csv": as_csv, "m3u": as_m3u}[fmt](playlist)


def print_table(console: Console, playlist: GeneratedPlaylist, explain: bool = False, source: str = "") -> None:
    caption = (
        f"{len(playlist.tracks)} tracks voted by {len(playlist.neighbours)} similar playlists"
        f" · encoder {playlist.encoder} · {playlist.voting} voting · {playlist.seconds * 1000:.0f} ms"
    )
    if playlist.llm is not None:
        caption = llm_caption(playlist)
    caption += "".join(f" · title names {entity}" for entity in playlist.entities)
    if playlist.seeds:
        caption += f" · continues {len(playlist.seeds)} seed track(s)"
    if source:
        caption += f" · {source}"
    caption += "".join(f"\nWarning: {warning}" for warning in playlist.warnings)
    table = Table(title=f"“{playlist.title}”", caption=caption, title_justify="left")
    table.add_column("#", justify="right", style="dim")
    table.add_column("Track", style="bold")
    table.add_column("Artist")
    table.add_column("Score", justify="right")
    if explain:
        table.add_column("Voters")
        table.add_column("Signals")
    # Spotify links get a column when there is room; track names are terminal hyperlinks anyway.
    show_links = console.width >= 120 and any(track.link for track in playlist.tracks)
    if show_links:
        table.add_column("Link", style="cyan", no_wrap=True)
    pid_names = {n.pid: n.name for n in playlist.neighbours}
    for track in playlist.tracks:
        name = Text(track.track_name, style=f"link {track.link}" if track.link else "")
        if not track.in_catalog:
            name = Text.assemble((track.track_name, "dim strike"), (" ✗ not in catalog", "red"))
        row = [str(track.rank), name, Text(track.artist_name), f"{track.score:g}"]
        if explain:
            row.append(Text(_voters(track.voters, pid_names)))
            row.append(Text(_signals(track.signals)))
        if show_links:
            row.append(track.link or "")
        table.add_row(*row)
    console.print(table)
    if explain:
        print_neighbours(console, playlist)


def llm_caption(playlist: GeneratedPlaylist) -> str:
    """What made an LLM-mode playlist: model, prompt, repairs or fallback, match rate, time."""
    info = playlist.llm
    parts = [f"{playlist.mode} · {info.backend} {info.model}"]
    if playlist.mode == "rerank":
        parts.append(f"{info.candidates} candidates · fuse {info.fuse} · score = retrieval votes")
    else:
        parts.append(f"{info.shots}-shot")
        if playlist.match_rate is not None:
            parts.append(f"{playlist.match_rate:.0%} of named songs in the catalog")
    if info.fallback:
        parts.append("LLM failed: retrieval order shown")
    parts.append(f"LLM {info.seconds:.1f} s of {playlist.seconds:.1f} s")
    return " · ".join(parts)


def _signals(signals: dict[str, float] | None) -> str:
    return " ".join(f"{name} {value:.2g}" for name, value in sorted((signals or {}).items(), key=lambda p: -p[1]))


def _voters(voters: list[int], pid_names: dict[int, str]) -> str:
    shown = ", ".join(f"{pid_names.get(pid, '?')} ({pid})" for pid in voters[:3])
    return shown + (f" +{len(voters) - 3}" if len(voters) > 3 else "")


def neighbours_table(neighbours, title: str = "Matched playlists") -> Table:
    table = Table(title=title, title_justify="left")
    table.add_column("pid", justify="right", style="dim")
    table.add_column("Title")
    table.add_column("Similarity", justify="right")
    for neighbour in neighbours:
        table.add_row(str(neighbour.pid), Text(neighbour.name), f"{neighbour.similarity:.3f}")
    return table


def print_neighbours(console: Console, playlist: GeneratedPlaylist) -> None:
    console.print(neighbours_table(playlist.neighbours))


SUMMARY_METRICS = ("precision@10", "recall@10", "mrr@10", "ndcg@10", "hit@10", "recall@66", "ndcg@66",
                   "recall@500", "ndcg@500", "r_precision", "clicks")


def report_markdown(report) -> str:
    """The summary metrics as a Markdown table (configurations as rows), best in bold;
    with LLM modes, Table 5's metrics and the LLM diagnostics."""
    from agent.evaluation import LOWER_IS_BETTER

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


def print_report(console: Console, report) -> None:
    """The paper's Table 1 layout: metrics as rows, configurations as columns, best in bold.

    More configurations than fit side by side are shown as rows of the summary metrics.
    """
    from agent.evaluation import CUTOFFS, LOWER_IS_BETTER

    if any(r.mode != "retrieval" for r in report.results):
        _print_modes_report(console, report)
        return
    if len(report.results) > 4:
        _print_wide_report(console, report)
        return

    metric_names = [f"{m}@{n}" for n in CUTOFFS for m in ("precision", "recall", "mrr", "ndcg", "hit")]
    metric_names += ["r_precision", "clicks"] + [f"paper_ndcg@{n}" for n in CUTOFFS]
    table = Table(
        title=f"{report.queries} queries · {report.holdout} · tracks matched by {report.match_by}",
        caption="bold = best per metric; clicks: lower is better; paper_ndcg = the paper's inflated NDCG, for comparison only",
        title_justify="left",
    )
    table.add_column("metric", no_wrap=True)
    for result in report.results:
        table.add_column(result.name, justify="right", no_wrap=True)
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


def _print_wide_report(console: Console, report) -> None:
    from agent.evaluation import LOWER_IS_BETTER

    table = Table(title=f"{report.queries} queries · {report.holdout} · tracks matched by {report.match_by}",
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
        table.add_row(result.name, *cells, f"{result.seconds_per_query:.3f}")
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


def _print_modes_report(console: Console, report) -> None:
    table = Table(
        title=f"{report.queries} queries · {report.holdout} · tracks matched by {report.match_by}",
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
        table.add_row(result.name, *cells, f"{result.seconds_per_query:.2f}")
    console.print(table)
