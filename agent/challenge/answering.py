"""Answering a challenge playlist: 500 distinct track URIs, never one of its seeds.

Seeds are matched to the catalog as a request's seed tracks are (`resolve_seeds`: by URI,
then by song name and artist, another release of the same song); what matches neither is
skipped and counted. Seeds that are not the playlist's first tracks (the random
categories) are marked so for the retriever, whose learned ranker weighs them apart.
The retriever answers from the title and the known seeds; a playlist with neither, or
one it cannot answer, gets the most played tracks (the popularity fallback), and any
answer shorter than 500 is topped up from them. A playlist that is itself in the catalog (a challenge set
that was also ingested) never votes for itself.
"""

from __future__ import annotations

import time
from dataclasses import dataclass

from agent.challenge.reading import MAX_SEEDS, ChallengePlaylist
from retrieval.ranking.baselines import PopularTracks
from retrieval.generator import DEFAULT_K, FUSED, GenerationError, GenerationOptions, Retriever
from retrieval.methods import generate_by_method
from retrieval.records import Track
from retrieval.resolve import NameResolver, resolve_seeds

ANSWER_LENGTH = 500  # tracks the challenge asks for per playlist


@dataclass(frozen=True)
class Answer:
    pid: int
    category: str
    track_uris: list[str]
    unknown_seeds: int  # seeds matched neither by URI nor by name
    seeds: int
    fallback: bool  # answered by popularity alone: no title and no known seed, or no answer
    seconds: float  # taken to answer it, in whichever process answered

    @property
    def no_known_seed(self) -> bool:
        return self.seeds > 0 and self.unknown_seeds == self.seeds


class ChallengeAnswerer:
    """Answers challenge playlists with one retriever; load once, call for each playlist."""

    def __init__(self, retriever: Retriever, exclude_pids: frozenset[int] = frozenset(), k: int = DEFAULT_K,
                 ranker: bool = False, method: str = FUSED):
        """`exclude_pids`: playlists no answer may use (an evaluation's held-out ones);
        `ranker`: reorder by the learned ranker saved beside the catalog; `method`: the
        fused ranking or one of the field's methods alone (`retrieval.methods`)."""
        self.retriever = retriever
        self.exclude_pids = exclude_pids
        self.k = k
        self.ranker = ranker
        self.method = method
        self.catalog_pids = frozenset(retriever.catalog.pids())
        self.resolver = NameResolver(retriever.catalog)
        # Enough to fill a whole answer after leaving out the most seeds a playlist may give
        # (each seed and the release its name matched).
        depth = ANSWER_LENGTH + 2 * MAX_SEEDS
        self.popular = [track[0] for track, _ in PopularTracks(retriever.sources, exclude_pids, depth=depth).tracks]

    def why_no_ranker(self) -> str | None:
        """Why the learned ranker asked for is not used (answers then keep the fused order)."""
        return self.retriever.sources.learned_ranker()[1] if self.ranker else None

    def answer(self, playlist: ChallengePlaylist) -> Answer:
        started = time.perf_counter()
        seed_uris = [seed.track_uri for seed in playlist.seeds]
        known, unknown = self.known_seeds(playlist)
        title = playlist.name if playlist.category.titled else ""
        options = GenerationOptions(
            n=ANSWER_LENGTH, seed_uris=tuple(known), seeds_random=playlist.category.random,
            exclude_pids=self._excluded(playlist.pid),
            exclude_track_uris=frozenset(seed_uris) | frozenset(known), k=self.k, ranker=self.ranker,
            method=self.method,
        )
        found = self._retrieved(title or "", options)
        return Answer(
            pid=playlist.pid, category=playlist.category.name,
            track_uris=self._filled(found, set(seed_uris) | set(known)),
            unknown_seeds=unknown, seeds=len(seed_uris), fallback=not found,
            seconds=time.perf_counter() - started,
        )

    def _retrieved(self, title: str, options: GenerationOptions) -> list[str]:
        """Retrieval's answer from the title and seeds; from the seeds alone when the title
        cannot be used (punctuation only); empty when neither can."""
        for asked in dict.fromkeys([title, ""] if options.seed_uris else [title]):
            try:
                return [track.track_uri for track in generate_by_method(self.retriever, asked, options).tracks]
            except GenerationError:
                continue
        return []

    def known_seeds(self, playlist: ChallengePlaylist) -> tuple[list[str], int]:
        """Catalog URIs of the seeds, in order, each once (by URI, else by name and artist),
        and how many seeds matched neither."""
        found = resolve_seeds(self.resolver, [Track(track_uri=seed.track_uri, track_name=seed.track_name,
                                                    artist_name=seed.artist_name) for seed in playlist.seeds])
        return [track.track_uri for track in found.tracks], found.unknown

    def _excluded(self, pid: int) -> frozenset[int]:
        if pid in self.catalog_pids and pid not in self.exclude_pids:
            return self.exclude_pids | {pid}
        return self.exclude_pids

    def _filled(self, found: list[str], banned: set[str]) -> list[str]:
        """`found` without repeats or banned URIs, topped up to 500 with the most played tracks."""
        answer = dict.fromkeys(uri for uri in found if uri not in banned)
        for uri in self.popular:
            if len(answer) >= ANSWER_LENGTH:
                break
            if uri not in banned:
                answer.setdefault(uri)
        return list(answer)[:ANSWER_LENGTH]
