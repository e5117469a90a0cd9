"""`agent evaluate --categories challenge`: the challenge's ten categories made from
held-out catalog playlists, answered as `agent challenge` answers, scored per category.

Each held-out playlist goes to one category it is long enough for (at least one track
must stay hidden), the least filled so far, the most demanding first on ties, so long
playlists go to the 100-seed categories. Random seeds are drawn with the split's seed;
the answerer reads them as `agent challenge` does, from their positions, so the learned
ranker is told the seeds are a sample exactly as it is when answering a challenge set.
The challenge set and its truth are written in the formats `agent challenge` and
`agent challenge score` read, so another tool's answers can be scored on the same split.
"""

from __future__ import annotations

import random
from collections.abc import Callable, Sequence
from pathlib import Path

from pydantic import BaseModel

from agent.challenge.answering import ChallengeAnswerer
from agent.challenge.categories import CHALLENGE_CATEGORIES, Category
from agent.challenge.reading import parse_challenge_playlist
from agent.challenge.scoring import CategoryScores, artist_lookup, by_category, score_answer
from agent.evaluation.jobs import QueryChoice, select_queries
from agent.evaluation.queries import Query
from retrieval.catalog import Catalog
from retrieval.ranking.fusion import FusionWeights
from retrieval.generator import Retriever
from retrieval.index.titles import ChromaLocation, derive_index, drop_index, open_index

SPLIT_FILE = Path("held-out split")  # what a message about a made playlist names as its file


class ChallengeReport(BaseModel):
    holdout: str
    rows: list[CategoryScores]
    note: str | None = None  # why the learned ranker asked for was not used


def make_challenge(queries: Sequence[Query], seed: int) -> tuple[list[dict], list[dict]]:
    """(challenge playlists, truth playlists) in the challenge set's and the truth file's JSON forms."""
    rng = random.Random(seed)
    filled = {category: 0 for category in CHALLENGE_CATEGORIES}
    challenge, truth = [], []
    for query in sorted(queries, key=lambda q: q.pid or 0):
        tracks = list({track[0]: track for track in query.tracks}.values())  # each track once, first place kept
        fits = [c for c in CHALLENGE_CATEGORIES if len(tracks) > c.seeds]
        if not fits:
            continue
        category = min(fits, key=lambda c: (filled[c], -c.seeds, c.random))
        filled[category] += 1
        positions = sorted(rng.sample(range(len(tracks)), category.seeds)) if category.random else list(
            range(category.seeds))
        given = [dict(pos=pos, track_uri=tracks[pos][0], track_name=tracks[pos][1], artist_name=tracks[pos][2])
                 for pos in positions]
        challenge.append(_challenge_playlist(query, category, given, len(tracks)))
        seeds = [track["track_uri"] for track in given]
        truth.append({"pid": query.pid, "category": category.name, "seeds": seeds,
                      "held_out": [t[0] for t in tracks if t[0] not in set(seeds)]})
    return challenge, truth


def _challenge_playlist(query: Query, category: Category, given: list[dict], length: int) -> dict:
    playlist = {"pid": query.pid, "num_holdouts": length - len(given), "num_samples": len(given),
                "num_tracks": length, "tracks": given}
    return ({"name": query.title} | playlist) if category.titled else playlist


def score_challenge(answerer: ChallengeAnswerer, challenge: Sequence[dict], truth: Sequence[dict],
                    artists: Callable[[Sequence[str]], dict[str, str]],
                    on_playlist: Callable[[int, int], None] | None = None) -> list[CategoryScores]:
    """Answer each made playlist and score it; R-precision with the challenge's artist credit."""
    scored = []
    for done, (raw, hidden) in enumerate(zip(challenge, truth), 1):
        found = answerer.answer(parse_challenge_playlist(SPLIT_FILE, raw)).track_uris
        scored.append((hidden["category"], score_answer(found, hidden["held_out"], artists([*found, *hidden["held_out"]]))))
        if on_playlist:
            on_playlist(done, len(challenge))
    return by_category(scored)


def evaluate_challenge(catalog: Catalog, chroma: ChromaLocation, choice: QueryChoice, weights: FusionWeights,
                       reporter, ranker: bool = False) -> tuple[ChallengeReport, list[dict], list[dict]]:
    """The ten categories on a held-out split, over an index without the held-out playlists."""
    selected = select_queries(catalog, choice, reporter)
    challenge, truth = make_challenge(selected.queries, choice.seed)
    base = open_index(catalog, chroma)
    index = derive_index(catalog, base, chroma, selected.exclude) if selected.exclude else base
    try:
        answerer = ChallengeAnswerer(Retriever(catalog, index, weights=weights), selected.exclude, ranker=ranker)
        with reporter.progress("Answering the challenge categories", total=len(challenge)) as update:
            rows = score_challenge(answerer, challenge, truth, artist_lookup(catalog), update)
        note = answerer.why_no_ranker()
    finally:
        if index is not base:
            drop_index(chroma, index)
    return ChallengeReport(holdout=selected.label, rows=rows, note=note), challenge, truth
