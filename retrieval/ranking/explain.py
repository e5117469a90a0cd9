"""Why a track is in a playlist, in words: which similar playlists hold it and what
else raised it. One sentence per track, the same wherever it is shown.

    2 playlists titled 'dinner party' (similarity 1.00) and 14 like 'Dinner' hold it;
    playlists with your seed tracks hold it too.

When the learned ranker placed the track, the sentence says the evidence that raised it
most in the model's eyes (its feature contributions), in the same words:

    Ranked up mostly by: 2 playlists titled 'dinner party' (similarity 1.00) hold it;
    its artist is common in the similar playlists.
"""

from __future__ import annotations

from typing import Protocol


class Voter(Protocol):  # a records.Neighbour (not imported: the records compute their explanations here)
    pid: int
    name: str
    similarity: float


class Explained(Protocol):  # a records.Candidate
    track_uri: str | None
    in_catalog: bool
    voters: list[int]
    signals: dict[str, float] | None
    score: float


class RankerEvidence(Protocol):  # a ranking.learned.RankerReasons
    def evidence(self) -> dict[str, list[tuple[str, int]]]:
        """Track URI -> (what raised it, its number), strongest first."""

# What each signal of the ranking means, said of the track; `votes` is the sentence's start.
SIGNAL_WORDS = {
    "entity": "the title names its artist or album",
    "cooccurrence": "it often sits beside the best-voted tracks",
    "artists": "its artist is common in the similar playlists",
    "seeds": "playlists with your seed tracks hold it too",
    "seed_artists": "it is by an artist of your seed tracks",
    "tags": "listeners' tags for it fit the title",
}
# The ranker's evidence says the collaborative model's part too (the fused sentence has always left it out).
EVIDENCE_WORDS = SIGNAL_WORDS | {"als": "people who play your seed tracks play it too"}
SIGNALS_SHOWN = 2
RANKER_SHOWN = 2


def explain(track: Explained, neighbours: list[Voter]) -> str:
    """One sentence on why `track` is in a playlist matched to `neighbours`."""
    return explain_all([track], neighbours)[0]


def explain_all(tracks: list[Explained], neighbours: list[Voter], ranker: RankerEvidence | None = None) -> list[str]:
    """`explain` for each of a playlist's tracks, looking the neighbours up once; a track
    the learned ranker placed is explained by what raised it there."""
    by_pid = {n.pid: (n.name.strip().lower(), n) for n in neighbours}
    evidence = ranker.evidence() if ranker else {}
    return [_ranked_sentence(track, evidence[track.track_uri], by_pid)
            if track.track_uri in evidence else _sentence(track, by_pid) for track in tracks]


def _ranked_sentence(track: Explained, evidence: list[tuple[str, int]], by_pid: dict[int, tuple[str, Voter]]) -> str:
    said = [words for kind, number in evidence if (words := _evidence_words(track, kind, number, by_pid))]
    if not said:
        return _sentence(track, by_pid)
    return "Ranked up mostly by: " + "; ".join(list(dict.fromkeys(said))[:RANKER_SHOWN])


def _evidence_words(track: Explained, kind: str, number: int, by_pid: dict[int, tuple[str, Voter]]) -> str | None:
    if kind == "voters":
        return _voters(track.voters, by_pid) if track.voters else None
    if kind == "plays":
        return f"how widely it is played ({number:,} playlist{' holds' if number == 1 else 's hold'} it)"
    if kind == "fused":
        return f"the signals together ranked it #{number}"
    return EVIDENCE_WORDS.get(kind)


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
