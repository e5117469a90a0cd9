"""The choices a playlist request offers, named once, and the rules that check them.

Errors name the request's field (`candidates`, `shuffles`), never a command-line
flag: the CLI maps a field to its flag when it shows the error.
"""

from __future__ import annotations

from collections.abc import Sequence

from retrieval.echo import clip
from retrieval.generator import GenerationError

MODES = ("retrieval", "rerank", "llm")
SHOTS = (0, 1, 5)
FUSES = ("none", "rrf")
DEFAULT_CANDIDATES = 50
# Caps, the same for the CLI and the API: past them a request only costs (10^12 tracks is
# the whole catalog and 48 MB of output; every shuffle is one more LLM call).
MAX_TRACKS = 500
MAX_CANDIDATES = 500
MAX_SHUFFLES = 10


class RequestError(GenerationError):
    """A request field with a value that cannot be served; `field` names the field."""

    def __init__(self, field: str, problem: str):
        self.field = field
        self.problem = problem  # holds "{name}", where the field's name (or flag) goes
        super().__init__(self.render(field))

    def render(self, name: str) -> str:
        return self.problem.format(name=name)


def check_choice(field: str, value: object, choices: Sequence[object]) -> None:
    if value not in choices:
        raise RequestError(field, f"{{name}} must be one of {', '.join(map(str, choices))}, got {clip(value)!r}")


def check_positive(field: str, value: int, most: int | None = None) -> None:
    if value < 1:
        raise RequestError(field, f"{{name}} must be at least 1, got {value}")
    if most is not None and value > most:
        raise RequestError(field, f"{{name}} must be at most {most:,}, got {clip(value)}")
