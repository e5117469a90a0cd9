"""LangChain tools over the chat's session, for a tool-calling agent.

The playlist lives in the session (the program's buffer, as in InteRecAgent); tools
read and change it and answer in text that refers to tracks by their number in the
playlist. Every track a tool names comes from the catalog; a name the catalog lacks
is said to be missing. A failed tool answers "error: ..." so the agent can recover
and the chat goes on.
"""

from __future__ import annotations

from collections.abc import Callable
from typing import Literal

from langchain_core.tools import BaseTool, StructuredTool
from pydantic import BaseModel, Field

from agent.chat.actions import ChatError, Outcome, Playlister
from agent.chat.session import Version
from agent.llm import LLMError
from retrieval.generator import GenerationError
from retrieval.records import Track

SHOWN = 25  # tracks listed back to the model after a change: enough to refer to, short enough for a small context

# -- argument schemas: the descriptions are what the model reads ---------------------------


class SimilarArgs(BaseModel):
    title: str = Field(description="a playlist title, e.g. 'rainy sunday'", min_length=1, max_length=120)
    k: int = Field(default=10, ge=1, le=50, description="how many similar playlists to list")


class GenerateArgs(BaseModel):
    title: str = Field(description="the playlist title or theme, e.g. 'rainy sunday'", min_length=1, max_length=120)
    n: int = Field(default=10, ge=1, le=100, description="number of tracks")
    mode: Literal["retrieval", "rerank", "llm"] = Field(
        default="retrieval",
        description="retrieval: voted by similar playlists (fast, reliable); rerank: retrieval reordered by the "
        "LLM; llm: the LLM names songs, matched to the catalog",
    )
    shots: Literal[0, 1, 5] = Field(default=0, description="mode llm: example songs from retrieval in the prompt")


class RerankArgs(BaseModel):
    title: str | None = Field(default=None, max_length=120, description="title to rank for; default: the current one")
    candidates: int = Field(default=30, ge=2, le=100, description="how many retrieved tracks the LLM reorders")


class RefineArgs(BaseModel):
    exclude_artists: list[str] = Field(default_factory=list, max_length=10,
                                       description="artists to leave out of this playlist")
    exclude_tracks: list[int] = Field(default_factory=list, max_length=20,
                                      description="numbers of tracks in the current playlist to remove")
    more_like_track: int | None = Field(default=None, description="number of a track to find more like")
    mood: str | None = Field(default=None, max_length=60, description="a mood or theme to lean towards, e.g. 'upbeat'")
    avoid: str | None = Field(default=None, max_length=60, description="a mood or theme to move away from, e.g. 'sad'")


class TrackArgs(BaseModel):
    track: str = Field(description="the track's number in the playlist (e.g. '3') or its name", min_length=1,
                       max_length=120)


class LookupArgs(BaseModel):
    text: str = Field(description="song title and/or artist, e.g. 'hello by adele'", min_length=1, max_length=120)
    limit: int = Field(default=5, ge=1, le=20)


class AddArgs(BaseModel):
    song: str = Field(description="the song to add, as 'title by artist'", min_length=1, max_length=120)


class PreferenceArgs(BaseModel):
    feeling: Literal["like", "dislike"] = Field(description="like, or dislike (never show again)")
    target: str = Field(description="a track number in the playlist, or an artist name", min_length=1,
                        max_length=120)


class SaveArgs(BaseModel):
    path: str = Field(description="file name ending in .json, .csv or .m3u", min_length=1, max_length=200)
    format: Literal["json", "csv", "m3u"] | None = Field(default=None, description="default: from the extension")


# -- the tools ---------------------------------------------------------------------------


