"""Answers remembered per object without keeping the object alive.

`functools.lru_cache(maxsize)(self.method)` stored on `self` makes a cycle (the object holds
the cache, the cache holds the bound method, the method holds the object), so a dropped
retriever or encoder waits for a full garbage collection with its sessions and arrays.
"""

from __future__ import annotations

import functools
import threading
import weakref
from collections import OrderedDict
from collections.abc import Callable, Hashable, Sequence
from typing import Generic, TypeVar

Key = TypeVar("Key", bound=Hashable)
Value = TypeVar("Value")


def remembering(method: Callable, maxsize: int) -> Callable:
    """An LRU cache of the bound `method`'s answers that holds its object only weakly."""
    owner, function = weakref.ref(method.__self__), method.__func__

    @functools.lru_cache(maxsize=maxsize)
    def remembered(*args):
        return function(owner(), *args)

    return remembered


class RecentValues(Generic[Value]):
    """The `maxsize` values used last, by key: a cache that can also be filled ahead of
    use (many keys computed together) and asked what it holds. Safe across threads."""

    def __init__(self, maxsize: int):
        self._maxsize = maxsize
        self._values: OrderedDict[Hashable, Value] = OrderedDict()
        self._lock = threading.Lock()

    def get(self, key: Hashable) -> Value | None:
        with self._lock:
            value = self._values.get(key)
            if value is not None:
                self._values.move_to_end(key)
            return value

    def put(self, key: Hashable, value: Value) -> None:
        with self._lock:
            self._values[key] = value
            self._values.move_to_end(key)
            while len(self._values) > self._maxsize:
                self._values.popitem(last=False)

    def missing(self, keys: list[Hashable]) -> list[Hashable]:
        """The keys not held, each once, in their order."""
        with self._lock:
            return [key for key in dict.fromkeys(keys) if key not in self._values]

    def clear(self) -> None:
        with self._lock:
            self._values.clear()


class KeptRows(Generic[Key, Value]):
    """Rows read by key in batches (`read(keys) -> {key: row}`) and kept, up to `most`: when
    more would be kept, all are dropped and read again as asked. For rows that do not
    change while their reader lives (a catalog's names), asked for hundreds at a time.
    Safe across threads: each kept row is read with one `get`."""

    def __init__(self, read: Callable[[list[Key]], dict[Key, Value]], most: int):
        self._read, self._most = read, most
        self._kept: dict[Key, Value] = {}

    def get(self, keys: Sequence[Key]) -> dict[Key, Value]:
        """The rows of `keys` there are (a key without one is left out)."""
        found = {key: row for key in keys if (row := self._kept.get(key)) is not None}
        if len(found) < len(keys):
            read = self._read([key for key in keys if key not in found])
            if len(self._kept) + len(read) > self._most:
                self._kept.clear()
            self._kept.update(read)
            found.update(read)
        return found
