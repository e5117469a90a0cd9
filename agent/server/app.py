"""Building the app from `agent serve`'s settings: in the serving process, or in each of
`--workers N` processes, which the server starts by importing `app_from_environment`
(uvicorn needs an import string to start workers) with the settings in the environment.

Each worker process loads its own service, LLM worker thread and, on first use, its
own LLM; the playlist graph and the title vectors are memory-mapped, so processes share
their pages.
"""

from __future__ import annotations

import json
import os
from dataclasses import asdict, dataclass
from pathlib import Path

from fastapi import FastAPI

from agent.cli.llm_options import LLMChoice
from agent.server.api import create_app
from agent.server.llm_worker import LLMWorker
from agent.server.service import PlaylistService
from agent.workspace import Workspace

SETTINGS_ENV = "AGENT_SERVE_SETTINGS"
FACTORY = f"{__name__}:app_from_environment"


@dataclass(frozen=True)
class ServeSettings:
    """What a serving process needs to load the service, as plain values."""

    home: str
    chroma_url: str | None
    catalog_path: str
    is_demo: bool
    llm_queue: int
    llm: str | None = None
    model_path: str | None = None
    base_url: str | None = None
    model: str | None = None

    @classmethod
    def of(cls, workspace: Workspace, catalog_path: Path, is_demo: bool, llm_queue: int, llm: LLMChoice) -> ServeSettings:
        return cls(str(workspace.home), workspace.chroma_url, str(catalog_path), is_demo, llm_queue, llm.llm,
                   str(llm.model_path) if llm.model_path else None, llm.base_url, llm.model)

    def to_json(self) -> str:
        return json.dumps(asdict(self))

    def load_service(self) -> PlaylistService:
        choice = LLMChoice(self.llm, Path(self.model_path) if self.model_path else None, self.base_url, self.model)
        return PlaylistService(Workspace(Path(self.home), self.chroma_url), Path(self.catalog_path), self.is_demo,
                               choice)

    def app(self, service: PlaylistService) -> FastAPI:
        return create_app(service, LLMWorker(max_pending=self.llm_queue))


def app_from_environment() -> FastAPI:
    """The app of one worker process, from the settings `agent serve` put in the environment."""
    settings = ServeSettings(**json.loads(os.environ[SETTINGS_ENV]))
    return settings.app(settings.load_service())
