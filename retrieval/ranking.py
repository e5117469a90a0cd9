"""From neighbour playlists (and seed tracks) to one ranked, filtered list of tracks.

The signals of `retrieval.signals` are computed here from the catalog and fused with
`retrieval.fusion`. The ranking never depends on how many tracks are asked for:
filters run over a fixed pool of the best-scored tracks, and the popularity tail is
read in one fixed order, so the first n tracks are the same whatever n is.
"""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass, field

import numpy as np

from retrieval.catalog import Catalog
from retrieval.filters import Scored, cap_per_artist, exclude_artists, merge_versions
from retrieval.fusion import FusionWeights, contributions, fused_totals, seed_weight
from retrieval.normalize import song_key
from retrieval.playlist_graph import PlaylistGraph, open_graph
from retrieval.records import Neighbour
from retrieval.signals.cooccurrence import Plays, cooccurrence_scores, seed_neighbour_scores
from retrieval.signals.entity import EntityMatch, entity_scores
from retrieval.signals.names import fold_name
from retrieval.signals.neighbours import sharpened
from retrieval.signals.scores import TrackScores
from retrieval.voting import Votes, VotingRule, tally, weighed

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
    """The catalog data the signals read: the playlist graph and entity names, opened once."""

    def __init__(self, catalog: Catalog):
        self.catalog = catalog
        catalog.refresh_signal_tables(fold_name)
        self.graph = open_graph(catalog, catalog.signals_fingerprint())
        self._held_out: tuple[frozenset[int], np.ndarray, np.ndarray] | None = None

    def plays_array(self, exclude_pids: frozenset[int] = frozenset()) -> np.ndarray:
        """Per track id, the playlists holding it, leaving out `exclude_pids` (evaluation's held-out ones)."""
        return self._hidden(exclude_pids)[0] if exclude_pids else self.graph.plays

    def plays_getter(self, exclude_pids: frozenset[int]) -> Plays:
        plays = self.plays_array(exclude_pids)
        return lambda track_ids: plays[np.clip(track_ids, 0, len(plays) - 1)] * (track_ids < len(plays))

    def _hidden(self, exclude_pids: frozenset[int]) -> tuple[np.ndarray, np.ndarray]:
        """(plays without the held-out playlists, a mask of the held-out rows), kept for the
        last set asked: evaluation asks with the same set for every query."""
        if self._held_out is None or self._held_out[0] != exclude_pids:
            hidden = np.zeros(len(self.graph.pids), bool)
            hidden[self.graph.rows(sorted(exclude_pids))] = True
            self._held_out = (exclude_pids, self.graph.plays - self.graph.held_out_plays(exclude_pids), hidden)
        return self._held_out[1], self._held_out[2]

    def most_played(self, exclude_pids: frozenset[int] = frozenset()) -> np.ndarray:
        """Track ids, most played first (held-out playlists can only reorder near ties)."""
        popular = self.graph.popular
        return popular[self.plays_array(exclude_pids)[popular] > 0] if exclude_pids else popular

    def entities(self, title: str) -> list[EntityMatch]:
        folded = fold_name(title)
        return [EntityMatch(kind, name) for kind, name in self.catalog.entities_named(folded)] if folded else []

    def entity_scores(self, matches: Sequence[EntityMatch], exclude_pids: frozenset[int]) -> TrackScores:
        plays = self.plays_getter(exclude_pids)
        scores: dict[int, float] = {}
        for match in matches:
            tracks = [t for t, _ in self.catalog.most_played_of(match.kind, match.name, ENTITY_TRACKS + len(exclude_pids))]
            played = [(t, int(p)) for t, p in zip(tracks, plays(np.array(tracks, np.int64)).tolist()) if p > 0]
            played = sorted(played, key=lambda pair: -pair[1])[:ENTITY_TRACKS]
            for track, value in entity_scores(played, ENTITY_EXPONENT).items():
                scores[track] = max(scores.get(track, 0.0), value)
        return TrackScores.from_dict(scores)

    def playlists_holding(self, tracks: Sequence[int], per_track: int, exclude_pids: frozenset[int]) -> dict[int, np.ndarray]:
        """Rows of up to `per_track` playlists holding each track (lowest pids first)."""
        hidden = self._hidden(exclude_pids)[1] if exclude_pids else None
        found = {}
        for track in tracks:
            rows = self.graph.rows_holding(track)[:per_track + len(exclude_pids)]
            found[track] = (rows if hidden is None else rows[~hidden[rows]])[:per_track]
        return found

    def cooccurrence(self, anchors: dict[int, float], exclude_pids: frozenset[int]) -> TrackScores:
        return cooccurrence_scores(anchors, self.playlists_holding(list(anchors), PLAYLISTS_PER_ANCHOR, exclude_pids),
                                   _RowTracks(self.graph), self.plays_getter(exclude_pids), COOCCURRENCE_DAMPING)

    def seed_neighbours(self, seeds: Sequence[int], exclude_pids: frozenset[int]) -> TrackScores:
        return seed_neighbour_scores(seeds, self.playlists_holding(seeds, PLAYLISTS_PER_SEED, exclude_pids),
                                     _RowTracks(self.graph), self.plays_getter(exclude_pids),
                                     COOCCURRENCE_DAMPING, SEED_OVERLAP_POWER)

    def votes(self, voters: Sequence[tuple[int, float]]) -> Votes:
        return tally(voters, self.graph.segments([pid for pid, _ in voters]))


