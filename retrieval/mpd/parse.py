"""Reading Million Playlist Dataset files: `mpd.slice.*.json[.gz]` and the RecSys 2018
`challenge_set.json`.

One file is read and validated at a time, so memory stays bounded by the largest file.
Validation is hand-written rather than pydantic: at MPD scale (66 million track rows)
building a model per track costs more than the whole database insert.

Every value stored must fit its column: integers (pid, num_followers, modified_at,
duration_ms) are JSON integers within SQLite's signed 64 bits, text fields are strings,
and text is bounded: names and URIs at most `MAX_NAME_CHARS` (1,000) characters, a
description at most `MAX_DESCRIPTION_CHARS` (10,000).
"""

from __future__ import annotations

from collections.abc import Iterable, Iterator
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any, NamedTuple

import orjson

from retrieval.mpd.errors import MPDFormatError
from retrieval.mpd.files import MAX_FILE_BYTES, find_files, read_bytes

REQUIRED_TRACK_FIELDS = ("track_uri", "track_name", "artist_name")
OPTIONAL_TRACK_FIELDS = ("artist_uri", "album_uri", "album_name", "duration_ms")
OPTIONAL_PLAYLIST_FIELDS = ("collaborative", "modified_at", "num_followers", "description")
_NO_EXTRA: dict[str, Any] = {}
MAX_NAME_CHARS = 1_000
MAX_DESCRIPTION_CHARS = 10_000
_INT64 = (-(1 << 63), (1 << 63) - 1)
_INTEGER_FIELDS = frozenset({"modified_at", "num_followers", "duration_ms"})
_TEXT_LIMITS = {
    "artist_uri": MAX_NAME_CHARS, "album_uri": MAX_NAME_CHARS, "album_name": MAX_NAME_CHARS,
    "description": MAX_DESCRIPTION_CHARS,
}


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


def _load_json(path: Path, data: bytes | bytearray) -> Any:
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
        raise MPDFormatError(path, f"{where} has {_json_type(value)}, expected a string", pid, key)
    if len(value) > MAX_NAME_CHARS:
        raise MPDFormatError(path, f"{where} is {len(value):,} characters long, over the limit of "
                             f"{MAX_NAME_CHARS:,}", pid, key)
    return value


def _json_type(value: Any) -> str:
    names = {dict: "an object", list: "a list", str: "a string", bool: "a boolean", float: "a number that is not a 64-bit integer"}
    return "null" if value is None else names.get(type(value), "an integer" if type(value) is int else type(value).__name__)


def _check_extra(path: Path, pid: Any, extra: dict[str, Any], where: str) -> dict[str, Any]:
    """Optional fields must fit their columns; null stands for absent."""
    for key, value in extra.items():
        if value is None:
            continue
        if key in _INTEGER_FIELDS:
            if type(value) is not int or not _INT64[0] <= value <= _INT64[1]:
                problem = "an integer out of the 64-bit range" if type(value) is int else _json_type(value)
                raise MPDFormatError(path, f"{where} has {problem}, expected an integer", pid, key)
        elif key == "collaborative":
            if not isinstance(value, bool) and value not in ("true", "false"):
                raise MPDFormatError(path, f"{where} has {_json_type(value)}, expected true or false", pid, key)
        elif not isinstance(value, str):
            raise MPDFormatError(path, f"{where} has {_json_type(value)}, expected a string", pid, key)
        elif len(value) > _TEXT_LIMITS[key]:
            raise MPDFormatError(path, f"{where} is {len(value):,} characters long, over the limit of "
                                 f"{_TEXT_LIMITS[key]:,}", pid, key)
    return extra


