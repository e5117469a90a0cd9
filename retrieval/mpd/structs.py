"""The fast path of reading an MPD file: msgspec decodes and validates it in one pass.

The types below accept only what `retrieval.mpd.parse` accepts (they may refuse more: a
repeated key, say). Whatever they refuse is read again by `retrieval.mpd.parse`, whose
hand-written checks give the error naming file, pid and field, or, with skip-bad, keep
the file's good playlists. So the errors are `retrieval.mpd.parse`'s, and a valid file is
decoded about three times faster than by orjson plus Python checks on every track.
"""

from __future__ import annotations

from typing import Annotated, Any, Literal, Optional, Union

import msgspec
from msgspec import UNSET, Meta, Struct, UnsetType

from retrieval.mpd.parse import MAX_DESCRIPTION_CHARS, MAX_NAME_CHARS

_Name = Annotated[str, Meta(max_length=MAX_NAME_CHARS)]
_Int64 = Annotated[int, Meta(ge=-(1 << 63), le=(1 << 63) - 1)]


class Track(Struct, gc=False):
    """One track slot; the optional fields are None when absent or null, like `ParsedTrack.extra`."""

    track_uri: _Name
    track_name: _Name
    artist_name: _Name
    artist_uri: Optional[_Name] = None
    album_uri: Optional[_Name] = None
    album_name: Optional[_Name] = None
    duration_ms: Optional[_Int64] = None


class Playlist(Struct):
    pid: _Int64
    tracks: list[Track]
    name: Union[_Name, UnsetType] = UNSET  # null is refused, as by `retrieval.mpd.parse`
    collaborative: Union[bool, Literal["true", "false"], None] = None
    modified_at: Optional[_Int64] = None
    num_followers: Optional[_Int64] = None
    description: Optional[Annotated[str, Meta(max_length=MAX_DESCRIPTION_CHARS)]] = None


class _File(Struct):
    playlists: list[Playlist]
    name: Any = None
    info: Any = None


_DECODER = msgspec.json.Decoder(_File)


def decode_valid(data: bytes | bytearray) -> list[Playlist] | None:
    """The playlists of a file that passes every check; None for anything else, to be
    read by `retrieval.mpd.parse` instead."""
    try:
        decoded = _DECODER.decode(data)
    except (msgspec.DecodeError, msgspec.ValidationError, RecursionError):
        return None
    info = decoded.info if isinstance(decoded.info, dict) else {}
    challenge = decoded.name == "challenge_set" or info.get("name") == "challenge_set"
    playlists = decoded.playlists
    if not challenge and any(p.name is UNSET for p in playlists):
        return None
    if len({p.pid for p in playlists}) != len(playlists):
        return None
    return playlists
