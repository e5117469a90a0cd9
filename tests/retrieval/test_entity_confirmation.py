"""An artist named like a playlist title the catalog already knows: the known title's
playlists decide whether the name means the artist ("drake") or is a coincidence
("Sunday", "Classics")."""

from __future__ import annotations

import pytest

from retrieval.catalog import Catalog
from retrieval.generator import GenerationOptions, Retriever
from retrieval.index.titles import ChromaLocation, build_index
from retrieval.mpd.ingest import ingest_paths
from conftest import write_slice_file


def track(key: str, artist: str) -> dict:
    return {"track_uri": f"spotify:track:{key}", "track_name": f"Song {key}", "artist_name": artist}


SUNDAY_MORNING = [track("calm1", "Norah Jones"), track("calm2", "Jack Johnson"), track("calm3", "Bill Withers")]
BAND_SUNDAY = [track("sun1", "Sunday"), track("sun2", "Sunday")]
PLAYLISTS = [
    {"pid": 0, "name": "sunday", "tracks": SUNDAY_MORNING},
    {"pid": 1, "name": "Sunday", "tracks": SUNDAY_MORNING[:2]},
    {"pid": 2, "name": "rock", "tracks": [BAND_SUNDAY[0], track("rock1", "Foo Fighters")]},
    {"pid": 3, "name": "indie", "tracks": [BAND_SUNDAY[1], BAND_SUNDAY[0], track("indie1", "Wilco")]},
    {"pid": 4, "name": "drake", "tracks": [track("drk1", "Drake"), track("drk2", "Drake")]},
    {"pid": 5, "name": "rap", "tracks": [track("drk3", "Drake"), track("drk1", "Drake"), track("rap1", "Future")]},
]


@pytest.fixture(scope="module")
def retriever(tmp_path_factory, encoder):
    folder = tmp_path_factory.mktemp("entities")
    catalog = Catalog(folder / "catalog.sqlite")
    ingest_paths(catalog, [write_slice_file(folder / "mpd", PLAYLISTS)])
    yield Retriever(catalog, build_index(catalog, encoder, ChromaLocation(path=folder / "chroma")), encoder)
    catalog.close()


def artists(playlist) -> list[str]:
    return [t.artist_name for t in playlist.tracks]


def test_a_known_title_that_its_playlists_do_not_play_as_an_artist_keeps_its_own_meaning(retriever):
    result = retriever.generate("sunday", GenerationOptions(n=3))
    assert result.entities == ["artist Sunday"]  # still said: the name matched
    assert "Sunday" not in artists(result)
    assert set(artists(result)) == {"Norah Jones", "Jack Johnson", "Bill Withers"}


def test_a_known_title_whose_playlists_play_the_artist_brings_the_artists_other_songs(retriever):
    result = retriever.generate("drake", GenerationOptions(n=3))
    assert result.entities == ["artist Drake"]
    assert artists(result) == ["Drake"] * 3  # drk3 comes from the entity: no "drake" playlist holds it
    assert next(t for t in result.tracks if t.track_uri == "spotify:track:drk3").signals["entity"] > 0
