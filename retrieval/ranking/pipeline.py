"""From neighbour playlists (and seed tracks) to one ranked, filtered list of tracks.

The signals of `retrieval.signals` are read through `SignalSources`, fused with
`retrieval.ranking.fusion` over every candidate track and folded into songs; only the songs
that can come first are sorted (`retrieval.ranking.top_songs`), and only the songs shown are
read from the catalog. The ranking never depends on how many tracks are asked for:
the first songs are the ones ranking every candidate gives, and the filters that
remain only drop songs, so the first n are the same whatever n is.
"""

from __future__ import annotations

import itertools
from collections.abc import Iterator, Sequence
from dataclasses import dataclass, field

import numpy as np

from retrieval.ranking.discovery import collaborative_scores, discovered
from retrieval.ranking.filters import Scored, cap_per_artist, exclude_artists
from retrieval.ranking.fusion import FusionWeights, contributions, fused_totals, seed_weight
from retrieval.records import Neighbour
from retrieval.ranking.sources import SignalSources
from retrieval.signals.crowd_tags import TAG_CANDIDATES
from retrieval.signals.entity import EntityMatch
from retrieval.signals.neighbours import crowded, exact_weighted, sharpened
from retrieval.signals.scores import ID, TrackScores
from retrieval.ranking.top_songs import TopSongs
from retrieval.signals.voting import Votes, VotingRule, weighed

ANCHORS = 5  # best-voted tracks whose co-occurrences smooth the votes (measured: docs/quality.md)
# A title whose nearest known title is this similar is one the catalog knows (0.9-0.99 measured the same).
KNOWN_TITLE = 0.95
TAIL_CHUNK = 200  # most-played tracks read at a time for the tail


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
    title_vector: np.ndarray | None = None  # the title's embedding, for crowd tags (None: no title)
    discovery: float = 0.0  # 0..1: how far scores are divided by popularity (`retrieval.ranking.discovery`)


@dataclass
class Ranking:
    """Every candidate track folded into songs, ranked as far as read; read from the catalog lazily."""

    songs: TopSongs
    votes: Votes
    signals: dict[str, TrackScores]
    multipliers: dict[str, float]
    songs_seen: tuple[np.ndarray, ...]  # songs of every candidate and seed: the tail skips them
    unwanted: np.ndarray  # ids of the tracks the user does not want
    entities: list[EntityMatch] = field(default_factory=list)


def rank(sources: SignalSources, title: str, neighbours: Sequence[Neighbour], request: RankRequest) -> Ranking:
    """Every signal, fused over every candidate, folded into songs."""
    weights = request.weights
    pairs = [(n.pid, n.similarity) for n in neighbours]
    voters = weighed(pairs, "count") if request.voting == "count" else sharpened(pairs, weights.sharpness)
    voters = exact_weighted(pairs, crowded(pairs, voters, weights.crowding), weights.exact)
    votes = sources.votes(voters + list(request.liked_voters))
    # Scores are told in votes (the best-voted track's votes), so plain voting keeps its
    # meaning: under count voting a track scores the playlists that hold it. The other
    # signals lie in [0, 1] and are scaled up to the same unit.
    best_votes = float(votes.by_track.values.max(initial=0.0))
    unit = best_votes if best_votes > 0 else 1.0
    signals, multipliers, entities = _signals(sources, title, neighbours, votes, unit, request)
    total = fused_totals(signals, multipliers)
    tracks, scores = total.ids, total.values
    songs = sources.graph.songs_of(tracks)
    seed_songs = sources.graph.songs_of(np.array(request.seed_ids, ID))
    unwanted = sources.track_ids(request.exclude_track_uris)
    if len(seed_songs) or len(unwanted):
        # A seed never comes back, nor another version of it; an unwanted version goes alone.
        keep = ~np.isin(songs, seed_songs) & ~np.isin(tracks, unwanted)
        tracks, scores, songs = tracks[keep], scores[keep], songs[keep]
    if weights.tags and request.seed_ids and len(tracks):
        scores = _steered_by_tags(sources, tracks, scores, songs, request, signals, multipliers)
    if request.discovery and len(tracks):
        scores = discovered(tracks, scores, sources.plays_array(request.exclude_pids), request.discovery,
                            signals, multipliers)
    shared = sources.graph.with_versions(tracks) if request.merge_versions else np.zeros(len(tracks), bool)
    # Ties go to the better-voted track, then the lower id: a reproducible order.
    ranked_songs = TopSongs(tracks, scores, shared, songs, votes.tie_keys)
    return Ranking(ranked_songs, votes, signals, multipliers, (songs, seed_songs), unwanted, entities)


def _signals(sources: SignalSources, title: str, neighbours: Sequence[Neighbour], votes: Votes, unit: float,
             request: RankRequest) -> tuple[dict[str, TrackScores], dict[str, float], list[EntityMatch]]:
    """Each signal's scores and its multiplier in votes, and the entities the title names."""
    weights = request.weights
    signals = {"votes": votes.by_track}
    entities = sources.entities(title) if weights.entity and title else []
    entity_weight = weights.entity
    if entities:
        signals["entity"] = sources.entity_scores(entities, request.exclude_pids)
        if neighbours and neighbours[0].similarity >= KNOWN_TITLE:
            # The catalog's own playlists with this title say what it means: an artist
            # they barely play ("Sunday", "Classics") is a coincidence of names.
            entity_weight *= sources.entity_support(signals["entity"], votes.by_track)
    if weights.cooccurrence and len(votes):
        anchors = {t: s / unit for t, s in zip(*(part.tolist() for part in votes.best(ANCHORS)))}
        signals["cooccurrence"] = sources.cooccurrence(anchors, request.exclude_pids)
    if weights.artists and len(votes):
        signals["artists"] = sources.voted_artists(votes.by_track, request.exclude_pids)
    if request.seed_ids:
        signals["seeds"] = sources.seed_neighbours(request.seed_ids, request.exclude_pids)
        if weights.seed_artists:
            signals["seed_artists"] = sources.seed_artists(request.seed_ids, request.exclude_pids)
        if weights.collaborative:
            signals["als"] = collaborative_scores(sources.model("als", request.exclude_pids), request.seed_ids)
    seeds_unit = seed_weight(weights, len(request.seed_ids)) * unit
    multipliers = {"votes": weights.votes, "entity": entity_weight * unit,
                   "cooccurrence": weights.cooccurrence * unit, "artists": weights.artists * unit,
                   "seeds": seeds_unit, "seed_artists": weights.seed_artists * seeds_unit,
                   "als": weights.collaborative * seeds_unit}
    return signals, multipliers, entities


