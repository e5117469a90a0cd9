"""The contract every LLM backend keeps, run against each real one: llama.cpp on the
bundled GGUF, and the OpenAI-compatible backend against llama-cpp-python's server on
localhost (started as in test_llm_openai).

- the same small interface: `ChatBackend` with `name`, `model` and `complete`;
- an answer decoded under a JSON schema parses into the answer model and obeys it;
- a setting the user must fix raises `LLMConfigError`; a model that cannot answer
  raises `LLMUnavailableError`; both are `LLMError`, which the CLI shows as one line.
"""

from __future__ import annotations

import pytest

from agent.llm import ChatBackend, LLMConfigError, LLMError, LLMUnavailableError, backend_names, create_backend
from agent.llm.config import LLMConfig, LocalOptions
from agent.llm.local import LocalBackend
from agent.llm.prompts import load_prompt
from agent.llm.structured import parse_answer
from agent.playlist.llm_songs import SongsAnswer, songs_schema
from agent.playlist.rerank import RerankAnswer, candidate_lines, ranking_schema
from test_llm_local import CANDIDATES
from test_llm_openai import WRONG_KEY, backend_for, free_port, server_url  # noqa: F401  (a fixture)

pytestmark = pytest.mark.slow
KINDS = ("local", "openai")


@pytest.fixture(scope="module")
def local_backend() -> LocalBackend:
    return create_backend(LLMConfig(llm="local"))


@pytest.fixture(params=KINDS)
def kind(request) -> str:
    return request.param


@pytest.fixture
def backend(kind, request) -> ChatBackend:
    if kind == "local":
        return request.getfixturevalue("local_backend")
    return backend_for(request.getfixturevalue("server_url"))


def rerank_messages(title: str = "road trip", wanted: int = 3):
    return load_prompt("rerank").format_messages(
        title=title, count=len(CANDIDATES), k=wanted, candidates=candidate_lines(CANDIDATES)
    )


def test_every_backend_has_the_same_small_interface(kind, backend):
    assert isinstance(backend, ChatBackend)
    assert backend.name == kind and kind in backend_names()
    assert isinstance(backend.model, str) and backend.model


def test_a_ranking_decoded_under_its_schema_parses_and_obeys_it(backend):
    count, wanted = len(CANDIDATES), 3
    answer = parse_answer(backend.complete(rerank_messages(wanted=wanted), ranking_schema(count, wanted)), RerankAnswer)
    assert len(answer.ranking) == wanted
    assert all(1 <= number <= count for number in answer.ranking)


def test_songs_decoded_under_their_schema_parse(backend):
    messages = load_prompt("generate_0shot").format_messages(title="road trip", n=2)
    answer = parse_answer(backend.complete(messages, songs_schema(2)), SongsAnswer)
    assert len(answer.songs) == 2 and all(s.song and s.artist for s in answer.songs)


def misconfigured(kind: str, request, tmp_path) -> ChatBackend:
    """A backend whose settings the user must fix: a GGUF that is not there; a refused key."""
    if kind == "local":
        return create_backend(LLMConfig(llm="local", local=LocalOptions(model_path=tmp_path / "missing.gguf")))
    return backend_for(request.getfixturevalue("server_url"), key=WRONG_KEY)


def unavailable(kind: str) -> tuple[ChatBackend, list]:
    """A backend that cannot answer, and the messages to send: a prompt past llama.cpp's
    context; a server where nothing listens."""
    if kind == "local":
        small = create_backend(LLMConfig(llm="local", local=LocalOptions(n_ctx=256)))
        return small, rerank_messages(title="road trip " * 200)
    return backend_for(f"http://127.0.0.1:{free_port()}/v1"), rerank_messages()


def test_a_setting_to_fix_raises_llm_config_error(kind, request, tmp_path):
    with pytest.raises(LLMConfigError) as error:
        misconfigured(kind, request, tmp_path).complete(rerank_messages(), ranking_schema(len(CANDIDATES), 3))
    assert isinstance(error.value, LLMError) and "\n" not in str(error.value).strip()


def test_a_model_that_cannot_answer_raises_llm_unavailable_error(kind):
    backend, messages = unavailable(kind)
    with pytest.raises(LLMUnavailableError) as error:
        backend.complete(messages, ranking_schema(len(CANDIDATES), 3))
    assert isinstance(error.value, LLMError) and str(error.value)
