"""The one preparation every face hands its request to, on a real catalog of the
hand-made corpus: names resolved, the profile applied and named, its warnings kept,
and unknown seeds skipped or refused by the same rules everywhere."""

from __future__ import annotations

import pytest

from agent.playlist import MAX_SEEDS, PlaylistRequest, RequestDraft, RequestError, RequestPreparer
from agent.profile import Profile, save_profile
from conftest import build_corpus, uri, write_slice_file
from retrieval.catalog import Catalog
from retrieval.generator import GenerationError, GenerationOptions
from retrieval.mpd.ingest import ingest_paths
from retrieval.records import Track
from retrieval.resolve import NameNotFound

CORPUS = build_corpus()


@pytest.fixture(scope="module")
def catalog(tmp_path_factory):
    folder = tmp_path_factory.mktemp("prepare")
    with Catalog(folder / "catalog.sqlite") as opened:
        ingest_paths(opened, [write_slice_file(folder, CORPUS.playlists)])
        yield opened


def draft(title: str = "gym", **fields) -> RequestDraft:
    return RequestDraft(PlaylistRequest(title, GenerationOptions(n=5)), **fields)


def test_names_become_the_catalogs_tracks_and_artists(catalog):
    request = RequestPreparer(catalog).prepare(draft(seeds=("eye of the tiger by survivor", uri("chill01")),
                                                     exclude_artists=("jack johnson",)))
    assert request.options.seed_uris == (uri("gym01"), uri("chill01"))
    assert request.options.exclude_artists == ("Jack Johnson",)
    assert request.made_with.excluded_artists == ["Jack Johnson"] and request.warnings == ()
    with pytest.raises(NameNotFound):
        RequestPreparer(catalog).prepare(draft(exclude_artists=("The Nonexistents",)))


def test_the_profile_is_applied_named_and_its_warning_kept(catalog, tmp_path):
    save_profile(tmp_path, Profile(liked_tracks=[uri("gym02")], unwanted_artists=["Survivor"]), "gym")
    request = RequestPreparer(catalog, tmp_path).prepare(draft(profile="gym"))
    assert request.options.liked_track_uris == (uri("gym02"),) and "Survivor" in request.options.exclude_artists
    made_with = request.made_with
    assert (made_with.profile, made_with.liked_tracks, made_with.excluded_artists) == ("gym", 1, ["Survivor"])

    (tmp_path / "profiles" / "broken.json").write_text("{not json", encoding="utf-8")
    request = RequestPreparer(catalog, tmp_path).prepare(draft(profile="broken"))
    assert request.made_with.profile is None  # nothing applied: a fresh profile
    assert len(request.warnings) == 1 and "unreadable" in request.warnings[0] and "kept aside" in request.warnings[0]


def test_a_request_left_with_nothing_known_is_refused_unless_the_face_answers_with_popularity(catalog):
    unknown = draft("", seeds=("spotify:track:gone", Track(track_uri="spotify:track:lost", track_name="Nothing",
                                                            artist_name="Nobody")))
    with pytest.raises(GenerationError, match="no seed track is in the catalog and there is no title"):
        RequestPreparer(catalog).prepare(unknown)
    request = RequestPreparer(catalog, popular_when_empty=True).prepare(unknown)
    assert request.options.popular_when_empty and request.options.seed_uris == ()
    assert request.warnings == ("2 seed track(s) not in the catalog, skipped: spotify:track:gone, spotify:track:lost",)


def test_more_than_the_seed_limit_is_refused_before_any_lookup(catalog):
    with pytest.raises(RequestError, match=f"holds {MAX_SEEDS + 1} tracks; at most {MAX_SEEDS}"):
        draft(seeds=(uri("gym01"),) * (MAX_SEEDS + 1)).check()
    RequestPreparer(catalog).prepare(draft(seeds=(uri("gym01"),) * MAX_SEEDS))  # the limit itself is fine


def test_the_fingerprint_names_the_catalogs_playlists_and_changes_with_an_ingest(catalog, tmp_path):
    before = RequestPreparer(catalog).prepare(draft()).made_with.catalog
    assert before.startswith(f"p{len(CORPUS.playlists)}-")
    with Catalog(tmp_path / "copy.sqlite") as other:
        ingest_paths(other, [write_slice_file(tmp_path, CORPUS.playlists[:3])])
        assert RequestPreparer(other).prepare(draft()).made_with.catalog != before
