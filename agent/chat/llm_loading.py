"""The chat's LLM, loaded on first need: most messages never need one, and loading takes seconds."""

from __future__ import annotations

from collections.abc import Callable

from agent.chat.outcome import ChatError
from agent.llm import ChatBackend, LLMConfigError


class LazyBackend:
    """Opens the backend once, on the first `get()`; a configuration error is remembered, not retried."""

    def __init__(self, factory: Callable[[], ChatBackend] | None):
        self._factory = factory
        self._backend: ChatBackend | None = None

    @property
    def configured(self) -> bool:
        return self._factory is not None or self._backend is not None

    def get(self) -> ChatBackend:
        if self._backend is None:
            if self._factory is None:
                raise ChatError("this needs an LLM: start the chat with --llm local or --llm openai")
            try:
                self._backend = self._factory()
            except LLMConfigError as error:
                # Not retried on every message: the setting has to be fixed first.
                self._factory = None
                raise ChatError(str(error)) from None
        return self._backend
