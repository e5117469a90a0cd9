"""Evaluation: held-out splits, no leakage of a query's own playlist, the report and its files."""

from __future__ import annotations

import json
from pathlib import Path

import pytest
from click.testing import CliRunner

from agent.cli import cli
from agent.evaluation import EvalConfig, Query, configurations, file_queries, held_out_queries, run_evaluation, score
from retrieval.catalog import Catalog
from retrieval.generator import GenerationOptions, Retriever
from retrieval.index.titles import ChromaLocation, build_index, derive_index, drop_index
from retrieval.mpd.ingest import ingest_paths
from retrieval.split import holdout

THEMES = {
    "christmas": ["Jingle Bells", "Silent Night", "Last Christmas", "Feliz Navidad", "White Christmas"],
    "workout": ["Eye of the Tiger", "Stronger", "Till I Collapse", "Lose Yourself", "Power"],
    "chill": ["Banana Pancakes", "Sunday Morning", "Better Together", "Holocene", "Re: Stacks"],
}
TITLES = {
    "christmas": ["christmas", "Christmas Songs", "xmas", "christmas music", "christmas party"],
    "workout": ["workout", "gym", "Gym Hits", "workout mix", "gym workout"],
    "chill": ["chill", "Chill Vibes", "chill out", "chill music", "chilling"],
}


def _track(theme: str, song: str) -> dict:
    return {"track_uri": f"test:track:{theme}:{song}", "track_name": song, "artist_name": f"{theme} artist"}


def _corpus() -> list[dict]:
    playlists, pid = [], 0
    for theme, titles in TITLES.items():
        for i, title in enumerate(titles):
            songs = THEMES[theme][: 3 + i % 3]
            tracks = [_track(theme, s) for s in songs]
            # Each playlist also holds one track no other playlist has: if a query could
            # see its own playlist, this track would be recommended.
            tracks.append({"track_uri": f"test:track:own:{pid}", "track_name": f"Own {pid}", "artist_name": "Solo"})
            playlists.append({"pid": pid, "name": title, "tracks": tracks})
            pid += 1
    return playlists


@pytest.fixture(scope="module")
def corpus_file(tmp_path_factory) -> Path:
    path = tmp_path_factory.mktemp("mpd") / "mpd.slice.0-14.json"
    path.write_text(json.dumps({"info": {"slice": "0-14"}, "playlists": _corpus()}))
    return path


@pytest.fixture(scope="module")
def indexed(tmp_path_factory, corpus_file, encoder):
    home = tmp_path_factory.mktemp("home")
    catalog = Catalog(home / "catalog.sqlite")
    ingest_paths(catalog, [corpus_file])
    location = ChromaLocation(path=home / "chroma")
    index = build_index(catalog, encoder, location)
    yield catalog, index, location
    catalog.close()


def test_playlist_split_is_seeded_and_sized(indexed):
    catalog, _, _ = indexed
    first = holdout(catalog, share=0.2, seed=3)
    assert first == holdout(catalog, share=0.2, seed=3)
    assert len(first.test_pids) == 3  # 20% of 15
    assert holdout(catalog, share=0.2, seed=4).test_pids != first.test_pids or len(catalog.pids()) < 4


def test_title_split_leaves_no_test_title_in_training(indexed):
    catalog, _, _ = indexed
    split = holdout(catalog, share=0.3, seed=1, unit="title")
    test_titles = {catalog.title_id_of_playlist(p) for p in split.test_pids}
    train_titles = {t for t, _ in catalog.titles_in_use(split.test_pids)}
    assert test_titles and not test_titles & train_titles


def test_held_out_playlist_never_votes_for_itself(indexed, encoder):
    catalog, base, location = indexed
    split = holdout(catalog, share=0.2, seed=0)
    derived = derive_index(catalog, base, location, split.test_pids)
    try:
        retriever = Retriever(catalog, derived, encoder)
        for query in held_out_queries(catalog, split):
            playlist = retriever.generate(query.title, GenerationOptions(n=50, k=5, exclude_pids=split.test_pids))
            assert query.pid not in {n.pid for n in playlist.neighbours}
            assert f"test:track:own:{query.pid}" not in {t.track_uri for t in playlist.tracks}
    finally:
        drop_index(location, derived)


def test_without_exclusion_the_leak_would_show(indexed, encoder):
    """The guard above can fail: searching the full index, a query finds its own playlist."""
    catalog, base, _ = indexed
    retriever = Retriever(catalog, base, encoder)
    playlist = retriever.generate("Gym Hits", GenerationOptions(n=50, k=5))
    own = [p for p in catalog.pids() if catalog.playlist(p).name == "Gym Hits"][0]
    assert own in {n.pid for n in playlist.neighbours}


