"""Preference profiles: storage that survives bad files and Ctrl-C, and every generation honouring them."""

from __future__ import annotations

import json

import pytest
from click.testing import CliRunner

from agent.cli import cli
from agent.profile import Profile, ProfileError, load_profile, profile_path, save_profile
from retrieval.catalog import Catalog
from retrieval.ranking.fusion import DEFAULT_WEIGHTS
from retrieval.generator import GenerationOptions, Retriever
from retrieval.index.titles import ChromaLocation, build_index
from retrieval.mpd.ingest import ingest_paths
from tests.conftest import uri


def test_liking_removes_from_unwanted_and_back():
    profile = Profile()
    profile.dislike_artist("Drake")
    profile.like_artist("drake")  # same artist, other case
    assert profile.unwanted_artists == [] and profile.liked_artists == ["drake"]
    profile.dislike_track("u:1")
    profile.dislike_track("u:1")
    assert profile.unwanted_tracks == ["u:1"]
    profile.like_track("u:1")
    assert profile.unwanted_tracks == [] and profile.liked_tracks == ["u:1"]


def test_save_is_atomic_and_round_trips(tmp_path):
    profile = Profile(unwanted_artists=["Drake"], liked_tracks=["u:9"])
    path = save_profile(tmp_path, profile, "work")
    assert load_profile(tmp_path, "work") == (profile, None)
    # Only the profile itself: no temporary file is left behind.
    assert [p.name for p in path.parent.iterdir()] == ["work.json"]


def test_unreadable_profile_is_kept_aside_untouched(tmp_path):
    path = profile_path(tmp_path, "default")
    path.parent.mkdir(parents=True)
    path.write_text('{"unwanted_artists": ["Dra')
    profile, warning = load_profile(tmp_path)
    assert profile.is_empty()
    assert str(path) in warning and "kept aside" in warning
    aside = [p for p in path.parent.iterdir() if p.name.startswith("default.json.unreadable-")]
    assert len(aside) == 1 and aside[0].read_text() == '{"unwanted_artists": ["Dra'
    assert not path.exists()


def test_bad_profile_name_is_rejected(tmp_path):
    with pytest.raises(ProfileError):
        profile_path(tmp_path, "../../etc/passwd")


@pytest.fixture(scope="module")
def retriever(tmp_path_factory, encoder):
    from tests.conftest import build_corpus, write_slice_file

    home = tmp_path_factory.mktemp("profile-home")
    slice_file = write_slice_file(home, build_corpus().playlists)
    catalog = Catalog(home / "catalog.sqlite")
    ingest_paths(catalog, [slice_file])
    yield Retriever(catalog, build_index(catalog, encoder, ChromaLocation(path=home / "chroma")), encoder)
    catalog.close()


def test_unwanted_tracks_and_artists_never_appear(retriever):
    plain = retriever.generate("christmas", GenerationOptions(n=20))
    first, artist = plain.tracks[0], plain.tracks[1].artist_name
    profile = Profile(unwanted_tracks=[first.track_uri], unwanted_artists=[artist.upper()])
    shaped = retriever.generate("christmas", profile.apply(GenerationOptions(n=20)))
    assert first.track_uri not in {t.track_uri for t in shaped.tracks}
    assert artist not in {t.artist_name for t in shaped.tracks}


def test_empty_profile_changes_nothing(retriever):
    options = GenerationOptions(n=20)
    assert retriever.generate("gym", options).tracks == retriever.generate("gym", Profile().apply(options)).tracks


def test_liked_track_pulls_in_tracks_of_playlists_holding_it(retriever):
    # A chill track liked by someone asking for christmas songs: the chill playlists
    # holding it vote (with half weight), so their other tracks enter below the christmas ones.
    liked = uri("chill05")
    # No popularity tail: on this tiny corpus it would list every track anyway.
    options = GenerationOptions(n=30, k=5, fusion=DEFAULT_WEIGHTS.without("tail"))
    plain = {t.track_uri for t in retriever.generate("christmas", options).tracks}
    shaped = retriever.generate("christmas", Profile(liked_tracks=[liked]).apply(options))
    pulled = {t.track_uri for t in shaped.tracks} - plain
    assert liked in pulled and uri("chill01") in pulled
    assert shaped.tracks[0].track_uri in plain  # title votes (weight 1) still lead


