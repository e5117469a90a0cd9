"""Leases on index collections: a process reading a collection keeps it from being dropped.

A rebuild switches the catalog to a new collection and drops superseded ones. A reader
that opened the old one (a long batch, a chat) would then fail mid-way; so a reader
holds a lease (an empty file naming the collection and the reader's host and pid) for
as long as it reads, and a build drops only collections no live process holds. A lease
left by a killed reader is dead by the same host+pid check as a killed builder's mark
(`index_store.mark_is_dead`), and is removed by the next build.
"""

from __future__ import annotations

import os
import uuid
import weakref
from collections.abc import Callable
from pathlib import Path
from typing import TypeVar

from retrieval.index.store import mark_is_dead, process_mark

Active = TypeVar("Active")
_SEPARATOR = "@"  # absent from collection names, host names and pids
_SUFFIX = ".lease"


def lease_directory(catalog_path: Path) -> Path:
    """Where the leases on a catalog's collections live: beside the catalog file."""
    return catalog_path.with_name(f"{catalog_path.stem}.index-leases")


class IndexLease:
    """This process's hold on one collection; released by `release()` or when collected."""

    def __init__(self, directory: Path, collection: str):
        self.collection = collection
        directory.mkdir(parents=True, exist_ok=True)
        host, pid = process_mark()
        self.path = directory / _SEPARATOR.join((collection, host, pid, uuid.uuid4().hex[:8] + _SUFFIX))
        os.close(os.open(self.path, os.O_CREAT | os.O_EXCL | os.O_WRONLY, 0o644))
        self._finalizer = weakref.finalize(self, self.path.unlink, missing_ok=True)

    def release(self) -> None:
        self._finalizer()


def leased_collections(directory: Path) -> set[str]:
    """The collections some live process holds; dead leases found on the way are removed."""
    held = set()
    for path in directory.glob(f"*{_SUFFIX}") if directory.is_dir() else ():
        parts = path.name[: -len(_SUFFIX)].split(_SEPARATOR)
        if len(parts) != 4:
            continue  # not a lease of ours
        collection, host, pid, _ = parts
        if mark_is_dead(host, pid):
            path.unlink(missing_ok=True)
        else:
            held.add(collection)
    return held


def hold_active(
    catalog_path: Path, read_active: Callable[[], Active | None], name_of: Callable[[Active], str]
) -> tuple[Active | None, IndexLease | None]:
    """What `read_active` names (None: nothing built) and a lease on its collection.

    The pointer is read again after the lease is taken: a build moves the pointer before
    it lists leases (`drop_superseded`), so a collection still active once the lease
    exists is never dropped while the lease lives. OSError when no lease can be written.
    """
    while True:
        active = read_active()
        if active is None:
            return None, None
        lease = IndexLease(lease_directory(catalog_path), name_of(active))
        again = read_active()
        if again is not None and name_of(again) == name_of(active):
            return active, lease
        lease.release()  # a build switched meanwhile: hold the new one instead


def hold_active_or_warn(
    catalog_path: Path, read_active: Callable[[], Active | None], name_of: Callable[[Active], str], read_only: bool
) -> tuple[Active | None, IndexLease | None, list[str]]:
    """`hold_active`, or no lease and a notice saying why: on read-only storage (where no
    rebuild can happen either) or when the lease cannot be written."""
    if read_only:
        return read_active(), None, [f"the data dir of {catalog_path} is read-only: the title index is read "
                                     "without a lease"]
    try:
        return (*hold_active(catalog_path, read_active, name_of), [])
    except OSError as error:
        return read_active(), None, [f"cannot hold the title index ({error.strerror}): a rebuild meanwhile "
                                     "may stop this run"]


def drop_superseded(client, catalog_path: Path, history: list[str], keep: int) -> list[str]:
    """Drop the collections of `history` (oldest first) older than the newest `keep`,
    except those a live process holds; the history to record (the held ones stay in it,
    so a later build drops them once they are free). Call after moving the pointer."""
    superseded, kept = history[:-keep], history[-keep:]
    held = leased_collections(lease_directory(catalog_path))
    for name in superseded:
        if name in held:
            continue
        try:
            client.delete_collection(name)
        except Exception:  # already gone (another data dir's cleanup, manual deletion)
            pass
    return [name for name in superseded if name in held] + kept
