"""Held-out playlists for evaluation, chosen reproducibly.

Two units of holding out:

- ``playlist``: a seeded share of playlists. Their own titles and tracks leave the index,
  but another playlist may carry the same title ("country"), as in the paper's split.
- ``title``: whole groups of playlists sharing a normalised title, so every test
  title is unseen by the index: the strict reading of "titles never seen".
"""

from __future__ import annotations

import random
from collections import defaultdict
from dataclasses import dataclass
from typing import Literal

from retrieval.catalog import Catalog

HoldoutUnit = Literal["playlist", "title"]
HOLDOUT_UNITS: tuple[str, ...] = ("playlist", "title")


@dataclass(frozen=True)
class Split:
    test_pids: frozenset[int]
    share: float
    seed: int
    unit: str

    def describe(self) -> str:
        return f"{len(self.test_pids):,} held-out playlists ({self.share:.0%} by {self.unit}, seed {self.seed})"


def holdout(catalog: Catalog, share: float = 0.1, seed: int = 0, unit: HoldoutUnit = "playlist") -> Split:
    """Hold out `share` of the catalog's playlists that have a title and at least one track."""
    if not 0 < share < 1:
        raise ValueError(f"the held-out share must be between 0 and 1, got {share}")
    if unit not in HOLDOUT_UNITS:
        raise ValueError(f"unknown holdout unit {unit!r}; choose one of {', '.join(HOLDOUT_UNITS)}")
    rows = catalog.titled_playlists_with_tracks()
    wanted = max(1, round(share * len(rows)))
    rng = random.Random(seed)
    if unit == "playlist":
        return Split(frozenset(rng.sample([pid for pid, _ in rows], wanted)), share, seed, unit)
    groups: dict[int, list[int]] = defaultdict(list)
    for pid, title_id in rows:
        groups[title_id].append(pid)
    title_ids = sorted(groups)
    rng.shuffle(title_ids)
    chosen: list[int] = []
    for title_id in title_ids:
        if len(chosen) >= wanted:
            break
        chosen.extend(groups[title_id])
    return Split(frozenset(chosen), share, seed, unit)
