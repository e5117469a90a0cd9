"""Answers to questions about the playlist ("who sings number 4", "what's the longest song",
"how many songs by Drake"): read from the playlist and the catalog; nothing changes."""

from __future__ import annotations

from typing import Any

from agent.chat.outcome import ChatError
from agent.chat.search import CatalogSearch
from agent.chat.session import ChatSession
from retrieval.normalize import normalize_title
from retrieval.records import Candidate


def answer(question: dict[str, Any], session: ChatSession, search: CatalogSearch) -> str:
    """One line answering `question` (the slots of an `ask` reading) about the session's playlist."""
    tracks = session.tracks
    if not tracks:
        raise ChatError("there is no playlist yet to ask about: start one, e.g. “a playlist for a rainy sunday”")
    kind = question.get("question")
    if kind == "who":
        return _who(question.get("positions") or [], session)
    if kind in ("longest", "shortest"):
        return _extreme(kind, tracks, search)
    if kind == "duration":
        return _duration(tracks, search)
    if kind == "count" and question.get("artist"):
        return _count_by(str(question["artist"]), tracks, search)
    return f"the playlist has {len(tracks)} songs"


def _who(positions: list[int], session: ChatSession) -> str:
    tracks = session.tracks
    rank = positions[0] if positions else session.focus
    if rank is None:
        raise ChatError("who sings which one? give its number, e.g. “who sings number 4”")
    if rank < 0:
        rank = len(tracks) + 1 + rank
    if not 1 <= rank <= len(tracks):
        raise ChatError(f"there is no track {rank}; the playlist has tracks 1 to {len(tracks)}")
    session.focus = rank
    track = tracks[rank - 1]
    return f"#{rank} “{track.track_name}” is by {track.artist_name}"


def _durations(tracks: list[Candidate], search: CatalogSearch) -> dict[str, int]:
    return search.catalog.durations_ms(t.track_uri for t in tracks if t.track_uri)


def _extreme(kind: str, tracks: list[Candidate], search: CatalogSearch) -> str:
    durations = _durations(tracks, search)
    timed = [t for t in tracks if t.track_uri in durations]
    if not timed:
        return "the catalog holds no track lengths for this playlist, so I cannot tell"
    pick = (max if kind == "longest" else min)(timed, key=lambda t: durations[t.track_uri])
    return f"the {kind} is #{pick.rank} “{pick.track_name}” by {pick.artist_name} ({_clock(durations[pick.track_uri])})"


def _duration(tracks: list[Candidate], search: CatalogSearch) -> str:
    durations = _durations(tracks, search)
    if not durations:
        return f"the playlist has {len(tracks)} songs; the catalog holds no track lengths for them"
    total = sum(durations.values())
    known = "" if len(durations) == len(tracks) else f" (the {len(durations)} of them with a known length)"
    return f"the playlist has {len(tracks)} songs, {_clock(total)} long{known}"


def _count_by(name: str, tracks: list[Candidate], search: CatalogSearch) -> str:
    try:
        artist = search.artist(name) or name
    except ChatError:
        artist = name
    wanted = normalize_title(artist)
    by = [t for t in tracks if normalize_title(t.artist_name) == wanted]
    if not by:
        return f"none of the {len(tracks)} songs is by {artist}"
    ranks = ", ".join(f"#{t.rank}" for t in by)
    return f"{len(by)} of the {len(tracks)} songs {'is' if len(by) == 1 else 'are'} by {by[0].artist_name}: {ranks}"


def _clock(ms: int) -> str:
    seconds = round(ms / 1000)
    hours, rest = divmod(seconds, 3600)
    return f"{hours}:{rest // 60:02d}:{rest % 60:02d}" if hours else f"{rest // 60}:{rest % 60:02d}"
