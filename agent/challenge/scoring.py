"""Scoring answers against held-out tracks with the challenge's metrics, per category.

The truth file (JSON, or .json.gz) holds what each playlist gave and what it kept back:

    {"playlists": [{"pid": 7, "category": "title + first 5",
                    "seeds": ["spotify:track:...", ...], "held_out": ["spotify:track:...", ...]}]}

`category` is optional (such playlists are scored under "unknown"); `seeds` may be empty.
`agent evaluate --categories challenge` writes one beside the challenge set it makes.
"""

from __future__ import annotations

import statistics
from collections.abc import Callable, Iterable, Mapping, Sequence
from pathlib import Path
from typing import Any, NamedTuple

from pydantic import BaseModel

from agent.challenge.answering import ANSWER_LENGTH
from agent.challenge.categories import category_order
from agent.challenge.reading import ChallengeFileError, load_json
from agent.challenge.submission import Submission
from retrieval.metrics import ranking as metrics
from retrieval.catalog import Catalog
from retrieval.normalize import artist_key

ALL = "all"
UNKNOWN_CATEGORY = "unknown"
METRIC_NAMES = ("r_precision", "ndcg@10", "ndcg", "clicks")
SHOWN_PROBLEMS = 5


class TruthPlaylist(NamedTuple):
    pid: int
    category: str
    seeds: list[str]
    held_out: list[str]


class CategoryScores(BaseModel):
    category: str
    playlists: int
    means: dict[str, float]


def score_answer(recommended: Sequence[str], held_out: Sequence[str],
                 artist_of: Mapping[str, str] | None = None) -> dict[str, float]:
    """The challenge's three metrics and NDCG@10 for one answer (`artist_of` gives R-precision's artist credit)."""
    return {
        "r_precision": metrics.r_precision(recommended, held_out, artist_of),
        "ndcg@10": metrics.ndcg_at(recommended, held_out, 10),
        "ndcg": metrics.challenge_ndcg(recommended, held_out),
        "clicks": float(metrics.songs_clicks(recommended, held_out)),
    }


def by_category(scored: Iterable[tuple[str, dict[str, float]]]) -> list[CategoryScores]:
    """Mean of each metric per category, in the challenge's order, then over all playlists."""
    groups: dict[str, list[dict[str, float]]] = {}
    for category, scores in scored:
        groups.setdefault(category, []).append(scores)
    everything = [scores for group in groups.values() for scores in group]
    rows = [_row(name, groups[name]) for name in sorted(groups, key=category_order)]
    return rows + [_row(ALL, everything)] if everything else rows


def _row(category: str, scores: list[dict[str, float]]) -> CategoryScores:
    means = {name: statistics.fmean(s[name] for s in scores) for name in METRIC_NAMES}
    return CategoryScores(category=category, playlists=len(scores), means=means)


def read_truth(path: Path) -> list[TruthPlaylist]:
    data = load_json(path)
    if not isinstance(data, dict) or not isinstance(data.get("playlists"), list):
        raise ChallengeFileError(path, "not a truth file: expected an object with a 'playlists' list")
    found: dict[int, TruthPlaylist] = {}
    for raw in data["playlists"]:
        entry = _truth_playlist(path, raw)
        if entry.pid in found:
            raise ChallengeFileError(path, "pid appears twice in the truth file", entry.pid, "pid")
        found[entry.pid] = entry
    return list(found.values())


def _truth_playlist(path: Path, raw: Any) -> TruthPlaylist:
    if not isinstance(raw, dict):
        raise ChallengeFileError(path, "each playlist must be an object")
    pid = raw.get("pid")
    if type(pid) is not int:
        raise ChallengeFileError(path, f"pid must be an integer, got {pid!r:.40}", None, "pid")
    category = raw.get("category", UNKNOWN_CATEGORY)
    if not isinstance(category, str):
        raise ChallengeFileError(path, "category must be a string", pid, "category")
    lists = {key: raw.get(key, []) for key in ("seeds", "held_out")}
    for key, value in lists.items():
        if not isinstance(value, list) or not all(isinstance(uri, str) for uri in value):
            raise ChallengeFileError(path, f"{key} must be a list of track URIs", pid, key)
    if not lists["held_out"]:
        raise ChallengeFileError(path, "held_out is empty: a playlist with nothing held out cannot be scored", pid,
                                 "held_out")
    return TruthPlaylist(pid, category, lists["seeds"], lists["held_out"])


def rule_problems(submission: Submission, truth: Sequence[TruthPlaylist]) -> list[str]:
    """Every way the submission breaks the challenge's rules for these playlists."""
    problems = list(submission.problems)
    for playlist in truth:
        answer = submission.answers.get(playlist.pid)
        if answer is None:
            problems.append(f"pid {playlist.pid} has no answer")
            continue
        if len(set(answer)) != ANSWER_LENGTH or len(answer) != ANSWER_LENGTH:
            problems.append(f"pid {playlist.pid} has {len(set(answer))} distinct tracks in {len(answer)}, "
                            f"not {ANSWER_LENGTH} distinct")
        seeds = set(playlist.seeds).intersection(answer)
        if seeds:
            problems.append(f"pid {playlist.pid} recommends its own seed {sorted(seeds)[0]}")
    extra = set(submission.answers) - {playlist.pid for playlist in truth}
    if extra:
        problems.append(f"{len(extra)} answered pid(s) are not in the truth file, e.g. {min(extra)}")
    return problems


def score_submission(submission: Submission, truth: Sequence[TruthPlaylist],
                     artists: Callable[[Sequence[str]], dict[str, str]] | None = None) -> list[CategoryScores]:
    """Per category and over all; a playlist without an answer scores as an empty list.
    `artists` (see `artist_lookup`) gives R-precision its artist credit."""
    def scored(playlist: TruthPlaylist) -> dict[str, float]:
        found = submission.answers.get(playlist.pid, [])
        return score_answer(found, playlist.held_out, artists([*found, *playlist.held_out]) if artists else None)
    return by_category((playlist.category, scored(playlist)) for playlist in truth)


def artist_lookup(catalog: Catalog) -> Callable[[Sequence[str]], dict[str, str]]:
    """URI -> artist key, read from the catalog (tracks it lacks get no artist credit)."""
    def artists(uris: Sequence[str]) -> dict[str, str]:
        ids = catalog.track_ids_for_uris(uris)
        rows = catalog.track_rows(ids.values())
        return {uri: artist_key(rows[track_id][2]) for uri, track_id in ids.items()}
    return artists


def table_lines(rows: Sequence[CategoryScores]) -> list[str]:
    """A Markdown table: one row per category, then all."""
    lines = ["| category | playlists | R-prec | NDCG@10 | NDCG | clicks |", "|---|---:|---:|---:|---:|---:|"]
    for row in rows:
        m = row.means
        lines.append(f"| {row.category} | {row.playlists} | {m['r_precision']:.4f} | {m['ndcg@10']:.4f} | "
                     f"{m['ndcg']:.4f} | {m['clicks']:.2f} |")
    return lines
