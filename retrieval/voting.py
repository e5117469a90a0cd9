"""Title voting: the tracks of the neighbour playlists, scored by how many of them hold each.

Plain data in and out, no I/O: neighbours as (pid, similarity), playlists as lists of
track ids. Two rules:

- ``count``: a track scores the number of neighbour playlists containing it (the paper).
- ``similarity``: each containing playlist adds its title's cosine similarity, so
  close titles weigh more than far ones.

Ties are broken by the most similar voter, then by the track's position in that
playlist (earlier first), then by track id, so a ranking is reproducible.
"""

from __future__ import annotations

from collections.abc import Mapping, Sequence
from dataclasses import dataclass, field
from typing import Literal

VotingRule = Literal["count", "similarity"]
VOTING_RULES: tuple[str, ...] = ("count", "similarity")


@dataclass
class Vote:
    track_id: int
    score: float = 0.0
    voters: list[int] = field(default_factory=list)
    # (best voter's rank, position in that voter's playlist): the tie-breakers.
    first_seen: tuple[int, int] = (0, 0)


def vote(
    neighbours: Sequence[tuple[int, float]],
    tracks_of: Mapping[int, Sequence[int]],
    rule: VotingRule = "count",
    extra_voters: Sequence[tuple[int, float]] = (),
) -> list[Vote]:
    """Score the tracks of `neighbours` (pid, similarity), most similar first.

    `extra_voters` (pid, weight) vote with their weight under either rule, after the
    neighbours: the playlists holding a user's liked tracks enter this way.

    >>> vote([(1, 0.9), (2, 0.5)], {1: [10, 11], 2: [11, 12]})[0].track_id
    11
    """
    if rule not in VOTING_RULES:
        raise ValueError(f"unknown voting rule {rule!r}; choose one of {', '.join(VOTING_RULES)}")
    # Plain dicts rather than a Vote per track while counting: this loop runs over
    # ~3,000 tracks per query and is the hottest in generation.
    scores: dict[int, float] = {}
    voters: dict[int, list[int]] = {}
    first_seen: dict[int, tuple[int, int]] = {}
    weighted = [(pid, 1.0 if rule == "count" else similarity) for pid, similarity in neighbours]
    for rank, (pid, weight) in enumerate(weighted + list(extra_voters)):
        for position, track_id in enumerate(dict.fromkeys(tracks_of.get(pid, ()))):
            if track_id in scores:
                scores[track_id] += weight
                voters[track_id].append(pid)
            else:
                scores[track_id] = weight
                voters[track_id] = [pid]
                first_seen[track_id] = (rank, position)
    if rule == "similarity":
        # Equal sums can differ in their last bit (0.7 + 0.1 < 0.5 + 0.3 in floats);
        # rounding makes them the ties they are, so the tie-breakers decide.
        for track_id, score in scores.items():
            scores[track_id] = round(score, 9)
    order = sorted(scores, key=lambda t: (-scores[t], first_seen[t], t))
    return [Vote(t, scores[t], voters[t], first_seen[t]) for t in order]
