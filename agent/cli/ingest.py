"""`agent ingest`: MPD slices or a challenge set into the user's catalog, then the index."""

from __future__ import annotations

from pathlib import Path

import click

from agent.cli.common import stderr, stdout, workspace_options
from agent.cli.index import warn
from agent.cli.progress import counting
from agent.workspace import Workspace, rebuild_index, rebuild_track_tags
from retrieval.mpd.ingest import IngestSummary, ingest_paths
from retrieval.resolve import prepare_name_lookups


@click.command()
# Paths are checked when read, so a symbolic link loop or a FIFO is named as what it is.
@click.argument("paths", nargs=-1, required=True, type=click.Path(path_type=Path))
@click.option("--skip-bad", is_flag=True,
              help="Skip invalid playlists and unreadable files (and say which) instead of stopping.")
@click.option("--no-index", is_flag=True, help="Only store the playlists; build the index later with `agent index`.")
@workspace_options
def ingest(paths: tuple[Path, ...], skip_bad: bool, no_index: bool, workspace: Workspace) -> None:
    """Store MPD files (mpd.slice.*.json[.gz], challenge_set.json, or folders of them).

    Re-ingesting a file changes nothing: a playlist is replaced by its pid. A bad
    file stops the run with its name and the playlist at fault, and every file
    stored before it is kept. Then the title index is rebuilt.
    """
    with workspace.user_catalog() as catalog:
        with counting("Ingesting playlists") as update:
            stored = 0

            def on_file(path: Path, stats) -> None:
                nonlocal stored
                stored += stats.playlists
                update(stored, None)

            summary = ingest_paths(catalog, paths, skip_bad=skip_bad, on_file=on_file)
        _report(summary)
        with counting("Indexing song and artist names"):
            prepare_name_lookups(catalog)
        if not no_index:
            with counting("Embedding titles") as update:
                index = rebuild_index(catalog, workspace, on_progress=update, on_warning=warn)
            with counting("Averaging titles into track tag vectors") as update:
                tags = rebuild_track_tags(catalog, workspace, index, on_progress=update)
            stdout().print(
                f"Index: {index.info.titles:,} titles embedded with {index.info.encoder_name} "
                f"in {workspace.chroma.describe()}; tag vectors for {tags.info.tracks:,} tracks.",
                markup=False, highlight=False,  # paths and URLs are the user's text, not markup
            )


def _report(summary: IngestSummary) -> None:
    console = stdout()
    stats = summary.catalog
    console.print(
        f"Ingested {summary.playlists:,} playlists from {summary.files} file(s) in {summary.seconds:.1f}s "
        f"({summary.playlists_per_second:,.0f} playlists/s).",
        highlight=False,
    )
    console.print(
        f"Catalog: {stats.playlists:,} playlists, {stats.tracks:,} tracks, "
        f"{stats.distinct_titles:,} distinct titles."
    )
    if summary.skipped or summary.skipped_files:
        err = stderr()
        err.print(f"[yellow]Skipped {summary.skipped} invalid playlist(s) and "
                  f"{summary.skipped_files} unreadable file(s):[/yellow]")
        for problem in summary.problems[:20]:
            err.print(f"  {problem}", markup=False, highlight=False, soft_wrap=True)
        if len(summary.problems) > 20:
            err.print(f"  ... and {len(summary.problems) - 20} more")
