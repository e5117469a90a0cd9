"""What a parsed message is: one action, its slots and how sure the reading is."""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass
from typing import Any, Literal

from pydantic import BaseModel, ConfigDict, Field

ACTIONS = (
    "new", "steer", "length", "remove", "add", "dislike", "like", "explain", "similar", "undo", "redo",
    "save", "mode", "show", "help", "smalltalk", "quit", "clarify",
)
Action = Literal[
    "new", "steer", "length", "remove", "add", "dislike", "like", "explain", "similar", "undo", "redo",
    "save", "mode", "show", "help", "smalltalk", "quit", "clarify",
]
MODES = ("retrieval", "rerank", "llm")


class ParsedMessage(BaseModel):
    """One message read as one action. `slots` holds only the keys that apply (see the package doc)."""

    model_config = ConfigDict(extra="forbid")

    text: str
    action: Action
    slots: dict[str, Any] = Field(default_factory=dict)
    confidence: float = Field(ge=0.0, le=1.0)

    def as_line(self) -> dict[str, Any]:
        """The JSON object `agent chat --parse` prints for this message."""
        return {"text": self.text, "action": self.action, "slots": self.slots,
                "confidence": round(self.confidence, 3)}


@dataclass(frozen=True)
class ParseContext:
    """What the chat knows that a message may refer to.

    With `playlist_length`, "the last two" become real positions (9, 10 of 10);
    without it they stay negative (-2, -1), counted from the end.
    With `is_artist` (is this text an artist of the catalog?), a bare name read as an
    artist makes "skip bon iver" a removal even in lower case, and lifts a remove or
    similar reading of it over the confidence threshold.
    """

    playlist_length: int | None = None
    is_artist: Callable[[str], bool] | None = None
