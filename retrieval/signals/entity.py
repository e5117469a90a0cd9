"""Entity match: a title that names an artist or an album ("drake", "hamilton").

The title, folded (`fold_name`), is compared with the catalog's folded artist and
album names; an exact match brings the entity's most-played tracks, scored by their
play counts relative to the entity's best.
"""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass

ENTITY_KINDS = ("artist", "album")


@dataclass(frozen=True)
class EntityMatch:
    kind: str  # "artist" or "album"
    name: str  # as the catalog spells it

    def describe(self) -> str:
        return f"{self.kind} {self.name}"


def entity_scores(most_played: Sequence[tuple[int, int]], exponent: float) -> dict[int, float]:
    """(track id, plays), most played first -> track id -> (plays / best plays) ** exponent.

    >>> entity_scores([(7, 100), (8, 25)], 0.5)
    {7: 1.0, 8: 0.5}
    """
    if not most_played:
        return {}
    best = max(plays for _, plays in most_played) or 1
    return {track: (max(plays, 0) / best) ** exponent for track, plays in most_played}
