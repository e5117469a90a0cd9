"""From neighbour playlists (and seed tracks) to one ranked, filtered list of tracks.

The signals of `retrieval.signals` are computed here from the catalog and fused with
`retrieval.fusion`. The ranking never depends on how many tracks are asked for:
filters run over a fixed pool of the best-scored tracks, and the popularity tail is
read in one fixed order, so the first n tracks are the same whatever n is.
"""

from __future__ import annotations

import heapq
from collections.abc import Callable, Iterator, Sequence
from dataclasses import dataclass, field

from retrieval.catalog import Catalog
from retrieval.filters import Scored, cap_per_artist, exclude_artists, merge_versions
from retrieval.fusion import FusionWeights, contributions, fused_totals, seed_weight
from retrieval.normalize import song_key
from retrieval.records import Neighbour
from retrieval.signals.cooccurrence import cooccurrence_scores, seed_neighbour_scores
from retrieval.signals.entity import EntityMatch, entity_scores
from retrieval.signals.names import fold_name
from retrieval.signals.neighbours import sharpened
from retrieval.voting import VotingRule, vote

# Measured on a validation split of the MPD sample (README, "Retrieval quality").
POOL = 3000  # best-scored tracks that go through the filters, whatever n is
ANCHORS = 5  # best-voted tracks whose co-occurrences smooth the votes
PLAYLISTS_PER_ANCHOR = 50  # playlists read per anchor track
PLAYLISTS_PER_SEED = 200  # playlists read per seed track
ENTITY_TRACKS = 50  # most-played tracks of a matched artist or album
ENTITY_EXPONENT = 0.25
COOCCURRENCE_DAMPING = 0.3
SEED_OVERLAP_POWER = 2.0


@dataclass
class RankRequest:
    """What a ranking needs besides the neighbours: plain values from `GenerationOptions`."""

    voting: VotingRule
    weights: FusionWeights
    seed_ids: tuple[int, ...] = ()
    liked_voters: Sequence[tuple[int, float]] = ()
    merge_versions: bool = True
    exclude_artists: tuple[str, ...] = ()
    max_per_artist: int | None = None
    exclude_track_uris: frozenset[str] = frozenset()
    exclude_pids: frozenset[int] = frozenset()


@dataclass
class Ranking:
    tracks: list[Scored]
    entities: list[EntityMatch] = field(default_factory=list)


class SignalSources:
    """The catalog data the signals read: play counts and entity names, loaded once."""

    def __init__(self, catalog: Catalog):
        self.catalog = catalog
        catalog.refresh_signal_tables(fold_name)
        self._plays = dict(catalog.all_play_counts())
        self._order = sorted(self._plays, key=lambda t: (-self._plays[t], t))
        self._excluded: tuple[frozenset[int], dict[int, int]] = (frozenset(), {})

    def plays(self, track_id: int, exclude_pids: frozenset[int] = frozenset()) -> int:
        """Playlists holding the track, leaving out `exclude_pids` (evaluation's held-out ones)."""
        return self._plays.get(track_id, 0) - self._held_out_plays(exclude_pids).get(track_id, 0)

    def plays_getter(self, exclude_pids: frozenset[int]) -> Callable[[int], int]:
        """`plays` for one request, without the per-call checks (hot loops call it per track)."""
        held_out, counted = self._held_out_plays(exclude_pids), self._plays.get
        if not held_out:
            return lambda track: counted(track, 0)
        return lambda track: counted(track, 0) - held_out.get(track, 0)

    def _held_out_plays(self, exclude_pids: frozenset[int]) -> dict[int, int]:
        if not exclude_pids:
            return {}
        if self._excluded[0] != exclude_pids:
            counts: dict[int, int] = {}
            for tracks in self.catalog.track_ids_of(sorted(exclude_pids)).values():
                for track in set(tracks):
                    counts[track] = counts.get(track, 0) + 1
            self._excluded = (exclude_pids, counts)
        return self._excluded[1]

    def most_played(self, exclude_pids: frozenset[int] = frozenset()) -> Iterator[int]:
        """Track ids, most played first (held-out playlists can only reorder near ties)."""
        return (t for t in self._order if self.plays(t, exclude_pids) > 0)

    def entities(self, title: str) -> list[EntityMatch]:
        folded = fold_name(title)
        return [EntityMatch(kind, name) for kind, name in self.catalog.entities_named(folded)] if folded else []

    def entity_scores(self, matches: Sequence[EntityMatch], exclude_pids: frozenset[int]) -> dict[int, float]:
        scores: dict[int, float] = {}
        for match in matches:
            played = [(t, self.plays(t, exclude_pids)) for t, _ in
                      self.catalog.most_played_of(match.kind, match.name, ENTITY_TRACKS + len(exclude_pids))]
            played = sorted((p for p in played if p[1] > 0), key=lambda p: -p[1])[:ENTITY_TRACKS]
            for track, value in entity_scores(played, ENTITY_EXPONENT).items():
                scores[track] = max(scores.get(track, 0.0), value)
        return scores

    def cooccurrence(self, anchors: dict[int, float], exclude_pids: frozenset[int]) -> dict[int, float]:
        playlists_of = self.catalog.playlists_holding(anchors, PLAYLISTS_PER_ANCHOR, exclude_pids)
        tracks_of = self.catalog.track_ids_of(sorted({p for pids in playlists_of.values() for p in pids}))
        return cooccurrence_scores(anchors, playlists_of, tracks_of, self.plays_getter(exclude_pids),
                                   COOCCURRENCE_DAMPING)

    def seed_neighbours(self, seeds: Sequence[int], exclude_pids: frozenset[int]) -> dict[int, float]:
        playlists_of = self.catalog.playlists_holding(seeds, PLAYLISTS_PER_SEED, exclude_pids)
        tracks_of = self.catalog.track_ids_of(sorted({p for pids in playlists_of.values() for p in pids}))
        return seed_neighbour_scores(seeds, playlists_of, tracks_of, self.plays_getter(exclude_pids),
                                     COOCCURRENCE_DAMPING, SEED_OVERLAP_POWER)


