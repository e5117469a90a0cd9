"""Answering on several cores: each worker process opens the catalog and its retriever
once, then answers playlists handed to it in order.

Answers come back in the challenge set's order, so the submission is written and
resumed exactly as with one process. Workers ignore Ctrl-C: the main process stops them
once it has written what was finished.
"""

from __future__ import annotations

import contextlib
import multiprocessing
import signal
from collections.abc import Callable, Iterable, Iterator

from agent.challenge.answering import Answer, ChallengeAnswerer
from agent.challenge.reading import ChallengePlaylist
from agent.workspace import Workspace, open_retriever

Answering = Callable[[Iterable[ChallengePlaylist]], Iterator[Answer]]
_CHUNK = 8  # playlists handed to a worker at a time: fewer round trips, little reordering wait

_worker_answerer: ChallengeAnswerer | None = None


def _start_worker(workspace: Workspace, ranker: bool, method: str) -> None:
    global _worker_answerer
    signal.signal(signal.SIGINT, signal.SIG_IGN)
    catalog, _ = workspace.active_catalog()
    _worker_answerer = ChallengeAnswerer(open_retriever(catalog, workspace), ranker=ranker, method=method)


def _answer_in_worker(playlist: ChallengePlaylist) -> Answer:
    assert _worker_answerer is not None, "the worker was not started"
    return _worker_answerer.answer(playlist)


@contextlib.contextmanager
def answering(answerer: ChallengeAnswerer, workspace: Workspace, workers: int = 1) -> Iterator[Answering]:
    """Yields `answers(playlists)`: this process's `answerer` alone, or `workers` processes
    (each with its own retriever and `answerer`'s settings, so memory grows with them)."""
    if workers <= 1:
        yield lambda playlists: map(answerer.answer, playlists)
        return
    # spawn, not fork: SQLite connections and the ONNX session must not be shared.
    with multiprocessing.get_context("spawn").Pool(workers, _start_worker,
                                                 (workspace, answerer.ranker, answerer.method)) as pool:
        yield lambda playlists: pool.imap(_answer_in_worker, playlists, chunksize=_CHUNK)
