"""What a parsed message is: one action, its slots and how sure the reading is."""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass
from typing import Any, Literal

from pydantic import BaseModel, ConfigDict, Field

ACTIONS = (
    "new", "steer", "length", "remove", "add", "dislike", "like", "explain", "similar", "undo", "redo",
    "save", "mode", "show", "ask", "help", "smalltalk", "quit", "clarify",
)
Action = Literal[
    "new", "steer", "length", "remove", "add", "dislike", "like", "explain", "similar", "undo", "redo",
    "save", "mode", "show", "ask", "help", "smalltalk", "quit", "clarify",
]
MODES = ("retrieval", "rerank", "llm")


class ParsedMessage(BaseModel):
    """One message read as one action. `slots` holds only the keys that apply (see the package doc)."""

    model_config = ConfigDict(extra="forbid")

    text: str
    action: Action
    slots: dict[str, Any] = Field(default_factory=dict)
    confidence: float = Field(ge=0.0, le=1.0)
    # Where a name of the slots was found, when the chat or --parse could look: {"name": "Gold Digger",
    # "as": "song", "in": "playlist"} ("in": "playlist" or "catalog"); None when nothing was looked up.
    found: dict[str, str] | None = None

    def as_line(self) -> dict[str, Any]:
        """The JSON object `agent chat --parse` prints for this message ("found" only when a name was looked up)."""
        line = {"text": self.text, "action": self.action, "slots": self.slots, "confidence": round(self.confidence, 3)}
        if self.found is not None:
            line["found"] = self.found
        return line


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
    # What a name is: ("song", "artist" or "either", "playlist" or "catalog"), looked up in the playlist
    # first, then in the catalog; None when it is neither. Decides `song` against `artist` for a bare name.
    name_kind: Callable[[str], tuple[str, str] | None] | None = None
    # The word of the catalog's playlist titles a misspelled steering word means ("relaxd" -> "relaxed").
    mend_word: Callable[[str], str] | None = None
