"""Which LLM backend a command or a server uses: the flags given, as plain values."""

from __future__ import annotations

from dataclasses import dataclass
from pathlib import Path
from typing import TYPE_CHECKING

from agent.llm import ChatBackend, open_backend

if TYPE_CHECKING:
    from agent.workspace import Workspace


@dataclass(frozen=True)
class LLMChoice:
    """The backend flags; unset ones come from the data dir's llm.json."""

    llm: str | None = None
    model_path: Path | None = None
    base_url: str | None = None
    model: str | None = None

    def open(self, workspace: Workspace) -> ChatBackend:
        return open_backend(workspace.home, self.llm, self.model_path, self.base_url, self.model)
