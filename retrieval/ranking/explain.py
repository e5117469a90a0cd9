"""Why a track is in a playlist, in words: which similar playlists hold it and what
else raised it. One sentence per track, the same wherever it is shown.

    2 playlists titled 'dinner party' (similarity 1.00) and 14 like 'Dinner' hold it;
    playlists with your seed tracks hold it too.
"""

from __future__ import annotations

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
    return explain_all([track], neighbours)[0]


def explain_all(tracks: list[Explained], neighbours: list[Voter]) -> list[str]:
    """`explain` for each of a playlist's tracks, looking the neighbours up once."""
    by_pid = {n.pid: (n.name.strip().lower(), n) for n in neighbours}
    return [_sentence(track, by_pid) for track in tracks]


def _sentence(track: Explained, by_pid: dict[int, tuple[str, Voter]]) -> str:
    if not track.in_catalog:
        return "named by the LLM; not in the catalog"
    reasons = [_voters(track.voters, by_pid)] if track.voters else []
    reasons += _signals(track.signals or {})
    if not reasons:
        return "a popular track, added after the voted ones" if track.signals else f"score {track.score:g}"
    sentence = "; ".join(reasons)
    return sentence[0].upper() + sentence[1:]


def _voters(pids: list[int], by_pid: dict[int, tuple[str, Voter]]) -> str:
    """'2 playlists titled 'x' (similarity 1.00) and 14 like 'y' hold it'."""
    known = [by_pid[pid] for pid in pids if pid in by_pid]
    if not known:
        return f"{_playlists(len(pids))} similar to the title hold it"
    # One pass, not a sort: a popular track has hundreds of voters.
    best_key, best = max(known, key=lambda pair: pair[1].similarity)
    same = sum(1 for key, _n in known if key == best_key)
    head = f"{_playlists(same)} titled '{best.name}' (similarity {best.similarity:.2f})"
    rest = len(pids) - same
    if rest <= 0:
        return f"{head} {'holds' if same == 1 else 'hold'} it"
    others = [n for key, n in known if key != best_key]
    if not others:
        return f"{head} and {rest} more hold it"
    return f"{head} and {rest} like '{max(others, key=lambda n: n.similarity).name}' hold it"


def _signals(signals: dict[str, float]) -> list[str]:
    raised = sorted(((value, name) for name, value in signals.items() if name in SIGNAL_WORDS and value > 0),
                    reverse=True)
    return [SIGNAL_WORDS[name] for _value, name in raised[:SIGNALS_SHOWN]]


def _playlists(count: int) -> str:
    return f"{count} playlist" + ("" if count == 1 else "s")
