"""Retrieval-only generation: title -> encoder -> nearest titles -> neighbour playlists
-> voting -> filters -> a `GeneratedPlaylist`.

The encoder is the one recorded in the index, so a query is always embedded by the
model that embedded the titles it is compared with.
"""

from __future__ import annotations

import gc
import time
from collections.abc import Sequence
from dataclasses import dataclass, field

from retrieval.catalog import Catalog
from retrieval.encoder import Encoder, limit_threads_for_queries
from retrieval.filters import Scored, cap_per_artist, exclude_artists, merge_versions
from retrieval.index import IndexInfo, TitleIndex
from retrieval.normalize import normalize_title
from retrieval.onnx_encoder import OnnxEncoder, open_onnx_encoder
from retrieval.records import Candidate, GeneratedPlaylist, Neighbour
from retrieval.voting import Vote, VotingRule, vote

DEFAULT_K = 50
DEFAULT_VOTING: VotingRule = "similarity"  # measured: see README, "Choosing the defaults"


class GenerationError(ValueError):
    """A request that cannot be answered as asked (empty title, bad option)."""


@dataclass(frozen=True)
class GenerationOptions:
    n: int = 10
    k: int = DEFAULT_K
    voting: VotingRule = DEFAULT_VOTING
    merge_versions: bool = True
    max_per_artist: int | None = None
    exclude_artists: tuple[str, ...] = ()
    # Playlists never used as neighbours: evaluation hides a query's own playlist here.
    exclude_pids: frozenset[int] = field(default_factory=frozenset)
    # A user's profile: unwanted tracks never appear; the playlists holding liked
    # tracks vote too, each with `like_weight` (a title neighbour votes 1).
    exclude_track_uris: frozenset[str] = field(default_factory=frozenset)
    liked_track_uris: tuple[str, ...] = ()
    like_weight: float = 0.5

    def check(self) -> None:
        if self.n < 1:
            raise GenerationError(f"the number of tracks must be at least 1, got {self.n}")
        if self.k < 1:
            raise GenerationError(f"k (neighbour playlists) must be at least 1, got {self.k}")
        if self.max_per_artist is not None and self.max_per_artist < 1:
            raise GenerationError(f"max_per_artist (tracks per artist) must be at least 1, got {self.max_per_artist}")


def require_title(title: str) -> None:
    """The one check that a title says something: every entry point calls this."""
    if not title.strip():
        raise GenerationError('the title is empty; give a playlist title such as "road trip"')


class Retriever:
    """Generates playlists from a catalog and its title index. Load once, call many times."""

    def __init__(self, catalog: Catalog, index: TitleIndex, encoder: Encoder | None = None):
        self.catalog = catalog
        self.index = index
        self.encoder = encoder or _query_encoder(index.info)
        if not isinstance(self.encoder, OnnxEncoder):
            limit_threads_for_queries()
        # torch, transformers and chromadb leave ~10^6 long-lived objects; without this a
        # full garbage collection scans them all, stalling one query in ~50 by ~200 ms.
        gc.freeze()

    def neighbours(self, title: str, k: int, exclude_pids: frozenset[int] = frozenset()) -> tuple[list[Neighbour], list[str]]:
        """The k known playlists whose titles are closest to `title`, with any warnings."""
        warnings = []
        # Titles are indexed in their normalised form, so the query is embedded in it too:
        # "Xmas Songs!!" must meet the known title "xmas songs" at similarity 1.
        encoded = self.encoder.encode([normalize_title(title) or title])
        if encoded.truncated:
            warnings.append(
                f"the title is longer than the encoder's limit of {self.encoder.max_tokens} tokens; "
                "only its beginning was used"
            )
        # Every indexed title carries a playlist, so k titles cover k playlists unless
        # some are excluded (evaluation); then look further.
        wanted_titles = k
        while True:
            nearest = self.index.nearest(encoded.vectors[0], wanted_titles)
            found = self._playlists_of(nearest, k, exclude_pids)
            if len(found) >= k or len(nearest) < wanted_titles:
                return found, warnings
            wanted_titles *= 4

    def _playlists_of(self, titles: list[tuple[int, float]], k: int, exclude_pids: frozenset[int]) -> list[Neighbour]:
        found: list[Neighbour] = []
        for title_id, similarity in titles:
            for pid, name in self.catalog.playlists_with_title(title_id, k - len(found), exclude_pids):
                found.append(Neighbour(pid=pid, name=name, similarity=round(similarity, 6)))
            if len(found) >= k:
                break
        return found

    def generate(self, title: str, options: GenerationOptions = GenerationOptions()) -> GeneratedPlaylist:
        started = time.perf_counter()
        options.check()
        require_title(title)
        normalized = normalize_title(title)
        neighbours, warnings = self.neighbours(title, options.k, options.exclude_pids)
        candidates = self.vote(neighbours, options)
        if len(candidates) < options.n:
            warnings.append(
                f"only {len(candidates)} tracks found in {len(neighbours)} neighbour playlists; "
                f"raise k (the neighbour playlists that vote) for more than {len(candidates)}"
            )
        return GeneratedPlaylist(
            title=title,
            normalized_title=normalized,
            encoder=self.index.info.encoder_name,
            k=options.k,
            voting=options.voting,
            tracks=candidates[: options.n],
            neighbours=neighbours,
            warnings=warnings,
            seconds=round(time.perf_counter() - started, 4),
        )

    def vote(self, neighbours: Sequence[Neighbour], options: GenerationOptions) -> list[Candidate]:
        """Voting plus the user's filters, as the top `options.n` ranked candidates."""
        extra = self._liked_voters(options, {n.pid for n in neighbours})
        tracks_of = self.catalog.track_ids_of([n.pid for n in neighbours] + [pid for pid, _ in extra])
        votes = vote([(n.pid, n.similarity) for n in neighbours], tracks_of, options.voting, extra)
        # Filters drop candidates, so look past n; all the votes only when they dropped too many.
        budget = min(len(votes), options.n + options.n // 4 + 20)
        while True:
            kept = self._filtered(votes[:budget], options)
            if len(kept) >= options.n or budget == len(votes):
                return [item.to_candidate(rank) for rank, item in enumerate(kept[: options.n], 1)]
            budget = len(votes)

    def _liked_voters(self, options: GenerationOptions, taken: set[int]) -> list[tuple[int, float]]:
        """Playlists holding a liked track (up to k per track), as extra weighted voters."""
        if not options.liked_track_uris:
            return []
        pids = self.catalog.playlists_containing(options.liked_track_uris, per_track=options.k)
        return [(pid, options.like_weight) for pid in pids if pid not in taken and pid not in options.exclude_pids]

    def _filtered(self, votes: Sequence[Vote], options: GenerationOptions) -> list[Scored]:
        rows = self.catalog.track_rows(v.track_id for v in votes)
        scored = [Scored(v.track_id, *rows[v.track_id], v.score, v.voters) for v in votes]
        if options.exclude_track_uris:
            scored = [s for s in scored if s.track_uri not in options.exclude_track_uris]
        if options.merge_versions:
            scored = merge_versions(scored)
        scored = exclude_artists(scored, options.exclude_artists)
        return cap_per_artist(scored, options.max_per_artist)


def _query_encoder(info: IndexInfo) -> Encoder | OnnxEncoder:
    """The index's ONNX export (no torch to import), else its torch encoder."""
    return open_onnx_encoder(info.onnx_path) or Encoder(info.encoder_path)
