"""What users ask of a generated playlist beyond the ranking: one entry per song
(versions merged), no artist dominating, some artists left out.

Each takes and returns candidates in rank order; ranks are renumbered at the end by
whoever composes them.
"""

from __future__ import annotations

from collections.abc import Iterable, Sequence

from retrieval.normalize import normalize_title, song_key
from retrieval.records import Candidate


def merge_versions(candidates: Sequence[Candidate]) -> list[Candidate]:
    """Fold "Song - Remastered", "Song - Live" ... into the best-ranked version of the song.

    The kept version adds the others' scores and voters, since a vote for any
    version is a vote for the song.
    """
    kept: dict[str, Candidate] = {}
    for candidate in candidates:
        key = song_key(candidate.track_name, candidate.artist_name)
        first = kept.get(key)
        if first is None:
            kept[key] = candidate
            continue
        voters = list(dict.fromkeys(first.voters + candidate.voters))
        kept[key] = first.model_copy(update={
            "score": first.score + candidate.score,
            "voters": voters,
            "merged_uris": first.merged_uris + [candidate.track_uri],
        })
    return sorted(kept.values(), key=lambda c: -c.score) if len(kept) < len(candidates) else list(kept.values())


def exclude_artists(candidates: Iterable[Candidate], artists: Iterable[str]) -> list[Candidate]:
    """Drop every track by one of `artists` (compared case- and punctuation-blind)."""
    unwanted = {normalize_title(a) for a in artists}
    return [c for c in candidates if normalize_title(c.artist_name) not in unwanted]


def cap_per_artist(candidates: Iterable[Candidate], limit: int | None) -> list[Candidate]:
    """Keep at most `limit` tracks of any artist, the best-ranked ones."""
    if limit is None:
        return list(candidates)
    if limit < 1:
        raise ValueError(f"--max-per-artist must be at least 1, got {limit}")
    seen: dict[str, int] = {}
    kept = []
    for candidate in candidates:
        artist = normalize_title(candidate.artist_name)
        if seen.get(artist, 0) < limit:
            seen[artist] = seen.get(artist, 0) + 1
            kept.append(candidate)
    return kept


def renumber(candidates: Sequence[Candidate]) -> list[Candidate]:
    return [c if c.rank == i else c.model_copy(update={"rank": i}) for i, c in enumerate(candidates, 1)]
