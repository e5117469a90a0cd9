"""`agent generate`: a playlist for a title, or for every line of a titles file."""

from __future__ import annotations

import contextlib
from pathlib import Path

import click

from agent.cli.active import open_active_catalog
from agent.cli.batch import run_batch, show_warnings
from agent.cli.common import stderr, stdout, workspace_options
from agent.cli.llm_options import LLMChoice, llm_options
from agent.cli.output import check_output, write_output
from agent.cli.profile import profile_option
from agent.playlist import ModeOptions, PlaylistRequest, make_playlist
from agent.profile import load_profile
from agent.render import FORMATS, as_jsonl, as_text, format_for, print_table
from agent.safe_text import safe_text
from agent.workspace import Workspace, open_retriever
from retrieval.resolve import NameResolver
from retrieval.steering import DEFAULT_STRENGTH, Steering
from retrieval.tags import open_tag_index
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
@click.option("--format", "fmt", type=click.Choice(FORMATS),
              help="Output format [default: from the -o file's extension (.json, .jsonl, .csv, .m3u), else table].")
@click.option("--explain", is_flag=True, help="Show the matched playlists and each track's voters.")
@click.option("--max-per-artist", type=int, help="At most this many tracks by any one artist.")
@click.option("--exclude-artist", multiple=True, help="Leave this artist out (repeatable).")
@click.option("--steer", multiple=True,
              help="Move the playlist toward a word (\"upbeat\"), or away with a minus (\"-sad\"); repeatable.")
@click.option("--steer-strength", type=float, default=DEFAULT_STRENGTH, show_default=True,
              help="How far --steer moves the playlist: 0 not at all, 1 ordered by the words alone.")
@click.option("--keep-versions", is_flag=True, help="List versions of one song (Remastered, Live) separately.")
@click.option("--output", "-o", type=click.Path(dir_okay=False, path_type=Path), help="Write to this file.")
@profile_option
@llm_options()
@workspace_options
def generate(title, titles_file, count, k, voting, fmt, explain, max_per_artist, exclude_artist, steer,
             steer_strength, keep_versions, output, profile_name, mode: ModeOptions, llm: LLMChoice, workspace: Workspace) -> None:
    """Generate a playlist for a title from the playlists whose titles are most similar.

    With no catalog ingested, the embedded demo catalog is built on first use.
    --mode rerank and --mode llm add an LLM: the bundled tiny model by default,
    --model-path for your GGUF, --llm openai (or --base-url) for an API.
    """
    titles = _titles(title, titles_file)
    check_output(output)
    fmt = _format(fmt, output, titles_file is not None, len(titles))
    options = GenerationOptions(
        n=count, k=k, voting=voting, merge_versions=not keep_versions,
        max_per_artist=max_per_artist, exclude_artists=tuple(exclude_artist),
    )
    steering = Steering.parse(steer, steer_strength) if steer else None
    if titles_file is not None:
        batch = PlaylistRequest(titles[0], options, mode, steering).check_options()  # a bad title fails alone
        with playlist_maker(batch, llm, profile_name, workspace) as (make, _):
            run_batch(titles, lambda t: make(batch.for_title(t).check()), output)
        return
    requests = [PlaylistRequest(t, options, mode, steering).check() for t in titles]
    playlists, is_demo = make_playlists(requests, llm, profile_name, workspace)
    for playlist in playlists:
        show_warnings(playlist)
    _emit(playlists, fmt, explain, output, is_demo)


def make_playlists(requests: list[PlaylistRequest], llm: LLMChoice, profile_name: str | None, workspace: Workspace):
    """Each request's playlist, with the profile applied; and whether the demo catalog answered."""
    with playlist_maker(requests[0], llm, profile_name, workspace) as (make, is_demo):
        return [make(r) for r in requests], is_demo


@contextlib.contextmanager
def playlist_maker(first: PlaylistRequest, llm: LLMChoice, profile_name: str | None, workspace: Workspace):
    """`make(request)` with the models loaded and the index held once; and whether the demo answers."""
    # Opened before the catalog, so a missing key or GGUF fails before any slow step.
    backend = llm.open(workspace) if first.needs_llm else None
    preferences, warning = load_profile(workspace.home, profile_name)
    if warning:
        stderr().print(f"[yellow]Warning:[/yellow] {safe_text(warning)}", highlight=False)
    catalog, is_demo = open_active_catalog(workspace)
    with catalog:
        artists = _resolved_artists(catalog, first.options.exclude_artists)
        retriever = open_retriever(catalog, workspace)
        tags = open_tag_index(catalog, retriever.index, workspace.chroma) if first.steering else None

        def make(request: PlaylistRequest):
            request = request.with_options(exclude_artists=artists).with_profile(preferences)
            return make_playlist(retriever, backend, request, tags)

        try:
            yield make, is_demo
        finally:
            retriever.index.close()


def _resolved_artists(catalog, names: tuple[str, ...]) -> tuple[str, ...]:
    """The catalog's spelling of each artist to leave out; an unknown or ambiguous name is an error."""
    if not names:
        return names
    resolver = NameResolver(catalog)
    found = tuple(resolver.artist(name).name for name in names)
    stderr().print(safe_text(f"Leaving out {', '.join(found)}."), highlight=False)  # stdout stays parseable
    return found


def _format(fmt: str | None, output: Path | None, batch: bool, count: int) -> str:
    """--format, else the -o file's extension; a batch is JSONL, a file without a known extension JSON."""
    fmt = fmt or format_for(output) or "table"
    if fmt == "table" and (batch or output is not None):
        fmt = "jsonl" if batch else "json"
    if (batch or count > 1) and fmt != "jsonl":
        raise GenerationError(f"--format {fmt} holds one playlist; use --format jsonl with --titles-file")
    return fmt


def _titles(title: str | None, titles_file: Path | None) -> list[str]:
    if (title is None) == (titles_file is None):
        raise GenerationError("give either --title or --titles-file")
    if titles_file is None:
        return [title]
    try:
        lines = titles_file.read_text(encoding="utf-8").splitlines()
    except UnicodeDecodeError as error:
        raise GenerationError(f"{titles_file} is not UTF-8 text (byte {error.start}); save it as UTF-8") from None
    titles = [line.strip() for line in lines]
    titles = [t for t in titles if t]
    if not titles:
        raise GenerationError(f"{titles_file} holds no titles (one title per line)")
    return titles


def _emit(playlists, fmt: str, explain: bool, output: Path | None, is_demo: bool) -> None:
    source = "demo catalog" if is_demo else ""
    if fmt == "table" and output is None:
        console = stdout()
        for playlist in playlists:
            print_table(console, playlist, explain=explain, source=source)
        return
    text = "\n".join(as_jsonl(p) for p in playlists) if fmt == "jsonl" else as_text(playlists[0], fmt)
    if output:
        write_output(output, text + "\n")
        stderr().print(f"Wrote {len(playlists)} playlist(s) to {safe_text(output)}")
    else:
        click.echo(text)
