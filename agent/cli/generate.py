"""`agent generate`: a playlist for a title, or for every line of a titles file."""

from __future__ import annotations

from pathlib import Path

import click

from agent.cli.common import stderr, stdout, user_errors, workspace_options
from agent.cli.llm_options import LLMChoice, llm_options
from agent.cli.progress import counting
from agent.cli.profile import profile_option
from agent.modes import ModeOptions, make_playlist
from agent.profile import load_profile
from agent.render import FORMATS, as_jsonl, as_text, print_table
from agent.workspace import Workspace, ensure_demo, open_retriever
from retrieval.index import active_index_info
from retrieval.generator import DEFAULT_K, DEFAULT_VOTING, GenerationError, GenerationOptions
from retrieval.voting import VOTING_RULES


@click.command()
@click.option("--title", "-t", help="The playlist title, e.g. \"road trip\".")
@click.option("--titles-file", type=click.Path(exists=True, dir_okay=False, path_type=Path),
              help="Generate for each line of this file; writes JSONL, one object per title.")
@click.option("-n", "--n", "count", type=int, default=10, show_default=True, help="Number of tracks.")
@click.option("--k", type=int, default=DEFAULT_K, show_default=True, help="Neighbour playlists that vote.")
@click.option("--voting", type=click.Choice(VOTING_RULES), default=DEFAULT_VOTING, show_default=True,
              help="count: one vote per playlist; similarity: votes weighted by title similarity.")
@click.option("--format", "fmt", type=click.Choice(FORMATS), default="table", show_default=True)
@click.option("--explain", is_flag=True, help="Show the matched playlists and each track's voters.")
@click.option("--max-per-artist", type=int, help="At most this many tracks by any one artist.")
@click.option("--exclude-artist", multiple=True, help="Leave this artist out (repeatable).")
@click.option("--keep-versions", is_flag=True, help="List versions of one song (Remastered, Live) separately.")
@click.option("--seed", "seeds", multiple=True, metavar="URI",
              help="Continue from this track (a catalog URI; repeatable); --title is then optional.")
@click.option("--output", "-o", type=click.Path(dir_okay=False, path_type=Path), help="Write to this file.")
@profile_option
@llm_options()
@workspace_options
def generate(title, titles_file, count, k, voting, fmt, explain, max_per_artist, exclude_artist,
             keep_versions, seeds, output, profile_name, mode: ModeOptions, llm: LLMChoice, workspace: Workspace) -> None:
    """Generate a playlist for a title from the playlists whose titles are most similar.

    With no catalog ingested, the embedded demo catalog is built on first use.
    --mode rerank and --mode llm add an LLM: the bundled tiny model by default,
    --model-path for your GGUF, --llm openai (or --base-url) for an API.
    """
    with user_errors():
        titles = [""] if seeds and title is None and titles_file is None else _titles(title, titles_file)
        options = GenerationOptions(
            n=count, k=k, voting=voting, merge_versions=not keep_versions,
            max_per_artist=max_per_artist, exclude_artists=tuple(exclude_artist), seed_uris=tuple(seeds),
        )
        options.check()
        mode.check()
        # Opened before the catalog, so a missing key or GGUF fails before any slow step.
        backend = llm.open(workspace) if mode.needs_llm else None
        preferences, warning = load_profile(workspace.home, profile_name)
        if warning:
            stderr().print(f"[yellow]Warning:[/yellow] {warning}", highlight=False)
        options = preferences.apply(options)
        catalog, is_demo = open_active_catalog(workspace)
        with catalog:
            retriever = open_retriever(catalog, workspace)
            playlists = [make_playlist(retriever, backend, t, options, mode) for t in titles]
        for playlist in playlists:
            for warning in playlist.warnings:
                stderr().print(f"[yellow]Warning ({playlist.title}):[/yellow] {warning}", highlight=False)
        _emit(playlists, "jsonl" if titles_file and fmt == "table" else fmt, explain, output, is_demo)


def _titles(title: str | None, titles_file: Path | None) -> list[str]:
    if (title is None) == (titles_file is None):
        raise GenerationError("give either --title or --titles-file")
    if titles_file is None:
        if not title.strip():
            raise GenerationError("the title is empty; give a playlist title such as --title \"road trip\"")
        return [title]
    titles = [line.strip() for line in titles_file.read_text(encoding="utf-8").splitlines()]
    titles = [t for t in titles if t]
    if not titles:
        raise GenerationError(f"{titles_file} holds no titles (one title per line)")
    return titles


def open_active_catalog(workspace: Workspace):
    """The user's catalog, else the demo one, built with a progress bar on first use."""
    catalog, is_demo = workspace.active_catalog()
    if is_demo and active_index_info(catalog) is None:
        catalog.close()
        stderr().print("First run: building the demo catalog (a demo of real song titles, not Spotify data).")
        with counting("Embedding demo titles") as update:
            ensure_demo(workspace, lambda done, total: update(done, total))
        catalog, is_demo = workspace.active_catalog()
    return catalog, is_demo


def _emit(playlists, fmt: str, explain: bool, output: Path | None, is_demo: bool) -> None:
    source = "demo catalog" if is_demo else ""
    if fmt == "table" and output is None:
        console = stdout()
        for playlist in playlists:
            print_table(console, playlist, explain=explain, source=source)
        return
    if fmt == "table":
        fmt = "json"
    if len(playlists) > 1 and fmt != "jsonl":
        raise GenerationError(f"--format {fmt} holds one playlist; use --format jsonl with --titles-file")
    text = "\n".join(as_jsonl(p) for p in playlists) if fmt == "jsonl" else as_text(playlists[0], fmt)
    if output:
        output.write_text(text + "\n", encoding="utf-8")
        stderr().print(f"Wrote {len(playlists)} playlist(s) to {output}")
    else:
        click.echo(text)
