"""Item co-occurrence: tracks that share playlists with anchor tracks.

Anchors are the best-voted tracks of a title (smoothing: a track the neighbours
missed but that sits beside their favourites rises) or a user's seed tracks
(continuation). Each anchor spreads its weight evenly over the playlists holding
it; a track's sum is divided by its popularity^damping, so hits that sit beside
everything do not win by being everywhere.
"""

from __future__ import annotations

from collections.abc import Callable, Hashable, Mapping, Sequence
from typing import Protocol

import numpy as np

from retrieval.signals.scores import (ID, Segments, TrackScores, damped, per_track_weighted_sum, rescaled, scaled,
                                      segment_array, weighted_sum)


class TracksOf(Protocol):
    """Playlist -> its tracks: a dict in tests, the playlist graph in production (which also
    lays many playlists end to end in one gather: `laid_end_to_end(playlists)`)."""

    def get(self, playlist: Hashable, default: Sequence[int] = ...) -> Sequence[int] | np.ndarray: ...


Plays = Callable[[np.ndarray], np.ndarray]  # track ids -> playlists holding each


def cooccurrence_scores(
    anchors: Mapping[int, float],
    playlists_of: Mapping[int, Sequence[Hashable]],
    tracks_of: TracksOf,
    plays: Plays,
    damping: float,
) -> TrackScores:
    """Track id -> co-occurrence score in [0, 1] (the best is 1). Anchors keep theirs: two
    top-voted tracks that sit together confirm each other.

    `anchors` maps an anchor track to its weight, `playlists_of` an anchor to the
    playlists holding it, `tracks_of` a playlist to its tracks, `plays(track ids)` the
    number of playlists holding each track.

    >>> cooccurrence_scores({1: 1.0}, {1: [10, 11]}, {10: [1, 2, 3], 11: [1, 2]}, lambda t: 2, 0.0).to_dict()
    {1: 1.0, 2: 1.0, 3: 0.5}
    """
    held = [playlists_of.get(anchor, ()) for anchor in anchors]
    shares = [weight / len(playlists) if len(playlists) else 0.0 for weight, playlists in zip(anchors.values(), held)]
    sums = weighted_sum(_laid_end_to_end(tracks_of, held), np.repeat(shares, [len(playlists) for playlists in held]))
    return scaled(damped(sums, plays(sums.ids), damping))


def _laid_end_to_end(tracks_of: TracksOf, held: Sequence[Sequence[Hashable]]) -> Segments:
    """The tracks of every playlist held, in turn: in one gather when `tracks_of` can
    (the playlist graph), else playlist by playlist."""
    if hasattr(tracks_of, "laid_end_to_end"):
        return tracks_of.laid_end_to_end(np.concatenate([np.asarray(playlists, ID) for playlists in held] or [np.empty(0, ID)]))
    return Segments.of([segment_array(tracks_of.get(playlist, ())) for playlists in held for playlist in playlists])


def seed_neighbour_scores(
    seeds: Sequence[int],
    playlists_of: Mapping[int, Sequence[Hashable]],
    tracks_of: TracksOf,
    plays: Plays,
    damping: float,
    overlap_power: float,
    nearby_boost: float = 0.0,
    nearby_scale: float = 5.0,
    playlists_per_seed: float = 0.0,
) -> TrackScores:
    """Continuation: playlists holding seeds vote, each with (seeds it holds) ** overlap_power,
    so a playlist that shares three seeds outweighs three that share one. In a playlist
    holding two seeds or more, the part around them is the part like the request: a track
    d positions from the nearest seed there counts 1 + nearby_boost * exp(-d / nearby_scale)
    times. Scores as in `cooccurrence_scores`, seeds left out, then trusted as far as the
    seeds meet in the catalog: n seeds held by p playlists in all multiply every score by
    1 - exp(-p / (playlists_per_seed * (n - 1))) (one seed, or 0, keeps them whole).

    >>> seed_neighbour_scores([1, 2], {1: [10, 11], 2: [10]}, {10: [1, 2, 3], 11: [1, 4]}, lambda t: 1, 0.0, 2.0).to_dict()
    {3: 1.0, 4: 0.25}
    >>> near = seed_neighbour_scores([1, 2], {1: [10], 2: [10]}, {10: [1, 2, 3, 4, 5]}, lambda t: 1, 0.0, 1.0, 1.0, 1.0)
    >>> {track: round(score, 3) for track, score in near.to_dict().items()}  # (1 + e^-d) / (1 + e^-1)
    {3: 1.0, 4: 0.83, 5: 0.767}
    """
    unique_seeds = list(dict.fromkeys(seeds))
    overlap: dict[Hashable, int] = {}
    for seed in unique_seeds:
        for playlist in playlists_of.get(seed, ()):
            overlap[playlist] = overlap.get(playlist, 0) + 1
    laid = _laid_end_to_end(tracks_of, [list(overlap)])
    weights = np.repeat([float(shared ** overlap_power) for shared in overlap.values()], laid.lengths)
    if nearby_boost:
        seed_ids, ends = np.array(unique_seeds, ID), np.cumsum(laid.lengths)
        for at, shared in enumerate(overlap.values()):
            if shared >= 2:
                span = slice(int(ends[at] - laid.lengths[at]), int(ends[at]))
                weights[span] *= 1.0 + nearby_boost * np.exp(-_distance_to_nearest(laid.values[span], seed_ids)
                                                             / nearby_scale)
    sums = per_track_weighted_sum(laid, weights).without(seeds)
    found = scaled(damped(sums, plays(sums.ids), damping))
    return rescaled(found, seed_confidence(len(overlap), len(unique_seeds), playlists_per_seed))


def seed_confidence(playlists: int, seeds: int, playlists_per_seed: float) -> float:
    """How far to trust seed votes: several seeds that few playlists hold rarely meet in
    the catalog, and those few playlists say little about them together.

    >>> round(seed_confidence(3, 5, 3.0), 3), seed_confidence(1, 1, 3.0), seed_confidence(0, 5, 0.0)
    (0.221, 1.0, 1.0)
    """
    if seeds < 2 or not playlists_per_seed:
        return 1.0
    return float(1.0 - np.exp(-playlists / (playlists_per_seed * (seeds - 1))))


def _distance_to_nearest(segment: np.ndarray, seeds: np.ndarray) -> np.ndarray:
    """For each position of the segment, how many positions away the nearest seed in it is."""
    at = np.flatnonzero(np.isin(segment, seeds))
    return np.abs(np.arange(len(segment))[:, None] - at[None, :]).min(axis=1)
