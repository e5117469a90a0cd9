"""How a backend copes with a server that is busy, broken or gone.

- `RetryPolicy`: an answer that says "later" (HTTP 429, 502, 503, 504) is retried a
  bounded number of times, after the wait its Retry-After asks for (seconds or an HTTP
  date), never longer than a cap: a server asking for an hour must not hang a batch.
  Nothing else is retried here; the time a request may take is therefore at most
  `attempts` timeouts plus `attempts - 1` capped waits.
- `CircuitBreaker`: after `threshold` requests in a row have failed, the server is
  taken for dead and not called again by this backend, so a batch of titles gets its
  retrieval-only playlists at once instead of one timeout each.
"""

from __future__ import annotations

import math
import time
from collections.abc import Mapping
from dataclasses import dataclass
from datetime import timezone
from email.utils import parsedate_to_datetime

RETRY_STATUSES = frozenset({429, 502, 503, 504})


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
