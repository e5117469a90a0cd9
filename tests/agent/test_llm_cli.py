"""`agent generate --mode rerank|llm` and `agent compare` as a user runs them (click's
CliRunner), on the hand-made corpus ingested by `agent ingest`, with the bundled GGUF
through llama.cpp. MiniLM is the session's (`reuse_encoder`); nothing is mocked.
"""

from __future__ import annotations

import json
import re
import socket
from pathlib import Path

import pytest

from conftest import build_corpus, ok, write_slice_file
from conftest import failed_cleanly as _failed_cleanly
from conftest import run_agent as agent


def failed_cleanly(result, *fragments: str) -> str:
    return _failed_cleanly(result, *fragments, exit_code=1)

pytestmark = [pytest.mark.slow, pytest.mark.usefixtures("reuse_encoder")]

CORPUS = build_corpus()
ALL_URIS = set(CORPUS.track_names)








@pytest.fixture(scope="module")
def home(tmp_path_factory) -> Path:
    data = tmp_path_factory.mktemp("llm-cli-home")
    ok(agent("ingest", write_slice_file(tmp_path_factory.mktemp("llm-cli-mpd"), CORPUS.playlists), "--data-dir", data))
    return data


def generate_json(home: Path, *args) -> dict:
    return json.loads(ok(agent("generate", "--data-dir", home, "--format", "json", *args)).stdout)


def test_generate_rerank_reorders_only_the_retrieved_candidates(home):
    retrieved = generate_json(home, "--title", "christmas", "-n", 6)
    reranked = generate_json(home, "--title", "christmas", "-n", 3, "--mode", "rerank", "--candidates", 6)
    assert reranked["mode"] == "rerank"
    assert reranked["llm"]["backend"] == "local" and reranked["llm"]["model"].endswith(".gguf")
    assert reranked["llm"]["candidates"] == 6 and not reranked["llm"]["fallback"]
    assert [t["rank"] for t in reranked["tracks"]] == [1, 2, 3]
    assert {t["track_uri"] for t in reranked["tracks"]} <= {t["track_uri"] for t in retrieved["tracks"]}
    assert all(t["in_catalog"] for t in reranked["tracks"])
    assert reranked["neighbours"] == retrieved["neighbours"]


def test_generate_llm_one_shot_marks_every_song_in_or_out_of_the_catalog(home):
    payload = generate_json(home, "--title", "workout", "-n", 3, "--mode", "llm", "--shots", 1)
    assert payload["mode"] == "llm"
    assert payload["llm"]["shots"] == 1 and payload["llm"]["prompt"] == "generate_1shot"
    assert payload["neighbours"], "one shot takes its example from the most similar playlists"
    assert 1 <= len(payload["tracks"]) <= 3
    for track in payload["tracks"]:
        assert (track["track_uri"] in ALL_URIS) if track["in_catalog"] else (track["track_uri"] is None)
    matched = sum(t["in_catalog"] for t in payload["tracks"])
    assert payload["match_rate"] == round(matched / len(payload["tracks"]), 4)


def test_compare_shows_the_three_modes_side_by_side(home):
    result = ok(agent("compare", "--data-dir", home, "--title", "summer road trip", "-n", 3, "--candidates", 5,
                      env={"COLUMNS": "160"}))
    out = result.stdout
    for heading in ("retrieval only", "LLM rerank", "pure LLM", "Shared songs", "retrieval & rerank"):
        assert heading in out
    assert len(re.findall(r"\b\d+\.\d\d s\b", out)) == 3  # a time under each column
    assert "SmolLM2-135M" in out
    # Under the rerank column: whether the model did anything.
    assert re.search(r"copy score \d\.\d\d", out) and "tau vs retrieval" in out


def test_compare_json_holds_one_playlist_per_mode_and_their_overlap(home):
    result = ok(agent("compare", "--data-dir", home, "--title", "chill", "-n", 2, "--candidates", 4, "--format", "json"))
    payload = json.loads(result.stdout)
    # Piped, the wait still shows signs of life: plain lines on stderr, with the time it took.
    assert re.search(r"^Comparing retrieval, LLM rerank and pure LLM\.\.\. done in \d+\.\d s$", result.stderr, re.M)
    assert [p["mode"] for p in payload["playlists"]] == ["retrieval", "rerank", "llm"]
    retrieval, rerank, llm = payload["playlists"]
    assert retrieval["llm"] is None and rerank["llm"]["backend"] == llm["llm"]["backend"] == "local"
    assert set(payload["overlap"]) == {"retrieval & rerank", "retrieval & llm", "rerank & llm"}
    assert all(t["track_uri"] in ALL_URIS for t in rerank["tracks"])  # reranking adds nothing
    assert all(0 <= shared <= 2 for shared in payload["overlap"].values())  # songs shared, at most n


def test_no_api_key_is_one_clear_line(home):
    env = {"OPENAI_API_KEY": ""}
    failed_cleanly(agent("generate", "--data-dir", home, "--title", "gym", "--mode", "rerank", "--llm", "openai", env=env),
                   "OPENAI_API_KEY", "--base-url")
    failed_cleanly(agent("compare", "--data-dir", home, "--title", "gym", "--llm", "openai", env=env), "OPENAI_API_KEY")


def test_a_missing_gguf_is_one_clear_line(home, tmp_path):
    missing = tmp_path / "Llama-3.1-8B-Instruct.Q4_K_M.gguf"
    failed_cleanly(agent("generate", "--data-dir", home, "--title", "gym", "--mode", "llm", "--model-path", missing),
                   "no GGUF model file at", missing.name)


def test_a_server_that_is_down_still_gives_the_retrieval_playlist_with_a_warning(home):
    with socket.socket() as sock:
        sock.bind(("127.0.0.1", 0))
        port = sock.getsockname()[1]
    secret = "sk-cli-test-SECRET-777"
    args = ("--title", "gym", "-n", 3)
    retrieved = generate_json(home, *args)
    result = ok(agent("generate", "--data-dir", home, "--format", "json", *args, "--mode", "rerank",
                      "--base-url", f"http://127.0.0.1:{port}/v1", env={"OPENAI_API_KEY": secret}))
    payload = json.loads(result.stdout)
    assert payload["llm"]["fallback"] is True and payload["llm"]["backend"] == "openai"
    assert [t["track_uri"] for t in payload["tracks"]] == [t["track_uri"] for t in retrieved["tracks"]]
    assert "cannot reach" in result.stderr and "retrieval order" in result.stderr
    assert secret not in result.output


def test_retrieval_mode_needs_no_llm_and_keeps_its_json(home):
    result = ok(agent("generate", "--data-dir", home, "--format", "json", "--title", "chill", "-n", 2,
                      "--llm", "openai", env={"OPENAI_API_KEY": ""}))
    payload = json.loads(result.stdout)
    assert payload["mode"] == "retrieval" and payload["llm"] is None and payload["match_rate"] is None
    assert all(t["in_catalog"] and t["track_uri"] in ALL_URIS for t in payload["tracks"])
