"""`agent generate --ranker` and the API's `filters.ranker`: the learned ranker's order, and
with --explain (or in the record the web page reads) the evidence that raised each track,
in the words the fused ranking's explanations use."""

from __future__ import annotations

import json

import pytest

from agent.llm.choice import LLMChoice
from agent.server.api import _request
from agent.server.playlists import PlaylistService
from agent.server.schemas import PlaylistBody
from agent.workspace import Workspace
from conftest import ok
from conftest import run_agent as agent
from retrieval.ranking.learned import FEATURES
from tests.retrieval.test_signals import retriever  # noqa: F401  (the tiny catalog, its folder a data dir)
from tests.training.test_ranker import trained  # noqa: F401  (a tiny ranker fitted beside it)

pytestmark = pytest.mark.usefixtures("reuse_encoder")
WIDE = {"COLUMNS": "400"}  # one line per track: the sentences are read whole


def test_explain_with_the_ranker_names_the_evidence_in_words(trained, retriever):
    data_dir = retriever.catalog.path.parent
    result = ok(agent("generate", "xmas songs", "--data-dir", data_dir, "--n", 5, "--ranker", "--explain", env=WIDE))
    out = result.stdout + result.stderr
    assert "ranker" not in result.stderr  # used, not set aside with a reason
    assert out.count("Ranked up mostly by") == 5
    assert "playlists titled 'xmas songs'" in out or "playlist titled 'xmas songs'" in out
    assert not any(feature in out for feature in FEATURES)


def test_without_the_ranker_the_explanations_are_the_fused_ones(trained, retriever):
    result = ok(agent("generate", "xmas songs", "--data-dir", retriever.catalog.path.parent, "--n", 5, "--explain",
                      env=WIDE))
    assert "Ranked up mostly by" not in result.stdout and "titled 'xmas songs'" in result.stdout


def test_the_json_record_carries_the_same_words(trained, retriever):
    args = ("generate", "xmas songs", "--data-dir", retriever.catalog.path.parent, "--n", 5, "--ranker")
    table = ok(agent(*args, "--explain", env=WIDE)).stdout
    record = json.loads(ok(agent(*args, "--format", "json")).stdout)
    assert all(sentence.startswith("Ranked up mostly by: ") and sentence in table for sentence in record["explanations"])


def test_the_api_record_the_page_shows_says_the_same_words(trained, retriever):
    data_dir = retriever.catalog.path.parent
    service = PlaylistService(Workspace(data_dir), retriever.catalog.path, False, LLMChoice())
    body = PlaylistBody(title="xmas songs", n=5, profile=None, filters={"ranker": True})
    try:
        record = json.loads(service.playlist(_request(body, "retrieval")).model_dump_json())
    finally:
        service.close()
    table = ok(agent("generate", "xmas songs", "--data-dir", data_dir, "--n", 5, "--ranker", "--explain", env=WIDE)).stdout
    assert record["made_with"]["settings"]["ranker"] is True
    assert all(sentence.startswith("Ranked up mostly by: ") and sentence in table for sentence in record["explanations"])
