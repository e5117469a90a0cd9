"""The chat's state: what the playlist is made from, its versions, and the conversation.

A version pairs the playlist with its `Recipe`, everything needed to make it again, so
/undo restores the exclusions along with the tracks and /regenerate rebuilds the
current recipe. A like or dislike is saved to the profile at once and outlives the
chat; its step carries the edit, so /undo takes it back from the profile too.
"""

from __future__ import annotations

import contextlib
import json
import time
from collections.abc import Iterator
from dataclasses import asdict, dataclass, field, replace
from datetime import datetime, timezone
from pathlib import Path
from typing import Any

from agent.files import write_user_file
from agent.chat.profile_edit import ProfileEdit
from agent.profile import Profile
from retrieval.records import Candidate, GeneratedPlaylist

DEFAULT_N = 10


@dataclass(frozen=True)
class Recipe:
    """What a playlist is made from; building the same recipe gives the same playlist."""

    title: str
    n: int = DEFAULT_N
    mode: str = "retrieval"
    shots: int = 0
    candidates: int = 50  # rerank: retrieved tracks the LLM sees
    moods: tuple[str, ...] = ()  # "more upbeat": words added to the title's query
    avoid: tuple[str, ...] = ()  # "less sad": tracks these titles' playlists favour are left out
    excluded_artists: tuple[str, ...] = ()  # for this chat only; the profile holds the lasting ones
    excluded_tracks: tuple[str, ...] = ()  # URIs removed in this chat
    seeds: tuple[str, ...] = ()  # URIs: "more like this one"; playlists holding them vote too
    added: tuple[str, ...] = ()  # URIs the user asked for by name
    discovery: float = 0.0  # "fewer hits": 0..1, `GenerationOptions.discovery`

    @property
    def query(self) -> str:
        return " ".join((self.title, *self.moods))

    def with_(self, **changes: Any) -> Recipe:
        return replace(self, **changes)


@dataclass(frozen=True)
class Version:
    recipe: Recipe
    playlist: GeneratedPlaylist
    note: str  # what made it, for /undo messages: "generate 'rainy sunday'"
    edit: ProfileEdit | None = None  # the like or dislike this step saved; /undo reverts it too


@dataclass
class ToolCall:
    """One operation run for a turn, as shown under the reply and kept in the transcript."""

    name: str
    arguments: dict[str, Any]
    seconds: float = 0.0
    ok: bool = True
    error: str | None = None


@dataclass
class Turn:
    user: str
    understood: str | None = None  # how free text was read: "dislike 'Drake' (rule)"
    calls: list[ToolCall] = field(default_factory=list)
    reply: str = ""
    version: int | None = None


class History:
    """Playlist versions with a cursor: /undo and /redo move it, a change drops the redo tail."""

    def __init__(self) -> None:
        self.versions: list[Version] = []
        self.cursor = -1

    @property
    def current(self) -> Version | None:
        return self.versions[self.cursor] if self.cursor >= 0 else None

    def push(self, version: Version) -> None:
        del self.versions[self.cursor + 1:]
        self.versions.append(version)
        self.cursor = len(self.versions) - 1

    def undo(self) -> Version | None:
        """The version now current, or None when there is nothing to undo."""
        if self.cursor <= 0:
            return None
        self.cursor -= 1
        return self.current

    def redo(self) -> Version | None:
        if self.cursor >= len(self.versions) - 1:
            return None
        self.cursor += 1
        return self.current


@dataclass
class ChatSession:
    profile_name: str
    profile: Profile
    history: History = field(default_factory=History)
    turns: list[Turn] = field(default_factory=list)
    mode: str = "retrieval"  # for the next /generate; /mode changes it
    shots: int = 0
    accepted: list[str] = field(default_factory=list)  # URIs liked in this chat
    rejected: list[str] = field(default_factory=list)  # URIs disliked or removed in this chat
    focus: int | None = None  # rank of the track last talked about: "this one"
    saved: Version | None = None  # the version last saved to a file; leaving with another asks first
    started: str = field(default_factory=lambda: datetime.now(timezone.utc).isoformat(timespec="seconds"))

    @property
    def current(self) -> Version | None:
        return self.history.current

    @property
    def tracks(self) -> list[Candidate]:
        return self.current.playlist.tracks if self.current else []

    @property
    def unsaved(self) -> bool:
        """A playlist that no file holds: leaving would lose it."""
        return self.current is not None and self.current is not self.saved

    @property
    def title(self) -> str | None:
        return self.current.recipe.title if self.current else None

    @property
    def turn(self) -> Turn:
        """The turn in progress (one is opened for calls made outside any turn, as in tests)."""
        if not self.turns:
            self.turns.append(Turn(user=""))
        return self.turns[-1]

    def begin(self, text: str) -> Turn:
        self.turns.append(Turn(user=text))
        return self.turns[-1]

    @contextlib.contextmanager
    def calling(self, name: str, arguments: dict[str, Any]) -> Iterator[ToolCall]:
        """Time one operation and record it in the current turn, failed or not."""
        call = ToolCall(name, {k: v for k, v in arguments.items() if v not in (None, "", [], ())})
        self.turn.calls.append(call)
        started = time.perf_counter()
        try:
            yield call
        except Exception as error:
            call.ok, call.error = False, str(error).splitlines()[0] if str(error) else type(error).__name__
            raise
        finally:
            call.seconds = round(time.perf_counter() - started, 3)

    def transcript(self) -> dict[str, Any]:
        current = self.current
        return {
            "profile": self.profile_name,
            "started": self.started,
            "turns": [asdict(turn) for turn in self.turns if turn.user or turn.calls],
            "recipe": asdict(current.recipe) if current else None,
            "playlist": current.playlist.model_dump(mode="json") if current else None,
        }


def write_transcript(path: Path, session: ChatSession) -> None:
    """Written in place, as every file a user names (never a rename over what stands there)."""
    text = json.dumps(session.transcript(), indent=2, ensure_ascii=False, default=str)
    write_user_file(path, text + "\n")
