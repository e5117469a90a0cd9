"""The text of an OpenAI chat completion, read from the raw HTTP answer with no trust in it.

A server that says "OpenAI-compatible" may still answer 200 with a web page (a proxy's
login, a wrong --base-url), with `choices: []`, or with a message whose content is null.
Each becomes an LLMUnavailableError saying which server and what was wrong, so the
caller falls back to retrieval as it does for invalid JSON.
"""

from __future__ import annotations

from collections.abc import Mapping
from typing import Any, Protocol

from agent.llm.base import LLMUnavailableError
from retrieval.json_reader import JSONInputError, JSONNestingError, read_json

SHOWN = 60  # characters of a server's text quoted in a message


class HTTPResponse(Protocol):
    """What is read of the openai client's raw HTTP response."""

    status_code: int
    headers: Mapping[str, str]
    text: str


def reply_text(response: HTTPResponse, where: str) -> str:
    """The first choice's message content, or LLMUnavailableError naming `where` and the fault."""
    message = _first_message(_completion(response, where), where)
    content = message.get("content")
    if isinstance(content, str) and content.strip():
        return content
    refusal = message.get("refusal")
    if isinstance(refusal, str) and refusal.strip():
        raise LLMUnavailableError(f"{where}: the model refused ({shown(refusal)})")
    what = "no content" if content is None or isinstance(content, str) else f"content of type {type(content).__name__}"
    raise LLMUnavailableError(f"{where} answered a chat completion with {what}")


def _completion(response: HTTPResponse, where: str) -> dict[str, Any]:
    kind = response.headers.get("content-type", "no content type").split(";")[0].strip()
    not_api = f"{where} answered HTTP {response.status_code} with {kind} ({shown(response.text)!r}), not a chat completion"
    hint = "; is --base-url the API's address (often ending in /v1)?"
    try:
        data = read_json(response.text, what=f"the answer of {where}")
    except JSONNestingError as error:  # JSON, but not a completion a client could read
        raise LLMUnavailableError(str(error)) from None
    except JSONInputError:
        raise LLMUnavailableError(not_api + hint) from None
    if not isinstance(data, dict):
        raise LLMUnavailableError(not_api + hint)
    return data


def _first_message(data: dict[str, Any], where: str) -> dict[str, Any]:
    choices = data.get("choices")
    if "error" in data and not choices:
        raise LLMUnavailableError(f"{where} answered HTTP 200 with an error: {shown(str(data['error']))}")
    if not isinstance(choices, list) or not choices:
        raise LLMUnavailableError(f"{where} answered a chat completion with no choices")
    choice = choices[0]
    message = choice.get("message") if isinstance(choice, dict) else None
    if not isinstance(message, dict):
        raise LLMUnavailableError(f"{where} answered a chat completion whose first choice has no message")
    return message


def shown(text: str, limit: int = SHOWN) -> str:
    """A short, single-line, printable excerpt of a server's text, for a message."""
    printable = "".join(ch if ch.isprintable() else " " for ch in text[: limit * 4])
    line = " ".join(printable.split())
    return line if len(line) <= limit else line[: limit - 3] + "..."
