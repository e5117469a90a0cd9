"""Reading Million Playlist Dataset files: `mpd.slice.*.json[.gz]` and the RecSys 2018
`challenge_set.json`.

One file is read and validated at a time, so memory stays bounded by the largest file.
Validation is hand-written rather than pydantic: at MPD scale (66 million track rows)
building a model per track costs more than the whole database insert.
"""

from __future__ import annotations

import gzip
import re
from collections.abc import Iterable, Iterator
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any, NamedTuple

import orjson

REQUIRED_TRACK_FIELDS = ("track_uri", "track_name", "artist_name")
OPTIONAL_TRACK_FIELDS = ("artist_uri", "album_uri", "album_name", "duration_ms")
OPTIONAL_PLAYLIST_FIELDS = ("collaborative", "modified_at", "num_followers", "description")
_NO_EXTRA: dict[str, Any] = {}


class MPDFormatError(ValueError):
    """A file or playlist that is not valid MPD; the message names the file, pid and field."""

    def __init__(self, path: Path, message: str, pid: Any = None, field: str | None = None):
        self.path, self.pid, self.field = path, pid, field
        where = str(path)
        if pid is not None:
            where += f", playlist pid={pid}"
        if field is not None:
            where += f", field '{field}'"
        super().__init__(f"{where}: {message}")


class ParsedTrack(NamedTuple):
    track_uri: str
    track_name: str
    artist_name: str
    extra: dict[str, Any]


class ParsedPlaylist(NamedTuple):
    pid: int
    name: str | None
    tracks: list[ParsedTrack]
    extra: dict[str, Any]


@dataclass
class ParsedFile:
    path: Path
    playlists: list[ParsedPlaylist]
    is_challenge_set: bool
    bad: list[MPDFormatError] = field(default_factory=list)


def _slice_order(path: Path) -> tuple[int, str]:
    match = re.search(r"(\d+)-\d+", path.name)
    return (int(match.group(1)) if match else -1, path.name)


def find_files(paths: Iterable[str | Path]) -> list[Path]:
    """Expand folders to the MPD files inside them, in slice order."""
    found: list[Path] = []
    for raw in paths:
        path = Path(raw)
        if path.is_dir():
            inside = [p for p in path.iterdir() if p.name.endswith((".json", ".json.gz"))]
            if not inside:
                raise MPDFormatError(path, "folder holds no .json or .json.gz files")
            found.extend(sorted(inside, key=_slice_order))
        elif path.exists():
            found.append(path)
        else:
            raise MPDFormatError(path, "no such file or folder")
    return found


def _load_json(path: Path) -> Any:
    opener = gzip.open if path.name.endswith(".gz") else open
    try:
        with opener(path, "rb") as handle:
            data = handle.read()
    except (OSError, EOFError) as error:
        raise MPDFormatError(path, f"cannot read file: {error}") from error
    if not data.strip():
        raise MPDFormatError(path, "file is empty")
    try:
        return orjson.loads(data)
    except (orjson.JSONDecodeError, UnicodeDecodeError) as error:
        raise MPDFormatError(path, f"malformed JSON: {error}") from error


def _string(path: Path, pid: Any, container: dict, key: str, where: str) -> str:
    if key not in container:
        raise MPDFormatError(path, f"{where} is missing required field", pid, key)
    value = container[key]
    if not isinstance(value, str):
        raise MPDFormatError(path, f"{where} has {type(value).__name__}, expected a string", pid, key)
    return value


def _parse_track(path: Path, pid: int, index: int, raw: Any) -> ParsedTrack:
    try:
        uri, name, artist = raw["track_uri"], raw["track_name"], raw["artist_name"]
        valid = type(uri) is str and type(name) is str and type(artist) is str and uri.strip() != ""
    except (KeyError, TypeError):
        valid = False
    if not valid:
        _explain_bad_track(path, pid, index, raw)
    # MPD tracks carry 8 fields; the 3 required ones alone need no extra dict.
    extra = {key: raw[key] for key in OPTIONAL_TRACK_FIELDS if key in raw} if len(raw) > 3 else _NO_EXTRA
    return ParsedTrack(uri, name, artist, extra)


def _explain_bad_track(path: Path, pid: int, index: int, raw: Any) -> None:
    """Raise the error that says what is wrong with a track (off the fast path)."""
    where = f"tracks[{index}]"
    if not isinstance(raw, dict):
        raise MPDFormatError(path, f"{where} is {type(raw).__name__}, expected an object", pid, "tracks")
    for key in REQUIRED_TRACK_FIELDS:
        _string(path, pid, raw, key, where)
    raise MPDFormatError(path, f"{where} has an empty track_uri", pid, "track_uri")


def parse_playlist(path: Path, raw: Any, name_required: bool) -> ParsedPlaylist:
    """Validate one playlist object; raise MPDFormatError naming what is wrong."""
    if not isinstance(raw, dict):
        raise MPDFormatError(path, f"playlist is {type(raw).__name__}, expected an object")
    if "pid" not in raw:
        raise MPDFormatError(path, "playlist is missing required field", None, "pid")
    pid = raw["pid"]
    if not isinstance(pid, int) or isinstance(pid, bool):
        raise MPDFormatError(path, f"pid is {type(pid).__name__}, expected an integer", pid, "pid")
    name = None
    if name_required or "name" in raw:
        name = _string(path, pid, raw, "name", "playlist")
    tracks = raw.get("tracks")
    if not isinstance(tracks, list):
        problem = "is missing" if tracks is None else f"is {type(tracks).__name__}, expected a list"
        raise MPDFormatError(path, f"tracks {problem}", pid, "tracks")
    parsed_tracks = [_parse_track(path, pid, i, track) for i, track in enumerate(tracks)]
    extra = {key: raw[key] for key in OPTIONAL_PLAYLIST_FIELDS if key in raw}
    return ParsedPlaylist(pid, name, parsed_tracks, extra)


def _is_challenge_set(data: dict) -> bool:
    info = data.get("info") if isinstance(data.get("info"), dict) else {}
    return data.get("name") == "challenge_set" or info.get("name") == "challenge_set"


def read_file(path: Path, skip_bad: bool = False) -> ParsedFile:
    """Read and validate one MPD slice or challenge set.

    With `skip_bad`, invalid playlists are collected in `ParsedFile.bad` instead of
    raising; a file that cannot be parsed at all always raises.
    """
    data = _load_json(path)
    if not isinstance(data, dict) or not isinstance(data.get("playlists"), list):
        raise MPDFormatError(path, "not an MPD file: expected an object with a 'playlists' list")
    challenge = _is_challenge_set(data)
    parsed = ParsedFile(path, [], challenge)
    seen: set[int] = set()
    for raw in data["playlists"]:
        try:
            playlist = parse_playlist(path, raw, name_required=not challenge)
            if playlist.pid in seen:
                raise MPDFormatError(path, "pid appears twice in this file", playlist.pid, "pid")
        except MPDFormatError as error:
            if not skip_bad:
                raise
            parsed.bad.append(error)
            continue
        seen.add(playlist.pid)
        parsed.playlists.append(playlist)
    return parsed


def iter_files(paths: Iterable[str | Path], skip_bad: bool = False) -> Iterator[ParsedFile]:
    for path in find_files(paths):
        yield read_file(path, skip_bad=skip_bad)