@dataclass(frozen=True)
class _RowTracks:
    """A playlist row -> its tracks, as the co-occurrence signals read them."""

    graph: PlaylistGraph

    def get(self, row: int, default=()) -> np.ndarray:
        return self.graph.tracks_of_row(int(row))


def rank(sources: SignalSources, title: str, neighbours: Sequence[Neighbour], request: RankRequest) -> Ranking:
    """Every signal, fused, filtered; the popularity tail follows lazily (see `with_tail`)."""
    weights = request.weights
    pairs = [(n.pid, n.similarity) for n in neighbours]
    voters = weighed(pairs, "count") if request.voting == "count" else sharpened(pairs, weights.sharpness)
    votes = sources.votes(voters + list(request.liked_voters))
    # Scores are told in votes (the best-voted track's votes), so plain voting keeps its
    # meaning: under count voting a track scores the playlists that hold it. The other
    # signals lie in [0, 1] and are scaled up to the same unit.
    unit = float(votes.scores[0]) if len(votes) and votes.scores[0] > 0 else 1.0
    signals = {"votes": votes.as_scores()}
    entities = sources.entities(title) if weights.entity and title else []
    if entities:
        signals["entity"] = sources.entity_scores(entities, request.exclude_pids)
    if weights.cooccurrence and len(votes):
        anchors = {t: s / unit for t, s in zip(votes.track_ids[:ANCHORS].tolist(), votes.scores[:ANCHORS].tolist())}
        signals["cooccurrence"] = sources.cooccurrence(anchors, request.exclude_pids)
    if request.seed_ids:
        signals["seeds"] = sources.seed_neighbours(request.seed_ids, request.exclude_pids)
    multipliers = {"votes": weights.votes, "entity": weights.entity * unit,
                   "cooccurrence": weights.cooccurrence * unit,
                   "seeds": seed_weight(weights, len(request.seed_ids)) * unit}
    total = fused_totals(signals, multipliers).without(request.seed_ids)
    # Ties go to the better-voted track, then the lower id: a reproducible order.
    order = total.ids[np.lexsort((total.ids, _vote_ranks(votes, total.ids), -total.values))[:POOL]]
    pool = _scored(sources.catalog, order, total.lookup(order), votes, contributions(signals, multipliers, order))
    return Ranking(_filtered(pool, request, _seed_keys(sources.catalog, request.seed_ids)), entities)


def _vote_ranks(votes: Votes, track_ids: np.ndarray) -> np.ndarray:
    """Each track's place in the votes (the number of voted tracks when it has none)."""
    by_id = np.argsort(votes.track_ids)
    if not len(by_id):
        return np.zeros(len(track_ids), np.int64)
    at = np.minimum(np.searchsorted(votes.track_ids[by_id], track_ids), len(by_id) - 1)
    return np.where(votes.track_ids[by_id][at] == track_ids, by_id[at], len(by_id))


def _scored(catalog: Catalog, order: np.ndarray, totals: np.ndarray, votes: Votes,
            parts: list[dict[str, float]]) -> list[Scored]:
    ids = order.tolist()
    rows = catalog.track_rows(ids)
    voters_of = votes.voters_of(order)
    return [Scored(t, *rows[t], total, voters_of[t], signals=part) for t, total, part in zip(ids, totals.tolist(), parts)]


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
    popular = sources.most_played(request.exclude_pids)
    plays = sources.plays_array(request.exclude_pids)
    top = max(1, int(plays[popular[0]])) if len(popular) else 1
    for start in range(0, len(popular), 200):
        chunk = popular[start:start + 200].tolist()
        rows = sources.catalog.track_rows(chunk)
        tail = []
        for track in chunk:
            uri, name, artist = rows[track]
            key = song_key(name, artist)
            if key in taken or uri in request.exclude_track_uris:
                continue
            taken.add(key)
            tail.append(Scored(track, uri, name, artist, 0.0, [], signals={"popularity": round(int(plays[track]) / top, 6)}))
        ranked = cap_per_artist(ranked + exclude_artists(tail, request.exclude_artists), request.max_per_artist)
        if len(ranked) >= n:
            break
    return ranked[:n]
