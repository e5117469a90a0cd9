"""Backends by name, as `--llm NAME` and the config file's "llm" key select them.

A backend registers a factory taking the LLM config; adding one is a new module with
`@register_backend("name")` imported in `agent/llm/__init__.py`.
"""

from __future__ import annotations

import importlib
from collections.abc import Callable
from typing import TYPE_CHECKING

from agent.llm.base import ChatBackend, LLMConfigError

if TYPE_CHECKING:
    from agent.llm.config import LLMConfig

BackendFactory = Callable[["LLMConfig"], ChatBackend]
_BACKENDS: dict[str, BackendFactory] = {}
# Built-in backends register when first asked for: importing openai and langchain
# costs a second, which commands that use no LLM should not pay.
_BUILTIN = {"local": "agent.llm.local", "openai": "agent.llm.openai_compat"}


def register_backend(name: str) -> Callable[[BackendFactory], BackendFactory]:
    def add(factory: BackendFactory) -> BackendFactory:
        _BACKENDS[name] = factory
        return factory

    return add


def backend_names() -> tuple[str, ...]:
    return tuple(dict.fromkeys([*_BUILTIN, *_BACKENDS]))


def create_backend(config: LLMConfig) -> ChatBackend:
    if config.llm not in _BACKENDS and config.llm in _BUILTIN:
        importlib.import_module(_BUILTIN[config.llm])
    factory = _BACKENDS.get(config.llm)
    if factory is None:
        raise LLMConfigError(f"unknown LLM backend {config.llm!r}; choose one of {', '.join(backend_names())}")
    return factory(config)
