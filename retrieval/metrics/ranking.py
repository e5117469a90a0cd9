"""Ranking metrics for generated playlists (the LLM-answer diagnostics are in
`retrieval.ranking.diagnostics`).

Every metric compares a ranked list of recommended track ids with the set of
tracks a playlist really contains (the ground truth). They are pure functions:
no I/O, no state, no randomness.

Conventions shared by every metric:

* Ranks are 1-based: the first recommendation has rank 1.
* The ground truth is a set: duplicates in ``relevant`` are dropped. An empty
  ground truth raises :class:`ValueError`, because every metric would divide
  by zero or be undefined, and silently scoring it 0 or 1 would bias averages.
* A track repeated in ``recommended`` is a hit only at its first occurrence;
  later copies still occupy their rank but earn nothing, so a list that pads
  itself with repeats is not rewarded for them.
* A list shorter than the cutoff ``n`` is allowed; the missing positions count
  as misses.
* A cutoff ``n`` must be positive, else :class:`ValueError`.
"""

from __future__ import annotations

import math
from collections.abc import Collection, Iterable, Mapping, Sequence
from itertools import islice

from retrieval.normalize import song_key as track_key

__all__ = [
    "precision_at", "recall_at", "mrr_at", "ndcg_at", "paper_ndcg_at", "hit_at", "r_precision", "challenge_ndcg",
    "songs_clicks", "evaluate_list", "track_key",
]

#: Fraction of a track hit that the RecSys Challenge 2018 grants for an artist match.
ARTIST_CREDIT = 0.25
#: Spotify's "Recommended Songs" shows this many tracks per refresh.
CLICK_PAGE_SIZE = 10
#: The challenge only looks at this many recommendations when counting clicks.
CLICKS_HORIZON = 500
#: Clicks reported when no relevant track is found within the horizon.
NO_HIT_CLICKS = 51

EMPTY_TRUTH_MESSAGE = "ground truth is empty: a playlist with no tracks cannot be scored"


# --------------------------------------------------------------------------- #
# Shared helpers
# --------------------------------------------------------------------------- #


def _reject_bare_string(value: object, name: str) -> None:
    # A str is itself a Collection[str]; passing one track id by mistake would
    # otherwise be scored character by character without any error.
    if isinstance(value, str):
        raise TypeError(f"{name} must be a collection of track ids, not a single string")


def _ground_truth(relevant: Collection[str]) -> frozenset[str]:
    _reject_bare_string(relevant, "relevant")
    truth = frozenset(relevant)
    if not truth:
        raise ValueError(EMPTY_TRUTH_MESSAGE)
    return truth


def _check_cutoff(n: int) -> None:
    if n <= 0:
        raise ValueError(f"cutoff n must be a positive integer, got {n}")


def _hit_ranks(recommended: Iterable[str], truth: frozenset[str], n: int) -> list[int]:
    """1-based ranks, within the first ``n`` recommendations, of each relevant track's first occurrence."""
    _reject_bare_string(recommended, "recommended")
    already_hit: set[str] = set()
    ranks: list[int] = []
    for rank, track in enumerate(islice(recommended, n), start=1):
        if track in truth and track not in already_hit:
            already_hit.add(track)
            ranks.append(rank)
    return ranks


def _discount(rank: int) -> float:
    return 1.0 / math.log2(rank + 1)


def _ideal_dcg(k: int) -> float:
    """DCG of a list whose first ``k`` positions are all hits."""
    return sum(_discount(rank) for rank in range(1, k + 1))


def _hits_within(
    recommended: Sequence[str], relevant: Collection[str], n: int
) -> tuple[list[int], frozenset[str]]:
    _check_cutoff(n)
    truth = _ground_truth(relevant)
    return _hit_ranks(recommended, truth, n), truth


# --------------------------------------------------------------------------- #
# Top-n metrics
# --------------------------------------------------------------------------- #


