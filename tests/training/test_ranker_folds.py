"""The learned ranker trained on K catalog folds: every playlist in its title's fold,
each asked with its whole fold hidden from the index and the signals, the manifest saying
what it was fitted on; and `agent tune --ranker --folds 3` through the CLI writes a
ranker that `agent generate --ranker` uses."""

from __future__ import annotations

import json

import numpy as np
import pytest

from conftest import build_corpus, make_playlist, ok, run_agent, write_slice_file
from retrieval.generator import GenerationError
from retrieval.index.store import ChromaLocation
from retrieval.ranking.learned import FEATURES
from retrieval.normalize import normalize_title
from tests.retrieval.test_signals import CORPUS, retriever  # noqa: F401  (the module's retriever fixture)
from training import ranker_folds

ALL_PIDS = {pid for group in CORPUS.pids.values() for pid in group}
LEFT_OUT = frozenset({4})  # as evaluate's held-out split: in no fold, hidden from every query


def test_identical_normalised_titles_share_a_fold_and_the_left_out_are_in_none(retriever):
    plan = ranker_folds.plan_folds(retriever.catalog, LEFT_OUT, folds=3, playlists=100)
    fold_of = {pid: fold for fold, members in enumerate(plan.members) for pid in members}
    assert sorted(fold_of) == sorted(ALL_PIDS - LEFT_OUT)  # each playlist in exactly one fold
    assert sum(len(members) for members in plan.members) == len(fold_of)
    assert fold_of[1] == fold_of[2]  # "xmas songs" and "Xmas Songs!"
    assert all(set(asked) <= plan.members[fold] for fold, asked in enumerate(plan.asked))


def test_the_playlists_asked_are_capped_spread_over_the_folds_and_nested():
    folds = [list(range(fold * 100, fold * 100 + size)) for fold, size in enumerate((50, 2, 50))]
    assert ranker_folds._shares(30, folds) == [14, 2, 14]  # a small fold gives its share to the others
    assert ranker_folds._shares(500, folds) == [50, 2, 50]


def test_a_smaller_cap_asks_a_subset_of_a_larger_ones_playlists(retriever):
    small = ranker_folds.plan_folds(retriever.catalog, LEFT_OUT, folds=3, playlists=4)
    large = ranker_folds.plan_folds(retriever.catalog, LEFT_OUT, folds=3, playlists=9)
    assert sum(map(len, small.asked)) == 4 and sum(map(len, large.asked)) == 9
    assert all(set(a) <= set(b) for a, b in zip(small.asked, large.asked))


def test_every_asked_playlist_is_hidden_from_its_own_querys_index_and_signals(retriever, monkeypatch):
    asked: list[tuple[int, frozenset[int], list]] = []  # (pid, hidden, its queries' neighbours)
    real_collect = ranker_folds.collect

    def collect_recording(fold_retriever, catalog, pids, hidden, on_progress=None):
        data = ranker_folds.RankerData()
        real_generate = fold_retriever.generate
        for pid in pids:
            neighbours = []

            def generate(title, options, neighbours=neighbours):
                generated = real_generate(title, options)
                neighbours.append((options.exclude_pids, [n.pid for n in generated.neighbours]))
                return generated

            fold_retriever.generate = generate
            data.extend(real_collect(fold_retriever, catalog, [pid], hidden))
            asked.append((pid, hidden, neighbours))
            _assert_plays_leave_it_out(fold_retriever, catalog, pid, hidden)
        return data

    monkeypatch.setattr(ranker_folds, "collect", collect_recording)
    plan = ranker_folds.plan_folds(retriever.catalog, LEFT_OUT, folds=3, playlists=100)
    location = ChromaLocation(path=retriever.catalog.path.parent / "chroma")
    data = ranker_folds.collect_folds(retriever.catalog, retriever.index, location, plan, LEFT_OUT, retriever.encoder)
    assert sorted(pid for pid, _, _ in asked) == sorted(ALL_PIDS - LEFT_OUT) and set(data.pids) <= ALL_PIDS
    titles = {pid: normalize_title(retriever.catalog.playlist(pid).name) for pid in ALL_PIDS}
    found_any = False
    for pid, hidden, queries in asked:
        assert pid in hidden and LEFT_OUT <= hidden
        for excluded, neighbours in queries:
            assert excluded == hidden and pid not in neighbours and not LEFT_OUT & set(neighbours)
            assert all(titles[n] != titles[pid] for n in neighbours)  # no identical title answers it
            found_any |= bool(neighbours)
    assert found_any  # the other folds did answer


def _assert_plays_leave_it_out(fold_retriever, catalog, pid, hidden):
    uris = list(dict.fromkeys(t.track_uri for t in catalog.playlist(pid).tracks))
    everyone = fold_retriever.sources.plays_of_uris(uris, frozenset())
    assert np.all(fold_retriever.sources.plays_of_uris(uris, hidden) < everyone)


def test_the_manifest_records_the_folds_and_what_each_asked(retriever, tmp_path):
    location = ChromaLocation(path=retriever.catalog.path.parent / "chroma")
    figures = ranker_folds.train_ranker_on_folds(retriever.catalog, retriever.index, location, LEFT_OUT, tmp_path,
                                                 folds=3, playlists=10, encoder=retriever.encoder)
    training = json.loads((tmp_path / "manifest.json").read_text())["training"]
    assert training["folds"] == 3 and training["playlists_asked"] == 10 == sum(training["playlists_asked_per_fold"])
    assert sum(training["queries_per_fold"]) == figures["training_queries"] + figures["stopping_queries"]
    assert training["playlists_hidden_per_fold"] and sum(training["playlists_hidden_per_fold"]) == len(ALL_PIDS) - 1
    assert figures["playlists_asked"] == 10 and figures["folds"] == 3


def test_a_fit_with_nothing_held_back_to_stop_it_is_one_line_saying_so():
    only_stopping = ranker_folds.RankerData([np.ones((2, len(FEATURES)))], [np.array([1.0, 0.0])], [0], [False], [1])
    with pytest.raises(GenerationError, match="too few training queries") as raised:
        ranker_folds.fit(only_stopping)
    assert "\n" not in str(raised.value)


@pytest.fixture
def home(tmp_path, reuse_encoder):
    # A title of punctuation alone matches nothing: its playlist is asked without a title.
    playlists = build_corpus().playlists + [make_playlist(13, "---", [f"chill0{i}" for i in range(1, 8)])]
    ok(run_agent("ingest", write_slice_file(tmp_path / "mpd", playlists), "--data-dir", tmp_path / "home"))
    return tmp_path / "home"


def test_tune_ranker_on_three_folds_writes_the_ranker_generate_then_uses(home):
    before = run_agent("generate", "xmas songs", "--data-dir", home, "--n", 5, "--ranker", "--explain",
                       env={"COLUMNS": "400"})
    assert "no ranker" in before.output and "Ranked up mostly by" not in before.output
    result = ok(run_agent("tune", "--data-dir", home, "--ranker", "--folds", 3))
    assert "asked in 3 folds" in result.output
    manifest = json.loads((home / "catalog.sqlite.models" / "ranker" / "manifest.json").read_text())
    assert manifest["training"]["folds"] == 3
    after = ok(run_agent("generate", "xmas songs", "--data-dir", home, "--n", 5, "--ranker", "--explain",
                         env={"COLUMNS": "400"}))  # one line per track: the sentence is read whole
    assert "no ranker" not in after.output and "Ranked up mostly by" in after.output
