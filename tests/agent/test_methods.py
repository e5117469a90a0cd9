"""`--method`: one of the field's methods alone makes the playlist (`agent generate`,
`agent challenge`, the API's `filters.method`), on the hand-made corpus whose three themes
never share a track, so what each method should bring is known by construction."""

from __future__ import annotations

import json

import pytest

from conftest import CHILL_TRACKS, WORKOUT_TRACKS, XMAS_TRACKS, build_corpus, failed_cleanly, ok, run_agent, uri, write_slice_file
from test_challenge import FILLERS, answers, filler_playlist, write_challenge

XMAS = {uri(key) for key in XMAS_TRACKS}
WORKOUT = {uri(key) for key in WORKOUT_TRACKS}
CHILL = {uri(key) for key in CHILL_TRACKS}


@pytest.fixture(scope="module")
def home(tmp_path_factory, reuse_encoder):
    folder = tmp_path_factory.mktemp("methods")
    playlists = build_corpus().playlists + [filler_playlist(n) for n in range(FILLERS)]
    ok(run_agent("ingest", write_slice_file(folder / "mpd", playlists), "--data-dir", folder / "home"))
    ok(run_agent("index", "--data-dir", folder / "home"))  # fits the ALS model saved with the index
    return folder / "home"


def generated(home, *args) -> dict:
    return json.loads(ok(run_agent("generate", *args, "--format", "json", "--data-dir", home)).stdout)


@pytest.mark.parametrize("method", ["itemknn", "playlistknn", "als", "ease", "hybrid"])
def test_a_seeded_method_alone_continues_the_seeds_theme_and_says_so(home, method):
    seeds = ["gym01", "gym04"]
    record = generated(home, "-n", "3", "--method", method, *[arg for key in seeds for arg in ("--seed", uri(key))])
    found = [track["track_uri"] for track in record["tracks"]]
    assert len(found) == 3 and set(found) <= WORKOUT - {uri(key) for key in seeds}
    assert record["made_with"]["settings"]["method"] == method
    assert all(method in track["signals"] for track in record["tracks"])  # scored by the method, not the fill


def test_title_knn_alone_answers_the_title(home):
    record = generated(home, "christmas", "-n", "4", "--method", "title-knn")
    assert {track["track_uri"] for track in record["tracks"]} <= XMAS
    assert record["made_with"]["settings"]["method"] == "title-knn"


def test_a_seeded_method_without_seeds_warns_and_gives_the_most_played(home):
    result = ok(run_agent("generate", "chill", "-n", "2", "--method", "itemknn", "--data-dir", home))
    assert "itemknn continues from seed tracks" in result.output
    record = generated(home, "chill", "-n", "2", "--method", "itemknn")
    assert all("popularity" in track["signals"] for track in record["tracks"])


def test_the_users_filters_still_hold_for_a_method_alone(home):
    record = generated(home, "-n", "3", "--method", "itemknn", "--seed", uri("chill01"),
                       "--exclude-artist", "Bon Iver", "--max-per-artist", "1")
    artists = [track["artist_name"] for track in record["tracks"]]
    assert "Bon Iver" not in artists and len(artists) == len(set(artists))


@pytest.mark.parametrize("extra, fragment", [
    (("--ranker",), "do not apply to the method itemknn"),
    (("--discovery", "0.5"), "do not apply to the method itemknn"),
    (("--steer", "upbeat"), "--method itemknn makes a playlist alone"),
    (("--mode", "rerank"), "--method itemknn makes a playlist alone"),
])
def test_what_reorders_the_fused_ranking_is_refused_with_a_method_alone(home, extra, fragment):
    failed_cleanly(run_agent("generate", "gym", "--method", "itemknn", *extra, "--data-dir", home), fragment,
                   exit_code=1)


def test_a_baseline_submission_answers_every_playlist_by_the_method(home, tmp_path):
    output = tmp_path / "baseline.csv"
    ok(run_agent("challenge", write_challenge(tmp_path / "challenge.json"), "-o", output, "--team", "Base",
                 "--email", "base@example.org", "--method", "itemknn", "--data-dir", home))
    found = answers(output)
    assert all(len(tracks) == len(set(tracks)) == 500 for tracks in found.values())
    assert set(found[502][:3]) <= WORKOUT - {uri("gym01"), uri("gym04")}  # its two workout seeds lead
