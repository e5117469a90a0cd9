"""OpenAI-compatible servers that break the protocol, for real: a tiny HTTP server on
127.0.0.1 answers in each broken way, and the real openai client talks to it through
the `--llm openai` backend, both directly and as `agent generate --mode rerank`.

Every fault must end as a fallback with one warning naming the server and the fault
(the retrieval-only playlist through the CLI), never a traceback; "later" answers are
retried after their Retry-After; a server that keeps failing stops being called.
Timeouts are about a second, so each case stays fast.
"""

from __future__ import annotations

import json
import socket
import threading
import time
import uuid
from pathlib import Path

import pytest
from pydantic import BaseModel, SecretStr

from agent.llm import LLMConfigError, create_backend
from agent.llm.base import LLMGaveUpError, LLMUnavailableError
from agent.llm.config import LLMConfig, OpenAIOptions
from agent.llm.resilience import RetryPolicy, retry_after_seconds
from agent.llm.structured import ask
from faulty_openai_server import FaultyServer
from conftest import build_corpus, failed_cleanly, ok, run_agent, write_slice_file

TIMEOUT = 1.0
MESSAGES = [("system", "Rank the candidates."), ("human", "road trip: 1. A 2. B 3. C")]
SCHEMA = {
    "title": "rerank", "type": "object", "required": ["ranking"], "additionalProperties": False,
    "properties": {"ranking": {"type": "array", "items": {"type": "integer", "enum": [1, 2, 3]},
                               "minItems": 2, "maxItems": 2}},
}


class Ranking(BaseModel):
    ranking: list[int]


@pytest.fixture(scope="module")
def server():
    server = FaultyServer()
    thread = threading.Thread(target=server.serve_forever, daemon=True)
    thread.start()
    yield server
    server.shutdown()
    server.server_close()


def dead_url() -> str:
    with socket.socket() as sock:
        sock.bind(("127.0.0.1", 0))
        port = sock.getsockname()[1]
    return f"http://127.0.0.1:{port}/v1"  # nothing listens once the socket is closed


def backend_for(url: str):
    return create_backend(LLMConfig(llm="openai", openai=OpenAIOptions(
        base_url=url, api_key=SecretStr("sk-test"), model="m", timeout=TIMEOUT)))


def unique(fault: str) -> str:
    return f"{fault}-{uuid.uuid4().hex[:8]}"


# --------------------------------------------------------------------------- #
# The backend: each fault is an error naming the server and what was wrong
# --------------------------------------------------------------------------- #


@pytest.mark.parametrize(("fault", "named"), [
    ("html", "answered HTTP 200 with text/html"),
    ("nochoices", "with no choices"),
    ("nullcontent", "with no content"),
    ("deepbody", "nested deeper than"),
])
def test_a_reply_that_is_not_a_chat_completion_falls_back_with_a_warning(server, fault, named):
    url = server.url(unique(fault))
    asked = ask(backend_for(url), MESSAGES, SCHEMA, Ranking)
    assert asked.failed and asked.attempts == 2  # like invalid JSON: one retry, then the fallback
    assert len(asked.errors) == 2
    warning = asked.errors[-1]
    assert url in warning and named in warning and "\n" not in warning


def test_the_html_warning_quotes_a_short_clean_excerpt_of_the_page(server):
    with pytest.raises(LLMUnavailableError) as error:
        backend_for(server.url(unique("html"))).complete(MESSAGES, SCHEMA)
    assert "Sign in to continue" in str(error.value) and "/v1" in str(error.value)


def test_a_dead_port_falls_back_with_a_warning():
    url = dead_url()
    asked = ask(backend_for(url), MESSAGES, SCHEMA, Ranking)
    assert asked.failed
    assert f"cannot reach {url}" in asked.errors[-1]


def test_a_hung_server_costs_one_timeout_not_two(server):
    fault = unique("hang")
    asked = ask(backend_for(server.url(fault)), MESSAGES, SCHEMA, Ranking)
    assert asked.failed and asked.attempts == 1
    assert f"did not answer within {TIMEOUT:g} s" in asked.errors[-1]
    assert server.count(fault) == 1  # the old retry waited out a second timeout


def test_a_server_that_trickles_its_answer_is_held_to_the_timeout_in_all(server):
    # Each byte comes within the timeout, so only a limit on the whole attempt stops it.
    fault = unique("trickle")
    asked = ask(backend_for(server.url(fault)), MESSAGES, SCHEMA, Ranking)
    assert asked.failed and asked.attempts == 1
    assert f"did not answer within {TIMEOUT:g} s" in asked.errors[-1]
    assert server.count(fault) == 1


def test_429_waits_the_retry_after_seconds_then_uses_the_answer(server):
    fault = unique("busy")
    asked = ask(backend_for(server.url(fault)), MESSAGES, SCHEMA, Ranking)
    assert not asked.failed and asked.answer.ranking == [3, 2]
    first, second = server.calls[fault]
    assert 0.9 <= second - first < 5


