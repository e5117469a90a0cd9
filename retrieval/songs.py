"""Folding ranked tracks into songs: "Song", "Song - Remastered" and "Song - Live" are one.

A vote for any version is a vote for the song, so a song scores the sum of its
versions and is shown as its best-ranked version; songs are then ordered by that sum
(equal sums keep the order of their best versions). Done over every ranked track at
once, so the first n songs are the same whatever n is.
"""

from __future__ import annotations

from dataclasses import dataclass

import numpy as np

from retrieval.sorting import best_first, grouped


@dataclass(frozen=True)
class SongRanking:
    """Songs in rank order, each a group of positions in the ranked tracks."""

    heads: np.ndarray  # per song, the position of its best-ranked version
    scores: np.ndarray  # per song, its score
    _grouped: np.ndarray  # positions grouped by song, best-ranked first within a song
    _offsets: np.ndarray  # song s's positions are _grouped[_offsets[s]:_offsets[s + 1]]
    _group_of_song: np.ndarray  # rank order -> group

    def __len__(self) -> int:
        return len(self.heads)

    def versions(self, song: int) -> np.ndarray:
        """Positions of the song's versions in the ranked tracks, best-ranked first."""
        group = self._group_of_song[song]
        return self._grouped[self._offsets[group]:self._offsets[group + 1]]


def fold_versions(scores: np.ndarray, songs: np.ndarray, merge: bool = True) -> SongRanking:
    """Ranked tracks' scores (best first) and songs -> songs in rank order.

    >>> ranking = fold_versions(np.array([3.0, 2.0, 2.0]), np.array([7, 8, 7]))
    >>> ranking.heads.tolist(), ranking.scores.tolist(), ranking.versions(0).tolist()
    ([0, 1], [5.0, 2.0], [0, 2])
    """
    if not merge:
        every = np.arange(len(scores))
        return SongRanking(every, scores, every, np.arange(len(scores) + 1), every)
    _, first, group, by_song = grouped(songs)
    summed = np.bincount(group, weights=scores, minlength=len(first))  # in rank order, as a user would add
    # Rounded, so sums equal but for float noise stay in the order of their best versions.
    order = best_first(np.round(summed, 9), first)
    offsets = np.concatenate(([0], np.cumsum(np.bincount(group, minlength=len(first)))))
    return SongRanking(first[order], summed[order], by_song, offsets, order)
