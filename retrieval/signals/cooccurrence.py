"""Item co-occurrence: tracks that share playlists with anchor tracks.

Anchors are the best-voted tracks of a title (smoothing: a track the neighbours
missed but that sits beside their favourites rises) or a user's seed tracks
(continuation). Each anchor spreads its weight evenly over the playlists holding
it; a track's sum is divided by its popularity^damping, so hits that sit beside
everything do not win by being everywhere.
"""

from __future__ import annotations

from collections.abc import Callable, Mapping, Sequence

from retrieval.signals.neighbours import scaled


def cooccurrence_scores(
    anchors: Mapping[int, float],
    playlists_of: Mapping[int, Sequence[int]],
    tracks_of: Mapping[int, Sequence[int]],
    plays: Callable[[int], int],
    damping: float,
) -> dict[int, float]:
    """Track id -> co-occurrence score in [0, 1] (the best is 1). Anchors keep theirs: two
    top-voted tracks that sit together confirm each other.

    `anchors` maps an anchor track to its weight, `playlists_of` an anchor to the
    playlists holding it, `tracks_of` a playlist to its tracks, `plays(track)` the
    number of playlists holding a track.

    >>> cooccurrence_scores({1: 1.0}, {1: [10, 11]}, {10: [1, 2, 3], 11: [1, 2]}, lambda t: 2, 0.0)
    {1: 1.0, 2: 1.0, 3: 0.5}
    """
    sums: dict[int, float] = {}
    for anchor, weight in anchors.items():
        playlists = playlists_of.get(anchor, ())
        if not playlists:
            continue
        share = weight / len(playlists)
        for pid in playlists:
            for track in dict.fromkeys(tracks_of.get(pid, ())):
                sums[track] = sums.get(track, 0.0) + share
    if damping:
        sums = {track: value / max(plays(track), 1) ** damping for track, value in sums.items()}
    return scaled(sums)


def seed_neighbour_scores(
    seeds: Sequence[int],
    playlists_of: Mapping[int, Sequence[int]],
    tracks_of: Mapping[int, Sequence[int]],
    plays: Callable[[int], int],
    damping: float,
    overlap_power: float,
) -> dict[int, float]:
    """Continuation: playlists holding seeds vote, each with (seeds it holds) ** overlap_power,
    so a playlist that shares three seeds outweighs three that share one. Scores as in
    `cooccurrence_scores`, seeds left out.

    >>> seed_neighbour_scores([1, 2], {1: [10, 11], 2: [10]}, {10: [1, 2, 3], 11: [1, 4]}, lambda t: 1, 0.0, 2.0)
    {3: 1.0, 4: 0.25}
    """
    overlap: dict[int, int] = {}
    for seed in dict.fromkeys(seeds):
        for pid in playlists_of.get(seed, ()):
            overlap[pid] = overlap.get(pid, 0) + 1
    sums: dict[int, float] = {}
    for pid, shared in overlap.items():
        weight = shared ** overlap_power
        for track in dict.fromkeys(tracks_of.get(pid, ())):
            sums[track] = sums.get(track, 0.0) + weight
    for seed in seeds:
        sums.pop(seed, None)
    if damping:
        sums = {track: value / max(plays(track), 1) ** damping for track, value in sums.items()}
    return scaled(sums)
