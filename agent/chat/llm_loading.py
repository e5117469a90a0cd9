"""The chat's LLM, loaded on first need: most messages never need one, and loading takes seconds."""

from __future__ import annotations

from collections.abc import Callable, Sequence
from typing import Any

from agent.chat.outcome import ChatError
from agent.chat.waiting import Spin, no_spinner
from agent.llm import ChatBackend, LLMConfigError


class LazyBackend:
    """Opens the backend once, on the first `get()`; a configuration error is remembered, not retried."""

    def __init__(self, factory: Callable[[], ChatBackend] | None):
        self._factory = factory
        self._backend: ChatBackend | None = None
        self.spin: Spin = no_spinner  # the chat's screen sets a spinner: loading and calls take seconds

    @property
    def configured(self) -> bool:
        return self._factory is not None or self._backend is not None

    def get(self) -> ChatBackend:
        if self._backend is None:
            if self._factory is None:
                raise ChatError("this needs an LLM: start the chat with --llm local or --llm openai")
            try:
                with self.spin("loading the LLM…"):
                    self._backend = Spinning(self._factory(), self)
            except LLMConfigError as error:
                # Not retried on every message: the setting has to be fixed first.
                self._factory = None
                raise ChatError(str(error)) from None
        return self._backend


class Spinning:
    """A backend whose every call shows the chat's spinner with the elapsed time."""

    def __init__(self, backend: ChatBackend, owner: LazyBackend):
        self._backend = backend
        self._owner = owner

    def complete(self, messages: Sequence[Any], schema: dict[str, Any]) -> str:
        with self._owner.spin("asking the LLM…"):
            return self._backend.complete(messages, schema)

    def __getattr__(self, name: str) -> Any:
        if name.startswith("_"):
            raise AttributeError(name)
        return getattr(self._backend, name)
