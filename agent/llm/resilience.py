"""How a backend copes with a server that is busy, broken or gone.

- `RetryPolicy`: an answer that says "later" (HTTP 429, 502, 503, 504) is retried a
  bounded number of times, after the wait its Retry-After asks for (seconds or an HTTP
  date), never longer than a cap: a server asking for an hour must not hang a batch.
  Nothing else is retried here; the time a request may take is therefore at most
  `attempts` timeouts plus `attempts - 1` capped waits.
- `CircuitBreaker`: after `threshold` requests in a row have failed, the server is
  taken for dead and not called again by this backend, so a batch of titles gets its
  retrieval-only playlists at once instead of one timeout each.
- `within`: a wall-clock limit on one attempt. An HTTP client's timeouts bound each
  read, not the request, so a server that sends a byte a second would hold it for ever.
"""

from __future__ import annotations

import math
import threading
import time
from collections.abc import Callable, Mapping
from dataclasses import dataclass
from datetime import timezone
from email.utils import parsedate_to_datetime
from typing import TypeVar

RETRY_STATUSES = frozenset({429, 502, 503, 504})
Result = TypeVar("Result")


def retry_after_seconds(headers: Mapping[str, str], now: float | None = None) -> float | None:
    """The wait a Retry-After header asks for (OpenAI's retry-after-ms first), or None.

    >>> retry_after_seconds({"retry-after": "2"})
    2.0
    >>> retry_after_seconds({"retry-after": "Thu, 01 Jan 1970 00:00:05 GMT"}, now=3.0)
    2.0
    >>> retry_after_seconds({"retry-after": "soon"}) is None
    True
    """
    lowered = {key.lower(): value for key, value in headers.items()}
    milliseconds = _number(lowered.get("retry-after-ms"))
    if milliseconds is not None:
        return milliseconds / 1000
    value = lowered.get("retry-after")
    if value is None:
        return None
    seconds = _number(value)
    if seconds is not None:
        return seconds
    try:
        when = parsedate_to_datetime(value)
    except (TypeError, ValueError, IndexError):
        return None
    if when.tzinfo is None:  # RFC 9110 dates are GMT
        when = when.replace(tzinfo=timezone.utc)
    current = time.time() if now is None else now
    return max(0.0, when.timestamp() - current)


def _number(value: str | None) -> float | None:
    if value is None:
        return None
    try:
        number = float(value)
    except ValueError:
        return None
    if not math.isfinite(number):  # "nan" and "inf" parse as floats but are no waits
        return None
    return max(0.0, number)  # a wait in the past means now


@dataclass(frozen=True)
class RetryPolicy:
    attempts: int = 3  # tries per request, the first included
    wait_cap: float = 10.0  # seconds; a longer Retry-After is cut to this
    default_wait: float = 1.0  # seconds, when a "later" answer names no Retry-After

    def wait_before_retry(self, attempt: int, status: int, headers: Mapping[str, str]) -> float | None:
        """Seconds to wait before trying again after `attempt` failed with `status`; None: do not retry."""
        if status not in RETRY_STATUSES or attempt >= self.attempts:
            return None
        asked = retry_after_seconds(headers)
        return min(self.wait_cap, self.default_wait if asked is None else asked)


class CircuitBreaker:
    """Counts failed requests in a row; open (stop calling) once `threshold` is reached."""

    def __init__(self, threshold: int = 3):
        self.threshold = threshold
        self.failures = 0
        self.last_error = ""

    @property
    def is_open(self) -> bool:
        return self.failures >= self.threshold

    def succeeded(self) -> None:
        self.failures = 0

    def failed(self, error: str) -> None:
        self.failures += 1
        self.last_error = error


class Overran(Exception):
    """The call did not finish within its time."""


def within(seconds: float, call: Callable[[], Result]) -> Result:
    """`call()`'s result, or Overran once `seconds` have passed.

    The call runs in a daemon thread; one that overruns is left to end on its client's
    own timeouts and its result is dropped. A failing backend stops being called after
    a few failures, so few such threads can pile up.
    """
    outcome: dict[str, object] = {}

    def run() -> None:
        try:
            outcome["result"] = call()
        except BaseException as error:  # handed to the caller's thread as it is
            outcome["error"] = error

    worker = threading.Thread(target=run, name="llm-request", daemon=True)
    worker.start()
    worker.join(seconds)
    if worker.is_alive():
        raise Overran(f"no answer within {seconds:g} s")
    if "error" in outcome:
        raise outcome["error"]  # type: ignore[misc]
    return outcome["result"]  # type: ignore[return-value]
