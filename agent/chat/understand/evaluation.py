"""Scoring parses against labelled utterances (shared by the benchmark and the tests)."""

from __future__ import annotations

import json
from pathlib import Path
from typing import Any


def load_utterances(path: Path) -> list[dict[str, Any]]:
    """Rows of {"text", "action", "slots"} from a JSON-lines file."""
    return [json.loads(line) for line in Path(path).read_text(encoding="utf-8").splitlines() if line.strip()]


def slots_match(expected: dict[str, Any], got: dict[str, Any]) -> bool:
    """Exactly the expected slots, with names and words compared without regard to case."""
    return _folded(expected) == _folded(got)


def _folded(value: Any) -> Any:
    if isinstance(value, str):
        return " ".join(value.casefold().split())
    if isinstance(value, dict):
        return {key: _folded(item) for key, item in value.items()}
    if isinstance(value, list):
        return [_folded(item) for item in value]
    return value
