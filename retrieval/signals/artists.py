"""Artist signals: playlists are built in runs of one artist.

For continuation, co-occurrence needs other playlists that hold a seed; in a small
catalog, or for a rare track, there are none. The seed's artist still says a lot: the
artist's well-known tracks are likely next, and so are the tracks of playlists holding
that artist. For a title, the artists its neighbours vote for most bring their other
tracks. Artists are primary artists as the song keys fold them ("Drake feat. X" is Drake).
"""

from __future__ import annotations

from collections.abc import Callable, Mapping, Sequence

import numpy as np

from retrieval.signals.cooccurrence import Plays
from retrieval.signals.scores import ID, TrackScores, scaled, summed, weighted_sum


def artist_track_scores(shares: Mapping[int, float], tracks_of: Callable[[int], np.ndarray], plays: Plays,
                        exponent: float) -> TrackScores:
    """Each artist's played tracks, scored share * (plays / the artist's most plays) ** exponent.

    `shares` maps an artist to its share (of the seeds, or of the votes against the
    best-voted artist's), `tracks_of` an artist to its track ids, `plays(track ids)` the
    playlists holding each.

    >>> artist_track_scores({7: 0.5}, lambda a: np.array([1, 2, 3]), lambda t: np.array([4, 1, 0]), 1.0).to_dict()
    {1: 0.5, 2: 0.125}
    """
    ids, values = [], []
    for artist, share in shares.items():
        tracks = np.asarray(tracks_of(artist), ID)
        counts = plays(tracks).astype(np.float64)
        played = counts > 0
        if played.any():
            ids.append(tracks[played])
            values.append(share * (counts[played] / counts[played].max()) ** exponent)
    if not ids:
        return TrackScores.empty()
    ids_all, values_all = np.concatenate(ids), np.concatenate(values)
    order = np.argsort(ids_all, kind="stable")  # a track has one primary artist: no repeats
    return TrackScores(ids_all[order], values_all[order])


def artist_playlist_scores(artists: Sequence[int], rows_of: Callable[[int], np.ndarray],
                           tracks_of_row: Callable[[int], np.ndarray], overlap_power: float) -> TrackScores:
    """Playlists holding tracks of the artists vote for their tracks, each with (artists it
    holds) ** overlap_power; `rows_of(artist)` gives the playlists (rows) to read.

    >>> rows = {1: np.array([10, 11]), 2: np.array([10])}
    >>> tracks = {10: np.array([5, 6]), 11: np.array([6, 7])}
    >>> artist_playlist_scores([1, 2], rows.get, tracks.get, 2.0).to_dict()
    {5: 4.0, 6: 5.0, 7: 1.0}
    """
    overlap: dict[int, int] = {}
    for artist in dict.fromkeys(artists):
        for row in rows_of(artist).tolist():
            overlap[row] = overlap.get(row, 0) + 1
    return weighted_sum([tracks_of_row(row) for row in overlap], [shared ** overlap_power for shared in overlap.values()])


def seed_artist_scores(track_scores: TrackScores, playlist_scores: TrackScores, playlist_weight: float,
                       seeds: Sequence[int]) -> TrackScores:
    """The two artist signals as one, in [0, 1], seeds left out: the artists' own tracks,
    plus `playlist_weight` times the (scaled) votes of playlists holding them."""
    return scaled(summed([(track_scores, 1.0), (scaled(playlist_scores), playlist_weight)]).without(seeds))
