"""What users ask of a generated playlist beyond the ranking: no artist dominating,
some artists left out (versions of a song are folded before, in `retrieval.ranking.top_songs`).

Each filter takes scored tracks in rank order and returns them in rank order, dropping
some and never reordering, so applying one to the first n songs gives the first songs
of applying it to all. They run on light `Scored` objects, not on the pydantic records.
"""

from __future__ import annotations

from collections.abc import Iterable
from dataclasses import dataclass, field

from retrieval.normalize import artist_key, normalize_title
from retrieval.records import Candidate


@dataclass(slots=True)
class Scored:
    track_id: int
    track_uri: str
    track_name: str
    artist_name: str
    score: float
    voters: list[int]
    merged_uris: list[str] = field(default_factory=list)
    signals: dict[str, float] | None = None  # each signal's weighted part of the score

    def to_candidate(self, rank: int) -> Candidate:
        # Built from catalog rows already typed, so validation would only cost time.
        return Candidate.model_construct(
            track_uri=self.track_uri, track_name=self.track_name, artist_name=self.artist_name,
            rank=rank, score=round(self.score, 6), voters=self.voters, merged_uris=self.merged_uris,
            signals={name: round(value, 6) for name, value in self.signals.items()} if self.signals else None,
        )


def exclude_artists(scored: Iterable[Scored], artists: Iterable[str]) -> list[Scored]:
    """Drop every track by one of `artists`, compared case- and punctuation-blind; a
    collaboration led by an unwanted artist ("Eminem & Rihanna") goes too."""
    unwanted = {normalize_title(a) for a in artists} | {artist_key(a) for a in artists}
    if not unwanted:
        return list(scored)
    return [
        s for s in scored
        if normalize_title(s.artist_name) not in unwanted and artist_key(s.artist_name) not in unwanted
    ]


def cap_per_artist(scored: Iterable[Scored], limit: int | None) -> list[Scored]:
    """Keep at most `limit` tracks of any artist, the best-ranked ones."""
    if limit is None:
        return list(scored)
    if limit < 1:
        raise ValueError(f"--max-per-artist must be at least 1, got {limit}")
    seen: dict[str, int] = {}
    kept = []
    for item in scored:
        artist = normalize_title(item.artist_name)
        if seen.get(artist, 0) < limit:
            seen[artist] = seen.get(artist, 0) + 1
            kept.append(item)
    return kept