def test_429_waits_until_a_retry_after_http_date(server):
    fault = unique("busydate")
    asked = ask(backend_for(server.url(fault)), MESSAGES, SCHEMA, Ranking)
    assert not asked.failed
    first, second = server.calls[fault]
    assert 0.9 <= second - first < 5  # the date is 1 to 2 s ahead (HTTP dates have whole seconds)


def test_a_retry_after_longer_than_the_cap_waits_only_the_cap(server):
    fault = unique("busyforanhour")
    backend = backend_for(server.url(fault))
    backend.retry = RetryPolicy(attempts=2, wait_cap=0.3)
    with pytest.raises(LLMGaveUpError, match="still answered HTTP 429 after 2 tries"):
        backend.complete(MESSAGES, SCHEMA)
    first, second = server.calls[fault]
    assert 0.25 <= second - first < 2


def test_a_server_that_stays_busy_is_tried_a_bounded_number_of_times(server):
    fault = unique("alwaysbusy")
    backend = backend_for(server.url(fault))
    backend.retry = RetryPolicy(wait_cap=0.1)
    asked = ask(backend, MESSAGES, SCHEMA, Ranking)
    # The backend's own retries are spent: `ask` must not start a second round of them.
    assert asked.failed and asked.attempts == 1
    assert server.count(fault) == backend.retry.attempts
    assert "429" in asked.errors[-1]


def test_after_three_failures_in_a_row_the_server_is_no_longer_called(server):
    fault = unique("html")
    backend = backend_for(server.url(fault))
    for _ in range(2):
        with pytest.raises(LLMUnavailableError) as error:
            backend.complete(MESSAGES, SCHEMA)
        assert not isinstance(error.value, LLMGaveUpError)
    with pytest.raises(LLMGaveUpError, match="failed 3 requests in a row, so it is not called again"):
        backend.complete(MESSAGES, SCHEMA)
    for _ in range(5):
        with pytest.raises(LLMGaveUpError, match="text/html"):  # the last fault, still named
            backend.complete(MESSAGES, SCHEMA)
    assert server.count(fault) == 3


def test_once_open_the_breaker_answers_without_waiting_for_a_hung_server(server):
    backend = backend_for(server.url(unique("hang")))
    for _ in range(3):
        with pytest.raises(LLMUnavailableError):
            backend.complete(MESSAGES, SCHEMA)
    started = time.monotonic()
    for _ in range(5):
        with pytest.raises(LLMGaveUpError):
            backend.complete(MESSAGES, SCHEMA)
    assert time.monotonic() - started < TIMEOUT  # five more timeouts would take five seconds


def test_a_success_resets_the_count_of_failures(server):
    backend = backend_for(server.url(unique("html")))
    for _ in range(2):
        with pytest.raises(LLMUnavailableError):
            backend.complete(MESSAGES, SCHEMA)
    backend.breaker.succeeded()
    with pytest.raises(LLMUnavailableError) as error:
        backend.complete(MESSAGES, SCHEMA)
    assert not isinstance(error.value, LLMGaveUpError)


@pytest.mark.parametrize(("headers", "seconds"), [
    ({"Retry-After": "2"}, 2.0),
    ({"retry-after": "0.5"}, 0.5),
    ({"Retry-After": "7", "retry-after-ms": "250"}, 0.25),  # OpenAI's finer header wins
    ({"Retry-After": "Thu, 01 Jan 1970 00:00:05 GMT"}, 2.0),  # "now" is 3 s past the epoch
    ({"Retry-After": "Thu, 01 Jan 1970 00:00:01 GMT"}, 0.0),  # a date gone by: at once
    ({"Retry-After": "-4"}, 0.0),
    ({"Retry-After": "nan"}, None),
    ({"Retry-After": "inf"}, None),
    ({"Retry-After": "soon"}, None),
    ({}, None),
])
def test_retry_after_is_read_as_seconds_or_an_http_date(headers, seconds):
    assert retry_after_seconds(headers, now=3.0) == seconds


def test_only_later_answers_are_retried_and_never_past_the_cap_or_the_attempts():
    policy = RetryPolicy(attempts=3, wait_cap=10.0, default_wait=1.0)
    assert policy.wait_before_retry(1, 429, {"Retry-After": "3600"}) == 10.0
    assert policy.wait_before_retry(2, 503, {}) == 1.0
    assert policy.wait_before_retry(3, 429, {"Retry-After": "1"}) is None
    assert policy.wait_before_retry(1, 500, {"Retry-After": "1"}) is None
    assert policy.wait_before_retry(1, 400, {}) is None


@pytest.mark.parametrize("url", ["http://[::1", "http://127.0.0.1:99999/v1", "localhost:8000/v1", "ftp://h/v1"])
def test_a_server_address_no_request_could_reach_is_a_config_error(url):
    with pytest.raises(LLMConfigError, match="is not a(n http\\(s\\))? URL"):
        backend_for(url)


