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

Most candidates can never be read: a query shows tens of songs out of ~20,000 tracks.
So only the songs that can score as much as the `leaders`-th best track are folded and
ranked at first. A song left out scores less than that track, so every song that
scores more (rounded) is ranked as the whole ranking would rank it; reading past those
ranks every candidate.
"""

from __future__ import annotations

from collections.abc import Callable

import numpy as np

from retrieval.signals.sorting import by_score_then, grouped

ID = np.int64
# Track ids -> integer keys that order them as their places in the votes do.
TieKeys = Callable[[np.ndarray], tuple[np.ndarray, ...]]
# Tracks whose songs are ranked before any is read: enough for a 500-track challenge answer.
LEADERS = 1000


class TopSongs:
    """Songs in rank order, sorted as far as they are read. A song is a number into
    `heads` and `scores`, valid until the next call of `first`."""

    def __init__(self, tracks: np.ndarray, scores: np.ndarray, shared: np.ndarray, songs: np.ndarray,
                 tie_keys: TieKeys, leaders: int = LEADERS):
        """`tracks` (any order) with their `scores` and `songs`; `shared` marks the tracks
        whose song may have other versions among them (all False: versions stay apart)."""
        self._everything = (tracks, scores, shared, songs, tie_keys)
        kept, least = _leading(scores, shared, songs, leaders)
        if kept is None:
            self._ranked, self._exact = _RankedSongs(*self._everything), len(tracks)
        else:
            at = np.flatnonzero(kept)
            self._ranked = _RankedSongs(tracks[at], scores[at], shared[at], songs[at], tie_keys)
            # Songs scoring above every song left out: ranked as among all.
            self._exact = int(np.count_nonzero(self._ranked.rounded > np.round(least, 9)))

    @property
    def heads(self) -> np.ndarray:
        return self._ranked.heads

    @property
    def scores(self) -> np.ndarray:
        return self._ranked.scores

    def __len__(self) -> int:
        self._rank_everything()
        return len(self._ranked)

    def first(self, count: int) -> np.ndarray:
        """The first `count` songs (numbers into `heads` and `scores`), best first."""
        if count > self._exact:
            self._rank_everything()
        return self._ranked.first(count)

    def versions(self, song: int) -> np.ndarray:
        """A song's track ids, best-ranked first."""
        return self._ranked.versions(song)

    def _rank_everything(self) -> None:
        if self._exact < len(self._everything[0]):
            self._ranked, self._exact = _RankedSongs(*self._everything), len(self._everything[0])


def _leading(scores: np.ndarray, shared: np.ndarray, songs: np.ndarray,
             leaders: int) -> tuple[np.ndarray | None, float]:
    """Which tracks belong to songs that can score as much as the `leaders`-th best track
    (whole songs), and that track's score; None when every track is kept."""
    if len(scores) <= leaders:
        return None, 0.0
    least = float(-np.partition(-scores, leaders - 1)[leaders - 1])
    kept = scores >= least
    if shared.any():
        # A song's versions add up: it stays, whole, if their sum can reach `least`
        # (the sum in any order; the slack covers float rounding between orders).
        _, song_of = np.unique(songs[shared], return_inverse=True)
        sums = np.bincount(song_of, weights=scores[shared])
        kept[shared] = sums[song_of] >= least - 1e-9 * max(1.0, abs(least))
    return kept, least


class _RankedSongs:
    """The songs of the given tracks, sorted as far as they are read."""

    def __init__(self, tracks: np.ndarray, scores: np.ndarray, shared: np.ndarray, songs: np.ndarray,
                 tie_keys: TieKeys):
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
        self.rounded = np.round(self.scores, 9)
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
            least = -np.partition(-self.rounded, count - 1)[count - 1]
            chosen = np.flatnonzero(self.rounded >= least)
        else:
            chosen = np.arange(len(self))
        heads = self.heads[chosen]
        # Ties of rounded sums go in the order of the songs' best versions.
        keys = (heads, *reversed(self._tie_keys(heads)), -self._head_scores[chosen], -self.rounded[chosen])
        return chosen[np.lexsort(keys)]