def _steered_by_tags(sources: SignalSources, tracks: np.ndarray, scores: np.ndarray, songs: np.ndarray,
                     request: RankRequest, signals: dict[str, TrackScores], multipliers: dict[str, float]) -> np.ndarray:
    """The best candidates' scores times 1 + weight x their crowd-tag likeness to the seeds
    and the title (`signals.crowd_tags`; never below 0), the change recorded as the "tags"
    signal: once per song, on its best-scored version, so a song of many versions is not
    moved many times."""
    count = min(4 * TAG_CANDIDATES, len(tracks))  # enough to hold TAG_CANDIDATES songs, as a rule
    cut = -np.partition(-scores, count - 1)[count - 1]
    best = np.flatnonzero(scores >= cut)
    best = best[np.lexsort((tracks[best], -scores[best]))]  # ties by the lower id
    _, first = np.unique(songs[best], return_index=True)
    best = best[np.sort(first)][:TAG_CANDIDATES]
    likeness = sources.crowd_tags(tracks[best], request.seed_ids, request.title_vector,
                                  request.weights.tags_title, request.exclude_pids)
    if likeness is None:
        return scores
    # A score is scaled, not shifted: a song that barely made the list cannot ride its tags to the top.
    change = scores[best] * np.maximum(-1.0, request.weights.tags * likeness)
    order = np.argsort(tracks[best])
    signals["tags"], multipliers["tags"] = TrackScores(tracks[best][order], change[order]), 1.0
    scores = scores.copy()
    scores[best] += change
    return scores


def ranked(sources: SignalSources, ranking: Ranking, request: RankRequest, n: int) -> list[Scored]:
    """The first n songs after the user's filters, then the most-played songs the ranking
    lacks (the popularity tail) when it runs out."""
    chunks = _song_chunks(sources, ranking, first=n + 20)
    if request.weights.tail:
        chunks = itertools.chain(chunks, _tail_chunks(sources, ranking, request.exclude_pids))
    shown: list[Scored] = []
    for chunk in chunks:
        shown = cap_per_artist(shown + exclude_artists(chunk, request.exclude_artists), request.max_per_artist)
        if len(shown) >= n:
            break
    return shown[:n]


def _song_chunks(sources: SignalSources, ranking: Ranking, first: int) -> Iterator[list[Scored]]:
    size, start = first, 0
    while len(songs := ranking.songs.first(start + size)[start:]):
        yield _songs_shown(sources, ranking, songs.tolist())
        start, size = start + size, size * 2


def _songs_shown(sources: SignalSources, ranking: Ranking, songs: list[int]) -> list[Scored]:
    """Songs as `Scored`: the best version, with every version's score, voters and signals."""
    versions = [ranking.songs.versions(song).tolist() for song in songs]
    every = np.array([t for group in versions for t in group], ID)
    rows = sources.track_rows(every.tolist())
    voters_of = ranking.votes.voters_of(every)
    parts = dict(zip(every.tolist(), contributions(ranking.signals, ranking.multipliers, every)))
    shown = []
    for song, group in zip(songs, versions):
        head = group[0]
        voters = list(dict.fromkeys(pid for track in group for pid in voters_of[track]))
        shown.append(Scored(head, *rows[head], float(ranking.songs.scores[song]), voters,
                            merged_uris=[rows[t][0] for t in group[1:]], signals=_summed(parts[t] for t in group)))
    return shown


def _summed(parts: Iterator[dict[str, float]]) -> dict[str, float]:
    total: dict[str, float] = {}
    for part in parts:
        for name, value in part.items():
            total[name] = total.get(name, 0.0) + value
    return total


def _tail_chunks(sources: SignalSources, ranking: Ranking, exclude_pids: frozenset[int]) -> Iterator[list[Scored]]:
    """The most-played songs not ranked yet, each as its most-played version."""
    popular = sources.most_played(exclude_pids)
    plays = sources.plays_array(exclude_pids)
    top = max(1, int(plays[popular[0]])) if len(popular) else 1
    taken = np.unique(np.concatenate(ranking.songs_seen))
    for start in range(0, len(popular), TAIL_CHUNK):
        chunk = popular[start:start + TAIL_CHUNK]
        songs = sources.graph.songs_of(chunk)
        fresh = ~np.isin(songs, taken) & ~np.isin(chunk, ranking.unwanted)
        _, first = np.unique(songs, return_index=True)
        fresh[np.setdiff1d(np.arange(len(chunk)), first)] = False  # one version of each song
        taken = np.union1d(taken, songs)
        picked = chunk[fresh].tolist()
        rows = sources.track_rows(picked)
        yield [Scored(t, *rows[t], 0.0, [], signals={"popularity": round(int(plays[t]) / top, 6)}) for t in picked]
