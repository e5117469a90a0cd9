"""Where retrieval-only requests run: one thread in the serving process, or a pool of
`--workers N` processes that each take the next waiting request.

Retrieval holds the GIL for most of a request, so one thread per process runs it
(threads would only take turns) and processes add cores. The processes share one
queue of requests rather than each keeping the connections it accepted: with
keep-alive, connections split unevenly between processes that accept them (five of
eight to one of two was usual), and the busier one queued while the other idled.

A request's answer comes back as its status and JSON body, made where it ran, so only
bytes cross between processes and errors are answered as the API's error handlers
answer them.
"""

from __future__ import annotations

import multiprocessing
import os
import time
from concurrent.futures import Future, ProcessPoolExecutor, ThreadPoolExecutor
from concurrent.futures.process import BrokenProcessPool
from typing import TYPE_CHECKING

from agent.server.errors import error_body
from agent.server.service import PlaylistService, Request

if TYPE_CHECKING:
    from agent.server.app import ServeSettings

Answer = tuple[int, bytes]  # HTTP status, JSON body

_service: PlaylistService | None = None  # the service of a pool process


def answer(service: PlaylistService, request: Request) -> Answer:
    """A retrieval-only request's status and JSON body, an error's included."""
    try:
        return 200, service.playlist(request).model_dump_json().encode()
    except Exception as error:  # noqa: BLE001 - every error becomes the API's JSON error
        return error_body(error)


class RetrievalRunner:
    """Runs retrieval-only requests one at a time on a thread of this process."""

    def __init__(self, service: PlaylistService):
        self._service = service
        self._executor = ThreadPoolExecutor(max_workers=1, thread_name_prefix="retrieval")

    def start(self) -> None:
        """Nothing to start: the service is loaded already."""

    def submit(self, request: Request) -> Future[Answer]:
        return self._executor.submit(answer, self._service, request)

    def shutdown(self) -> None:
        self._executor.shutdown(wait=False, cancel_futures=True)


class RetrievalPool(RetrievalRunner):
    """`processes` processes, each loading its own service from `settings`, answering
    requests from one shared queue."""

    def __init__(self, settings: ServeSettings, processes: int):
        self._settings, self._processes = settings, processes
        self._executor = self._new_executor()
        self._started = False

    def _new_executor(self) -> ProcessPoolExecutor:
        context = multiprocessing.get_context("spawn")  # no fork of a process with threads
        return ProcessPoolExecutor(self._processes, mp_context=context, initializer=_load, initargs=(self._settings,))

    def start(self) -> None:
        """Starts every process and waits until each has loaded its service. The pool
        starts a process whenever a request finds none idle: as many requests at once
        start them all. Once is enough: later calls return at once."""
        loaded: set[int] = set()
        while not self._started:
            loaded.update(job.result() for job in [self._executor.submit(os.getpid) for _ in range(self._processes)])
            self._started = len(loaded) == self._processes
            time.sleep(0 if self._started else 0.05)  # one process answers while the others still load

    def submit(self, request: Request) -> Future[Answer]:
        try:
            return self._executor.submit(_answer, request)
        except BrokenProcessPool:
            # A process died (killed, out of memory): the requests it held failed (HTTP 500);
            # a new pool answers the next ones, its processes loading as the first did.
            self._executor.shutdown(wait=False, cancel_futures=True)
            self._executor = self._new_executor()
            return self._executor.submit(_answer, request)

    def shutdown(self) -> None:
        self._executor.shutdown(wait=True, cancel_futures=True)


def _load(settings: ServeSettings) -> None:
    global _service
    _service = settings.load_service()


def _answer(request: Request) -> Answer:
    assert _service is not None, "a pool process runs requests only after loading its service"
    return answer(_service, request)
