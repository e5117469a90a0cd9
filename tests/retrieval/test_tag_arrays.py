"""Crowd-tag vectors as a float16 array beside the catalog: equal, within float16, to the
mean title vector of each track's playlists computed plainly; a catalog whose vectors
are still a Chroma collection has them rebuilt on first use, with a notice."""

from __future__ import annotations

import json
from dataclasses import asdict, replace

import numpy as np
import pytest

from conftest import make_playlist, write_slice_file
from retrieval.catalog import Catalog
from retrieval.index.titles import ChromaLocation, build_index
from retrieval.mpd.ingest import ingest_paths
from retrieval.normalize import normalize_title
from retrieval.index.tags import ACTIVE_TAGS_KEY, TAGS_HISTORY_KEY, active_tags_info, build_tag_index, open_tag_index, tags_folder

# Shared tracks, a track twice in one playlist, two playlists with one title, an untitled
# playlist (challenge set) whose tracks have no other playlist.
PLAYLISTS = [
    make_playlist(1, "Christmas", ["xmas01", "xmas02", "gym01"]),
    make_playlist(2, "christmas!!", ["xmas01", "xmas03"]),
    make_playlist(3, "Workout", ["gym01", "gym02", "gym02"]),
    make_playlist(4, "chill", ["chill01", "gym02", "xmas02"]),
]


@pytest.fixture(scope="module")
def built(tmp_path_factory, encoder):
    home = tmp_path_factory.mktemp("tag-arrays")
    catalog = Catalog(home / "catalog.sqlite")
    ingest_paths(catalog, [write_slice_file(home / "mpd", PLAYLISTS),
                           write_slice_file(home / "mpd", [make_playlist(9, None, ["chill02"])], "challenge_set.json",
                                            info={"name": "challenge_set"})])
    location = ChromaLocation(path=home / "chroma")
    titles = build_index(catalog, encoder, location)
    yield catalog, titles, location, build_tag_index(catalog, titles, location)
    catalog.close()


def plain_tag_vectors(catalog, titles) -> dict[str, np.ndarray]:
    """Each track's mean title vector over its slots in titled playlists (twice in one
    playlist: twice), less the mean of those means, at unit length: the definition, written out."""
    got = titles.collection.get(include=["embeddings"])
    by_title = dict(zip(got["ids"], np.asarray(got["embeddings"], np.float64)))
    title_ids = {title: f"t{title_id}" for title_id, title in catalog.titles_in_use()}
    holders: dict[str, list[np.ndarray]] = {}
    for playlist in PLAYLISTS:
        vector = by_title[title_ids[normalize_title(playlist["name"])]]
        for uri in (track["track_uri"] for track in playlist["tracks"]):
            holders.setdefault(uri, []).append(vector)
    means = {uri: np.mean(vectors, axis=0) for uri, vectors in holders.items()}
    centre = np.mean(list(means.values()), axis=0)
    return {uri: (mean - centre) / np.linalg.norm(mean - centre) for uri, mean in means.items()}


def test_tag_vectors_equal_the_plain_computation_within_float16(built):
    catalog, titles, _, tags = built
    expected = plain_tag_vectors(catalog, titles)
    found = tags.vectors(sorted(expected) + ["spotify:track:chill02", "spotify:track:unknown"])
    assert sorted(found) == sorted(expected)  # chill02: only an untitled playlist; unknown: not a track
    for uri, vector in expected.items():
        assert np.abs(found[uri] - vector).max() < 2e-3, uri
    assert tags.info.tracks == len(expected)


def test_the_vectors_are_a_float16_array_published_beside_the_catalog(built):
    catalog, _, _, tags = built
    folder = tags_folder(catalog) / tags.info.collection
    array = np.load(folder / "vectors.npy", mmap_mode="r")
    assert array.dtype == np.float16 and array.shape[1] == len(tags.mean)
    assert [p.name for p in tags_folder(catalog).iterdir()] == [folder.name]  # nothing half-built left


def test_vectors_left_in_chroma_are_rebuilt_as_an_array_on_first_use(built):
    catalog, titles, location, tags = built
    old = location.client().create_collection("tags-20250101-000000-abcdef", embedding_function=None)
    old_info = replace(tags.info, collection=old.name)
    catalog.set_meta(ACTIVE_TAGS_KEY, json.dumps(asdict(old_info)))
    catalog.set_meta(TAGS_HISTORY_KEY, json.dumps([old.name]))
    notices: list[str] = []
    reopened = open_tag_index(catalog, titles, location, on_notice=notices.append)
    assert len(notices) == 1 and "rebuilding them as an array" in notices[0]
    assert active_tags_info(catalog).collection == reopened.info.collection != old.name
    assert old.name not in {c.name for c in location.client().list_collections()}
    assert json.loads(catalog.get_meta(TAGS_HISTORY_KEY)) == []
    uris = ["spotify:track:xmas01", "spotify:track:gym02"]
    assert all(np.array_equal(reopened.vectors(uris)[u], tags.vectors(uris)[u]) for u in uris)
    assert open_tag_index(catalog, titles, location, on_notice=notices.append).info == reopened.info
    assert len(notices) == 1  # once
