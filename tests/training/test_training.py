"""Training end to end on a small corpus of three clearly separated themes: real MiniLM,
SQLite, Chroma and k-means, with k=3 and a couple of epochs.

What a user relies on: k-means finds the themes; the split covers every cluster in each
part; the model saved is the model trained (not the base model a careless load would
give back); training improves validation loss; an index built with FT-C holds FT-C's
vectors; evaluation compares encoders on the run's own test split; and bad input
ends in one clear line.
"""

from __future__ import annotations

import json
import random
from pathlib import Path

import numpy as np
import pytest

from conftest import ALL_TRACKS, CHILL_TRACKS, WORKOUT_TRACKS, XMAS_TRACKS, failed_cleanly, make_playlist, ok, write_slice_file
from conftest import run_agent as agent
from retrieval.catalog import Catalog
from retrieval.encoding.encoder import Encoder, EncoderError, default_encoder_path, model_fingerprint
from retrieval.index.titles import ChromaLocation, open_index
from retrieval.mpd.ingest import ingest_paths
from training.models import read_metadata, resolve_encoder
from training.options import TrainingError, TrainOptions
from training.pipeline import train

THEMES = {
    "xmas": (XMAS_TRACKS, ["christmas", "xmas songs", "christmas music", "holiday hits", "santa", "xmas"]),
    "workout": (WORKOUT_TRACKS, ["workout", "gym", "gym motivation", "running", "cardio", "lifting"]),
    "chill": (CHILL_TRACKS, ["chill", "relax", "chill vibes", "study", "calm", "acoustic chill"]),
}
PER_THEME = 20
OPTIONS = TrainOptions(k=3, elbow_ks=(2, 3, 4), epochs=2, patience=1, max_train=45, tsne_points=60, seed=0)


def themed_playlists() -> tuple[list[dict], dict[str, set[int]]]:
    """20 playlists per theme, tracks and titles drawn only from that theme."""
    rng = random.Random(7)
    playlists, pids = [], {theme: set() for theme in THEMES}
    for theme, (tracks, titles) in THEMES.items():
        for i in range(PER_THEME):
            pid = len(playlists)
            keys = rng.sample(sorted(tracks), 5)
            playlists.append(make_playlist(pid, titles[i % len(titles)], keys))
            pids[theme].add(pid)
    return playlists, pids








@pytest.fixture(scope="module")
def trained(tmp_path_factory):
    """A data dir with the themed catalog (as `agent ingest` leaves it) and one training run."""
    home = tmp_path_factory.mktemp("train-home")
    playlists, pids = themed_playlists()
    catalog = Catalog(home / "catalog.sqlite")
    ingest_paths(catalog, [write_slice_file(tmp_path_factory.mktemp("train-mpd"), playlists)])
    report = train(catalog, home, OPTIONS)
    yield home, catalog, report, pids
    catalog.close()


@pytest.fixture(scope="module")
def base_model():
    from sentence_transformers import SentenceTransformer

    return SentenceTransformer(str(default_encoder_path()), device="cpu", local_files_only=True)


def split_of(report) -> dict:
    return json.loads((report.run_dir / "split.json").read_text())


# --------------------------------------------------------------------------- #
# Clusters and split
# --------------------------------------------------------------------------- #


def test_kmeans_finds_the_content_themes(trained):
    _, _, report, pids = trained
    labels = {int(pid): label for pid, label in split_of(report)["labels"].items()}
    theme_labels = {theme: {labels[p] for p in members} for theme, members in pids.items()}
    assert all(len(found) == 1 for found in theme_labels.values()), theme_labels
    assert len({next(iter(found)) for found in theme_labels.values()}) == 3
    assert report.clusters["kept"] == 3 and report.clusters["playlists_left_out"] == 0


def test_split_is_80_10_10_with_every_cluster_in_each_part(trained):
    _, _, report, _ = trained
    split = split_of(report)
    parts = [set(split[name]) for name in ("train", "validation", "test")]
    assert not (parts[0] & parts[1] or parts[0] & parts[2] or parts[1] & parts[2])
    assert [len(p) for p in parts] == [48, 6, 6]
    for part in parts:
        assert {split["labels"][str(pid)] for pid in part} == {0, 1, 2}
    assert split["catalog_fingerprint"] == report.catalog_fingerprint


# --------------------------------------------------------------------------- #
# The model served is the model trained
# --------------------------------------------------------------------------- #