def make_tools(playlister: Playlister) -> list[BaseTool]:
    p = playlister

    def find_similar_playlists(title: str, k: int = 10) -> str:
        """List known playlists whose titles are most similar to a title, with their similarity (0-1)."""
        neighbours = p.similar(title, k)
        return "\n".join(f"pid {n.pid}: “{n.name}” similarity {n.similarity:.3f}" for n in neighbours) or "none"

    def generate_playlist(title: str, n: int = 10, mode: str = "retrieval", shots: int = 0) -> str:
        """Make a new playlist for a title or theme; it replaces the current one (undo keeps the old)."""
        return _changed(p.generate(title, n=n, mode=mode, shots=shots))

    def rerank(title: str | None = None, candidates: int = 30) -> str:
        """Reorder the playlist with the LLM's judgement of what fits the title best."""
        return _changed(p.rerank(title, candidates))

    def refine(exclude_artists: list[str] = (), exclude_tracks: list[int] = (), more_like_track: int | None = None,
               mood: str | None = None, avoid: str | None = None) -> str:
        """Change the current playlist in one step: leave artists out, remove tracks by number, find more like
        a track, or lean towards / away from a mood."""
        return _changed(p.refine(list(exclude_artists), [str(t) for t in exclude_tracks],
                                 str(more_like_track) if more_like_track is not None else None, mood, avoid))

    def explain_track(track: str) -> str:
        """Say why a track is in the playlist: which similar playlists voted for it and how similar they are."""
        return p.explain(track).summary()

    def lookup_track(text: str, limit: int = 5) -> str:
        """Search the catalog for songs by title and/or artist. Only songs found here exist."""
        found = p.lookup(text, limit)
        if not found:
            return f"“{text}” is not in the catalog"
        return "\n".join(_line(t) for t in found)

    def add_track(song: str) -> str:
        """Add a song the user asked for, if the catalog has it; otherwise say it is missing."""
        return _changed(p.add(song))

    def set_preference(feeling: str, target: str) -> str:
        """Remember that the user likes or dislikes a track or an artist, in their profile, for every future
        playlist; a disliked one leaves the current playlist too."""
        outcome = p.like(target) if feeling == "like" else p.dislike(target, strict=True)
        return _changed(outcome) if outcome.version else outcome.message

    def save_playlist(path: str, format: str | None = None) -> str:
        """Save the current playlist to a new file as json, csv or m3u."""
        saved = p.save(path, format, overwrite=False)
        return f"saved {len(p.session.tracks)} tracks to {saved}"

    functions: list[tuple[Callable[..., str], type[BaseModel]]] = [
        (find_similar_playlists, SimilarArgs), (generate_playlist, GenerateArgs), (rerank, RerankArgs),
        (refine, RefineArgs), (explain_track, TrackArgs), (lookup_track, LookupArgs), (add_track, AddArgs),
        (set_preference, PreferenceArgs), (save_playlist, SaveArgs),
    ]
    return [_tool(p, function, schema) for function, schema in functions]


def _tool(playlister: Playlister, function: Callable[..., str], schema: type[BaseModel]) -> BaseTool:
    def run(**arguments) -> str:
        try:
            with playlister.session.calling(function.__name__, arguments):
                return function(**arguments)
        except (ChatError, GenerationError, LLMError, OSError) as error:
            return f"error: {error}"

    return StructuredTool.from_function(func=run, name=function.__name__, description=function.__doc__,
                                        args_schema=schema)


def _line(track: Track, number: int | None = None) -> str:
    prefix = f"{number}. " if number is not None else ""
    return f"{prefix}“{track.track_name}” by {track.artist_name}"


def describe(version: Version, limit: int = SHOWN) -> str:
    """The playlist as numbered lines, as a tool answers and as the agent is told at each turn."""
    tracks = version.playlist.tracks
    lines = [f"playlist “{version.recipe.query}” ({version.recipe.mode}), {len(tracks)} tracks:"]
    lines += [_line(t, t.rank) for t in tracks[:limit]]
    if len(tracks) > limit:
        lines.append(f"... {len(tracks) - limit} more")
    return "\n".join(lines)


def _changed(outcome: Outcome) -> str:
    text = [outcome.message] + [f"note: {w}" for w in outcome.warnings]
    if outcome.version is not None:
        text.append(describe(outcome.version))
    return "\n".join(text)
