"""The challenge's ten categories, named from what a playlist gives: a title or not, how
many seed tracks, and whether they are its first tracks or a random sample."""

from __future__ import annotations

from collections.abc import Sequence
from typing import NamedTuple


class Category(NamedTuple):
    titled: bool
    seeds: int
    random: bool = False

    @property
    def name(self) -> str:
        if self.seeds == 0:
            return "title only" if self.titled else "no title, no seeds"
        order = "random" if self.random else "first"
        return f"{'title' if self.titled else 'no title'} + {order} {self.seeds}"


# In the challenge's order; each held 1,000 of its 10,000 playlists.
CHALLENGE_CATEGORIES = (
    Category(True, 0), Category(True, 1), Category(True, 5), Category(False, 5), Category(True, 10),
    Category(False, 10), Category(True, 25), Category(True, 25, random=True), Category(True, 100),
    Category(True, 100, random=True),
)
CATEGORY_NAMES = tuple(category.name for category in CHALLENGE_CATEGORIES)


def category_of(titled: bool, positions: Sequence[int]) -> Category:
    """A playlist's category: seeds at positions 0..n-1 are its first tracks, anything else a sample."""
    first = sorted(positions) == list(range(len(positions)))
    return Category(titled, len(positions), random=not first)


def category_order(name: str) -> tuple[int, str]:
    """Sort key: the challenge's ten in its order, then any other category by name."""
    return (CATEGORY_NAMES.index(name), "") if name in CATEGORY_NAMES else (len(CATEGORY_NAMES), name)
