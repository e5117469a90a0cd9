"""The catalog data the ranking signals read, opened once per process: the playlist
graph (tracks of playlists, playlists of tracks, play counts, songs) and the catalog's
artist and album names for entity matches."""

from __future__ import annotations

import contextlib
from collections.abc import Callable, Sequence
from typing import ContextManager
from dataclasses import dataclass

import numpy as np

from retrieval.catalog import Catalog
from retrieval.collaborative.base import Recommender
from retrieval.collaborative.models import CollaborativeModels
from retrieval.collaborative.store import als_folder
from retrieval.index.exact import ExactTitleSearch
from retrieval.ranking.learned import LearnedRanker, ranker_folder
from retrieval.remembering import KeptRows
from retrieval.graph.arrays import PlaylistGraph, by_track
from retrieval.graph.store import graph_saved, open_graph
from retrieval.signals.artists import artist_playlist_scores, artist_track_scores, seed_artist_scores
from retrieval.signals.cooccurrence import Plays, cooccurrence_scores, seed_neighbour_scores
from retrieval.signals.crowd_tags import CrowdTags, tag_similarity
from retrieval.signals.entity import EntityMatch, entity_scores
from retrieval.signals.names import fold_name
from retrieval.signals.scores import Segments, TrackScores
from retrieval.signals.voting import Votes, tally

# Measured on a validation split of the MPD sample (docs/quality.md, "Retrieval quality").
PLAYLISTS_PER_ANCHOR = 50  # playlists read per anchor track
PLAYLISTS_PER_SEED = 200  # playlists read per seed track
ENTITY_TRACKS = 50  # most-played tracks of a matched artist or album
ENTITY_EXPONENT = 0.25
COOCCURRENCE_DAMPING = 0.3
# Seeds are a stronger anchor than a title's best-voted tracks: undamped, a hit that sits
# beside them is usually right (validation NDCG@10 with 5 seeds 0.224 at 0.3, 0.239 at 0).
SEED_DAMPING = 0.0
SEED_OVERLAP_POWER = 2.0
# Tracks near the seeds in a playlist holding two or more of them (validation NDCG@10 with
# 5 seeds +0.003, +0.004, +0.007 on three splits; boosting near a lone seed cost 0.003 at 1 seed).
SEED_NEARBY_BOOST = 1.0
SEED_NEARBY_SCALE = 5.0  # positions
# Seed votes are trusted as 1 - exp(-playlists / (3 (seeds - 1))): several seeds that few
# playlists hold say little (validation NDCG@10 with 5 seeds +0.004, +0.005, +0.002 on three
# splits; with 25 seeds -0.001, +0.007, +0.003; one seed is left whole: trimming it cost 0.003).
SEED_PLAYLISTS_PER_SEED = 3.0
# Seed artists (validation NDCG@10 with 5 seeds 0.258 without, 0.278 with).
SEED_ARTIST_EXPONENT = 0.25  # an artist's tracks rank by plays ** this (0.5 and 1 were worse)
ARTIST_PLAYLIST_WEIGHT = 0.3  # playlists holding a seed's artist, against the artist's own tracks
ARTIST_TRACKS_READ = 50  # an artist's most-played tracks whose playlists are read
PLAYLISTS_PER_ARTIST = 200
VOTED_ARTISTS = 5  # the best-voted artists whose other tracks join a title's candidates
VOTED_ARTIST_EXPONENT = 1.0
# Tracks whose (uri, name, artist) a process keeps (about 200 bytes each): the songs shown
# repeat across queries, and reading them costs as much as a signal.
TRACK_ROWS_KEPT = 100_000


def prepare_signal_data(catalog: Catalog, building: Callable[[], ContextManager] = contextlib.nullcontext) -> PlaylistGraph:
    """The signal tables and the playlist graph for the catalog's current playlists, built
    when they changed: an index build calls this, so the first query does not pay for it.
    `building()` wraps the work when there is some (seconds, minutes on the full MPD): a
    caller shows progress there."""
    if catalog.signals_unchanged() and graph_saved(catalog, catalog.signals_fingerprint()):
        return open_graph(catalog, catalog.signals_fingerprint())  # the usual start: nothing to count
    fingerprint = catalog.fingerprint()
    if catalog.signals_fingerprint() == fingerprint and graph_saved(catalog, fingerprint):
        return open_graph(catalog, fingerprint)
    with building():
        catalog.refresh_signal_tables(fold_name)
        return open_graph(catalog, catalog.signals_fingerprint())


