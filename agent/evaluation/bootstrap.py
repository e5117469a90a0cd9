"""Paired bootstrap intervals: is one configuration better than another on the same queries?

Queries are resampled with replacement, the same resample for both configurations, so
the interval reflects the per-query pairing rather than two independent spreads.
"""

from __future__ import annotations

import random
import statistics
from collections.abc import Sequence
from dataclasses import dataclass

RESAMPLES = 2000


@dataclass(frozen=True)
class PairedComparison:
    metric: str
    baseline: float  # mean of the baseline configuration
    candidate: float  # mean of the compared configuration
    difference: tuple[float, float, float]  # candidate - baseline: estimate, 2.5% and 97.5% quantiles
    ratio: tuple[float, float, float]  # candidate / baseline: estimate and the same quantiles

    def describe(self) -> str:
        diff, ratio = self.difference, self.ratio
        return (f"{self.metric}: {self.candidate:.4f} vs {self.baseline:.4f} · "
                f"x{ratio[0]:.2f} [{ratio[1]:.2f}, {ratio[2]:.2f}] · "
                f"{diff[0]:+.4f} [{diff[1]:+.4f}, {diff[2]:+.4f}]")


def paired_bootstrap(baseline: Sequence[float], candidate: Sequence[float], metric: str,
                     resamples: int = RESAMPLES, seed: int = 0) -> PairedComparison:
    """95% percentile intervals of the difference and the ratio of two paired means."""
    if len(baseline) != len(candidate) or not baseline:
        raise ValueError("paired bootstrap needs two equally long, non-empty lists of per-query scores")
    rng = random.Random(seed)
    size = len(baseline)
    differences, ratios = [], []
    for _ in range(resamples):
        picks = [rng.randrange(size) for _ in range(size)]
        base = statistics.fmean(baseline[i] for i in picks)
        cand = statistics.fmean(candidate[i] for i in picks)
        differences.append(cand - base)
        ratios.append(cand / base if base else float("inf"))
    base, cand = statistics.fmean(baseline), statistics.fmean(candidate)
    return PairedComparison(
        metric, base, cand,
        (cand - base, *_interval(differences)),
        (cand / base if base else float("inf"), *_interval(ratios)),
    )


def _interval(values: list[float]) -> tuple[float, float]:
    ordered = sorted(values)
    return ordered[int(0.025 * (len(ordered) - 1))], ordered[int(0.975 * (len(ordered) - 1))]