@pytest.mark.parametrize("variant", ["ft-c", "ft-t", "ft-g"])
def test_saved_model_differs_from_the_base_in_weights_and_embeddings(trained, base_model, variant):
    from sentence_transformers import SentenceTransformer

    home, catalog, report, _ = trained
    folder = Path(report.models[variant])
    loaded = SentenceTransformer(str(folder), device="cpu", local_files_only=True)
    ours, base = loaded.state_dict(), base_model.state_dict()
    changed = [key for key in base if not np.array_equal(ours[key].numpy(), base[key].numpy())]
    assert len(changed) > len(base) // 2, "most weight tensors should have moved"
    titles = ["christmas", "gym", "chill vibes", "road trip"]
    assert np.abs(loaded.encode(titles) - base_model.encode(titles)).max() > 1e-3
    assert model_fingerprint(folder) != model_fingerprint(default_encoder_path())

    meta = read_metadata(folder)
    assert meta["name"] == f"{variant}-{report.run_id}" == Encoder(folder, device="cpu").name
    assert meta["base_model_fingerprint"] == model_fingerprint(default_encoder_path())
    assert meta["catalog_fingerprint"] == catalog.fingerprint()
    assert (meta["k"], meta["min_coherence"], meta["train_examples"]) == (3, 0.02, 45)
    assert 1 <= meta["best_epoch"] <= meta["epochs_run"] <= 2
    assert meta["check"]["reloaded_matches_trained"] and meta["check"]["weights_differ_from_base"]
    assert {"torch", "sentence_transformers", "transformers"} <= set(meta["libraries"])
    assert resolve_encoder(variant, home) == folder


@pytest.mark.parametrize("variant", ["ft-c", "ft-t", "ft-g"])
def test_training_lowers_validation_loss(trained, variant):
    validation = trained[2].validation[variant]
    assert validation["loss_after"] < validation["loss_before"], validation


def test_ft_g_says_what_it_trained_on(trained):
    meta = read_metadata(Path(trained[2].models["ft-g"]))
    # At most one pair per training playlist, each pair two playlists sharing tracks.
    assert 2 <= meta["train_pairs"] <= meta["train_examples"] and meta["validation_pairs"] >= 1
    assert (meta["batch_size"], meta["min_shared_tracks"], meta["gist_temperature"]) == (32, 2, 0.05)


def test_the_classifier_head_learns_the_clusters(trained):
    validation = trained[2].validation["ft-c"]
    assert validation["head_accuracy_after"] > validation["head_accuracy_before"]
    assert validation["head_accuracy_after"] >= 2 / 3


def test_index_built_with_ft_c_holds_ft_c_vectors_not_the_base_models(trained, base_model):
    home, catalog, report, _ = trained
    folder = Path(report.models["ft-c"])
    result = ok(agent("index", "--encoder", "ft-c", "--data-dir", home))
    assert str(folder) in result.output and f"ft-c-{report.run_id}" in result.output

    index = open_index(catalog, ChromaLocation(path=home / "chroma"))
    assert Path(index.info.encoder_path) == folder
    assert index.info.encoder_fingerprint == model_fingerprint(folder) != model_fingerprint(default_encoder_path())
    titles = dict(catalog.titles_in_use())
    stored = index.vectors(sorted(titles))
    names = [titles[t] for t in sorted(titles)]
    ft_c = Encoder(folder, device="cpu").encode(names).vectors
    pretrained = base_model.encode(names, normalize_embeddings=True)
    stored_matrix = np.stack([stored[t] for t in sorted(titles)])
    assert np.allclose(stored_matrix, ft_c, atol=1e-5)
    assert not np.allclose(stored_matrix, pretrained, atol=1e-3)

    generated = ok(agent("generate", "--title", "xmas", "--format", "json", "--data-dir", home))
    assert json.loads(generated.stdout)["encoder"] == f"ft-c-{report.run_id}"


def test_run_again_resumes_from_every_cached_stage(trained):
    home, catalog, report, _ = trained
    before = {v: read_metadata(Path(f))["created_at"] for v, f in report.models.items()}
    again = train(catalog, home, OPTIONS)
    cached = {stage.name: stage.cached for stage in again.stages}
    for name in ("embed track titles", "playlist vectors", "k-means", "fine-tune ft-c", "fine-tune ft-t", "fine-tune ft-g",
                 "t-SNE"):
        assert cached[name], name
    assert {v: read_metadata(Path(f))["created_at"] for v, f in again.models.items()} == before
    assert split_of(again) == split_of(report)


