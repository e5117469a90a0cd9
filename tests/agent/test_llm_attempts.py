"""A failed LLM step names the attempts really made: a hung server is tried once (the
timeout spends what one request may cost), so its warning must not say "twice".
A real localhost server that never answers, and the real `--llm openai` backend."""

from __future__ import annotations

import threading

import pytest
from pydantic import SecretStr

from agent.llm import create_backend
from agent.llm.config import LLMConfig, OpenAIOptions
from agent.playlist.llm_songs import generate_songs
from agent.playlist.rerank import rerank
from conftest import build_corpus, write_slice_file
from faulty_openai_server import FaultyServer
from retrieval.catalog import Catalog
from retrieval.mpd.ingest import ingest_paths
from retrieval.matching import SongMatcher
from retrieval.records import Candidate

CANDIDATES = [
    Candidate(track_uri=f"spotify:track:c{i}", track_name=name, artist_name="Band", rank=i, score=float(10 - i))
    for i, name in enumerate(["Highway", "Holiday Road", "Africa"], start=1)
]


@pytest.fixture(scope="module")
def server():
    server = FaultyServer()
    threading.Thread(target=server.serve_forever, daemon=True).start()
    yield server
    server.shutdown()
    server.server_close()


def hung_backend(server, fault: str):
    return create_backend(LLMConfig(llm="openai", openai=OpenAIOptions(
        base_url=server.url(fault), api_key=SecretStr("sk-test"), model="m", timeout=0.5)))


def test_a_rerank_that_timed_out_once_says_one_attempt(server):
    result = rerank(hung_backend(server, "hang-rerank"), "road trip", CANDIDATES, wanted=2)
    assert result.info.fallback and result.info.attempts == 1
    assert "the LLM rerank failed after 1 attempt (" in result.warnings[-1]
    assert "twice" not in " ".join(result.warnings)


def test_generated_songs_that_timed_out_once_say_one_attempt(server, tmp_path):
    with Catalog(tmp_path / "catalog.sqlite") as catalog:
        ingest_paths(catalog, [write_slice_file(tmp_path / "mpd", build_corpus().playlists)])
        result = generate_songs(hung_backend(server, "hang-songs"), SongMatcher(catalog), "workout", n=3)
    assert result.info.fallback and result.info.attempts == 1
    assert "the LLM failed after 1 attempt (" in result.warnings[-1]
