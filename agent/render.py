"""Turning `GeneratedPlaylist` records into what users read or feed to other tools."""

from __future__ import annotations

import csv
import io

from rich.console import Console
from rich.style import Style
from rich.table import Table
from rich.text import Text

from agent.safe_text import clean, safe_text
from retrieval.records import GeneratedPlaylist

FORMATS = ("table", "json", "jsonl", "csv", "m3u")
EXTENSIONS = {".json": "json", ".jsonl": "jsonl", ".ndjson": "jsonl", ".csv": "csv", ".m3u": "m3u", ".m3u8": "m3u"}


def format_for(path) -> str | None:
    """The file format a file name asks for (`trip.csv` -> csv); None when it says none."""
    return EXTENSIONS.get(path.suffix.lower()) if path is not None else None


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
    # M3U is line-based: a newline or other control character in a name would start a line of its own.
    lines = ["#EXTM3U", f"#PLAYLIST:{clean(playlist.title)}"]
    for track in playlist.tracks:
        song = clean(f"{track.artist_name} - {track.track_name}")
        if track.track_uri is None:  # an LLM's song the catalog lacks: nothing to play
            lines.append(f"# not in catalog: {song}")
            continue
        lines.append(f"#EXTINF:-1,{song}")
        lines.append(clean(track.link or track.track_uri))
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
        caption += " · continues " + ", ".join(f"“{t.track_name}” by {t.artist_name}" for t in playlist.seeds)
    if source:
        caption += f" · {source}"
    caption += "".join(f"\nWarning: {warning}" for warning in playlist.warnings)
    heading = f"“{playlist.title}”" if playlist.title.strip() else f"after {len(playlist.seeds)} seed track(s)"
    table = Table(title=safe_text(heading), caption=safe_text(caption), title_justify="left")
    table.add_column("#", justify="right", style="dim")
    table.add_column("Track", style="bold")
    table.add_column("Artist")
    table.add_column("Score", justify="right")
    if explain:
        table.add_column("Why")
        table.add_column("Signals")
    # Spotify links get a column when there is room; track names are terminal hyperlinks anyway.
    show_links = console.width >= 120 and any(track.link for track in playlist.tracks)
    if show_links:
        table.add_column("Link", style="cyan", no_wrap=True)
    explanations = playlist.explanations if explain else []
    for position, track in enumerate(playlist.tracks):
        name = Text(clean(track.track_name), style=Style(link=clean(track.link)) if track.link else "")
        if not track.in_catalog:
            name = Text.assemble((clean(track.track_name), "dim strike"), (" ✗ not in catalog", "red"))
        row = [str(track.rank), name, Text(clean(track.artist_name)), f"{track.score:g}"]
        if explain:
            row.append(Text(clean(explanations[position])))
            row.append(Text(clean(_signals(track.signals))))
        if show_links:
            row.append(Text(clean(track.link or "")))
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


def neighbours_table(neighbours, title: str = "Matched playlists") -> Table:
    table = Table(title=title, title_justify="left")
    table.add_column("pid", justify="right", style="dim")
    table.add_column("Title")
    table.add_column("Similarity", justify="right")
    for neighbour in neighbours:
        table.add_row(str(neighbour.pid), Text(clean(neighbour.name)), f"{neighbour.similarity:.3f}")
    return table


def print_neighbours(console: Console, playlist: GeneratedPlaylist) -> None:
    console.print(neighbours_table(playlist.neighbours))
