"""Names for damaged files moved out of the way (kept for inspection, never deleted).

A name holds the time to the nanosecond, the process id and a counter, so two set-asides
within one second, by one process or by two, never pick the same name, and a second
never replaces the first one kept.
"""

from __future__ import annotations

import itertools
import os
import time
from pathlib import Path

_COUNTER = itertools.count(1)


def aside_path(path: Path, label: str) -> Path:
    """A new name beside `path`, such as `llm.json.broken-20261207-190512.123456789-4242-1`."""
    now = time.time_ns()
    stamp = time.strftime("%Y%m%d-%H%M%S", time.localtime(now // 1_000_000_000))
    return path.with_name(f"{path.name}.{label}-{stamp}.{now % 1_000_000_000:09d}-{os.getpid()}-{next(_COUNTER)}")
