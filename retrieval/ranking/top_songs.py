"""The first songs of a ranking, without sorting every candidate track.

A query scores tens of thousands of candidate tracks and shows tens of songs; sorting
them all and folding every version into its song took a quarter of a query. Here only
the songs that can reach the first places are sorted, in the order and with the
scores that ranking every track and then folding every song would give:

- tracks rank by score, ties by their place in the votes, then by the lower id;
- a song scores the sum of its versions, added in rank order, and shows as its
  best-ranked version; songs rank by that sum rounded to 9 decimals, ties in the
  order of their best versions.

A track whose song has no other version in the catalog is a song of its own; only
the versions of the other songs are ranked and summed. The first m songs are then
every song whose rounded sum is at least the m-th best, sorted: no other song can
come before them, so the first n are the same whatever n is.
"""

from __future__ import annotations

from collections.abc import Callable

import numpy as np

from retrieval.signals.sorting import by_score_then, grouped

ID = np.int64
# Track ids -> integer keys that order them as their places in the votes do.
TieKeys = Callable[[np.ndarray], tuple[np.ndarray, ...]]


class TopSongs:
    """Songs in rank order, sorted as far as they are read."""

    def __init__(self, tracks: np.ndarray, scores: np.ndarray, shared: np.ndarray, songs: np.ndarray,
                 tie_keys: TieKeys):
        """`tracks` (any order) with their `scores` and `songs`; `shared` marks the tracks
        whose song may have other versions among them (all False: versions stay apart)."""
        self._tie_keys = tie_keys
        alone = ~shared
        versions, version_scores, version_songs = tracks[shared], scores[shared], songs[shared]
        order = by_score_then(version_scores, *tie_keys(versions), versions)
        versions, version_scores = versions[order], version_scores[order]
        _, first, group, by_song = grouped(version_songs[order])
        # Added in rank order, as folding every ranked track adds them.
        sums = np.bincount(group, weights=version_scores, minlength=len(first))
        self._versions, self._by_song = versions, by_song
        self._offsets = np.concatenate(([0], np.cumsum(np.bincount(group, minlength=len(first)))))
        self._alone = int(alone.sum())  # songs below this number are single tracks
        self.heads = np.concatenate((tracks[alone], versions[first]))
        self.scores = np.concatenate((scores[alone], sums))
        self._head_scores = np.concatenate((scores[alone], version_scores[first]))
        self._rounded = np.round(self.scores, 9)
        self._order = np.empty(0, np.intp)  # the first songs, in rank order, as read so far

    def __len__(self) -> int:
        return len(self.heads)

    def first(self, count: int) -> np.ndarray:
        """The first `count` songs (numbers into `heads` and `scores`), best first."""
        if count > len(self._order) and len(self._order) < len(self):
            self._order = self._sorted(max(count, 2 * len(self._order)))
        return self._order[:count]

    def versions(self, song: int) -> np.ndarray:
        """A song's track ids, best-ranked first."""
        if song < self._alone:
            return self.heads[song:song + 1]
        group = song - self._alone
        return self._versions[self._by_song[self._offsets[group]:self._offsets[group + 1]]]

    def _sorted(self, count: int) -> np.ndarray:
        """At least the first `count` songs (every one tied with the last of them), best first."""
        if count < len(self):
            least = -np.partition(-self._rounded, count - 1)[count - 1]
            chosen = np.flatnonzero(self._rounded >= least)
        else:
            chosen = np.arange(len(self))
        heads = self.heads[chosen]
        # Ties of rounded sums go in the order of the songs' best versions.
        keys = (heads, *reversed(self._tie_keys(heads)), -self._head_scores[chosen], -self._rounded[chosen])
        return chosen[np.lexsort(keys)]