def rank(sources: SignalSources, title: str, neighbours: Sequence[Neighbour], request: RankRequest) -> Ranking:
    """Every signal, fused, filtered; the popularity tail follows lazily (see `with_tail`)."""
    weights = request.weights
    catalog = sources.catalog
    pairs = [(n.pid, n.similarity) for n in neighbours]
    voters = pairs if request.voting == "count" else sharpened(pairs, weights.sharpness)
    tracks_of = catalog.track_ids_of([pid for pid, _ in voters] + [pid for pid, _ in request.liked_voters])
    votes = vote(voters, tracks_of, request.voting, request.liked_voters)
    # Scores are told in votes (the best-voted track's votes), so plain voting keeps its
    # meaning: under count voting a track scores the playlists that hold it. The other
    # signals lie in [0, 1] and are scaled up to the same unit.
    unit = votes[0].score if votes and votes[0].score > 0 else 1.0
    signals = {"votes": {v.track_id: v.score for v in votes}}
    entities = sources.entities(title) if weights.entity and title else []
    if entities:
        signals["entity"] = sources.entity_scores(entities, request.exclude_pids)
    if weights.cooccurrence and votes:
        anchors = {v.track_id: v.score / unit for v in votes[:ANCHORS]}
        signals["cooccurrence"] = sources.cooccurrence(anchors, request.exclude_pids)
    if request.seed_ids:
        signals["seeds"] = sources.seed_neighbours(request.seed_ids, request.exclude_pids)
    multipliers = {"votes": weights.votes, "entity": weights.entity * unit,
                   "cooccurrence": weights.cooccurrence * unit,
                   "seeds": seed_weight(weights, len(request.seed_ids)) * unit}
    total = fused_totals(signals, multipliers)
    for seed in request.seed_ids:
        total.pop(seed, None)
    vote_rank = {v.track_id: i for i, v in enumerate(votes)}
    unranked = len(vote_rank)
    # Ties go to the better-voted track, then the lower id: a reproducible order.
    order = heapq.nlargest(POOL, total, key=lambda t: (total[t], -vote_rank.get(t, unranked), -t))
    voters_of = {t: votes[vote_rank[t]].voters for t in order if t in vote_rank}
    pool = _scored(catalog, order, total, voters_of, contributions(signals, multipliers, order))
    return Ranking(_filtered(pool, request, _seed_keys(catalog, request.seed_ids)), entities)


def _scored(catalog: Catalog, order: list[int], total: dict[int, float], voters_of: dict[int, list[int]],
            parts: dict[int, dict[str, float]]) -> list[Scored]:
    rows = catalog.track_rows(order)
    return [Scored(t, *rows[t], total[t], voters_of.get(t, []), signals=parts[t]) for t in order]


def _seed_keys(catalog: Catalog, seed_ids: Sequence[int]) -> set[str]:
    return {song_key(name, artist) for _, name, artist in catalog.track_rows(seed_ids).values()}


def _filtered(scored: list[Scored], request: RankRequest, seed_keys: set[str]) -> list[Scored]:
    if request.exclude_track_uris:
        scored = [s for s in scored if s.track_uri not in request.exclude_track_uris]
    if seed_keys:
        scored = [s for s in scored if song_key(s.track_name, s.artist_name) not in seed_keys]
    if request.merge_versions:
        scored = merge_versions(scored)
    return exclude_artists(scored, request.exclude_artists)


def with_tail(sources: SignalSources, ranking: Ranking, request: RankRequest, n: int) -> list[Scored]:
    """The ranking capped per artist, then the most-played tracks it lacks, up to n tracks."""
    ranked = cap_per_artist(ranking.tracks, request.max_per_artist)
    if len(ranked) >= n or not request.weights.tail:
        return ranked[:n]
    taken = {song_key(s.track_name, s.artist_name) for s in ranking.tracks}
    taken |= _seed_keys(sources.catalog, request.seed_ids)
    top = max(1, sources.plays(next(sources.most_played(request.exclude_pids), 0), request.exclude_pids))
    for chunk in _chunks(sources.most_played(request.exclude_pids), 200):
        rows = sources.catalog.track_rows(chunk)
        tail = []
        for track in chunk:
            uri, name, artist = rows[track]
            key = song_key(name, artist)
            if key in taken or uri in request.exclude_track_uris:
                continue
            taken.add(key)
            plays = sources.plays(track, request.exclude_pids)
            tail.append(Scored(track, uri, name, artist, 0.0, [], signals={"popularity": round(plays / top, 6)}))
        ranked = cap_per_artist(ranked + exclude_artists(tail, request.exclude_artists), request.max_per_artist)
        if len(ranked) >= n:
            break
    return ranked[:n]


def _chunks(iterator: Iterator[int], size: int) -> Iterator[list[int]]:
    chunk: list[int] = []
    for item in iterator:
        chunk.append(item)
        if len(chunk) == size:
            yield chunk
            chunk = []
    if chunk:
        yield chunk
