"""Track scores as two arrays, and the weighted sum every playlist-based signal is made of.

A query scores tens of thousands of tracks; dicts of Python floats made the scoring
cost more than the search. `TrackScores` keeps track ids sorted with their scores beside
them, so summing, scaling and looking up are array operations.
"""

from __future__ import annotations

import contextlib
import threading
from collections.abc import Iterable, Iterator, Sequence
from dataclasses import dataclass

import numpy as np

from retrieval.signals.sorting import grouped, union_sorted

ID = np.int64


@dataclass(frozen=True)
class TrackScores:
    """Scores of tracks: `ids` sorted and unique, `values[i]` the score of `ids[i]`."""

    ids: np.ndarray
    values: np.ndarray

    @classmethod
    def empty(cls) -> TrackScores:
        return cls(np.empty(0, ID), np.empty(0, np.float64))

    @classmethod
    def from_dict(cls, scores: dict[int, float]) -> TrackScores:
        ids = np.fromiter(scores, ID, len(scores))
        order = np.argsort(ids)
        return cls(ids[order], np.fromiter(scores.values(), np.float64, len(scores))[order])

    def __len__(self) -> int:
        return len(self.ids)

    def lookup(self, track_ids: np.ndarray, missing: float = 0.0) -> np.ndarray:
        """The scores of `track_ids` (`missing` for a track without one)."""
        if not len(self.ids):
            return np.full(len(track_ids), missing, np.float64)
        at = np.minimum(np.searchsorted(self.ids, track_ids), len(self.ids) - 1)
        return np.where(self.ids[at] == track_ids, self.values[at], missing)

    def __getitem__(self, track_id: int) -> float:
        at = int(np.searchsorted(self.ids, track_id))
        if at < len(self.ids) and self.ids[at] == track_id:
            return float(self.values[at])
        raise KeyError(track_id)

    def __contains__(self, track_id: int) -> bool:
        at = int(np.searchsorted(self.ids, track_id))
        return at < len(self.ids) and bool(self.ids[at] == track_id)

    def without(self, track_ids: Iterable[int]) -> TrackScores:
        keep = ~np.isin(self.ids, np.fromiter(track_ids, ID))
        return TrackScores(self.ids[keep], self.values[keep])

    def to_dict(self) -> dict[int, float]:
        return dict(zip(self.ids.tolist(), self.values.tolist()))


@dataclass(frozen=True)
class Segments:
    """Segments (playlists' distinct tracks) laid end to end: `values`, and how many
    values each segment has. Read so from the playlist graph in one gather, since an
    array per playlist cost more in Python than the sums."""

    values: np.ndarray
    lengths: np.ndarray

    @classmethod
    def of(cls, segments: Sequence[np.ndarray] | Segments) -> Segments:
        if isinstance(segments, Segments):
            return segments
        if not len(segments):
            return cls(np.empty(0, ID), np.empty(0, ID))
        return cls(np.concatenate(segments), np.fromiter((len(s) for s in segments), ID, len(segments)))


def segment_array(tracks: Sequence[int] | np.ndarray) -> np.ndarray:
    """A playlist's tracks as an id array, each track once, in first-position order."""
    if isinstance(tracks, np.ndarray):
        return tracks
    return np.fromiter(dict.fromkeys(tracks), ID)


def weighted_sum(segments: Sequence[np.ndarray] | Segments, weights: Sequence[float] | np.ndarray) -> TrackScores:
    """Each segment (a playlist's distinct tracks) adds its weight to each of its tracks.

    Sums accumulate in segment order, so equal inputs give bit-equal sums.

    >>> weighted_sum([np.array([1, 2]), np.array([2])], [0.5, 1.0]).to_dict()
    {1: 0.5, 2: 1.5}
    """
    summed, _ = _weighted_sum(segments, weights, with_first=False)
    return summed


def weighted_sum_with_first(segments: Sequence[np.ndarray] | Segments,
                            weights: Sequence[float] | np.ndarray) -> tuple[TrackScores, np.ndarray]:
    """`weighted_sum`, and for each track where it first appears in the segments (its
    offset in their concatenation): voting's tie-breaker.

    >>> summed, first = weighted_sum_with_first([np.array([3, 1]), np.array([1, 2])], [0.5, 1.0])
    >>> summed.to_dict(), first.tolist()
    ({1: 1.5, 2: 1.0, 3: 0.5}, [1, 3, 0])
    """
    return _weighted_sum(segments, weights, with_first=True)


def _weighted_sum(segments: Sequence[np.ndarray] | Segments, weights: Sequence[float] | np.ndarray,
                  with_first: bool) -> tuple[TrackScores, np.ndarray]:
    laid = Segments.of(segments)
    return _summed_by_id(laid.values, np.repeat(np.asarray(weights, np.float64), laid.lengths), with_first)


def _summed_by_id(values: np.ndarray, per_value: np.ndarray, with_first: bool) -> tuple[TrackScores, np.ndarray]:
    """Each id's sum of the weights beside it (`per_value[i]` for `values[i]`), added in
    order, and where each id first appears: in slots when the ids are dense, by a sort if not."""
    values = values.astype(ID, copy=False)
    if not len(values):
        return TrackScores.empty(), np.empty(0, ID)
    low = int(values.min())
    span = int(values.max()) - low + 1
    if span > DENSE_SPAN * len(values):
        ids, first, inverse, _ = grouped(values)
        return TrackScores(ids, np.bincount(inverse, weights=per_value, minlength=len(ids))), first
    return _dense_sum(values - low, per_value, span, with_first, low)


# Ids spread over at most this many times as many slots as there are values are summed
# in slots (one per id) rather than grouped by a sort: a query's votes fill about a
# sixth of the MPD sample's track ids.
DENSE_SPAN = 64
_UNSEEN = np.iinfo(ID).max
_scratch = threading.local()


