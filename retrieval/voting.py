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
) -> list[Vote]:
    """Score the tracks of `neighbours` (pid, similarity), most similar first.

    >>> vote([(1, 0.9), (2, 0.5)], {1: [10, 11], 2: [11, 12]})[0].track_id
    11
    """
    if rule not in VOTING_RULES:
        raise ValueError(f"unknown voting rule {rule!r}; choose one of {', '.join(VOTING_RULES)}")
    votes: dict[int, Vote] = {}
    for rank, (pid, similarity) in enumerate(neighbours):
        weight = 1.0 if rule == "count" else similarity
        for position, track_id in enumerate(dict.fromkeys(tracks_of.get(pid, ()))):
            entry = votes.get(track_id)
            if entry is None:
                entry = votes[track_id] = Vote(track_id, first_seen=(rank, position))
            entry.score += weight
            entry.voters.append(pid)
    return sorted(votes.values(), key=lambda v: (-v.score, v.first_seen, v.track_id))
