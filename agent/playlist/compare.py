"""The three modes on one title, side by side: what each makes, what they share, how long each took.

Songs are compared by `song_key`, so a remaster in one column and the original in
another count as the same song.
"""

from __future__ import annotations

from itertools import combinations
from typing import TYPE_CHECKING

from pydantic import BaseModel, Field

from agent.playlist.options import MODES
from agent.playlist.request import PlaylistRequest
from agent.playlist.service import make_playlist
from retrieval.generator import Retriever
from retrieval.normalize import song_key
from retrieval.records import Candidate, GeneratedPlaylist

if TYPE_CHECKING:
    from agent.llm import ChatBackend


class Comparison(BaseModel):
    """What `agent compare --format json` prints."""

    title: str
    playlists: list[GeneratedPlaylist] = Field(description="one per mode: retrieval, rerank, llm")
    overlap: dict[str, int] = Field(description='songs two modes share, keyed "retrieval & rerank"')


def compare_modes(retriever: Retriever, backend: ChatBackend, request: PlaylistRequest) -> Comparison:
    """Each mode's playlist for the request's title; its mode options give the shots, fuse and candidates."""
    playlists = [make_playlist(retriever, backend, request.with_mode(mode=m)) for m in MODES]
    keys = {p.mode: playlist_keys(p) for p in playlists}
    overlap = {f"{a} & {b}": len(keys[a] & keys[b]) for a, b in combinations(keys, 2)}
    return Comparison(title=request.title, playlists=playlists, overlap=overlap)


def track_key(track: Candidate) -> str:
    return song_key(track.track_name, track.artist_name)


def playlist_keys(playlist: GeneratedPlaylist) -> set[str]:
    return {track_key(t) for t in playlist.tracks}
