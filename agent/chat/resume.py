"""The chat kept on disk as it changes, so a closed terminal loses nothing: `agent chat --resume`
continues the last session with its playlist, its versions (/undo) and its conversation.

Written atomically after every message to the data dir. A like or dislike is already in the
profile; a resumed version does not carry the profile edit, so /undo after a resume leaves
the profile as it is.
"""

from __future__ import annotations

import json
from dataclasses import asdict
from pathlib import Path
from typing import Any

from agent.chat.outcome import ChatError
from agent.chat.session import ChatSession, History, Recipe, ToolCall, Turn, Version
from agent.files import write_atomic
from retrieval.records import GeneratedPlaylist

FILE_NAME = "chat-session.json"
FORMAT = 1


def session_path(home: Path) -> Path:
    return home / FILE_NAME


def keep(path: Path, session: ChatSession) -> None:
    """Write the whole session (atomically: an interruption leaves the previous copy whole)."""
    versions = session.history.versions
    saved = next((i for i, v in enumerate(versions) if v is session.saved), None)
    state = {
        "format": FORMAT, "profile": session.profile_name, "started": session.started, "mode": session.mode,
        "shots": session.shots, "cursor": session.history.cursor, "saved": saved,
        "versions": [{"recipe": asdict(v.recipe), "playlist": v.playlist.model_dump(mode="json"), "note": v.note}
                     for v in versions],
        "turns": [asdict(turn) for turn in session.turns if turn.user or turn.calls],
    }
    write_atomic(path, json.dumps(state, ensure_ascii=False, default=str) + "\n")


def restore(path: Path, session: ChatSession) -> None:
    """Load the kept session into `session` (a new one, with the profile already loaded)."""
    try:
        state = json.loads(path.read_text(encoding="utf-8"))
        history = History()
        history.versions = [_version(v) for v in state["versions"]]
        history.cursor = min(int(state["cursor"]), len(history.versions) - 1)
        turns = [_turn(t) for t in state["turns"]]
    except FileNotFoundError:
        raise ChatError(f"there is no chat to resume in {path.parent}; start one with: agent chat") from None
    except (OSError, ValueError, KeyError, TypeError) as error:
        raise ChatError(f"the kept chat {path} cannot be read ({error}); start a new one with: agent chat") from None
    session.history, session.turns = history, turns
    session.mode, session.shots, session.started = state.get("mode", "retrieval"), state.get("shots", 0), state["started"]
    saved = state.get("saved")
    session.saved = history.versions[saved] if isinstance(saved, int) and 0 <= saved < len(history.versions) else None


def _version(data: dict[str, Any]) -> Version:
    recipe = {key: tuple(value) if isinstance(value, list) else value for key, value in data["recipe"].items()}
    return Version(Recipe(**recipe), GeneratedPlaylist.model_validate(data["playlist"]), data["note"])


def _turn(data: dict[str, Any]) -> Turn:
    return Turn(user=data["user"], understood=data.get("understood"), calls=[ToolCall(**c) for c in data["calls"]],
                reply=data.get("reply", ""), version=data.get("version"))