def precision_at(recommended: Sequence[str], relevant: Collection[str], n: int) -> float:
    """Precision at ``n``: the share of the first ``n`` slots holding a relevant track.

    ``precision@n = |hits in R[1:n]| / n``

    The denominator is always ``n``, even when fewer than ``n`` tracks are
    recommended: an unused slot is a miss, so a generator cannot raise its
    precision by returning a shorter list.
    """
    ranks, _ = _hits_within(recommended, relevant, n)
    return len(ranks) / n


def recall_at(recommended: Sequence[str], relevant: Collection[str], n: int) -> float:
    """Recall at ``n``: the share of the (deduplicated) ground truth found in the first ``n``.

    ``recall@n = |hits in R[1:n]| / |G|``
    """
    ranks, truth = _hits_within(recommended, relevant, n)
    return len(ranks) / len(truth)


def mrr_at(recommended: Sequence[str], relevant: Collection[str], n: int) -> float:
    """Reciprocal rank of the first relevant track within the first ``n``, else 0.

    ``rr@n = 1 / rank_of_first_hit`` if a hit exists in ``R[1:n]``, else ``0``.
    Averaging it over playlists gives the mean reciprocal rank (MRR).
    """
    ranks, _ = _hits_within(recommended, relevant, n)
    return 1.0 / ranks[0] if ranks else 0.0


def ndcg_at(recommended: Sequence[str], relevant: Collection[str], n: int) -> float:
    """Normalised discounted cumulative gain at ``n`` with binary relevance.

    ``DCG@n  = sum over hits i in R[1:n] of 1 / log2(rank_i + 1)``
    ``IDCG@n = sum_{r=1}^{min(|G|, n)} 1 / log2(r + 1)``
    ``nDCG@n = DCG@n / IDCG@n``

    The ideal list puts ``min(|G|, n)`` relevant tracks at the top, so missing
    relevant tracks are penalised (compare :func:`paper_ndcg_at`).
    """
    ranks, truth = _hits_within(recommended, relevant, n)
    dcg = sum(_discount(rank) for rank in ranks)
    return dcg / _ideal_dcg(min(len(truth), n))


def paper_ndcg_at(recommended: Sequence[str], relevant: Collection[str], n: int) -> float:
    """The RecSys'25 paper's nDCG variant, only for setting figures beside that paper's tables.

    ``paper_nDCG@n = DCG@n / IDCG(h)``, where ``h`` is the number of hits found
    in ``R[1:n]`` (not ``min(|G|, n)``), and ``0`` when ``h = 0``.

    Normalising by the hits actually found means any list whose hits all sit
    at the top scores 1.0, however many relevant tracks it missed: one hit at
    rank 1 out of 100 relevant tracks is "perfect". The figure is therefore
    inflated and not comparable with :func:`ndcg_at`; use it only to reproduce
    the paper's numbers.
    """
    ranks, _ = _hits_within(recommended, relevant, n)
    if not ranks:
        return 0.0
    dcg = sum(_discount(rank) for rank in ranks)
    return dcg / _ideal_dcg(len(ranks))


def hit_at(recommended: Sequence[str], relevant: Collection[str], n: int) -> float:
    """1.0 if any relevant track appears in the first ``n`` recommendations, else 0.0."""
    ranks, _ = _hits_within(recommended, relevant, n)
    return 1.0 if ranks else 0.0


# --------------------------------------------------------------------------- #
# RecSys Challenge 2018 metrics
# --------------------------------------------------------------------------- #


