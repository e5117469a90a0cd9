"""Continuation evaluation (`agent evaluate --seeds`) and the ablation rows, on the
hand-made corpus through the CLI."""

from __future__ import annotations

import json

import pytest

from agent.evaluation.continuation import METHODS, given_and_hidden
from conftest import build_corpus, failed_cleanly, ok, run_agent, write_slice_file
from retrieval.ranking.fusion import ABLATABLE

A, B, C = ("a", "A", "x"), ("b", "B", "x"), ("c", "C", "y")


def test_seeds_are_the_first_tracks_and_never_part_of_the_truth():
    assert given_and_hidden([A, B, A, C], 1) == (["a"], [B, C])
    assert given_and_hidden([A, B, C], 0) == ([], [A, B, C])
    assert given_and_hidden([A, A, B], 2) == (["a"], [B])


@pytest.fixture(scope="module")
def home(tmp_path_factory, reuse_encoder):
    folder = tmp_path_factory.mktemp("continuation")
    ok(run_agent("ingest", write_slice_file(folder / "mpd", build_corpus().playlists), "--data-dir", folder / "home"))
    return folder / "home"


def test_continuation_is_scored_per_seed_count_with_its_baselines(home, tmp_path):
    ok(run_agent("evaluate", "--data-dir", home, "--share", "0.3", "--seeds", "0,1,2", "--output-dir", tmp_path))
    report = json.loads((tmp_path / "continuation.json").read_text())
    methods = {(row["seeds"], row["method"]) for row in report["rows"]}
    assert methods == {(0, "fused"), (0, "popular")} | {(n, m) for n in (1, 2) for m in METHODS}
    assert all(0 <= row["means"]["ndcg@10"] <= 1 for row in report["rows"])
    assert "| seeds | method |" in (tmp_path / "continuation.md").read_text()


def test_peers_are_scored_beside_the_default_with_the_popularity_columns(home, tmp_path):
    ok(run_agent("evaluate", "--data-dir", home, "--share", "0.3", "--seeds", "0,2", "--baselines",
                          "itemknn,playlistknn,als,ease,title-knn,hybrid", "--output-dir", tmp_path))
    report = json.loads((tmp_path / "continuation.json").read_text())
    rows = {(row["seeds"], row["method"]): row["means"] for row in report["rows"]}
    peers = ("itemknn", "playlistknn", "als", "ease", "title-knn", "hybrid")
    assert {(2, peer) for peer in peers} | {(0, "title-knn"), (0, "hybrid")} <= set(rows)
    assert (0, "itemknn") not in rows  # a seed-only method has nothing to go on without seeds
    # Three themes that never share a track: two seeds of a theme lead item-kNN to the rest of it.
    assert rows[2, "itemknn"]["ndcg@10"] > rows[2, "popular"]["ndcg@10"]
    assert rows[2, "hybrid"]["ndcg@10"] > rows[2, "popular"]["ndcg@10"]
    for means in rows.values():
        assert 0 <= means["head_share@10"] <= 1 and 0 < means["coverage@10"] <= 1
    markdown = (tmp_path / "continuation.md").read_text()
    assert "| 2 | title-knn |" in markdown and "tail-NDCG@10" in markdown


def test_an_unknown_peer_is_refused_naming_the_choices(home):
    failed_cleanly(run_agent("evaluate", "--data-dir", home, "--seeds", "1", "--baselines", "svd"), "itemknn")


def test_ablation_adds_one_row_per_switched_off_signal(home, tmp_path):
    result = ok(run_agent("evaluate", "--data-dir", home, "--share", "0.3", "--k", "5", "--voting", "count",
                          "--ablate", "--output-dir", tmp_path))
    names = {r["name"] for r in json.loads((tmp_path / "report.json").read_text())["results"]}
    assert {f"fused k=300 -{signal}" for signal in ABLATABLE} | {"fused k=300", "count k=5"} <= names
    assert "fused k=300 -entity" in result.output


def test_generate_continues_from_seed_uris_without_a_title(home):
    result = ok(run_agent("generate", "--data-dir", home, "--seed", "spotify:track:xmas02", "-n", "3",
                          "--format", "json"))
    playlist = json.loads(result.output)
    assert [s["track_uri"] for s in playlist["seeds"]] == ["spotify:track:xmas02"]
    assert "spotify:track:xmas02" not in {t["track_uri"] for t in playlist["tracks"]}


def test_a_title_of_punctuation_only_is_a_user_error(home):
    failed_cleanly(run_agent("generate", "--data-dir", home, "--title", "!!!"), "no letters, digits or emoji")


def test_tune_stores_weights_beside_the_index_and_generation_uses_them(home):
    from agent.workspace import Workspace, fusion_weights
    from retrieval.catalog import Catalog
    from retrieval.ranking.fusion import TunedWeights
    from retrieval.index.titles import active_index_info

    result = ok(run_agent("tune", "--data-dir", home, "--share", "0.3"))
    assert "Tuned weights:" in result.output
    collection = active_index_info(Catalog(home / "catalog.sqlite")).collection
    stored = TunedWeights.load(home / "chroma" / f"fusion-{collection}.json")
    assert stored is not None and stored.index == collection
    assert set(stored.validation) == {"ndcg@10", "r_precision"}
    assert fusion_weights(Workspace.resolve(home), collection) == stored.weights


def test_generate_takes_a_discovery_between_zero_and_one(home):
    failed_cleanly(run_agent("generate", "--data-dir", home, "--title", "xmas", "--discovery", "2"), "--discovery")
    shown = ok(run_agent("generate", "--data-dir", home, "--title", "xmas", "--discovery", "1", "--explain"))
    assert "discovery" in shown.output  # the change is explained as a signal of its own
