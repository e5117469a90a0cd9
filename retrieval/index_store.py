"""Housekeeping of the Chroma store: damaged files, and collections of killed builds.

A collection is marked with its builder (host and process id) while it is being
built; the mark is removed when the build completes. A marked collection whose
builder process no longer runs on this host was abandoned by a kill and can go.
Collections marked on another host are left alone: their builder cannot be checked.
"""

from __future__ import annotations

import os
import socket
from pathlib import Path

_BUILDER_HOST = "building_on_host"
_BUILDER_PID = "building_pid"
_SQLITE_HEADER = b"SQLite format 3\x00"
STORE_FILE = "chroma.sqlite3"


def builder_metadata() -> dict[str, str]:
    return {_BUILDER_HOST: socket.gethostname(), _BUILDER_PID: str(os.getpid())}


def completed_metadata() -> dict[str, str]:
    # Blanked rather than left out: a store that merges metadata on update must not keep the mark.
    return {_BUILDER_HOST: "", _BUILDER_PID: ""}


def _process_runs(pid: int) -> bool:
    try:
        os.kill(pid, 0)
    except ProcessLookupError:
        return False
    except PermissionError:  # it runs, as another user
        return True
    return True


def _is_abandoned(metadata: dict | None) -> bool:
    metadata = metadata or {}
    if metadata.get(_BUILDER_HOST) != socket.gethostname():
        return False
    try:
        return not _process_runs(int(metadata.get(_BUILDER_PID, "")))
    except ValueError:
        return False


def abandoned_collections(client, prefixes: tuple[str, ...]) -> list[str]:
    """Names of the collections with one of `prefixes` whose build was killed."""
    names = []
    for listed in client.list_collections():
        # chromadb returns collections (1.x) or bare names (0.6) here
        collection = client.get_collection(listed) if isinstance(listed, str) else listed
        if collection.name.startswith(prefixes) and _is_abandoned(collection.metadata):
            names.append(collection.name)
    return names


def damaged_store_problem(path: Path) -> str | None:
    """What is wrong with the embedded store's database file, or None when it looks whole."""
    store = Path(path) / STORE_FILE
    if not store.is_file():
        return None
    with open(store, "rb") as handle:
        header = handle.read(len(_SQLITE_HEADER))
    if not header:
        return f"{STORE_FILE} is empty"
    if header != _SQLITE_HEADER:
        return f"{STORE_FILE} is not a SQLite database"
    return None
