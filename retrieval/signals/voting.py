"""Title voting: the tracks of the neighbour playlists, scored by how many of them hold each.

Plain data in and out, no I/O: voters as (pid, weight) with each voter's distinct
tracks. Two rules:

- ``count``: a track scores the number of neighbour playlists containing it (the paper).
- ``similarity``: each containing playlist adds its title's cosine similarity (or any
  weight given), so close titles weigh more than far ones.

Ties are broken by the most similar voter, then by the track's position in that
playlist (earlier first), then by track id, so a ranking is reproducible.
"""

from __future__ import annotations

from collections.abc import Iterable, Mapping, Sequence
from dataclasses import dataclass
from typing import Literal

import numpy as np

from retrieval.signals.scores import ID, Segments, TrackScores, is_among, segment_array, weighted_sum_with_first
from retrieval.signals.sorting import best_first

VotingRule = Literal["count", "similarity"]
VOTING_RULES: tuple[str, ...] = ("count", "similarity")


@dataclass
class Vote:
    track_id: int
    score: float
    voters: list[int]


@dataclass(frozen=True)
class Votes:
    """Voted tracks with what explains them; put in order (best first) only as far as asked."""

    by_track: TrackScores  # each voted track's score (rounded to 9 decimals), by track id
    firsts: np.ndarray  # per voted track (by id), where it first appears among the votes cast
    cast_tracks: np.ndarray  # every vote cast: the track ...
    cast_by: np.ndarray  # ... and the pid of the playlist that cast it, in voter order

    def __len__(self) -> int:
        return len(self.by_track)

    def best(self, count: int) -> tuple[np.ndarray, np.ndarray]:
        """The `count` best-voted tracks and their scores, best first: by score, ties by
        where each first appears (its best voter, then its position there). Only the
        tracks that can be among them are sorted."""
        values = self.by_track.values
        if count < len(values):
            chosen = np.flatnonzero(values >= -np.partition(-values, count - 1)[count - 1])
        else:
            chosen = np.arange(len(values))
        order = chosen[best_first(values[chosen], self.firsts[chosen])][:count]
        return self.by_track.ids[order], values[order]

    def tie_keys(self, track_ids: np.ndarray) -> tuple[np.ndarray, np.ndarray]:
        """Non-negative integer keys that order tracks as `best` does, a track without votes
        after every voted one: the nanos below the best score, then where it first appears."""
        values = self.by_track.values
        if not len(values):
            return np.zeros(len(track_ids), ID), np.zeros(len(track_ids), ID)
        top, bottom = np.rint(values.max() * 1e9), np.rint(values.min() * 1e9)
        at = np.minimum(np.searchsorted(self.by_track.ids, track_ids), len(values) - 1)
        voted = self.by_track.ids[at] == track_ids
        below = np.where(voted, top - np.rint(values[at] * 1e9), top - bottom + 1).astype(ID)
        return below, np.where(voted, self.firsts[at], 0)

    def voters_of(self, track_ids: Iterable[int]) -> dict[int, list[int]]:
        """Track id -> the pids that voted for it, most similar first."""
        wanted = np.fromiter(track_ids, ID)
        found: dict[int, list[int]] = {int(t): [] for t in wanted}
        hit = is_among(self.cast_tracks, wanted)
        tracks, pids = self.cast_tracks[hit], self.cast_by[hit]
        order = np.argsort(tracks, kind="stable")  # stable: each track's voters stay in voter order
        tracks, pids = tracks[order], pids[order]
        starts = np.flatnonzero(np.diff(tracks, prepend=-1))
        for track, voters in zip(tracks[starts].tolist(), np.split(pids, starts[1:])):
            found[track] = voters.tolist()
        return found

    def top(self, n: int) -> list[Vote]:
        track_ids, scores = self.best(n)
        voters = self.voters_of(track_ids)
        return [Vote(t, s, voters[t]) for t, s in zip(track_ids.tolist(), scores.tolist())]


def weighed(neighbours: Sequence[tuple[int, float]], rule: VotingRule) -> list[tuple[int, float]]:
    """(pid, similarity) -> (pid, the weight of its vote under `rule`)."""
    if rule not in VOTING_RULES:
        raise ValueError(f"unknown voting rule {rule!r}; choose one of {', '.join(VOTING_RULES)}")
    return [(pid, 1.0 if rule == "count" else similarity) for pid, similarity in neighbours]


def tally(voters: Sequence[tuple[int, float]], segments: Sequence[np.ndarray] | Segments) -> Votes:
    """Votes of `voters` (pid, weight), most similar first; `segments[i]` holds the distinct
    tracks of voter i in playlist order."""
    segments = Segments.of(segments)
    summed, first = weighted_sum_with_first(segments, [weight for _, weight in voters])
    # Equal sums can differ in their last bit (0.7 + 0.1 < 0.5 + 0.3 in floats); rounding
    # makes them the ties they are, so the tie-breakers decide. Where a track first
    # appears orders it by its best voter, then its position there; the concatenation
    # is in voter order, so no two tracks share it.
    cast_by = np.repeat(np.fromiter((pid for pid, _ in voters), ID, len(voters)), segments.lengths)
    cast_tracks = segments.values.astype(ID)
    return Votes(TrackScores(summed.ids, np.round(summed.values, 9)), first, cast_tracks, cast_by)


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
    voters = weighed(neighbours, rule) + list(extra_voters)
    votes = tally(voters, [segment_array(tracks_of.get(pid, ())) for pid, _ in voters])
    return votes.top(len(votes))
