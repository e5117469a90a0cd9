"""One thread for everything that calls the LLM, so a slow model never holds up retrieval.

llama.cpp is not safe to call from two threads at once, and a second concurrent call
would only queue behind the first on a small machine anyway: LLM work runs here, one
job at a time, with at most `max_pending` waiting; more are refused at once (HTTP 503)
rather than left to time out.

Each job has `budget` seconds from its submission: the caller stops waiting then (and
answers with retrieval), and a job still queued when its budget is spent is skipped.
"""

from __future__ import annotations

import threading
import time
from collections.abc import Callable
from concurrent.futures import Future, ThreadPoolExecutor
from typing import TypeVar

T = TypeVar("T")


class LLMBusyError(RuntimeError):
    """Too many LLM requests are waiting already."""


class LLMBudgetSpentError(RuntimeError):
    """A job's time ran out while it waited for the LLM; it never started."""


class LLMWorker:
    def __init__(self, max_pending: int = 8, budget: float = 30.0):
        self._executor = ThreadPoolExecutor(max_workers=1, thread_name_prefix="llm")
        self.budget = budget
        self._max_pending = max_pending
        self._pending = 0
        self._lock = threading.Lock()

    def submit(self, job: Callable[..., T], *args) -> Future[T]:
        with self._lock:
            if self._pending >= self._max_pending:
                raise LLMBusyError(f"{self._pending} LLM requests are waiting already; try again shortly")
            self._pending += 1
        return self._executor.submit(self._run, time.monotonic() + self.budget, job, *args)

    def _run(self, deadline: float, job: Callable[..., T], *args) -> T:
        try:
            if time.monotonic() > deadline:  # its caller answered without it already
                raise LLMBudgetSpentError(f"the LLM was busy for the whole {self.budget:g} s budget")
            return job(*args)
        finally:  # before the caller sees the result, so a caller that waited finds room again
            with self._lock:
                self._pending -= 1

    def shutdown(self) -> None:
        self._executor.shutdown(wait=False, cancel_futures=True)