def _parse_track(path: Path, pid: int, index: int, raw: Any) -> ParsedTrack:
    try:
        uri, name, artist = raw["track_uri"], raw["track_name"], raw["artist_name"]
        valid = (
            type(uri) is str and type(name) is str and type(artist) is str and uri.strip() != ""
            and len(uri) <= MAX_NAME_CHARS and len(name) <= MAX_NAME_CHARS and len(artist) <= MAX_NAME_CHARS
        )
    except (KeyError, TypeError):
        valid = False
    if not valid:
        _explain_bad_track(path, pid, index, raw)
    # MPD tracks carry 8 fields; the 3 required ones alone need no extra dict.
    if len(raw) <= 3:
        return ParsedTrack(uri, name, artist, _NO_EXTRA)
    extra = {key: raw[key] for key in OPTIONAL_TRACK_FIELDS if key in raw}
    if not _usual_track_extra(extra):  # the detailed check only off the fast path
        _check_extra(path, pid, extra, f"tracks[{index}]")
    return ParsedTrack(uri, name, artist, extra)


def _usual_track_extra(extra: dict[str, Any]) -> bool:
    """True for the MPD's own shape: three short strings and a 64-bit duration (or absent)."""
    artist_uri, album_uri = extra.get("artist_uri", ""), extra.get("album_uri", "")
    album, duration = extra.get("album_name", ""), extra.get("duration_ms", 0)
    return (
        type(artist_uri) is str and type(album_uri) is str and type(album) is str and type(duration) is int
        and len(artist_uri) <= MAX_NAME_CHARS and len(album_uri) <= MAX_NAME_CHARS
        and len(album) <= MAX_NAME_CHARS and _INT64[0] <= duration <= _INT64[1]
    )


def _explain_bad_track(path: Path, pid: int, index: int, raw: Any) -> None:
    """Raise the error that says what is wrong with a track (off the fast path)."""
    where = f"tracks[{index}]"
    if not isinstance(raw, dict):
        raise MPDFormatError(path, f"{where} is {_json_type(raw)}, expected an object", pid, "tracks")
    for key in REQUIRED_TRACK_FIELDS:
        _string(path, pid, raw, key, where)
    raise MPDFormatError(path, f"{where} has an empty track_uri", pid, "track_uri")


def parse_playlist(path: Path, raw: Any, name_required: bool) -> ParsedPlaylist:
    """Validate one playlist object; raise MPDFormatError naming what is wrong."""
    if not isinstance(raw, dict):
        raise MPDFormatError(path, f"playlist is {_json_type(raw)}, expected an object")
    if "pid" not in raw:
        raise MPDFormatError(path, "playlist is missing required field", None, "pid")
    pid = raw["pid"]
    if type(pid) is not int:
        raise MPDFormatError(path, f"pid is {_json_type(pid)}, expected an integer", pid, "pid")
    if not _INT64[0] <= pid <= _INT64[1]:
        raise MPDFormatError(path, "pid is out of the 64-bit integer range", pid, "pid")
    name = None
    if name_required or "name" in raw:
        name = _string(path, pid, raw, "name", "playlist")
    tracks = raw.get("tracks")
    if not isinstance(tracks, list):
        problem = "is missing" if tracks is None else f"is {_json_type(tracks)}, expected a list"
        raise MPDFormatError(path, f"tracks {problem}", pid, "tracks")
    parsed_tracks = [_parse_track(path, pid, i, track) for i, track in enumerate(tracks)]
    extra = {key: raw[key] for key in OPTIONAL_PLAYLIST_FIELDS if key in raw}
    return ParsedPlaylist(pid, name, parsed_tracks, _check_extra(path, pid, extra, "playlist"))


def _is_challenge_set(data: dict) -> bool:
    info = data.get("info") if isinstance(data.get("info"), dict) else {}
    return data.get("name") == "challenge_set" or info.get("name") == "challenge_set"


def read_file(path: Path, skip_bad: bool = False) -> ParsedFile:
    """Read and validate one MPD slice or challenge set.

    With `skip_bad`, invalid playlists are collected in `ParsedFile.bad` instead of
    raising; a file that cannot be parsed at all always raises.
    """
    return read_content(path, read_bytes(path), skip_bad)


def read_content(path: Path, content: bytes | bytearray, skip_bad: bool = False) -> ParsedFile:
    """`read_file` of a file's content already read."""
    data = _load_json(path, content)
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


__all__ = [
    "MAX_DESCRIPTION_CHARS", "MAX_FILE_BYTES", "MAX_NAME_CHARS", "MPDFormatError", "ParsedFile",
    "find_files", "iter_files", "parse_playlist", "read_content", "read_file",
]
