"""Turning `GeneratedPlaylist` records into what users read or feed to other tools."""

from __future__ import annotations

import csv
import io

from rich.console import Console
from rich.style import Style
from rich.table import Table
from rich.text import Text

from agent.safe_text import clean, json_safe, safe_text
from retrieval.generator import FUSED
from retrieval.records import GeneratedPlaylist

FORMATS = ("table", "json", "jsonl", "csv", "m3u")
EXTENSIONS = {".json": "json", ".jsonl": "jsonl", ".ndjson": "jsonl", ".csv": "csv", ".m3u": "m3u", ".m3u8": "m3u"}


def format_for(path) -> str | None:
    """The file format a file name asks for (`trip.csv` -> csv); None when it says none."""
    return EXTENSIONS.get(path.suffix.lower()) if path is not None else None


def as_json(playlist: GeneratedPlaylist) -> str:
    return json_safe(playlist.model_dump_json(indent=2))


def as_jsonl(playlist: GeneratedPlaylist) -> str:
    return json_safe(playlist.model_dump_json())


def made_with_line(playlist: GeneratedPlaylist) -> str | None:
    """Version, catalog fingerprint and settings, for the comment atop a CSV or M3U file."""
    return clean(playlist.made_with.settings_line()) if playlist.made_with else None


def as_csv(playlist: GeneratedPlaylist) -> str:
    buffer = io.StringIO()
    made_with = made_with_line(playlist)
    if made_with:
        buffer.write(f"# {made_with}\n")
    writer = csv.writer(buffer, lineterminator="\n")
    writer.writerow(["rank", "track_uri", "track_name", "artist_name", "score"])
    for track in playlist.tracks:
        writer.writerow(map(spreadsheet_cell, [track.rank, track.track_uri, track.track_name, track.artist_name,
                                               track.score]))
    return buffer.getvalue().rstrip("\n")


_FORMULA_STARTS = ("=", "+", "-", "@", "\t", "\r")


def spreadsheet_cell(value: object) -> object:
    """A CSV cell that neither drives a terminal nor runs in a spreadsheet: control characters
    become spaces (the CSV may be printed), and text that a spreadsheet would read as a
    formula (`=HYPERLINK(...)`, `+`, `-`, `@`, a leading tab or CR) gets a leading quote, as
    OWASP advises. Numbers stay numbers."""
    if not isinstance(value, str):
        return value
    return ("'" if value.startswith(_FORMULA_STARTS) else "") + clean(value)


def as_m3u(playlist: GeneratedPlaylist) -> str:
    # M3U is line-based: a newline or other control character in a name would start a line of its own.
    lines = ["#EXTM3U", f"#PLAYLIST:{clean(playlist.title)}"]
    made_with = made_with_line(playlist)
    if made_with:
        lines.append(f"# {made_with}")
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


EXPLAINED_NEIGHBOURS = 20  # --explain's matched playlists; --explain-all shows every one


def print_table(console: Console, playlist: GeneratedPlaylist, explain: bool = False, source: str = "",
                neighbours_shown: int | None = EXPLAINED_NEIGHBOURS) -> None:
    caption = (
        f"{len(playlist.tracks)} tracks {_made_from(playlist)}"
        f" · encoder {playlist.encoder} · {playlist.voting} voting · {playlist.seconds * 1000:.0f} ms"
    )
    if playlist.llm is not None:
        caption = llm_caption(playlist)
    caption += "".join(f" · title names {entity}" for entity in playlist.entities)
    if playlist.seeds:
        caption += " · continues " + ", ".join(f"“{t.track_name}” by {t.artist_name}" for t in playlist.seeds)
    caption += applied_caption(playlist)
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
        print_neighbours(console, playlist, neighbours_shown)


def _made_from(playlist: GeneratedPlaylist) -> str:
    """What the tracks came from: the title's neighbour playlists, or (no title) the seeds'
    playlists, or one of the field's methods alone."""
    method = playlist.made_with.settings.get("method", FUSED) if playlist.made_with else FUSED
    if method not in (FUSED, "title-knn"):
        return f"by {method} alone" + (f" from {len(playlist.seeds)} seed track(s)" if playlist.seeds else "")
    if playlist.neighbours or not playlist.seeds:
        return f"voted by {len(playlist.neighbours)} similar playlists"
    return "from the playlists holding the seeds"


def applied_caption(playlist: GeneratedPlaylist) -> str:
    """The steering, the profile and the exclusions that shaped the playlist, for its footer."""
    made = playlist.made_with
    if made is None:
        return ""
    parts = []
    if made.steering:
        parts.append(f"steered {' '.join(made.steering)} (strength {made.settings.get('steer_strength')},"
                     " score = steered mix)")
    if made.profile:
        parts.append(f"profile {made.profile}: {made.liked_tracks} liked, {made.excluded_tracks} unwanted tracks")
    if made.excluded_artists:
        parts.append("leaves out " + ", ".join(made.excluded_artists))
    return "".join(f" · {part}" for part in parts)


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


def print_neighbours(console: Console, playlist: GeneratedPlaylist, shown: int | None = EXPLAINED_NEIGHBOURS) -> None:
    """The matched playlists, most similar first: the first `shown` of them (None: all)."""
    neighbours = playlist.neighbours if shown is None else playlist.neighbours[:shown]
    console.print(neighbours_table(neighbours))
    if len(neighbours) < len(playlist.neighbours):
        console.print(f"{len(playlist.neighbours) - len(neighbours)} more matched playlists not shown; "
                      "--explain-all shows them all.", highlight=False)
