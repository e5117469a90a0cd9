"""The Chroma store: where it lives, its damaged files, and collections of killed builds.

A collection is marked with its builder (host and process id) while it is being
built; the mark is removed when the build completes. A marked collection whose
builder process no longer runs on this host was abandoned by a kill and can go.
Collections marked on another host are left alone: their builder cannot be checked.
"""

from __future__ import annotations

import os
import socket
from dataclasses import dataclass
from pathlib import Path
from urllib.parse import urlparse

from retrieval.errors import IndexUnavailableError
from retrieval.set_aside import aside_path

_BUILDER_HOST = "building_on_host"
_BUILDER_PID = "building_pid"
_SQLITE_HEADER = b"SQLite format 3\x00"
STORE_FILE = "chroma.sqlite3"


def process_mark() -> tuple[str, str]:
    """This process as (host, pid): what builder marks and reader leases record."""
    return socket.gethostname(), str(os.getpid())


def mark_is_dead(host: str | None, pid: str | None) -> bool:
    """Whether the process a mark names is known to be gone: only on this host, where it
    can be checked; a mark from another host, or an unreadable one, counts as alive."""
    if host != socket.gethostname():
        return False
    try:
        return not _process_runs(int(pid or ""))
    except ValueError:
        return False


def builder_metadata() -> dict[str, str]:
    host, pid = process_mark()
    return {_BUILDER_HOST: host, _BUILDER_PID: pid}


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
    return mark_is_dead(metadata.get(_BUILDER_HOST), metadata.get(_BUILDER_PID))


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


@dataclass(frozen=True)
class ChromaLocation:
    """Where Chroma lives: a server URL, else an embedded store under `path`."""

    path: Path
    url: str | None = None

    def describe(self) -> str:
        return self.url or f"embedded Chroma at {self.path}"

    def client(self):
        os.environ.setdefault("ANONYMIZED_TELEMETRY", "False")
        import chromadb
        from chromadb.config import Settings

        settings = Settings(anonymized_telemetry=False)
        if self.url:
            parsed = urlparse(self.url if "://" in self.url else f"http://{self.url}")
            if not parsed.hostname:
                raise IndexUnavailableError(f"cannot read a host from Chroma URL {self.url!r}; use http://HOST:PORT")
            port = parsed.port or (443 if parsed.scheme == "https" else 8000)
            try:
                return chromadb.HttpClient(
                    host=parsed.hostname, port=port, ssl=parsed.scheme == "https", settings=settings
                )
            except Exception as error:  # chromadb raises bare ValueError/ConnectionError here
                raise IndexUnavailableError(f"cannot reach the Chroma server at {self.url}: {error}") from error
        problem = damaged_store_problem(self.path)
        if problem:
            raise IndexUnavailableError(self._damaged(problem))
        self.path.mkdir(parents=True, exist_ok=True)
        try:
            return chromadb.PersistentClient(path=str(self.path), settings=settings)
        except Exception as error:  # chromadb raises its own errors, or sqlite3's, on a damaged store
            raise IndexUnavailableError(self._damaged(str(error).splitlines()[0][:200])) from error

    def _damaged(self, problem: str) -> str:
        return f"the index store {self.path} is damaged ({problem}); run `agent index` to set it aside and rebuild it"

    def set_aside_if_damaged(self) -> Path | None:
        """Move a damaged embedded store out of the way (kept, renamed); where it went, or None."""
        if self.url or not damaged_store_problem(self.path):
            return None
        aside = aside_path(self.path, "damaged")
        self.path.rename(aside)
        return aside