def r_precision(
    recommended: Sequence[str],
    relevant: Collection[str],
    artist_of: Mapping[str, str] | None = None,
) -> float:
    """R-precision as scored in the RecSys Challenge 2018, with artist partial credit.

    With ``G`` the deduplicated ground truth and ``R[1:|G|]`` the first ``|G|``
    recommendations::

        R-precision = ( |G ∩ R[1:|G|]|  +  0.25 · |A(G) ∩ A(R[1:|G|] \\ G)| ) / |G|

    where ``A(S)`` is the set of artists of the tracks in ``S``. So:

    * each distinct relevant track in the window counts 1;
    * each distinct artist of the ground truth counts 0.25 if some
      recommendation in the window that is *not* itself relevant is by that
      artist. Several such tracks by one artist still count 0.25 once, and a
      track hit never earns artist credit for its own artist. Read literally,
      the formula does credit an artist that also has a track hit when a
      different, non-relevant track by that artist is in the window; this
      follows the published formula rather than guessing at intent.

    ``artist_of`` maps track ids (recommended and relevant) to their artist.
    Tracks missing from it earn no artist credit; when it is ``None`` the
    score uses track hits only, i.e. the classic ``|G ∩ R[1:|G|]| / |G|``.
    """
    truth = _ground_truth(relevant)
    _reject_bare_string(recommended, "recommended")
    window = list(islice(recommended, len(truth)))
    track_hits = truth.intersection(window)
    artist_hits = _artist_matches(window, truth, artist_of) if artist_of is not None else set()
    return (len(track_hits) + ARTIST_CREDIT * len(artist_hits)) / len(truth)


def _artist_matches(window: Iterable[str], truth: frozenset[str], artist_of: Mapping[str, str]) -> set[str]:
    """``A(G) ∩ A(window \\ G)``: ground-truth artists reached only through non-relevant tracks."""
    truth_artists = {artist_of[track] for track in truth if track in artist_of}
    near_miss_artists = {artist_of[track] for track in window if track not in truth and track in artist_of}
    return truth_artists & near_miss_artists


def challenge_ndcg(recommended: Sequence[str], relevant: Collection[str]) -> float:
    """The challenge's NDCG: :func:`ndcg_at` over its whole 500-track list.

    The rules' text writes DCG with ``1/log2(i)`` from rank 2 and an ideal over
    ``|G ∩ R|`` hits only, which would score any list with its hits on top 1.0; the
    leaderboard's figures (best 0.3946) fit the usual form used here instead:
    ``1/log2(rank + 1)``, ideal over ``min(|G|, 500)`` hits.
    """
    return ndcg_at(recommended, relevant, CLICKS_HORIZON)


def songs_clicks(
    recommended: Sequence[str], relevant: Collection[str], max_clicks: int = NO_HIT_CLICKS
) -> int:
    """Spotify "Recommended Songs" clicks: refreshes of 10 tracks before a relevant one shows.

    ``clicks = floor((rank_of_first_hit - 1) / 10)`` over the first 500
    recommendations, and ``max_clicks`` (51, one more than the challenge's
    stated maximum) when none of them is relevant. Lower is better.
    """
    truth = _ground_truth(relevant)
    ranks = _hit_ranks(recommended, truth, CLICKS_HORIZON)
    if not ranks:
        return max_clicks
    return (ranks[0] - 1) // CLICK_PAGE_SIZE


# --------------------------------------------------------------------------- #
# All metrics at once
# --------------------------------------------------------------------------- #

_CUTOFF_METRICS = {
    "precision": precision_at,
    "recall": recall_at,
    "mrr": mrr_at,
    "ndcg": ndcg_at,
    "paper_ndcg": paper_ndcg_at,
    "hit": hit_at,
}


def evaluate_list(
    recommended: Sequence[str],
    relevant: Collection[str],
    cutoffs: Iterable[int] = (10, 66, 500),
    artist_of: Mapping[str, str] | None = None,
) -> dict[str, float]:
    """Score one recommended list with every metric of this module.

    Returns ``"<metric>@<n>"`` for each metric in precision, recall, mrr,
    ndcg, paper_ndcg and hit at each cutoff ``n``, plus ``"r_precision"``
    (with artist credit when ``artist_of`` is given) and ``"clicks"``.
    """
    # Materialised once so one-shot iterables are not used up by the first
    # metric, and bad input fails the same way whatever the cutoffs are.
    relevant = _ground_truth(relevant)
    _reject_bare_string(recommended, "recommended")
    recommended = list(recommended)
    scores: dict[str, float] = {}
    for n in cutoffs:
        for name, metric in _CUTOFF_METRICS.items():
            scores[f"{name}@{n}"] = metric(recommended, relevant, n)
    scores["r_precision"] = r_precision(recommended, relevant, artist_of)
    scores["clicks"] = float(songs_clicks(recommended, relevant))
    return scores
