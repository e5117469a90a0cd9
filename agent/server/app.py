"""Building the app from `agent serve`'s settings. One process serves HTTP; with
`--workers N`, N more processes answer its retrieval-only requests, each loading its
own service from these settings (see `retrieval_pool`). The playlist graph and the
title vectors are memory-mapped, so processes share their pages; the LLM loads once,
in the serving process, on first use.
"""

from __future__ import annotations

from dataclasses import dataclass
from pathlib import Path

from fastapi import FastAPI

from agent.llm.choice import LLMChoice
from agent.llm import LLMError
from agent.llm.config import load_config
from agent.server.api import create_app
from agent.server.limits import HostAllowList
from agent.server.llm_worker import LLMWorker
from agent.server.retrieval_pool import RetrievalPool
from agent.server.playlists import PlaylistService
from agent.workspace import Workspace

@dataclass(frozen=True)
class ServeSettings:
    """What a serving process needs to load the service, as plain values."""

    home: str
    chroma_url: str | None
    catalog_path: str
    is_demo: bool
    llm_queue: int
    llm_budget: float = 30.0
    llm: str | None = None
    model_path: str | None = None
    base_url: str | None = None
    model: str | None = None

    @classmethod
    def of(cls, workspace: Workspace, catalog_path: Path, is_demo: bool, llm_queue: int, llm_budget: float,
           llm: LLMChoice) -> ServeSettings:
        return cls(str(workspace.home), workspace.chroma_url, str(catalog_path), is_demo, llm_queue, llm_budget,
                   llm.llm, str(llm.model_path) if llm.model_path else None, llm.base_url, llm.model)

    def load_service(self) -> PlaylistService:
        choice = LLMChoice(self.llm, Path(self.model_path) if self.model_path else None, self.base_url, self.model)
        return PlaylistService(Workspace(Path(self.home), self.chroma_url), Path(self.catalog_path), self.is_demo,
                               choice)

    def app(self, service: PlaylistService, workers: int = 1, listen_host: str = "127.0.0.1",
            allowed_hosts: tuple[str, ...] = ()) -> FastAPI:
        """The app over `service`; its retrieval runs in `workers` processes of their own when more than one.
        It answers requests for `listen_host`, the local names and `allowed_hosts` only."""
        retrieval = RetrievalPool(self, workers) if workers > 1 else None
        app = create_app(service, LLMWorker(max_pending=self.llm_queue, budget=self.llm_budget), retrieval)
        app.add_middleware(HostAllowList, listen_host=listen_host, extra=allowed_hosts)
        app.state.llm_model = self.llm_model()
        return app

    def llm_model(self) -> dict:
        """Which LLM the page may offer: `configured` only for a model of the user's own
        (a GGUF or a server); the bundled tiny model is a demo the user opts into."""
        try:
            config = load_config(Path(self.home)).with_flags(self.llm, self.model_path, self.base_url, self.model)
        except LLMError as error:
            return {"configured": False, "model": None, "problem": str(error)}
        if config.llm == "local":
            path = config.local.model_path
            return {"configured": path is not None, "model": path.name if path else "SmolLM2-135M (demo)"}
        return {"configured": True, "model": f"{config.openai.model} at {config.openai.base_url or 'api.openai.com'}"}
