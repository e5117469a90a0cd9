"""Why a track is in a playlist, in words: which similar playlists hold it and what
else raised it. One sentence per track, the same wherever it is shown.

    2 playlists titled 'dinner party' (similarity 1.00) and 14 like 'Dinner' hold it;
    playlists with your seed tracks hold it too.
"""

from __future__ import annotations

from collections import Counter
from typing import Protocol


class Voter(Protocol):  # a records.Neighbour (not imported: the records compute their explanations here)
    pid: int
    name: str
    similarity: float


class Explained(Protocol):  # a records.Candidate
    in_catalog: bool
    voters: list[int]
    signals: dict[str, float] | None
    score: float

# What each signal of the ranking means, said of the track; `votes` is the sentence's start.
SIGNAL_WORDS = {
    "entity": "the title names its artist or album",
    "cooccurrence": "it often sits beside the best-voted tracks",
    "artists": "its artist is common in the similar playlists",
    "seeds": "playlists with your seed tracks hold it too",
    "seed_artists": "it is by an artist of your seed tracks",
    "tags": "listeners' tags for it fit the title",
}
SIGNALS_SHOWN = 2


def explain(track: Explained, neighbours: list[Voter]) -> str:
    """One sentence on why `track` is in a playlist matched to `neighbours`."""
    if not track.in_catalog:
        return "named by the LLM; not in the catalog"
    by_pid = {n.pid: n for n in neighbours}
    voters = sorted((by_pid[pid] for pid in track.voters if pid in by_pid), key=lambda n: -n.similarity)
    reasons = [_voters(voters, len(track.voters))] if track.voters else []
    reasons += _signals(track.signals or {})
    if not reasons:
        return "a popular track, added after the voted ones" if track.signals else f"score {track.score:g}"
    sentence = "; ".join(reasons)
    return sentence[0].upper() + sentence[1:]


def _voters(voters: list[Voter], count: int) -> str:
    """'2 playlists titled 'x' (similarity 1.00) and 14 like 'y' hold it'."""
    if not voters:
        return f"{_playlists(count)} similar to the title hold it"
    names = Counter(n.name.strip().lower() for n in voters)
    best = voters[0]
    same = names[best.name.strip().lower()]
    head = f"{_playlists(same)} titled '{best.name}' (similarity {best.similarity:.2f})"
    others = [n for n in voters if n.name.strip().lower() != best.name.strip().lower()]
    rest = count - same
    if rest <= 0:
        return f"{head} {'holds' if same == 1 else 'hold'} it"
    if not others:
        return f"{head} and {rest} more hold it"
    return f"{head} and {rest} like '{others[0].name}' hold it"


def _signals(signals: dict[str, float]) -> list[str]:
    raised = sorted(((value, name) for name, value in signals.items() if name in SIGNAL_WORDS and value > 0),
                    reverse=True)
    return [SIGNAL_WORDS[name] for _value, name in raised[:SIGNALS_SHOWN]]


def _playlists(count: int) -> str:
    return f"{count} playlist" + ("" if count == 1 else "s")