def test_generate_cli_honours_a_profile_set_by_the_cli(tmp_path, corpus_slice):
    home = str(tmp_path / "home")
    runner = CliRunner()
    assert runner.invoke(cli, ["ingest", str(corpus_slice), "--data-dir", home]).exit_code == 0
    before = json.loads(runner.invoke(cli, ["generate", "-t", "workout", "--format", "json", "--data-dir", home]).output)
    artist = before["tracks"][0]["artist_name"]
    result = runner.invoke(cli, ["profile", "dislike", "--artist", artist, "--profile", "gym", "--data-dir", home])
    assert result.exit_code == 0, result.output
    after = runner.invoke(cli, ["generate", "-t", "workout", "--format", "json", "--profile", "gym", "--data-dir", home])
    assert artist not in {t["artist_name"] for t in json.loads(after.output)["tracks"]}
    # The default profile is another profile: untouched.
    other = runner.invoke(cli, ["generate", "-t", "workout", "--format", "json", "--data-dir", home])
    assert artist in {t["artist_name"] for t in json.loads(other.output)["tracks"]}
    shown = runner.invoke(cli, ["profile", "show", "--profile", "gym", "--data-dir", home])
    assert artist in shown.output
    runner.invoke(cli, ["profile", "clear", "--profile", "gym", "--data-dir", home])
    assert load_profile(tmp_path / "home", "gym")[0].is_empty()


def test_sixteen_concurrent_dislikes_are_all_kept(tmp_path):
    # Each process reads, changes and writes the profile; unlocked, most edits were lost.
    import os
    import subprocess
    import sys

    import shutil

    from agent.workspace import Workspace
    from demo_home import built_demo_home

    home = tmp_path / "home"
    shutil.copytree(built_demo_home(), home)  # artists are resolved in the catalog: the demo's
    catalog, _ = Workspace(home=home).active_catalog()
    with catalog:
        artists = sorted({t.artist_name for t in catalog.playlist(0).tracks + catalog.playlist(1).tracks})[:16]
    env = {**os.environ, "AGENT_HOME": str(home)}
    command = [sys.executable, "-c", "from agent.cli import main; main()", "profile", "dislike", "--artist"]
    processes = [
        subprocess.Popen([*command, artist], env=env, stdout=subprocess.PIPE, stderr=subprocess.PIPE)
        for artist in artists
    ]
    for process in processes:
        _, err = process.communicate(timeout=600)
        assert process.returncode == 0, err.decode()
    profile, warning = load_profile(home)
    assert warning is None
    assert len(artists) == 16 and sorted(profile.unwanted_artists) == artists


def test_a_long_lived_holder_keeps_edits_made_by_others_meanwhile(tmp_path):
    from agent.profile import update_profile

    held, _ = load_profile(tmp_path, "chat")  # loaded once, as a chat session does
    result = CliRunner().invoke(cli, ["profile", "dislike", "--artist", "Drake", "--profile", "chat"],
                                env={"AGENT_HOME": str(tmp_path)})
    assert result.exit_code == 0, result.output
    update_profile(tmp_path, "chat", lambda stored: stored.like_track("u:7"))
    stored, _ = load_profile(tmp_path, "chat")
    assert stored.unwanted_artists == ["Drake"] and stored.liked_tracks == ["u:7"]
    assert held.is_empty()  # the holder's copy was not what got written


def test_update_profile_rejects_a_bad_name_before_writing(tmp_path):
    from agent.profile import update_profile

    with pytest.raises(ProfileError):
        update_profile(tmp_path, "../escape", Profile.clear)
    assert not (tmp_path / "profiles").exists()


def test_profile_show_prints_stored_names_as_text_without_control_codes(tmp_path):
    from agent.profile import update_profile

    env = {"AGENT_HOME": str(tmp_path)}
    for artist in ("[/]", "[bold]Loud[/bold]", "\x1b]0;pwned\x07Quiet"):  # as an ingested catalog may spell them
        update_profile(tmp_path, "default", lambda profile, artist=artist: profile.dislike_artist(artist))
    result = CliRunner().invoke(cli, ["profile", "show"], env=env)
    assert result.exit_code == 0, result.output
    assert "[/]" in result.output and "[bold]Loud[/bold]" in result.output
    assert "\x1b" not in result.output and "\x07" not in result.output and "Quiet" in result.output


def test_a_profile_name_with_a_trailing_newline_is_refused(tmp_path):
    with pytest.raises(ProfileError):
        profile_path(tmp_path, "default\n")


def test_a_full_profile_refuses_more_and_keeps_what_it_holds(tmp_path):
    from agent.profile import MAX_BYTES, MAX_ENTRIES, ProfileTooLargeError, update_profile

    def dislike(first: int, count: int):
        return lambda profile: [profile.dislike_track(f"spotify:track:{i:022d}") for i in range(first, first + count)]

    update_profile(tmp_path, "full", dislike(0, MAX_ENTRIES))
    with pytest.raises(ProfileTooLargeError, match=f"{MAX_ENTRIES + 1:,} unwanted tracks"):
        update_profile(tmp_path, "full", dislike(MAX_ENTRIES, 1))
    assert len(load_profile(tmp_path, "full")[0].unwanted_tracks) == MAX_ENTRIES

    long_names = lambda profile: [profile.like_artist(f"{i} " + "x" * 1000) for i in range(300)]  # noqa: E731
    with pytest.raises(ProfileTooLargeError, match=f"over the limit of {MAX_BYTES:,}"):
        update_profile(tmp_path, "wordy", long_names)
    assert not profile_path(tmp_path, "wordy").exists()
