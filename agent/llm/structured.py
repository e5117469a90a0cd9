"""Asking for JSON that fits a pydantic model: decode under its schema, validate, retry once.

The schema given to the backend may be tighter than the model (an enum of candidate
numbers, an exact item count); the model is what the answer must satisfy to be used.
"""

from __future__ import annotations

from collections.abc import Callable, Sequence
from dataclasses import dataclass, field
from typing import Any, Generic, TypeVar

from langchain_core.messages import BaseMessage
from pydantic import BaseModel, ValidationError

from agent.llm.base import ChatBackend, LLMGaveUpError, LLMOutputError, LLMUnavailableError
from retrieval.json_reader import JSONInputError, read_json

Answer = TypeVar("Answer", bound=BaseModel)
ATTEMPTS = 2  # one retry: a sampled or truncated answer often succeeds the second time


@dataclass
class Asked(Generic[Answer]):
    """The validated answer (None after every attempt failed) and what it took."""

    answer: Answer | None
    attempts: int
    errors: list[str] = field(default_factory=list)

    @property
    def failed(self) -> bool:
        return self.answer is None


def attempts_text(count: int) -> str:
    """'1 attempt', '2 attempts': a failure names what was really tried (a timeout or an
    open circuit ends after one)."""
    return f"{count} attempt{'' if count == 1 else 's'}"


def parse_answer(text: str, model: type[Answer]) -> Answer:
    """`text` as an instance of `model`, or LLMOutputError saying what was wrong."""
    try:
        # strict=False lets raw tabs and newlines inside strings through: llama.cpp's
        # grammar allows them, and they are harmless in a song name.
        data = read_json(text, what="the model's answer", lenient_strings=True)
    except JSONInputError as error:
        shown = text if len(text) <= 60 else text[:57] + "..."
        raise LLMOutputError(f"{error}: {shown!r}") from None
    try:
        return model.model_validate(data)
    except ValidationError as error:
        first = error.errors()[0]
        where = ".".join(map(str, first["loc"])) or "answer"
        raise LLMOutputError(f"the model's JSON does not fit the schema ({where}: {first['msg']})") from None


def ask(
    backend: ChatBackend,
    messages: Sequence[BaseMessage],
    schema: dict[str, Any],
    model: type[Answer],
    accept: Callable[[Answer], str | None] = lambda answer: None,
) -> Asked[Answer]:
    """Up to ATTEMPTS tries; `accept` returns why a well-formed answer is still unusable.

    Output and availability errors are collected, not raised, so the caller can fall
    back to retrieval with a warning; configuration errors propagate. No retry follows
    an LLMGaveUpError: the backend has spent what one request may cost.
    """
    errors: list[str] = []
    for attempt in range(1, ATTEMPTS + 1):
        try:
            answer = parse_answer(backend.complete(messages, schema), model)
        except LLMGaveUpError as error:
            return Asked(None, attempt, [*errors, str(error)])
        except (LLMOutputError, LLMUnavailableError) as error:
            errors.append(str(error))
            continue
        problem = accept(answer)
        if problem is None:
            return Asked(answer, attempt, errors)
        errors.append(problem)
    return Asked(None, ATTEMPTS, errors)
