"""Answers remembered per object without keeping the object alive.

`functools.lru_cache(maxsize)(self.method)` stored on `self` makes a cycle (the object holds
the cache, the cache holds the bound method, the method holds the object), so a dropped
retriever or encoder waits for a full garbage collection with its sessions and arrays.
"""

from __future__ import annotations

import functools
import weakref
from collections.abc import Callable


def remembering(method: Callable, maxsize: int) -> Callable:
    """An LRU cache of the bound `method`'s answers that holds its object only weakly."""
    owner, function = weakref.ref(method.__self__), method.__func__

    @functools.lru_cache(maxsize=maxsize)
    def remembered(*args):
        return function(owner(), *args)

    return remembered
