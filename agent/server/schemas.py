"""What the HTTP API accepts, with its limits. Responses are the CLI's own records
(`GeneratedPlaylist`, `Comparison`), so `--format json` and the API never drift apart."""

from __future__ import annotations

from typing import Literal

from pydantic import BaseModel, ConfigDict, Field, ValidationInfo, field_validator

from agent.playlist.prepare import MAX_SEEDS
from agent.playlist.options import MAX_SHUFFLES, MAX_TRACKS
from retrieval.generator import DEFAULT_DISCOVERY, DEFAULT_K, FUSED, METHODS
from retrieval.records import Track
from retrieval.ranking.steering import DEFAULT_STRENGTH

MAX_TITLE = 200
# An LLM names or orders each track, one reply for all: 500 held a CPU model for minutes.
MAX_LLM_TRACKS = 50
MAX_BODY_BYTES = 64 * 1024
MAX_LIST = 100


class Filters(BaseModel):
    model_config = ConfigDict(extra="forbid")

    max_per_artist: int | None = Field(default=None, ge=1, le=MAX_TRACKS, description="at most this many tracks per artist")
    exclude_artists: list[str] = Field(default_factory=list, max_length=MAX_LIST)
    exclude_tracks: list[str] = Field(default_factory=list, max_length=MAX_LIST,
                                      description="track URIs left out (tracks removed from an earlier answer)")
    keep_versions: bool = Field(default=False, description="list versions of one song separately")
    discovery: float = Field(default=DEFAULT_DISCOVERY, ge=0.0, le=1.0,
                             description="0-1: trade the catalog's hits for songs the title and seeds single out")
    ranker: bool = Field(default=False, description="reorder the best candidates by the learned ranker "
                                                    "(`agent tune --ranker`); the explanations then say what raised each")
    method: Literal[METHODS] = Field(default=FUSED, description="fused: the project's ranking; or one of the field's "
                                                              "methods alone, to compare (retrieval mode only)")


class LLMSettings(BaseModel):
    """The rerank and LLM knobs of `agent generate`."""

    model_config = ConfigDict(extra="forbid")

    shots: Literal[0, 1, 5] = 0
    fuse: Literal["none", "rrf"] = "none"
    candidates: int = Field(default=50, ge=1, le=MAX_TRACKS)
    rerank_shuffles: int = Field(default=1, ge=1, le=MAX_SHUFFLES)


class TitleBody(LLMSettings):
    """What a playlist and a comparison both take."""

    seeds: list[str | Track] = Field(
        default_factory=list, max_length=MAX_SEEDS,
        description="tracks to continue from: URIs, \"song by artist\", or {track_uri, track_name, artist_name} "
                    "(matched by URI, else by name); unknown URIs are skipped with a warning; never in the output")
    title: str = Field(default="", max_length=MAX_TITLE, validate_default=True,
                       description="optional when seeds are given")
    n: int = Field(default=10, ge=1, le=MAX_TRACKS)
    filters: Filters = Field(default_factory=Filters)
    profile: str | None = Field(default="default", max_length=64,
                                description="a preference profile applied to the playlist; null for none")

    @field_validator("title")
    @classmethod
    def _says_something(cls, title: str, info: ValidationInfo) -> str:
        if not title.strip() and not info.data.get("seeds"):
            raise ValueError("the title is empty; give a playlist title such as \"road trip\" (or seeds)")
        return title


class PlaylistBody(TitleBody):
    k: int = Field(default=DEFAULT_K, ge=1, le=1000, description="neighbour playlists that vote")
    voting: Literal["count", "similarity"] = "similarity"
    mode: Literal["retrieval", "rerank", "llm"] = "retrieval"
    steering: list[str] = Field(default_factory=list, max_length=10,
                                description="words to move toward (\"upbeat\") or away from (\"-sad\"); retrieval mode")
    steer_strength: float = Field(default=DEFAULT_STRENGTH, ge=0, le=1, description="0: no effect; 1: the words alone")


    @field_validator("mode")
    @classmethod
    def _llm_lists_are_short(cls, mode: str, info: ValidationInfo) -> str:
        n = info.data.get("n", 0)
        if mode != "retrieval" and n > MAX_LLM_TRACKS:
            raise ValueError(f"mode {mode} makes at most {MAX_LLM_TRACKS} tracks (n is {n}); "
                             "ask for fewer, or use mode retrieval")
        return mode


class CompareBody(TitleBody):
    """The three modes side by side, as `agent compare`."""

    n: int = Field(default=10, ge=1, le=MAX_LLM_TRACKS)


class ProfileChange(BaseModel):
    model_config = ConfigDict(extra="forbid")

    tracks: list[str] = Field(default_factory=list, max_length=MAX_LIST, description="track URIs")
    artists: list[str] = Field(default_factory=list, max_length=MAX_LIST, description="artist names")


class ExportBody(BaseModel):
    """A playlist as the API returned it, to be written as M3U or CSV."""

    playlist: dict = Field(description="a GeneratedPlaylist record")
    format: Literal["json", "csv", "m3u"]
