"""The OpenAI backend for real: LangChain's ChatOpenAI and the `openai` client talking
HTTP to an OpenAI-compatible server started here (llama-cpp-python's server running
the bundled GGUF, behind an API key), plus a port where nothing listens.

No client is mocked: refusals, timeouts and connection failures are the real ones.
"""

from __future__ import annotations

import logging
import socket
import subprocess
import sys
import time
import urllib.request

import pytest
from pydantic import SecretStr

from agent.llm import LLMConfigError, create_backend
from agent.llm.config import LLMConfig, OpenAIOptions
from agent.llm.local import bundled_model_path, default_threads
from agent.llm.openai_compat import OpenAIBackend
from agent.playlist.llm_songs import SongsAnswer, songs_schema
from agent.llm.prompts import load_prompt
from agent.llm.structured import parse_answer
from agent.playlist.rerank import rerank
from conftest import stop_process
from test_llm_local import CANDIDATES

pytestmark = pytest.mark.slow

SERVER_KEY = "sk-local-server-KEY-not-for-logs"
WRONG_KEY = "sk-wrong-KEY-must-never-show-42"


def free_port() -> int:
    with socket.socket() as sock:
        sock.bind(("127.0.0.1", 0))
        return sock.getsockname()[1]


@pytest.fixture(scope="module")
def server_url():
    """llama-cpp-python's OpenAI-compatible server on a free port, until the module ends."""
    port = free_port()
    threads = str(default_threads())
    process = subprocess.Popen(
        [sys.executable, "-m", "llama_cpp.server", "--model", str(bundled_model_path()), "--host", "127.0.0.1",
         "--port", str(port), "--api_key", SERVER_KEY, "--n_ctx", "2048", "--n_threads", threads,
         "--n_threads_batch", threads, "--verbose", "False"],
        stdout=subprocess.DEVNULL, stderr=subprocess.PIPE,
    )
    url = f"http://127.0.0.1:{port}/v1"
    deadline = time.monotonic() + 90
    try:
        while True:
            if process.poll() is not None:
                pytest.fail(f"llama_cpp.server exited: {process.stderr.read().decode(errors='replace')[-2000:]}")
            request = urllib.request.Request(f"{url}/models", headers={"Authorization": f"Bearer {SERVER_KEY}"})
            try:
                with urllib.request.urlopen(request, timeout=2) as response:
                    if response.status == 200:
                        break
            except OSError:
                if time.monotonic() > deadline:
                    pytest.fail("llama_cpp.server did not answer /v1/models within 90 s")
                time.sleep(0.3)
        yield url
    finally:
        stop_process(process, timeout=10)


def backend_for(url: str, key: str = SERVER_KEY, **options) -> OpenAIBackend:
    return create_backend(LLMConfig(llm="openai", openai=OpenAIOptions(
        base_url=url, api_key=SecretStr(key), model="smollm2", **options,
    )))


def test_rerank_through_an_openai_compatible_server(server_url, caplog):
    backend = backend_for(server_url)
    with caplog.at_level(logging.DEBUG):
        result = rerank(backend, "road trip", CANDIDATES, wanted=3)
    assert not result.info.fallback, result.warnings
    assert (result.info.backend, result.info.model, result.info.attempts) == ("openai", "smollm2", 1)
    assert sorted(c.track_uri for c in result.candidates) == sorted(c.track_uri for c in CANDIDATES)
    # This server refuses strict json_schema (HTTP 500); `auto` switched to JSON mode plus the
    # schema, which it turns into a grammar, within the same attempt.
    assert backend.response_format == "json_object"
    assert SERVER_KEY not in caplog.text


def test_generation_through_the_server_is_schema_valid(server_url):
    backend = backend_for(server_url, response_format="json_object")
    messages = load_prompt("generate_0shot").format_messages(title="road trip", n=2)
    answer = parse_answer(backend.complete(messages, songs_schema(2)), SongsAnswer)
    assert len(answer.songs) == 2


def test_a_refused_key_is_a_clear_error_that_never_shows_the_key(server_url):
    backend = backend_for(server_url, key=WRONG_KEY, response_format="json_object")
    with pytest.raises(LLMConfigError) as error:
        rerank(backend, "road trip", CANDIDATES, wanted=3)
    message = str(error.value)
    assert "refused the API key" in message and "401" in message
    assert WRONG_KEY not in message and WRONG_KEY[-8:] not in message
    assert WRONG_KEY not in repr(backend.__dict__)


def test_a_server_that_is_down_gives_the_retrieval_order_with_a_warning():
    backend = backend_for(f"http://127.0.0.1:{free_port()}/v1", key=WRONG_KEY)
    result = rerank(backend, "road trip", CANDIDATES, wanted=3)
    assert result.info.fallback and result.info.attempts == 2
    assert [c.track_uri for c in result.candidates] == [c.track_uri for c in CANDIDATES]
    assert len(result.warnings) == 1 and "cannot reach http://127.0.0.1:" in result.warnings[0]
    assert WRONG_KEY not in result.warnings[0] and WRONG_KEY not in result.info.model_dump_json()


def test_a_timeout_gives_the_retrieval_order_with_a_warning(server_url):
    # A real request to the real server, given less time than any answer takes.
    backend = backend_for(server_url, timeout=0.01, response_format="json_object")
    result = rerank(backend, "road trip", CANDIDATES[:3], wanted=1)
    assert result.info.fallback
    assert [c.track_uri for c in result.candidates] == [c.track_uri for c in CANDIDATES[:3]]
    assert "did not answer within 0.01 s" in result.warnings[0]


def test_no_key_is_needed_for_a_local_server_but_is_for_openai(monkeypatch):
    monkeypatch.delenv("OPENAI_API_KEY", raising=False)
    assert create_backend(LLMConfig().with_flags(base_url="http://127.0.0.1:9/v1")).model == "gpt-4o"
    with pytest.raises(LLMConfigError, match="OPENAI_API_KEY"):
        create_backend(LLMConfig(llm="openai"))
