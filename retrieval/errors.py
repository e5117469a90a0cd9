"""Errors about the stores (the SQLite catalog and the Chroma index) that a user can fix.

Each message says what is wrong, where, and what to run. `CatalogUnreadableError`
is an `IndexUnavailableError` too: the catalog holds the pointer to the index, so
with an unreadable catalog there is no usable index either, and callers that already
report an unavailable index as a user error report this one the same way.
"""

from __future__ import annotations


class IndexUnavailableError(RuntimeError):
    """No index, or one that cannot be reached; the message says how to fix it."""


class CatalogUnreadableError(IndexUnavailableError):
    """The catalog file is empty, truncated or not a SQLite database."""


class CatalogReadOnlyError(IndexUnavailableError):
    """A catalog on read-only storage asked to change (an ingest, an index build, an upgrade)."""


class CatalogWriteError(IndexUnavailableError):
    """A write to the catalog that the storage refused (a full disk, a file size limit)."""


class CatalogBusyError(IndexUnavailableError):
    """Another process held the catalog's write lock for longer than the wait allows."""


class ModelFolderError(IndexUnavailableError):
    """A saved model folder beside the index that cannot be read; `agent index` rebuilds it."""
