"""What a chat operation answers: a line for the person, or an error the chat shows and survives."""

from __future__ import annotations

from dataclasses import dataclass, field

from agent.chat.session import Version


class ChatError(Exception):
    """A request that cannot be done as asked; shown as one line, and the chat goes on."""


@dataclass
class Outcome:
    """What an operation did: a line for the person (and the agent), and the new version if any."""

    message: str
    version: Version | None = None
    warnings: list[str] = field(default_factory=list)