class SignalSources:
    """The catalog data the signals read: the playlist graph and entity names, opened once."""

    def __init__(self, catalog: Catalog, building: Callable[[], ContextManager] = contextlib.nullcontext,
                 titles: ExactTitleSearch | None = None):
        """`titles`, the title index's vectors, give tracks their crowd tags; without them
        (an index served by Chroma alone) seeded requests go without."""
        self.catalog = catalog
        self.graph = prepare_signal_data(catalog, building)
        self._held_out: tuple[frozenset[int], np.ndarray, np.ndarray] | None = None
        self._titles = titles
        self._tags: CrowdTags | None = None  # made on the first seeded request
        self._ranker: tuple[LearnedRanker | None, str | None] | None = None
        self._rows = KeptRows(catalog.track_rows, TRACK_ROWS_KEPT)
        self.collaborative = CollaborativeModels(self.graph, als_folder(catalog.path), catalog.signals_fingerprint())

    def track_rows(self, track_ids: list[int]) -> dict[int, tuple[str, str, str]]:
        """(uri, name, artist) by track id, as `Catalog.track_rows` reads them; kept while this lives."""
        return self._rows.get(track_ids)

    def learned_ranker(self) -> tuple[LearnedRanker | None, str | None]:
        """The ranker saved beside the catalog (loaded once), or None and why not."""
        if self._ranker is None:
            self._ranker = LearnedRanker.load(ranker_folder(self.catalog.path), self.catalog.signals_fingerprint())
        return self._ranker

    def plays_of_uris(self, uris: Sequence[str | None], exclude_pids: frozenset[int]) -> np.ndarray:
        ids = self.catalog.track_ids_for_uris([uri for uri in uris if uri])
        known = np.array([ids.get(uri, -1) if uri else -1 for uri in uris], np.int64)
        return by_track(self.plays_array(exclude_pids), known, missing=0)

    def model(self, name: str, exclude_pids: frozenset[int] = frozenset()) -> Recommender | None:
        """A collaborative model (`retrieval.collaborative`) that never learned from `exclude_pids`."""
        return self.collaborative.get(name, exclude_pids, lambda: self._hidden(exclude_pids))

    def plays_array(self, exclude_pids: frozenset[int] = frozenset()) -> np.ndarray:
        """Per track id, the playlists holding it, leaving out `exclude_pids` (evaluation's held-out ones)."""
        return self._hidden(exclude_pids)[0] if exclude_pids else self.graph.plays

    def plays_getter(self, exclude_pids: frozenset[int]) -> Plays:
        plays = self.plays_array(exclude_pids)
        return lambda track_ids: by_track(plays, track_ids, missing=0)

    def _hidden(self, exclude_pids: frozenset[int]) -> tuple[np.ndarray, np.ndarray]:
        """(plays without the held-out playlists, a mask of the held-out rows), kept for the
        last set asked: evaluation asks with the same set for every query."""
        # The same set is the usual case: comparing two equal sets of 200,000 pids element by
        # element took most of a training query at 1M playlists.
        if self._held_out is None or (self._held_out[0] is not exclude_pids and self._held_out[0] != exclude_pids):
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
                                     SEED_DAMPING, SEED_OVERLAP_POWER, SEED_NEARBY_BOOST, SEED_NEARBY_SCALE,
                                     SEED_PLAYLISTS_PER_SEED)

    def seed_artists(self, seeds: Sequence[int], exclude_pids: frozenset[int]) -> TrackScores:
        """Tracks of the seeds' artists and of playlists holding them (see `signals.artists`)."""
        seeds = list(dict.fromkeys(seeds))
        artists = [a for a in self.graph.artists_of(np.array(seeds, np.int64)).tolist() if a >= 0]
        if not artists:
            return TrackScores.empty()
        shares = {artist: artists.count(artist) / len(seeds) for artist in dict.fromkeys(artists)}
        own = artist_track_scores(shares, self.graph.tracks_by_artist, self.plays_getter(exclude_pids),
                                  SEED_ARTIST_EXPONENT)
        plays = self.plays_array(exclude_pids)
        voted = artist_playlist_scores(list(shares), lambda artist: self._artist_rows(artist, plays, exclude_pids),
                                       self.graph.tracks_of_row, SEED_OVERLAP_POWER)
        return seed_artist_scores(own, voted, ARTIST_PLAYLIST_WEIGHT, seeds)

    def crowd_tags(self, tracks: np.ndarray, seeds: Sequence[int], title_vector: np.ndarray | None,
                   title_share: float, exclude_pids: frozenset[int]) -> np.ndarray | None:
        """Each track's crowd-tag likeness to the seeds and the title (`signals.crowd_tags`),
        in the order of `tracks`; None without title vectors."""
        if self._titles is None:
            return None
        if self._tags is None:
            rows = self._titles.rows_of(self.graph.row_titles())
            self._tags = CrowdTags(self.graph.rows_of_tracks, rows, self._titles.vectors)
        hidden = self._hidden(exclude_pids)[1] if exclude_pids else None
        title = self._tags.centred_title(title_vector, hidden) if title_vector is not None else None
        return tag_similarity(self._tags.of(tracks, hidden), self._tags.of(np.array(seeds, np.int64), hidden),
                              title, title_share)

    def entity_support(self, entity: TrackScores, votes: TrackScores) -> float:
        """How far a title's votes back the entity it names: the votes on the entity's
        tracks over those on the best-voted artist's tracks, at most 1."""
        best = float(self._artist_votes(votes).max(initial=0.0))
        return min(1.0, float(votes.lookup(entity.ids).sum()) / best) if best > 0 else 0.0

    def voted_artists(self, votes: TrackScores, exclude_pids: frozenset[int]) -> TrackScores:
        """The played tracks of the artists the title's votes favour most, each scored
        (its artist's votes / the best artist's) x (plays / the artist's best)."""
        mass = self._artist_votes(votes)
        if not len(mass):
            return TrackScores.empty()
        top = min(VOTED_ARTISTS, len(mass))
        best = np.argpartition(-mass, top - 1)[:top]
        best = best[np.lexsort((best, -mass[best]))]  # most votes first, then the lower number
        best = best[mass[best] > 0]
        shares = {int(artist): float(mass[artist] / mass[best[0]]) for artist in best}
        return artist_track_scores(shares, self.graph.tracks_by_artist, self.plays_getter(exclude_pids),
                                   VOTED_ARTIST_EXPONENT)

    def _artist_votes(self, votes: TrackScores) -> np.ndarray:
        """Per artist number, the votes on its tracks (empty when no voted track has an artist)."""
        artists = self.graph.artists_of(votes.ids)
        known = artists >= 0
        return np.bincount(artists[known], weights=votes.values[known])

    def _artist_rows(self, artist: int, plays: np.ndarray, exclude_pids: frozenset[int]) -> np.ndarray:
        """Rows of up to `PLAYLISTS_PER_ARTIST` playlists holding the artist's most-played tracks."""
        tracks = self.graph.tracks_by_artist(artist)
        tracks = tracks[np.argsort(-plays[tracks], kind="stable")[:ARTIST_TRACKS_READ]]
        holding = self.playlists_holding(tracks.tolist(), PLAYLISTS_PER_ARTIST, exclude_pids).values()
        return np.unique(np.concatenate(list(holding)))[:PLAYLISTS_PER_ARTIST] if holding else np.empty(0, np.int64)

    def track_ids(self, uris: frozenset[str] | Sequence[str]) -> np.ndarray:
        """Ids of the catalog tracks with these URIs (unknown ones left out)."""
        return np.fromiter(self.catalog.track_ids_for_uris(uris).values(), np.int64) if uris else np.empty(0, np.int64)

    def votes(self, voters: Sequence[tuple[int, float]]) -> Votes:
        return tally(voters, Segments(*self.graph.tracks_of_pids([pid for pid, _ in voters])))


@dataclass(frozen=True)
class _RowTracks:
    """A playlist row -> its tracks, as the co-occurrence signals read them."""

    graph: PlaylistGraph

    def get(self, row: int, default=()) -> np.ndarray:
        return self.graph.tracks_of_row(int(row))

    def laid_end_to_end(self, rows: np.ndarray) -> Segments:
        return Segments(*self.graph.tracks_of_rows(rows))
