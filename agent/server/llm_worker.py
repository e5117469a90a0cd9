"""One thread for everything that calls the LLM, so a slow model never holds up retrieval.

llama.cpp is not safe to call from two threads at once, and a second concurrent call
would only queue behind the first on a small machine anyway: LLM work runs here, one
job at a time, with at most `max_pending` waiting; more are refused at once (HTTP 503)
rather than left to time out.
"""

from __future__ import annotations

import threading
from collections.abc import Callable
from concurrent.futures import Future, ThreadPoolExecutor
from typing import TypeVar

T = TypeVar("T")


class LLMBusyError(RuntimeError):
    """Too many LLM requests are waiting already."""


class LLMWorker:
    def __init__(self, max_pending: int = 8):
        self._executor = ThreadPoolExecutor(max_workers=1, thread_name_prefix="llm")
        self._max_pending = max_pending
        self._pending = 0
        self._lock = threading.Lock()

    def submit(self, job: Callable[..., T], *args) -> Future[T]:
        with self._lock:
            if self._pending >= self._max_pending:
                raise LLMBusyError(f"{self._pending} LLM requests are waiting already; try again shortly")
            self._pending += 1
        return self._executor.submit(self._run, job, *args)

    def _run(self, job: Callable[..., T], *args) -> T:
        try:
            return job(*args)
        finally:  # before the caller sees the result, so a caller that waited finds room again
            with self._lock:
                self._pending -= 1

    def shutdown(self) -> None:
        self._executor.shutdown(wait=False, cancel_futures=True)
