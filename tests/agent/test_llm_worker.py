"""The LLM worker runs one job at a time, on one thread, and refuses work past its queue."""

from __future__ import annotations

import threading

import pytest

from agent.server.llm_worker import LLMBusyError, LLMWorker


def test_jobs_run_one_at_a_time_and_a_full_queue_refuses_more():
    worker = LLMWorker(max_pending=2)
    release = threading.Event()
    running, most_at_once, threads = [0], [0], set()
    lock = threading.Lock()

    def job(value: int) -> int:
        with lock:
            running[0] += 1
            most_at_once[0] = max(most_at_once[0], running[0])
            threads.add(threading.get_ident())
        release.wait(timeout=10)
        with lock:
            running[0] -= 1
        return value * 2

    first, second = worker.submit(job, 1), worker.submit(job, 2)
    with pytest.raises(LLMBusyError, match="2 LLM requests are waiting"):
        worker.submit(job, 3)
    release.set()
    assert (first.result(timeout=10), second.result(timeout=10)) == (2, 4)
    assert worker.submit(job, 4).result(timeout=10) == 8  # room again once they finished
    assert most_at_once[0] == 1 and len(threads) == 1
    worker.shutdown()


def test_a_job_still_queued_when_its_budget_is_spent_is_skipped_and_frees_its_place():
    from agent.server.llm_worker import LLMBudgetSpentError

    worker = LLMWorker(max_pending=2, budget=0.2)
    release = threading.Event()
    ran = []
    first = worker.submit(lambda: release.wait(timeout=10) and ran.append("first"))
    queued = worker.submit(lambda: ran.append("queued"))
    threading.Timer(0.5, release.set).start()  # the first job holds the LLM past the second's budget
    first.result(timeout=10)
    with pytest.raises(LLMBudgetSpentError, match="0.2 s budget"):
        queued.result(timeout=10)
    assert ran == ["first"]
    assert worker.submit(lambda: "room again").result(timeout=10) == "room again"
    worker.shutdown()