def test_run_evaluation_scores_every_config_and_beats_popularity(indexed, encoder):
    catalog, base, location = indexed
    split = holdout(catalog, share=0.2, seed=0)
    derived = derive_index(catalog, base, location, split.test_pids)
    try:
        report = run_evaluation(
            catalog, Retriever(catalog, derived, encoder), configurations(["count"], [5]),
            held_out_queries(catalog, split), split.test_pids, split.describe(),
        )
    finally:
        drop_index(location, derived)
    names = [r.name for r in report.results]
    assert names == ["count k=5", "popular", "exact title"]
    assert report.queries == len(split.test_pids) == len(report.per_query)
    means = {r.name: r.means for r in report.results}
    # Themes are separated by construction, so title voting must find the right theme.
    assert means["count k=5"]["hit@10"] == 1.0
    assert means["count k=5"]["ndcg@10"] > means["popular"]["ndcg@10"]
    assert means["count k=5"]["clicks"] == min(m["clicks"] for m in means.values())


def test_score_by_song_matches_versions_that_uri_does_not():
    truth = [("uri:1", "Hey Jude", "The Beatles")]
    recommended = [("uri:2", "Hey Jude - Remastered 2015", "The Beatles")]
    assert score(recommended, truth, "uri")["hit@10"] == 0.0
    assert score(recommended, truth, "song")["hit@10"] == 1.0


def test_file_queries_skip_untitled_and_empty(tmp_path):
    path = tmp_path / "challenge_set.json"
    path.write_text(json.dumps({"name": "challenge_set", "playlists": [
        {"pid": 1, "name": "gym", "tracks": [_track("workout", "Power")]},
        {"pid": 2, "tracks": [_track("workout", "Stronger")]},
        {"pid": 3, "name": "empty", "tracks": []},
    ]}))
    queries, skipped = file_queries(path)
    assert [q.pid for q in queries] == [1] and skipped == 2
    assert queries[0] == Query(1, "gym", [("test:track:workout:Power", "Power", "workout artist")])


def test_unknown_config_kind_is_not_silently_scored():
    with pytest.raises(KeyError):
        EvalConfig("nonsense").name


def test_evaluate_cli_writes_report_and_chart(tmp_path, corpus_file, monkeypatch):
    home = tmp_path / "home"
    runner = CliRunner()
    assert runner.invoke(cli, ["ingest", str(corpus_file), "--data-dir", str(home)]).exit_code == 0
    out = tmp_path / "eval"
    result = runner.invoke(cli, ["evaluate", "--data-dir", str(home), "--share", "0.2", "--k", "5",
                                 "--voting", "count", "--output-dir", str(out)])
    assert result.exit_code == 0, result.output
    assert "ndcg@10" in result.output and "r_precision" in result.output
    report = json.loads((out / "report.json").read_text())
    assert report["queries"] == 3 and len(report["per_query"]) == 3
    # The fused default (every signal, its own k) is scored beside the asked-for grid.
    assert {r["name"] for r in report["results"]} == {"count k=5", "fused k=300", "popular", "exact title"}
    assert (out / "chart.png").read_bytes()[:8] == b"\x89PNG\r\n\x1a\n"
    # The temporary evaluation index is dropped; only the active index remains.
    import chromadb
    names = [c.name for c in chromadb.PersistentClient(path=str(home / "chroma")).list_collections()]
    assert not [n for n in names if n.startswith("eval-")]


def test_evaluate_cli_rejects_unknown_voting_rule(tmp_path, corpus_file):
    home = tmp_path / "home"
    runner = CliRunner()
    runner.invoke(cli, ["ingest", str(corpus_file), "--data-dir", str(home)])
    result = runner.invoke(cli, ["evaluate", "--data-dir", str(home), "--voting", "loudest"])
    assert result.exit_code != 0 and "unknown voting rule" in result.output


def test_evaluate_cli_compares_llm_modes_with_diagnostics(tmp_path, corpus_file):
    """The paper's Table 5 layout with the bundled model through llama.cpp: quality at 10
    plus how the LLM behaved (copy score, Kendall tau, match rate, fallbacks)."""
    home = tmp_path / "home"
    runner = CliRunner()
    assert runner.invoke(cli, ["ingest", str(corpus_file), "--data-dir", str(home)]).exit_code == 0
    out = tmp_path / "eval"
    result = runner.invoke(cli, [
        "evaluate", "--data-dir", str(home), "--share", "0.2", "--limit", "1", "--k", "5", "--voting", "count",
        "--modes", "retrieval,rerank,llm", "--shots", "0", "--output-dir", str(out),
    ])
    assert result.exit_code == 0, result.output
    report = json.loads((out / "report.json").read_text())
    by_name = {r["name"]: r for r in report["results"]}
    assert set(by_name) == {"count k=5", "rerank count k=5", "llm 0-shot", "popular", "exact title"}
    assert by_name["rerank count k=5"]["mode"] == "rerank"
    rerank = by_name["rerank count k=5"]["means"]
    # A reranker returns candidate numbers only: whatever it did, it was measured.
    assert 0.0 <= rerank["llm_copy_score"] <= 1.0 and rerank["llm_out_of_candidates_share"] >= 0.0
    assert "llm_match_rate" in by_name["llm 0-shot"]["means"]
    assert "copy" in (out / "report.md").read_text()
