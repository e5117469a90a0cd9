"""The one interface every LLM backend implements, and the errors they raise.

A backend turns chat messages plus a JSON schema into text. It must enforce the
schema while decoding when it can (a grammar in llama.cpp, structured outputs in
OpenAI); the caller still validates the text, since not every server honours it.
"""

from __future__ import annotations

from collections.abc import Sequence
from typing import TYPE_CHECKING, Any, Protocol, runtime_checkable

if TYPE_CHECKING:  # langchain is imported only when an LLM is used: `agent` starts faster
    from langchain_core.messages import BaseMessage


class LLMError(Exception):
    """Anything that went wrong with an LLM; the CLI prints it as one line."""


class LLMConfigError(LLMError):
    """A setting the user must fix (no API key, no GGUF file, a bad config file).

    Raised before any playlist is made: falling back silently would hide the mistake.
    """


class LLMUnavailableError(LLMError):
    """The model could not answer: server down, timeout, HTTP error, model crash."""


class LLMGaveUpError(LLMUnavailableError):
    """The backend already spent what a request may cost (a timeout, its retries) or
    stopped calling a server that kept failing: asking again at once would only wait again."""


class LLMOutputError(LLMError):
    """The model answered, but not with JSON that fits the schema."""


@runtime_checkable
class ChatBackend(Protocol):
    """An LLM behind one method. `name` is its registry name, `model` what it runs."""

    name: str
    model: str

    def complete(self, messages: Sequence[BaseMessage], schema: dict[str, Any]) -> str:
        """The model's reply to `messages`, decoded under `schema` (which carries a "title")."""
        ...
