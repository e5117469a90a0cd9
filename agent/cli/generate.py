"""`agent generate`: a playlist for a title, or for every line of a titles file."""

from __future__ import annotations

import contextlib
from pathlib import Path

import click

from agent.cli.active import open_active_catalog
from agent.cli.batch import run_batch, show_warnings
from agent.cli.progress import preparing_ranking_data, waiting
from agent.cli.common import stderr, stdout, warn, workspace_options
from agent.cli.llm_options import llm_options
from agent.cli.output import check_output, write_output
from agent.cli.profile import profile_option
from agent.llm.choice import LLMChoice
from agent.playlist import ModeOptions, PlaylistRequest, RequestDraft, RequestPreparer, make_playlist
from agent.render import EXPLAINED_NEIGHBOURS, FORMATS, as_jsonl, as_text, format_for, print_table
from agent.safe_text import safe_text
from agent.workspace import Workspace, open_retriever
from agent.titles_file import TitlesEntry, read_titles_file
from retrieval.ranking.steering import DEFAULT_STRENGTH, Steering
from retrieval.index.tags import open_tag_index
from retrieval.generator import (DEFAULT_DISCOVERY, DEFAULT_K, DEFAULT_VOTING, FUSED, METHODS, GenerationError,
                                 GenerationOptions)
from retrieval.signals.voting import VOTING_RULES


@click.command()
@click.argument("title_words", metavar="[TITLE]", required=False)
@click.option("--title", "-t", help="The playlist title, e.g. \"road trip\" (or give it first: agent generate \"road trip\").")
@click.option("--titles-file", type=click.Path(exists=True, dir_okay=False, allow_dash=True, path_type=Path),
              help="Generate for each line of this file (a .jsonl file: one {\"title\", \"seeds\", \"n\"} "
                   "object per line); writes JSONL, one record per line.")
@click.option("-n", "--n", "count", type=int, default=10, show_default=True, help="Number of tracks.")
@click.option("--k", type=int, default=DEFAULT_K, show_default=True, help="Neighbour playlists that vote.")
@click.option("--voting", type=click.Choice(VOTING_RULES), default=DEFAULT_VOTING, show_default=True,
              help="count: one vote per playlist; similarity: votes weighted by title similarity.")
@click.option("--format", "fmt", type=click.Choice(FORMATS),
              help="Output format [default: from the -o file's extension (.json, .jsonl, .csv, .m3u), else table].")
@click.option("--explain", is_flag=True,
              help=f"Show each track's voters and signals, and the {EXPLAINED_NEIGHBOURS} most similar playlists.")
@click.option("--explain-all", is_flag=True, help="--explain with every matched playlist.")
@click.option("--max-per-artist", type=int, help="At most this many tracks by any one artist.")
@click.option("--exclude-artist", multiple=True, help="Leave this artist out (repeatable).")
@click.option("--steer", multiple=True,
              help="Move the playlist toward a word (\"upbeat\"), or away with a minus (\"-sad\"); repeatable.")
@click.option("--steer-strength", type=float, default=DEFAULT_STRENGTH, show_default=True,
              help="How far --steer moves the playlist: 0 not at all, 1 ordered by the words alone.")
@click.option("--discovery", type=click.FloatRange(0.0, 1.0), default=DEFAULT_DISCOVERY, show_default=True,
              help="0-1: trade the catalog's hits for songs the title and seeds single out (1: the most obscure).")
@click.option("--ranker", is_flag=True, help="Reorder the best candidates by the learned ranker (fitted by `agent tune --ranker`).")
@click.option("--method", type=click.Choice(METHODS), default=FUSED, show_default=True,
              help="fused: this project's ranking; or one of the field's methods alone, to compare "
                   "(item-kNN, playlist-kNN, ALS, EASE from --seed; title-kNN from the title; hybrid from both).")
@click.option("--keep-versions", is_flag=True, help="List versions of one song (Remastered, Live) separately.")
@click.option("--seed", "seeds", multiple=True, metavar="TRACK",
              help="Continue from this track: a URI or \"song by artist\" (repeatable); --title is then optional.")
