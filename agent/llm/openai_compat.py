"""OpenAI (GPT-4o by default) or any OpenAI-compatible server, through the openai client
that LangChain's ChatOpenAI sets up.

The schema goes out as strict structured outputs (`response_format` json_schema).
Servers that refuse that form (llama-cpp-python's server answers HTTP 500) get JSON
mode with the schema attached instead, which llama-cpp-python and vLLM turn into a
grammar; `auto` switches once and remembers. The API key is held as a SecretStr and
never put into a message: OpenAI's own 401 text quotes part of it.

Requests go through the openai client's raw-response API so that a reply that is not a
chat completion is named for what it is (`openai_reply`). "Later" answers are retried
as Retry-After asks, within a cap, and a server that keeps failing is no longer called
(`resilience`); every failure is an LLMUnavailableError the caller falls back on.
"""

from __future__ import annotations

import os
import time
from collections.abc import Sequence
from typing import Any
from urllib.parse import urlsplit

import openai
from langchain_core.messages import BaseMessage, convert_to_openai_messages
from pydantic import SecretStr

from agent.llm.base import LLMConfigError, LLMGaveUpError, LLMUnavailableError
from agent.llm.config import OPENAI_KEY_ENV, LLMConfig, OpenAIOptions
from agent.llm.openai_reply import reply_text, shown
from agent.llm.registry import register_backend
from agent.llm.resilience import CircuitBreaker, Overran, RetryPolicy, within

# Keywords strict structured outputs may reject; the caller validates them after decoding.
_NOT_STRICT = frozenset({"maxLength", "minLength", "uniqueItems"})
# A placeholder for servers that ignore keys; the openai client refuses to start without one.
_NO_KEY = "no-key-needed"


class OpenAIBackend:
    name = "openai"

    def __init__(self, options: OpenAIOptions):
        if options.base_url is not None:
            _check_base_url(options.base_url)
        self.options = options
        self.model = options.model
        self.where = options.base_url or "api.openai.com"
        self.response_format = options.response_format
        # Our own retry policy (`retry`, then a fallback) replaces the client's backoff.
        self._chat = chat_model(options, max_retries=0)
        self.retry = RetryPolicy()
        self.breaker = CircuitBreaker()

    def complete(self, messages: Sequence[BaseMessage], schema: dict[str, Any]) -> str:
        """The reply's text. A failure is an LLMUnavailableError naming the server and the
        fault (LLMGaveUpError when asking again at once is pointless); a setting to fix is
        an LLMConfigError, which does not count against the server."""
        if self.breaker.is_open:
            raise LLMGaveUpError(self._given_up())
        try:
            text = self._request(messages, schema)
        except LLMUnavailableError as error:
            self.breaker.failed(str(error))
            if self.breaker.is_open:
                raise LLMGaveUpError(self._given_up()) from None
            raise
        self.breaker.succeeded()
        return text

    def _given_up(self) -> str:
        return (f"{self.where} failed {self.breaker.failures} requests in a row, so it is not called again in this "
                f"run; the last: {self.breaker.last_error}")

    def _request(self, messages: Sequence[BaseMessage], schema: dict[str, Any]) -> str:
        attempt = 1
        while True:
            form = "json_object" if self.response_format == "json_object" else "json_schema"
            try:
                return self._ask(messages, schema, form)
            except openai.APIStatusError as error:
                if self.response_format == "auto" and form == "json_schema" and _refuses_json_schema(error):
                    self.response_format = "json_object"  # a switch of form, not a retry: no attempt spent
                    continue
                wait = self.retry.wait_before_retry(attempt, error.status_code, error.response.headers)
                if wait is None:
                    raise self._explain(error, attempt) from None
            except openai.APIError as error:
                raise self._explain(error, attempt) from None
            except Overran:
                raise LLMGaveUpError(self._too_slow()) from None
            time.sleep(wait)
            attempt += 1

    def _ask(self, messages: Sequence[BaseMessage], schema: dict[str, Any], form: str) -> str:
        if form == "json_schema":
            response_format = {
                "type": "json_schema",
                "json_schema": {"name": schema.get("title", "answer"), "strict": True, "schema": _strict(schema)},
            }
        elif self.options.base_url is None:
            # OpenAI's JSON mode takes no schema; the prompt describes it and the caller validates.
            response_format = {"type": "json_object"}
        else:
            response_format = {"type": "json_object", "schema": schema}
        create = self._chat.root_client.chat.completions.with_raw_response.create
        raw = within(self.options.timeout, lambda: create(
            model=self.model, messages=convert_to_openai_messages(list(messages)),
            response_format=response_format, temperature=self.options.temperature,
        ))
        return reply_text(raw.http_response, self.where)

    def _too_slow(self) -> str:
        return f"{self.where} did not answer within {self.options.timeout:g} s; raise openai.timeout in llm.json"

    def _explain(self, error: openai.APIError, attempts: int) -> Exception:
        """A message a user can act on; never the server's text for auth errors (it quotes the key)."""
        if isinstance(error, openai.APITimeoutError):
            # Waiting a second timeout would double what a hung server costs, for nothing.
            return LLMGaveUpError(self._too_slow())
        if isinstance(error, openai.APIConnectionError):
            return LLMUnavailableError(f"cannot reach {self.where}: is the server running and the URL right?")
        if isinstance(error, openai.AuthenticationError | openai.PermissionDeniedError):
            return LLMConfigError(f"{self.where} refused the API key (HTTP {error.status_code}); check {OPENAI_KEY_ENV}")
        if isinstance(error, openai.NotFoundError):
            return LLMConfigError(
                f"{self.where} answered 404 for model {self.model!r}: check --model, and that --base-url ends in /v1"
            )
        if isinstance(error, openai.APIStatusError):
            detail = shown(str(error.message), limit=200)
            if attempts > 1:  # the retries are spent: another round would only repeat them
                return LLMGaveUpError(f"{self.where} still answered HTTP {error.status_code} after {attempts} tries: {detail}")
            return LLMUnavailableError(f"{self.where} answered HTTP {error.status_code}: {detail}")
        return LLMUnavailableError(f"{self.where} failed: {type(error).__name__}")


