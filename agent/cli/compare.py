"""`agent compare`: retrieval, LLM rerank and pure LLM for one title, side by side."""

from __future__ import annotations

import click
from rich.columns import Columns
from rich.console import Console
from rich.table import Table
from rich.text import Text

from agent.cli.progress import preparing_ranking_data, waiting
from agent.cli.common import stderr, stdout, workspace_options
from agent.cli.active import open_active_catalog
from agent.cli.llm_options import LLMChoice, llm_options
from agent.playlist import ModeOptions, PlaylistRequest
from agent.playlist.compare import Comparison, compare_modes, playlist_keys, track_key
from agent.safe_text import clean, json_safe, safe_text
from agent.workspace import Workspace, open_retriever
from retrieval.generator import GenerationOptions
from retrieval.records import GeneratedPlaylist

LABELS = {"retrieval": "R", "rerank": "K", "llm": "L"}
HEADINGS = {"retrieval": "retrieval only", "rerank": "LLM rerank", "llm": "pure LLM"}


@click.command()
@click.option("--title", "-t", required=True, help="The playlist title, e.g. \"summer road trip\".")
@click.option("-n", "--n", "count", type=int, default=10, show_default=True, help="Tracks per mode.")
@click.option("--format", "fmt", type=click.Choice(("table", "json")), default="table", show_default=True)
@llm_options(modes=False)
@workspace_options
def compare(title: str, count: int, fmt: str, mode: ModeOptions, llm: LLMChoice, workspace: Workspace) -> None:
    """Show the retrieval-only, LLM-reranked and pure-LLM playlists for a title side by side.

    Songs two columns share are marked; each column shows how long its mode took.
    """
    request = PlaylistRequest(title, GenerationOptions(n=count), mode).check()
    backend = llm.open(workspace)
    catalog, is_demo = open_active_catalog(workspace)
    with catalog:
        retriever = open_retriever(catalog, workspace, building=preparing_ranking_data)
        with waiting("Comparing retrieval, LLM rerank and pure LLM"):
            comparison = compare_modes(retriever, backend, request)
    for playlist in comparison.playlists:
        for warning in playlist.warnings:
            stderr().print(f"[yellow]Warning ({playlist.mode}):[/yellow] {safe_text(warning)}", highlight=False)
    if fmt == "json":
        click.echo(json_safe(comparison.model_dump_json(indent=2)))
    else:
        print_comparison(stdout(), comparison, "demo catalog" if is_demo else "")


def print_comparison(console: Console, comparison: Comparison, source: str = "") -> None:
    keys = {p.mode: playlist_keys(p) for p in comparison.playlists}
    tables = [_column(p, keys) for p in comparison.playlists]
    console.print(Text(f"“{clean(comparison.title)}”", style="bold"))
    console.print(Columns(tables, equal=True, expand=True))
    legend = " · ".join(f"{label} {HEADINGS[m]}" for m, label in LABELS.items())
    shared = " · ".join(f"{pair}: {n}" for pair, n in comparison.overlap.items())
    console.print(Text(f"Also in: {legend}.  Shared songs: {shared}." + (f"  ({source})" if source else ""), style="dim"))


def _column(playlist: GeneratedPlaylist, keys: dict[str, set[str]]) -> Table:
    table = Table(title=HEADINGS.get(playlist.mode, playlist.mode), caption=safe_text(_caption(playlist)),
                  title_justify="left", expand=True)
    table.add_column("#", justify="right", style="dim")
    table.add_column("Track · artist", ratio=1)
    table.add_column("Also", no_wrap=True)
    for track in playlist.tracks:
        key = track_key(track)
        also = "".join(label for m, label in LABELS.items() if m != playlist.mode and key in keys.get(m, ()))
        name = Text(clean(track.track_name), style="bold" if track.in_catalog else "dim strike")
        name.append(f"\n{clean(track.artist_name)}", style="dim")
        if not track.in_catalog:
            name.append("  ✗ not in catalog", style="red")
        table.add_row(str(track.rank), name, Text(also, style="green"))
    return table


def _caption(playlist: GeneratedPlaylist) -> str:
    parts = [f"{playlist.seconds:.2f} s"]
    info = playlist.llm
    if info is not None:
        parts.append(f"{info.backend} {info.model}")
        if playlist.mode == "rerank":
            parts.append(f"{info.candidates} candidates, fuse {info.fuse}")
            # Did the model do anything? copy 1.0 = it echoed the order it was given.
            copy, tau = info.diagnostics.get("copy_score"), info.diagnostics.get("kendall_tau_vs_retrieval")
            if copy is not None:
                parts.append(f"copy score {copy:.2f}" + ("" if tau is None else f", tau vs retrieval {tau:.2f}"))
        if playlist.mode == "llm":
            parts.append(f"{info.shots}-shot")
            if playlist.match_rate is not None:
                parts.append(f"{playlist.match_rate:.0%} in catalog")
        if info.fallback:
            parts.append("LLM failed: retrieval order")
    return " · ".join(parts)