@click.option("--output", "-o", type=click.Path(dir_okay=False, path_type=Path), help="Write to this file.")
@profile_option
@llm_options()
@workspace_options
def generate(title_words, title, titles_file, count, k, voting, fmt, explain, explain_all, max_per_artist, exclude_artist, steer,
             steer_strength, discovery, ranker, method, keep_versions, seeds, output, profile_name, mode: ModeOptions, llm: LLMChoice, workspace: Workspace) -> None:
    """Generate a playlist for a title from the playlists whose titles are most similar.

    With no catalog ingested, the embedded demo catalog is built on first use.
    --mode rerank and --mode llm add an LLM: the bundled tiny model by default,
    --model-path for your GGUF, --llm openai (or --base-url) for an API.
    """
    entries = _entries(_title(title_words, title), titles_file, seeds)
    check_output(output, inputs=(titles_file,))
    fmt = _format(fmt, output, titles_file is not None, len(entries))
    options = GenerationOptions(n=count, k=k, voting=voting, merge_versions=not keep_versions,
                                max_per_artist=max_per_artist, discovery=discovery, ranker=ranker, method=method)
    steering = Steering.parse(steer, steer_strength) if steer else None
    base = RequestDraft(PlaylistRequest("", options, mode, steering).check_options(),
                        exclude_artists=tuple(exclude_artist), profile=profile_name)
    batch = titles_file is not None
    drafts = [] if batch else [entry.draft(base).check() for entry in entries]
    with playlist_maker(base, llm, workspace, batch) as (make, is_demo):
        if batch:
            run_batch(entries, lambda entry: make(entry.draft(base)), output, label=TitlesEntry.label)
            return
        with waiting(f"Making the playlist with the LLM ({base.request.mode})") if base.needs_llm else contextlib.nullcontext():
            playlists = [make(draft) for draft in drafts]
    for playlist in playlists:
        show_warnings(playlist)
    _emit(playlists, fmt, explain or explain_all, output, is_demo, None if explain_all else EXPLAINED_NEIGHBOURS)


@contextlib.contextmanager
def playlist_maker(first: RequestDraft, llm: LLMChoice, workspace: Workspace, batch: bool = False):
    """`make(draft)` with the models loaded and the index held once; and whether the demo answers.
    A batch answers a request left with neither title nor known seed by popularity."""
    # Opened before the catalog, so a missing key or GGUF fails before any slow step.
    backend = llm.open(workspace) if first.needs_llm else None
    catalog, is_demo = open_active_catalog(workspace)
    with catalog:
        preparer = RequestPreparer(catalog, workspace.home, popular_when_empty=batch)
        preparer.artists(first.exclude_artists)  # a wrong name fails once, before any title
        retriever = open_retriever(catalog, workspace, building=preparing_ranking_data)
        tags = open_tag_index(catalog, retriever.index, workspace.chroma, on_notice=warn) if first.request.steering else None
        try:
            yield lambda draft: make_playlist(retriever, backend, preparer.prepare(draft), tags), is_demo
        finally:
            retriever.index.close()


def _title(positional: str | None, flag: str | None) -> str | None:
    if positional is not None and flag is not None:
        raise GenerationError("give the title once: first on the line or with --title, not both")
    return positional if positional is not None else flag


def _format(fmt: str | None, output: Path | None, batch: bool, count: int) -> str:
    """--format, else the -o file's extension; a batch is JSONL, a file without a known extension JSON."""
    fmt = fmt or format_for(output) or "table"
    if fmt == "table" and (batch or output is not None):
        fmt = "jsonl" if batch else "json"
    if (batch or count > 1) and fmt != "jsonl":
        raise GenerationError(f"--format {fmt} holds one playlist; use --format jsonl with --titles-file")
    return fmt


def _entries(title: str | None, titles_file: Path | None, seeds: tuple[str, ...]) -> list[TitlesEntry]:
    if titles_file is not None:
        if title is not None or seeds:
            raise GenerationError("give --title and --seed, or --titles-file, not both")
        return read_titles_file(titles_file)
    if title is None and not seeds:
        raise GenerationError("give a title (agent generate \"road trip\"), --seed or --titles-file")
    return [TitlesEntry(line=0, title=title, seeds=tuple(seeds))]


def _emit(playlists, fmt: str, explain: bool, output: Path | None, is_demo: bool, neighbours_shown: int | None) -> None:
    source = "demo catalog" if is_demo else ""
    if fmt == "table" and output is None:
        console = stdout()
        for playlist in playlists:
            print_table(console, playlist, explain=explain, source=source, neighbours_shown=neighbours_shown)
        return
    text = "\n".join(as_jsonl(p) for p in playlists) if fmt == "jsonl" else as_text(playlists[0], fmt)
    if output:
        write_output(output, text + "\n")
        stderr().print(f"Wrote {len(playlists)} playlist(s) to {safe_text(output)}")
    else:
        click.echo(text)