def test_figures_and_the_workout_similarity_check(trained):
    report = trained[2]
    for name in ("elbow", "loss", "tsne", "similarity"):
        assert Path(report.figures[name]).stat().st_size > 1000, name
    assert set(report.similarity) == {"pt", "ft-c", "ft-t", "ft-g"}
    assert set(report.similarity["pt"]) == {"k pop", "running", "sports"}


# --------------------------------------------------------------------------- #
# Comparing encoders on the run's test split
# --------------------------------------------------------------------------- #


def test_evaluate_encoders_uses_the_training_runs_test_split(trained, tmp_path):
    home, _, report, _ = trained
    collections = set(open_chroma_collections(home))
    ok(agent("evaluate", "--encoders", "pt,ft-c", "--voting", "count", "--k", "5",
             "--data-dir", home, "--output-dir", tmp_path))
    assert set(open_chroma_collections(home)) == collections, "the temporary indexes must be dropped"
    saved = json.loads((tmp_path / "report.json").read_text())
    test_pids = set(split_of(report)["test"])
    assert {q["pid"] for q in saved["per_query"]} == test_pids
    assert report.run_id in saved["holdout"]
    names = {r["name"]: r.get("encoder") for r in saved["results"]}
    assert names["pt count k=5"] == "pt" and names["ft-c count k=5"] == "ft-c"
    # Themes are disjoint, so either encoder finds the right theme's playlists.
    assert all(r["means"]["hit@10"] == 1.0 for r in saved["results"] if r["kind"] == "retrieval")


def open_chroma_collections(home: Path) -> list[str]:
    client = ChromaLocation(path=home / "chroma").client()
    return [c.name if hasattr(c, "name") else str(c) for c in client.list_collections()]


# --------------------------------------------------------------------------- #
# Bad input: one clear line that says what to change
# --------------------------------------------------------------------------- #


def test_k_larger_than_the_playlists_is_refused(trained):
    home = trained[0]
    failed_cleanly(agent("train", "--k", "500", "--data-dir", home), "--k 500", "60 playlists", "--k 3 or fewer")


def test_a_min_coherence_that_removes_every_cluster_is_refused(trained):
    home = trained[0]
    failed_cleanly(agent("train", "--k", "3", "--elbow", "2", "--min-coherence", "0.9", "--data-dir", home),
                   "--min-coherence 0.9", "lower --min-coherence")


def test_a_corpus_without_titles_is_refused(tmp_path):
    # A challenge set: playlists with tracks and no name.
    untitled = [make_playlist(pid, None, sorted(ALL_TRACKS)[pid:pid + 4]) for pid in range(6)]
    catalog = Catalog(tmp_path / "catalog.sqlite")
    ingest_paths(catalog, [write_slice_file(tmp_path / "mpd", untitled, "challenge_set.json",
                                            info={"name": "challenge_set"})])
    assert catalog.stats().playlists == 6
    with pytest.raises(TrainingError, match="no playlists with both a title and tracks"):
        train(catalog, tmp_path, OPTIONS)
    catalog.close()


def test_too_few_playlists_are_refused(tmp_path):
    catalog = Catalog(tmp_path / "catalog.sqlite")
    ingest_paths(catalog, [write_slice_file(tmp_path / "mpd", [make_playlist(0, "gym", ["gym01", "gym02"]),
                                                               make_playlist(1, "chill", ["chill01"])])])
    with pytest.raises(TrainingError, match="at least 3"):
        train(catalog, tmp_path, TrainOptions(k=2))
    catalog.close()


def test_named_encoders_that_do_not_exist_are_refused(tmp_path):
    with pytest.raises(EncoderError, match="run `agent train` first"):
        resolve_encoder("ft-c", tmp_path)
    with pytest.raises(EncoderError, match="unknown encoder 'ft-x'"):
        resolve_encoder("ft-x", tmp_path)
    assert resolve_encoder("pt", tmp_path) == default_encoder_path()


def test_runs_on_different_catalogs_never_share_model_folders():
    # The demo and the user's catalog live in one data dir; the same settings on each
    # must give two models, not one reused as if it were the other.
    from training.layout import run_id

    assert run_id(OPTIONS, "p60-t23") != run_id(OPTIONS, "p4865-t159014")
    assert run_id(OPTIONS, "p60-t23") == run_id(OPTIONS, "p60-t23")