def _dense_sum(offsets: np.ndarray, per_value: np.ndarray, span: int, with_first: bool,
               low: int) -> tuple[TrackScores, np.ndarray]:
    """Sums (and first positions) in a slot per id, in this thread's scratch slots."""
    with _scratch_slots(span) as slots:
        np.add.at(slots.sums, offsets, per_value)  # value by value, in order: the sums a sort and bincount give
        if with_first:
            np.minimum.at(slots.firsts, offsets, np.arange(len(offsets), dtype=ID))
        slots.used[offsets] = True
        used, summed_values, first = slots.collected(span)
    return TrackScores(used + low, summed_values), first if with_first else np.empty(0, ID)


class _Slots:
    """A slot per track id: a sum (0), a first position (`_UNSEEN`) and whether it is used.
    Only the used slots are read and cleared, and finding them scans one byte a slot."""

    def __init__(self, span: int):
        self.sums, self.firsts, self.used = np.zeros(span), np.full(span, _UNSEEN, ID), np.zeros(span, bool)

    def __len__(self) -> int:
        return len(self.used)

    def collected(self, span: int) -> tuple[np.ndarray, np.ndarray, np.ndarray]:
        """The slots used, their sums and first positions; the slots are cleared for the next use."""
        used = np.flatnonzero(self.used[:span])
        sums, firsts = self.sums[used], self.firsts[used]
        self.sums[used], self.firsts[used], self.used[used] = 0.0, _UNSEEN, False
        return used, sums, firsts


@contextlib.contextmanager
def _scratch_slots(span: int) -> Iterator[_Slots]:
    """This thread's slots, kept between queries and cleared after each, since fresh
    arrays of every track id's size cost more in page faults than the sums themselves.
    Dropped when a use fails midway."""
    slots = getattr(_scratch, "slots", None)
    if slots is None or len(slots) < span:
        _scratch.slots = slots = _Slots(span)
    try:
        yield slots
    except BaseException:
        del _scratch.slots
        raise


def is_among(values: np.ndarray, wanted: np.ndarray) -> np.ndarray:
    """`np.isin(values, wanted)` for track ids: looked up in this thread's slots when the
    ids are dense enough (a query asks it of its ~30,000 votes cast).

    >>> is_among(np.array([4, 2, 9, 2]), np.array([2, 7])).tolist()
    [False, True, False, True]
    """
    values, wanted = np.asarray(values, ID), np.asarray(wanted, ID)
    if not len(values) or not len(wanted):
        return np.zeros(len(values), bool)
    low = min(int(values.min()), int(wanted.min()))
    span = max(int(values.max()), int(wanted.max())) - low + 1
    if span > DENSE_SPAN * (len(values) + len(wanted)):
        return np.isin(values, wanted)
    with _scratch_slots(span) as slots:
        slots.used[wanted - low] = True
        found = slots.used[values - low]
        slots.used[wanted - low] = False
    return found


def per_track_weighted_sum(segments: Sequence[np.ndarray] | Segments, weights: np.ndarray) -> TrackScores:
    """`weighted_sum` where each track of a segment brings its own weight: `weights` lies
    beside the segments laid end to end.

    >>> per_track_weighted_sum([np.array([1, 2]), np.array([2])], np.array([0.5, 2.0, 1.0])).to_dict()
    {1: 0.5, 2: 3.0}
    """
    summed, _ = _summed_by_id(Segments.of(segments).values, np.asarray(weights, np.float64), with_first=False)
    return summed


def summed(parts: Sequence[tuple[TrackScores, float]]) -> TrackScores:
    """Every track some part scored, with the weighted sum of its scores (added in part order).

    >>> summed([(TrackScores.from_dict({1: 1.0, 2: 0.5}), 1.0), (TrackScores.from_dict({2: 1.0}), 0.5)]).to_dict()
    {1: 1.0, 2: 1.0}
    """
    parts = [(scores, weight) for scores, weight in parts if weight and len(scores)]
    if not parts:
        return TrackScores.empty()
    low = min(int(scores.ids[0]) for scores, _ in parts)
    span = max(int(scores.ids[-1]) for scores, _ in parts) - low + 1
    if span <= DENSE_SPAN * sum(len(scores) for scores, _ in parts):
        with _scratch_slots(span) as slots:
            for scores, weight in parts:  # in part order, so each track's parts are added in that order
                slots.sums[scores.ids - low] += weight * scores.values
                slots.used[scores.ids - low] = True
            used, totals, _ = slots.collected(span)
        return TrackScores(used + low, totals)
    ids = union_sorted([scores.ids for scores, _ in parts])
    totals = np.zeros(len(ids))
    for scores, weight in parts:  # in part order, so each track's parts are added in that order
        totals[np.searchsorted(ids, scores.ids)] += weight * scores.values
    return TrackScores(ids, totals)


def scaled(scores: TrackScores) -> TrackScores:
    """Scores divided by the largest, so every signal lies in [0, 1] before it is weighed."""
    top = scores.values.max(initial=0.0)
    return TrackScores(scores.ids, scores.values / top) if top > 0 else TrackScores.empty()


def rescaled(scores: TrackScores, factor: float) -> TrackScores:
    """Every score times `factor`."""
    return scores if factor == 1.0 else TrackScores(scores.ids, scores.values * factor)


def damped(scores: TrackScores, plays: np.ndarray, damping: float) -> TrackScores:
    """Scores divided by plays ** damping (plays of each track, at least 1)."""
    if not damping or not len(scores):
        return scores
    return TrackScores(scores.ids, scores.values / np.maximum(plays, 1) ** damping)
