"""Pure-LLM generation: the model names songs from the title alone (with 0, 1 or 5
example songs), and every name is matched back to the catalog.

A song the catalog lacks stays in the playlist, marked `in_catalog: false` with no
URI, and the match rate is reported: hiding misses would flatter the model. Repeats
(after normalisation) and copies of the example songs are dropped with a warning,
as the prompt forbids both.
"""

from __future__ import annotations

import json
import time
from collections.abc import Sequence
from dataclasses import dataclass, field
from typing import Any

from pydantic import BaseModel, ConfigDict, field_validator

from agent.llm import ChatBackend
from agent.llm.prompts import load_prompt
from agent.llm.structured import ask, attempts_text
from agent.playlist.options import SHOTS, check_choice
from retrieval.matching import SongMatcher
from retrieval.normalize import song_key
from retrieval.records import Candidate, LLMInfo, Track

NAME_LIMIT = 120  # characters per song or artist name: bounds a rambling small model


def prompt_name(shots: int) -> str:
    return f"generate_{shots}shot"


class Song(BaseModel):
    model_config = ConfigDict(extra="forbid")

    song: str
    artist: str

    @field_validator("song", "artist", mode="before")
    @classmethod
    def _one_line(cls, value: object) -> object:
        # A grammar lets tabs and newlines into strings; a name is one line.
        return " ".join(value.split()) if isinstance(value, str) else value


class SongsAnswer(BaseModel):
    """What the model must answer: {"songs": [{"song": ..., "artist": ...}, ...]}."""

    model_config = ConfigDict(extra="forbid")

    songs: list[Song]


def songs_schema(n: int) -> dict[str, Any]:
    """JSON schema of an answer holding exactly n songs."""
    name = {"type": "string", "minLength": 1, "maxLength": NAME_LIMIT}
    song = {
        "type": "object",
        "properties": {"song": name, "artist": name},
        "required": ["song", "artist"],
        "additionalProperties": False,
    }
    return {
        "title": "playlist",
        "type": "object",
        "properties": {"songs": {"type": "array", "items": song, "minItems": n, "maxItems": n}},
        "required": ["songs"],
        "additionalProperties": False,
    }


@dataclass
class LLMSongs:
    candidates: list[Candidate]
    info: LLMInfo
    match_rate: float | None
    warnings: list[str] = field(default_factory=list)

    @property
    def failed(self) -> bool:
        return self.info.fallback


def example_lines(examples: Sequence[Track]) -> str:
    return "\n".join(json.dumps({"song": t.track_name, "artist": t.artist_name}, ensure_ascii=False) for t in examples)


def generate_songs(
    backend: ChatBackend, matcher: SongMatcher, title: str, n: int, shots: int = 0, examples: Sequence[Track] = ()
) -> LLMSongs:
    """Ask for n songs (shots picks the prompt; `examples` are its example songs) and match them."""
    check_choice("shots", shots, SHOTS)
    started = time.perf_counter()
    warnings = []
    if shots and len(examples) < shots:
        warnings.append(f"only {len(examples)} example song(s) found for {shots} shots")
    messages = load_prompt(prompt_name(shots)).format_messages(
        title=title, n=n, examples=example_lines(examples[:shots])
    )
    asked = ask(backend, messages, songs_schema(n), SongsAnswer,
                lambda answer: None if answer.songs else "the model named no song")
    info = LLMInfo(backend=backend.name, model=backend.model, prompt=prompt_name(shots), shots=shots,
                   attempts=asked.attempts)
    if asked.failed:
        info.fallback = True
        info.seconds = round(time.perf_counter() - started, 4)
        warnings.append(f"the LLM failed after {attempts_text(info.attempts)} ({asked.errors[-1]})")
        return LLMSongs([], info, None, warnings)
    songs, dropped = unique_new_songs(asked.answer.songs, examples[:shots])
    warnings.extend(dropped)
    candidates = match_songs(matcher, songs)
    found = sum(c.in_catalog for c in candidates)
    match_rate = round(found / len(candidates), 4) if candidates else None
    missing = len(candidates) - found
    if missing:
        warnings.append(f"{missing} of {len(candidates)} song(s) the LLM named are not in the catalog (marked)")
    info.diagnostics = {"named": float(len(asked.answer.songs)), "kept": float(len(candidates)), "matched": float(found)}
    info.seconds = round(time.perf_counter() - started, 4)
    return LLMSongs(candidates, info, match_rate, warnings)


def unique_new_songs(songs: Sequence[Song], examples: Sequence[Track]) -> tuple[list[Song], list[str]]:
    """The songs worth matching, in order, and why any others were dropped."""
    example_keys = {song_key(t.track_name, t.artist_name) for t in examples}
    kept, seen = [], set()
    blanks = repeats = copies = 0
    for song in songs:
        key = song_key(song.song, song.artist)
        if not song.song or not song.artist:  # one blank entry should not cost the other songs
            blanks += 1
        elif key in example_keys:
            copies += 1
        elif key in seen:
            repeats += 1
        else:
            seen.add(key)
            kept.append(song)
    dropped = []
    if blanks:
        dropped.append(f"the LLM left {blanks} song or artist name(s) blank; dropped")
    if repeats:
        dropped.append(f"the LLM repeated {repeats} song(s); repeats dropped")
    if copies:
        dropped.append(f"the LLM copied {copies} example song(s); dropped")
    return kept, dropped


def match_songs(matcher: SongMatcher, songs: Sequence[Song]) -> list[Candidate]:
    """Each named song as a Candidate: the catalog track when matched, else marked not in catalog."""
    candidates = []
    for rank, match in enumerate(matcher.match_all((s.song, s.artist) for s in songs), 1):
        # The LLM gives an order, not scores: 1/rank keeps scores falling with rank.
        score = round(1.0 / rank, 6)
        if match.track is None:
            candidates.append(Candidate(track_uri=None, track_name=match.song, artist_name=match.artist,
                                        rank=rank, score=score, in_catalog=False))
        else:
            candidates.append(Candidate(track_uri=match.track.track_uri, track_name=match.track.track_name,
                                        artist_name=match.track.artist_name, rank=rank, score=score))
    return candidates
