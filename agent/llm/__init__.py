"""LLM backends behind one interface (`ChatBackend.complete`), chosen by name.

    backend = open_backend(workspace.home, llm="openai")   # or "local", or from llm.json
    text = backend.complete(messages, schema)

Importing a backend module registers it; the built-in ones are imported on first use.
The config's pydantic models load on first use too: `agent generate` without an LLM,
which only names the errors and the backends, does not build them.
"""

from __future__ import annotations

from pathlib import Path
from typing import TYPE_CHECKING

from agent.llm.base import ChatBackend, LLMConfigError, LLMError, LLMOutputError, LLMUnavailableError
from agent.llm.registry import backend_names, create_backend, register_backend

if TYPE_CHECKING:
    from agent.llm.config import LLMConfig, load_config

__all__ = [
    "ChatBackend", "LLMConfig", "LLMConfigError", "LLMError", "LLMOutputError", "LLMUnavailableError",
    "backend_names", "create_backend", "load_config", "open_backend", "register_backend",
]


def open_backend(
    home: Path,
    llm: str | None = None,
    model_path: str | Path | None = None,
    base_url: str | None = None,
    model: str | None = None,
) -> ChatBackend:
    """The backend that the data dir's llm.json and these flags select (flags win)."""
    from agent.llm.config import load_config

    return create_backend(load_config(home).with_flags(llm, model_path, base_url, model))


def __getattr__(name: str):
    if name in ("LLMConfig", "load_config"):
        from agent.llm import config

        return getattr(config, name)
    raise AttributeError(f"module {__name__!r} has no attribute {name!r}")
