"""FT-G's training data: pairs of playlist titles whose playlists share tracks.

Two playlists holding many of the same tracks were made for the same occasion, so
their titles ("beach", "summer vibes") should embed close together. Each playlist is
paired with the candidates it overlaps most (Jaccard of the track sets), among those
sharing at least `min_shared` tracks. A playlist is never paired with itself, nor
with a playlist of the same normalised title: that pair would teach nothing.
"""

from __future__ import annotations

from collections import Counter, defaultdict
from collections.abc import Collection, Mapping
from dataclasses import dataclass

from retrieval.catalog import Catalog

# A track in more playlists than this is skipped as evidence of overlap: in the full MPD
# the top hits sit in tens of thousands of playlists, and counting every pair they make
# costs quadratic time for the weakest signal.
MAX_PLAYLISTS_PER_TRACK = 2000


@dataclass(frozen=True)
class PositivePair:
    anchor: int  # pid
    positive: int  # pid
    shared: int  # tracks both playlists hold
    jaccard: float


def track_sets(catalog: Catalog, pids: Collection[int]) -> dict[int, frozenset[int]]:
    return {pid: frozenset(tracks) for pid, tracks in catalog.track_ids_of(sorted(pids)).items()}


def overlapping_pairs(
    anchors: Mapping[int, frozenset[int]],
    candidates: Mapping[int, frozenset[int]],
    titles: Mapping[int, str],
    min_shared: int = 2,
    min_jaccard: float = 0.0,
    per_anchor: int = 1,
) -> list[PositivePair]:
    """For each anchor playlist, its `per_anchor` most overlapping candidates.

    `titles` maps pids to normalised titles. When anchors and candidates are the same
    playlists, a pair found from both sides is kept once.
    """
    holders = _holders(candidates)
    pairs, seen = [], set()
    for anchor in sorted(anchors):
        tracks = anchors[anchor]
        shared = Counter(other for track in tracks for other in holders.get(track, ()))
        ranked = sorted(
            (_pair(anchor, other, count, tracks, candidates[other]) for other, count in shared.items()
             if count >= min_shared and other != anchor and titles[other] != titles[anchor]),
            key=lambda pair: (-pair.jaccard, -pair.shared, pair.positive),
        )
        for pair in [p for p in ranked if p.jaccard >= min_jaccard][:per_anchor]:
            key = frozenset((pair.anchor, pair.positive))
            if key not in seen:
                seen.add(key)
                pairs.append(pair)
    return pairs


def _holders(playlists: Mapping[int, frozenset[int]]) -> dict[int, list[int]]:
    holders: dict[int, list[int]] = defaultdict(list)
    for pid, tracks in playlists.items():
        for track in tracks:
            holders[track].append(pid)
    return {track: pids for track, pids in holders.items() if len(pids) <= MAX_PLAYLISTS_PER_TRACK}


def _pair(anchor: int, other: int, shared: int, tracks: frozenset[int], other_tracks: frozenset[int]) -> PositivePair:
    return PositivePair(anchor, other, shared, shared / (len(tracks) + len(other_tracks) - shared))


def title_pairs(pairs: list[PositivePair], titles: Mapping[int, str]) -> list[tuple[str, str]]:
    return [(titles[pair.anchor], titles[pair.positive]) for pair in pairs]
