"""Reading a RecSys Challenge 2018 challenge set (`challenge_set.json[.gz]`).

The format: {"date", "version", "playlists": [{"pid", "name"?, "num_holdouts",
"num_samples", "num_tracks", "tracks": [{"pos", "track_uri", "track_name",
"artist_name", ...}]}]}. A playlist without "name" is one of the no-title categories.

Every problem is one `ChallengeFileError` naming the file, the pid and the field, as
ingest's are: the playlist and track checks are ingest's own (`parse_playlist`).
"""

from __future__ import annotations

from pathlib import Path
from typing import Any, NamedTuple

from agent.challenge.categories import Category, category_of
from retrieval.mpd.parse import parse_playlist
from retrieval.mpd.errors import MPDFormatError
from retrieval.json_reader import JSONInputError, JSONNestingError, read_json
from retrieval.mpd.files import MAX_FILE_BYTES, read_bytes

MAX_SEEDS = 1_000  # seed tracks one playlist may give; the challenge's largest gives 100
_COUNTS = ("num_samples", "num_holdouts", "num_tracks")


class ChallengeFileError(MPDFormatError):
    """A challenge set, submission or truth file that breaks its format (names file, pid, field)."""


class SeedTrack(NamedTuple):
    track_uri: str
    track_name: str
    artist_name: str


class ChallengePlaylist(NamedTuple):
    pid: int
    name: str | None
    seeds: list[SeedTrack]
    category: Category


def load_json(path: Path) -> Any:
    """The file's JSON (gzipped when it ends in .gz), bounded in size and nesting depth by
    the one reader of outside JSON (orjson's own depth limit, at its speed)."""
    data = read_bytes(path)
    if not data.strip():
        raise ChallengeFileError(path, "file is empty")
    try:
        return read_json(data, what="the file", max_depth=None, max_bytes=MAX_FILE_BYTES)
    except JSONNestingError as error:
        raise ChallengeFileError(path, f"JSON nested too deeply ({error.problem})") from None
    except JSONInputError as error:
        raise ChallengeFileError(path, error.problem) from None


def read_challenge_set(path: Path) -> list[ChallengePlaylist]:
    """Every playlist of the challenge set, validated, in file order; a pid may appear once."""
    data = load_json(path)
    if not isinstance(data, dict) or not isinstance(data.get("playlists"), list):
        raise ChallengeFileError(path, "not a challenge set: expected an object with a 'playlists' list")
    playlists: list[ChallengePlaylist] = []
    seen: set[int] = set()
    for raw in data["playlists"]:
        playlist = parse_challenge_playlist(path, raw)
        if playlist.pid in seen:
            raise ChallengeFileError(path, "pid appears twice in the challenge set", playlist.pid, "pid")
        seen.add(playlist.pid)
        playlists.append(playlist)
    if not playlists:
        raise ChallengeFileError(path, "the challenge set holds no playlists")
    return playlists


def parse_challenge_playlist(path: Path, raw: Any) -> ChallengePlaylist:
    """One validated challenge playlist; a `ChallengeFileError` (or ingest's error) names the pid and field."""
    if isinstance(raw, dict) and isinstance(raw.get("tracks"), list) and len(raw["tracks"]) > MAX_SEEDS:
        raise ChallengeFileError(path, f"{len(raw['tracks']):,} seed tracks, over the limit of {MAX_SEEDS:,}",
                                 raw.get("pid"), "tracks")
    parsed = parse_playlist(path, raw, name_required=False)  # ingest's checks, ingest's messages
    for key in _COUNTS:
        value = raw.get(key)
        if value is not None and (type(value) is not int or value < 0):
            raise ChallengeFileError(path, f"{key} must be a whole number of tracks, got {value!r:.40}", parsed.pid, key)
    if raw.get("num_samples") is not None and raw["num_samples"] != len(parsed.tracks):
        raise ChallengeFileError(path, f"num_samples is {raw['num_samples']} but the playlist gives "
                                 f"{len(parsed.tracks)} tracks", parsed.pid, "num_samples")
    positions = _positions(path, parsed.pid, raw["tracks"])
    seeds = [SeedTrack(t.track_uri, t.track_name, t.artist_name) for t in parsed.tracks]
    titled = parsed.name is not None and parsed.name.strip() != ""
    return ChallengePlaylist(parsed.pid, parsed.name, seeds, category_of(titled, positions))


def _positions(path: Path, pid: int, tracks: list[dict]) -> list[int]:
    """Each seed's position in the original playlist (its index when "pos" is absent), each once."""
    positions = []
    for index, track in enumerate(tracks):
        pos = track.get("pos", index)
        if type(pos) is not int or pos < 0:
            raise ChallengeFileError(path, f"tracks[{index}] has pos {pos!r:.40}, expected a whole number", pid, "pos")
        positions.append(pos)
    if len(set(positions)) != len(positions):
        raise ChallengeFileError(path, "two seed tracks give the same pos", pid, "pos")
    return positions