def test_a_server_address_with_terminal_codes_is_refused_without_echoing_them():
    with pytest.raises(LLMConfigError, match="holds control characters") as error:
        backend_for("http://127.0.0.1:8000/v1\x1b]0;pwned\x07")
    assert "\x1b" not in str(error.value) and "\x07" not in str(error.value)


def test_a_missing_key_for_openai_itself_still_raises(monkeypatch):
    monkeypatch.delenv("OPENAI_API_KEY", raising=False)
    with pytest.raises(LLMConfigError, match="needs an API key"):
        create_backend(LLMConfig(llm="openai"))


# --------------------------------------------------------------------------- #
# `agent generate --mode rerank` against the same server
# --------------------------------------------------------------------------- #

CORPUS = build_corpus()


@pytest.fixture(scope="module")
def home(tmp_path_factory, reuse_encoder) -> Path:
    data = tmp_path_factory.mktemp("protocol-home")
    ok(run_agent("ingest", write_slice_file(tmp_path_factory.mktemp("protocol-mpd"), CORPUS.playlists),
                 "--data-dir", data))
    (data / "llm.json").write_text(json.dumps({"llm": "openai", "openai": {"timeout": TIMEOUT}}))
    return data


def generate(home: Path, url: str, *args):
    return ok(run_agent("generate", "--data-dir", home, "--format", "jsonl", "--mode", "rerank",
                        "--candidates", 6, "-n", 3, "--base-url", url, *args, env={"COLUMNS": "400"}))


def retrieval_uris(home: Path, title: str, n: int) -> list[str]:
    result = ok(run_agent("generate", "--data-dir", home, "--format", "json", "-t", title, "-n", n))
    return [t["track_uri"] for t in json.loads(result.stdout)["tracks"]]


def one_line(text: str) -> str:
    return " ".join(text.split())


@pytest.mark.parametrize(("fault", "named"), [
    ("html", "answered HTTP 200 with text/html"),
    ("nochoices", "with no choices"),
    ("nullcontent", "with no content"),
    ("deepbody", "nested deeper than"),
    (None, "cannot reach"),
])
def test_generate_falls_back_to_the_retrieval_playlist_with_a_warning(home, server, fault, named):
    url = server.url(unique(fault)) if fault else dead_url()
    result = generate(home, url, "-t", "christmas")
    playlist = json.loads(result.stdout)
    assert playlist["llm"]["fallback"]
    assert [t["track_uri"] for t in playlist["tracks"]] == retrieval_uris(home, "christmas", 3)
    warnings = one_line(result.stderr)
    assert "Traceback" not in result.output
    assert f"Warning (christmas): the LLM rerank failed" in warnings and url in warnings and named in warnings


def test_a_model_answer_nested_thousands_deep_falls_back_like_invalid_json(home, server):
    result = generate(home, server.url(unique("deepcontent")), "-t", "christmas")
    playlist = json.loads(result.stdout)
    assert playlist["llm"]["fallback"]
    assert [t["track_uri"] for t in playlist["tracks"]] == retrieval_uris(home, "christmas", 3)
    assert "the model's answer is nested deeper than 200 levels" in one_line(result.stderr)


def test_generate_with_a_broken_server_address_is_a_one_line_error(home):
    result = run_agent("generate", "--data-dir", home, "-t", "christmas", "--mode", "rerank",
                       "--base-url", "http://[::1")
    failed_cleanly(result, "http://[::1", "is not a URL", exit_code=1)


def test_generate_after_a_429_uses_the_answer(home, server):
    fault = unique("busy")
    playlist = json.loads(generate(home, server.url(fault), "-t", "christmas").stdout)
    assert not playlist["llm"]["fallback"]
    candidates = retrieval_uris(home, "christmas", 6)
    # The server ranks the candidates last first: the answer after the wait was used.
    assert [t["track_uri"] for t in playlist["tracks"]] == candidates[::-1][:3]
    first, second = server.calls[fault]
    assert 0.9 <= second - first < 5


def test_a_batch_against_a_hung_server_stops_calling_it(home, server, tmp_path):
    fault = unique("hang")
    titles = ["christmas", "workout", "chill", "xmas songs", "running", "relax"]
    titles_file = tmp_path / "titles.txt"
    titles_file.write_text("\n".join(titles) + "\n")
    result = generate(home, server.url(fault), "--titles-file", titles_file)
    playlists = [json.loads(line) for line in result.stdout.splitlines() if line.strip()]
    assert [p["title"] for p in playlists] == titles
    assert all(p["llm"]["fallback"] and p["tracks"] for p in playlists)
    # Three timeouts open the breaker; the other titles never wait on the server.
    assert server.count(fault) == 3
    warnings = one_line(result.stderr)
    assert warnings.count("is not called again in this run") == len(titles) - 2
    assert warnings.count(f"did not answer within {TIMEOUT:g} s") == len(titles)