def _check_base_url(url: str) -> None:
    """A config error now for an address no request could go to, rather than a failure per title."""
    where = f"the server address {shown(url)!r} (--base-url, or openai.base_url in llm.json)"
    try:
        parts = urlsplit(url)
        parts.port  # noqa: B018 -- reading the port is what checks it
    except ValueError as error:
        raise LLMConfigError(f"{where} is not a URL: {error}") from None
    if not url.isprintable():  # it is echoed in every warning: no terminal codes
        raise LLMConfigError(f"{where} holds control characters")
    if parts.scheme not in ("http", "https") or not parts.hostname:
        raise LLMConfigError(f"{where} is not an http(s) URL such as http://localhost:8000/v1")


def _refuses_json_schema(error: openai.APIStatusError) -> bool:
    text = str(error.message)
    return error.status_code in (400, 422, 500) and ("json_schema" in text or "response_format" in text)


def _strict(schema: Any) -> Any:
    if isinstance(schema, dict):
        return {key: _strict(value) for key, value in schema.items() if key not in _NOT_STRICT}
    if isinstance(schema, list):
        return [_strict(item) for item in schema]
    return schema


def api_key(options: OpenAIOptions) -> str:
    """The key to send: llm.json's, else $OPENAI_API_KEY, else a placeholder for a server that needs none.

    The one place the key is resolved; `--llm openai` against api.openai.com without a key is a config error.
    """
    key = options.api_key.get_secret_value() if options.api_key else os.environ.get(OPENAI_KEY_ENV, "")
    if key.strip():
        return key
    if options.base_url is None:
        raise LLMConfigError(
            f"--llm openai needs an API key: export {OPENAI_KEY_ENV}=sk-... (or save it with "
            f"`agent llm-config --api-key`), or give --base-url for an OpenAI-compatible server"
        )
    return _NO_KEY


def chat_model(options: OpenAIOptions, max_retries: int = 0):
    """LangChain's ChatOpenAI configured as `--llm openai` is (the key held as a SecretStr)."""
    from langchain_openai import ChatOpenAI

    return ChatOpenAI(
        model=options.model, base_url=options.base_url, api_key=SecretStr(api_key(options)),
        timeout=options.timeout, max_retries=max_retries, temperature=options.temperature,
    )


@register_backend("openai")
def openai_backend(config: LLMConfig) -> OpenAIBackend:
    return OpenAIBackend(config.openai)
