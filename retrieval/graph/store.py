"""The playlist graph on disk: one folder per catalog content beside the catalog, built
on first use, published whole by a rename, older ones removed."""

from __future__ import annotations

import json
import os
import shutil
import tempfile
from collections.abc import Callable
from pathlib import Path

import numpy as np

from retrieval.catalog import Catalog
from retrieval.matching import KEYS_VERSION
from retrieval.graph.arrays import ARRAYS, LAYOUT_VERSION, PlaylistGraph


def graph_folder(catalog: Catalog) -> Path:
    return catalog.path.with_name(catalog.path.name + ".graph")


def _content_folder(catalog: Catalog, fingerprint: str) -> Path:
    return graph_folder(catalog) / f"{fingerprint}-keys{KEYS_VERSION}-layout{LAYOUT_VERSION}"


def graph_saved(catalog: Catalog, fingerprint: str) -> bool:
    """Whether the graph of this content is on disk (opening it then costs nothing)."""
    return _complete(_content_folder(catalog, fingerprint))


def open_graph(catalog: Catalog, fingerprint: str) -> PlaylistGraph:
    """The catalog's graph for this content, built and saved on first use (and older ones
    deleted); where the catalog's folder cannot be written, it is kept in memory."""
    root, folder = graph_folder(catalog), _content_folder(catalog, fingerprint)
    if _complete(folder):
        try:
            return _checked(folder)
        except DamagedGraphError:
            shutil.rmtree(folder, ignore_errors=True)  # made from the catalog alone: built again below
    catalog.refresh_song_keys(KEYS_VERSION)
    graph = PlaylistGraph.build(catalog.playlist_track_entries(), catalog.song_key_entries(),
                                catalog.title_playlist_entries())
    try:
        _publish(graph, root, folder)
    except OSError:
        return PlaylistGraph.load(folder) if _complete(folder) else graph
    remove_others(root, keep=folder)
    return PlaylistGraph.load(folder)


class DamagedGraphError(ValueError):
    """A saved graph folder whose arrays cannot be read or do not fit together."""


# Each offsets array and the values it spans.
_SPANS = (("playlist_offsets", "playlist_tracks"), ("track_offsets", "track_playlists"),
          ("title_offsets", "title_pids"), ("artist_offsets", "artist_tracks"))


def _checked(folder: Path) -> PlaylistGraph:
    """The saved graph, or `DamagedGraphError` for a file truncated, replaced or of another shape."""
    try:
        arrays = {name: np.load(folder / f"{name}.npy", mmap_mode="r") for name in ARRAYS}
    except (ValueError, OSError, EOFError) as error:
        raise DamagedGraphError(f"the playlist graph {folder} cannot be read ({error})") from error
    if not _fits(arrays):
        raise DamagedGraphError(f"the playlist graph {folder} does not fit together")
    return PlaylistGraph.load(folder)


def _fits(arrays: dict[str, np.ndarray]) -> bool:
    """What every reader assumes, checked in constant time: flat integer arrays, each
    offsets array spanning its values, one row per pid and one entry per track id."""
    if any(a.ndim != 1 or not np.issubdtype(a.dtype, np.integer) for a in arrays.values()):
        return False
    spans = all(len(arrays[o]) and arrays[o][0] == 0 and arrays[o][-1] == len(arrays[v]) for o, v in _SPANS)
    tracks = len(arrays["track_offsets"]) - 1
    return bool(spans and len(arrays["playlist_offsets"]) == len(arrays["pids"]) + 1
                and len(arrays["songs"]) == len(arrays["artists"]) == tracks)


def _publish(graph: PlaylistGraph, root: Path, folder: Path) -> None:
    def write(staging: Path) -> None:
        graph.save(staging)
        (staging / "graph.json").write_text(json.dumps({"fingerprint": folder.name}) + "\n")

    publish_folder(root, folder, write, _complete)


def publish_folder(root: Path, folder: Path, write: Callable[[Path], None], complete: Callable[[Path], bool]) -> None:
    """`write` fills a private folder, then it is renamed into place: readers never see
    half of it. `complete` tells a whole folder from one left by a killed process."""
    root.mkdir(exist_ok=True)
    if folder.exists() and not complete(folder):
        shutil.rmtree(folder, ignore_errors=True)  # left by a process that was killed
    staging = Path(tempfile.mkdtemp(prefix=".building-", dir=root))
    try:
        write(staging)
        os.replace(staging, folder)  # fails when another process got there first
    finally:
        shutil.rmtree(staging, ignore_errors=True)


def _complete(folder: Path) -> bool:
    return (folder / "graph.json").is_file() and all((folder / f"{n}.npy").is_file() for n in ARRAYS)


def remove_others(root: Path, keep: Path) -> None:
    # A process still reading an old graph keeps its pages: removing mapped files is safe.
    for other in root.iterdir():
        if other != keep and not other.name.startswith(".building-"):
            shutil.rmtree(other, ignore_errors=True)
