"""Reading MPD files into the SQLite catalog: what is stored, idempotence, replacement
by pid, and how bad input is reported and rolled back."""

from __future__ import annotations

import gzip
import json

import pytest

from conftest import make_playlist, uri
from retrieval.catalog import Catalog
from retrieval.mpd.ingest import ingest_paths
from retrieval.mpd.parse import MPDFormatError


@pytest.fixture
def catalog(tmp_path):
    with Catalog(tmp_path / "data" / "catalog.sqlite") as opened:
        yield opened


def catalog_content(catalog: Catalog) -> dict:
    """Everything a user can read back: each playlist with its tracks, and the titles in use."""
    return {
        "playlists": {pid: catalog.playlist(pid).model_dump() for pid in catalog.pids()},
        "titles": sorted(title for _, title in catalog.titles_in_use()),
    }


def expected_playlist(raw: dict) -> dict:
    return {
        "pid": raw["pid"],
        "name": raw.get("name"),
        "tracks": [
            {"track_uri": t["track_uri"], "track_name": t["track_name"], "artist_name": t["artist_name"]}
            for t in raw["tracks"]
        ],
    }


# --------------------------------------------------------------------------- #
# Good input
# --------------------------------------------------------------------------- #


def test_a_good_slice_is_stored(catalog, corpus, corpus_slice):
    summary = ingest_paths(catalog, [corpus_slice])
    assert summary.files == 1
    assert summary.playlists == len(corpus.playlists) == 13
    assert summary.track_rows == corpus.track_rows
    assert summary.skipped == 0
    stats = catalog.stats()
    assert stats.playlists == 13
    assert stats.tracks == corpus.distinct_tracks == 23
    assert stats.distinct_titles == corpus.distinct_titles
    assert stats.playlist_tracks == corpus.track_rows
    assert summary.catalog == stats


def test_a_playlists_tracks_come_back_in_order(catalog, corpus, corpus_slice):
    ingest_paths(catalog, [corpus_slice])
    for raw in corpus.playlists:
        assert catalog.playlist(raw["pid"]).model_dump() == expected_playlist(raw)
    # Spelled out once, so a mistake in the helper above cannot hide one in the catalog.
    stored = catalog.playlist(2)
    assert stored.name == "Xmas Songs!"
    assert [t.track_uri for t in stored.tracks] == [uri("xmas01"), uri("xmas08"), uri("xmas03"), uri("xmas09")]
    assert stored.tracks[1].track_name == "Last Christmas - Remastered"
    assert stored.tracks[1].artist_name == "Wham!"


def test_unknown_pid_is_a_clear_error(catalog, corpus_slice):
    ingest_paths(catalog, [corpus_slice])
    with pytest.raises(KeyError, match="pid=999"):
        catalog.playlist(999)


def test_optional_mpd_fields_are_kept(catalog, corpus_slice):
    ingest_paths(catalog, [corpus_slice])
    db = catalog.connection_for_tests()
    row = db.execute(
        "SELECT num_followers, description, collaborative, modified_at FROM playlists WHERE pid = 0"
    ).fetchone()
    assert row == (1, "hand-made playlist 0", 0, 1493424000)
    album = db.execute(
        "SELECT album_name, album_uri, artist_uri FROM tracks WHERE uri = ?", (uri("xmas01"),)
    ).fetchone()
    assert album == ("All I Want for Christmas Is You (Album)", "spotify:album:xmas01", "spotify:artist:mariahcarey")
    # A playlist given with only the required fields has no optional values to store.
    assert db.execute("SELECT num_followers FROM playlists WHERE pid = 1").fetchone() == (None,)


def test_gzipped_slice_is_read_like_a_plain_one(tmp_path, write_slice, corpus):
    plain = write_slice(tmp_path / "plain", corpus.playlists, "mpd.slice.0-999.json")
    packed = write_slice(tmp_path / "packed", corpus.playlists, "mpd.slice.0-999.json.gz")
    assert packed.read_bytes()[:2] == b"\x1f\x8b"
    with Catalog(tmp_path / "a.sqlite") as a, Catalog(tmp_path / "b.sqlite") as b:
        ingest_paths(a, [plain])
        ingest_paths(b, [packed])
        assert b.stats() == a.stats()
        assert catalog_content(b) == catalog_content(a)


def test_a_folder_is_read_file_by_file_in_slice_order(tmp_path, write_slice, catalog):
    folder = tmp_path / "mpd"
    # Slice 1000-1999 comes after 200-299 although its name sorts first.
    write_slice(folder, [make_playlist(1, "chill", ["chill01"]), make_playlist(7, "old name", ["gym01"])],
                "mpd.slice.200-299.json")
    write_slice(folder, [make_playlist(7, "new name", ["gym02", "gym03"])], "mpd.slice.1000-1999.json.gz")
    write_slice(folder, [make_playlist(3, "relax", ["chill02"])], "mpd.slice.0-99.json")
    (folder / "README.md").write_text("not a slice")
    summary = ingest_paths(catalog, [folder])
    assert summary.files == 3
    assert catalog.pids() == [1, 3, 7]
    seven = catalog.playlist(7)
    assert seven.name == "new name"
    assert [t.track_uri for t in seven.tracks] == [uri("gym02"), uri("gym03")]


def test_a_folder_without_mpd_files_is_an_error(tmp_path, catalog):
    empty = tmp_path / "empty"
    empty.mkdir()
    (empty / "notes.txt").write_text("hello")
    with pytest.raises(MPDFormatError, match="empty"):
        ingest_paths(catalog, [empty])


def test_challenge_set_allows_missing_names_and_empty_playlists(tmp_path, catalog):
    challenge = {
        "date": "2018-01-16 08:47:28.198015",
        "version": "v1",
        "name": "challenge_set",
        "description": "RecSys Challenge 2018 challenge set",
        "playlists": [
            {"pid": 1000000, "name": "party", "num_holdouts": 5, "num_samples": 0, "num_tracks": 5, "tracks": []},
            {"pid": 1000001, "num_holdouts": 9, "num_samples": 1, "num_tracks": 10,
             "tracks": [{"pos": 0, "track_uri": uri("gym01"), "track_name": "Eye of the Tiger",
                         "artist_name": "Survivor", "artist_uri": "spotify:artist:x", "album_uri": "spotify:album:x",
                         "album_name": "Eye of the Tiger", "duration_ms": 245000}]},
        ],
    }
    path = tmp_path / "challenge_set.json"
    path.write_text(json.dumps(challenge))
    summary = ingest_paths(catalog, [path])
    assert summary.playlists == 2
    assert catalog.playlist(1000000).model_dump() == {"pid": 1000000, "name": "party", "tracks": []}
    untitled = catalog.playlist(1000001)
    assert untitled.name is None
    assert [t.track_uri for t in untitled.tracks] == [uri("gym01")]
    # Only the named playlist has a title to index.
    assert [title for _, title in catalog.titles_in_use()] == ["party"]


def test_a_slice_still_requires_names(tmp_path, write_slice, catalog):
    path = write_slice(tmp_path, [make_playlist(5, None, ["gym01"])])
    with pytest.raises(MPDFormatError) as caught:
        ingest_paths(catalog, [path])
    assert "pid=5" in str(caught.value) and "'name'" in str(caught.value)


def test_reingesting_the_same_slice_changes_nothing(catalog, corpus_slice):
    ingest_paths(catalog, [corpus_slice])
    stats, content, fingerprint = catalog.stats(), catalog_content(catalog), catalog.fingerprint()
    again = ingest_paths(catalog, [corpus_slice])
    assert again.playlists == 13
    assert catalog.stats() == stats
    assert catalog_content(catalog) == content
    assert catalog.fingerprint() == fingerprint


def test_the_same_pid_in_a_later_file_replaces_the_earlier_playlist(tmp_path, write_slice, catalog, corpus_slice):
    ingest_paths(catalog, [corpus_slice])
    before = catalog.stats()
    update = write_slice(tmp_path / "update", [make_playlist(5, "Leg Day", ["gym07", "gym06"])], "mpd.slice.1000-1999.json")
    ingest_paths(catalog, [update])
    replaced = catalog.playlist(5)
    assert replaced.name == "Leg Day"
    assert [t.track_uri for t in replaced.tracks] == [uri("gym07"), uri("gym06")]
    after = catalog.stats()
    assert after.playlists == before.playlists
    assert after.playlist_tracks == before.playlist_tracks - 5 + 2
    titles = {title for _, title in catalog.titles_in_use()}
    # "workout" was carried only by pid 5; it must not be indexed any more.
    assert "leg day" in titles and "workout" not in titles
    # The other playlists are untouched.
    assert catalog.playlist(6).name == "gym"


def test_playlists_sharing_a_title_stay_separate(catalog, corpus_slice):
    ingest_paths(catalog, [corpus_slice])
    assert catalog.playlist(1).name == "xmas songs"
    assert catalog.playlist(2).name == "Xmas Songs!"
    assert catalog.playlist(1).tracks != catalog.playlist(2).tracks
    shared = [title_id for title_id, title in catalog.titles_in_use() if title == "xmas songs"]
    assert len(shared) == 1
    assert [pid for pid, _ in catalog.playlists_with_title(shared[0], limit=10)] == [1, 2]


# --------------------------------------------------------------------------- #
# Bad input
# --------------------------------------------------------------------------- #


def _good(pid: int) -> dict:
    return make_playlist(pid, f"good {pid}", ["chill01", "chill02"])


def _without(playlist: dict, *path):
    target = playlist
    for key in path[:-1]:
        target = target[key]
    del target[path[-1]]
    return playlist


BAD_PLAYLISTS = {
    "missing pid": (_without(_good(41), "pid"), None, "pid"),
    "missing track_uri": (_without(_good(42), "tracks", 1, "track_uri"), 42, "track_uri"),
    "missing track_name": (_without(_good(43), "tracks", 0, "track_name"), 43, "track_name"),
    "pid as string": ({**_good(44), "pid": "44"}, "44", "pid"),
    "tracks not a list": ({**_good(45), "tracks": {"0": "spotify:track:x"}}, 45, "tracks"),
    "tracks missing": (_without(_good(46), "tracks"), 46, "tracks"),
    "track not an object": ({**_good(47), "tracks": ["spotify:track:x"]}, 47, "tracks"),
    "artist not a string": ({**_good(48), "tracks": [{"track_uri": "u", "track_name": "n", "artist_name": 3}]},
                            48, "artist_name"),
    "name not a string": ({**_good(49), "name": 49}, 49, "name"),
}


@pytest.mark.parametrize("bad, pid, field", BAD_PLAYLISTS.values(), ids=BAD_PLAYLISTS.keys())
def test_a_bad_playlist_is_reported_with_file_pid_and_field(tmp_path, write_slice, catalog, bad, pid, field):
    path = write_slice(tmp_path, [_good(1), bad, _good(2)], "mpd.slice.5000-5999.json")
    with pytest.raises(MPDFormatError) as caught:
        ingest_paths(catalog, [path])
    error = caught.value
    message = str(error)
    assert "mpd.slice.5000-5999.json" in message
    assert f"'{field}'" in message
    assert error.field == field
    if pid is not None:
        assert f"pid={pid}" in message
        assert error.pid == pid
    assert catalog.stats().playlists == 0


def test_a_pid_twice_in_one_file_is_reported(tmp_path, write_slice, catalog):
    path = write_slice(tmp_path, [_good(1), _good(2), _good(1)])
    with pytest.raises(MPDFormatError, match=r"pid=1\b.*twice"):
        ingest_paths(catalog, [path])


@pytest.mark.parametrize(
    "content, problem",
    [
        (b'{"info": {}, "playlists": [{"pid": 1, "name": "x", "tracks": []}', "malformed JSON"),
        (b"", "empty"),
        (b"  \n", "empty"),
        (b'{"info": {}, "items": []}', "playlists"),
        (b"[1, 2, 3]", "playlists"),
    ],
    ids=["truncated JSON", "empty file", "blank file", "no playlists list", "not an object"],
)
def test_an_unreadable_file_is_reported_with_its_name(tmp_path, catalog, content, problem):
    path = tmp_path / "mpd.slice.7000-7999.json"
    path.write_bytes(content)
    with pytest.raises(MPDFormatError, match=problem) as caught:
        ingest_paths(catalog, [path])
    assert str(path) in str(caught.value)


def test_a_broken_gzip_file_is_reported_with_its_name(tmp_path, catalog):
    path = tmp_path / "mpd.slice.0-999.json.gz"
    path.write_bytes(gzip.compress(b'{"playlists": []}')[:-12])
    with pytest.raises(MPDFormatError) as caught:
        ingest_paths(catalog, [path])
    assert str(path) in str(caught.value)


def test_a_missing_path_is_reported(tmp_path, catalog):
    with pytest.raises(MPDFormatError, match="no such file"):
        ingest_paths(catalog, [tmp_path / "nowhere.json"])


def test_a_bad_second_file_keeps_the_first_and_stores_nothing_of_its_own(tmp_path, write_slice, catalog):
    first = write_slice(tmp_path, [_good(1), _good(2)], "mpd.slice.0-999.json")
    bad_playlist = _without(make_playlist(12, "broken", ["gym01"]), "tracks", 0, "track_uri")
    # The bad file's other playlists are valid, and bring tracks the first file lacks.
    second = write_slice(tmp_path, [make_playlist(10, "valid", ["gym02", "gym03"]), bad_playlist],
                         "mpd.slice.1000-1999.json")
    with pytest.raises(MPDFormatError, match="mpd.slice.1000-1999.json"):
        ingest_paths(catalog, [first, second])
    assert catalog.pids() == [1, 2]
    stats = catalog.stats()
    assert (stats.playlists, stats.tracks, stats.playlist_tracks) == (2, 2, 4)


def test_a_failure_while_writing_rolls_the_whole_file_back(tmp_path, write_slice, catalog, monkeypatch):
    first = write_slice(tmp_path, [_good(1)], "mpd.slice.0-999.json")
    second = write_slice(tmp_path, [make_playlist(10, "valid", ["gym02", "gym03"])], "mpd.slice.1000-1999.json")
    ingest_paths(catalog, [first])
    before, content = catalog.stats(), catalog_content(catalog)

    def disk_full(*args, **kwargs):
        raise OSError("disk full")

    with monkeypatch.context() as patch:
        # Tracks and titles are written before the playlists: they must go too.
        patch.setattr(catalog, "_replace_playlists", disk_full)
        with pytest.raises(OSError, match="disk full"):
            ingest_paths(catalog, [second])
    assert catalog.stats() == before
    assert catalog_content(catalog) == content
    # The catalog is still usable, and the file can be ingested once the problem is gone.
    ingest_paths(catalog, [second])
    assert [t.track_uri for t in catalog.playlist(10).tracks] == [uri("gym02"), uri("gym03")]
    assert catalog.stats().tracks == before.tracks + 2


def test_skip_bad_keeps_the_good_playlists_of_a_bad_file(tmp_path, write_slice, catalog):
    playlists = [
        _good(1),
        _without(_good(2), "tracks", 0, "track_uri"),
        _good(3),
        {**_good(4), "pid": "4"},
        _good(5),
    ]
    path = write_slice(tmp_path, playlists, "mpd.slice.0-999.json")
    summary = ingest_paths(catalog, [path], skip_bad=True)
    assert summary.skipped == 2
    assert summary.playlists == 3
    assert catalog.pids() == [1, 3, 5]
    assert len(summary.problems) == 2
    assert "pid=2" in summary.problems[0] and "track_uri" in summary.problems[0]
    assert "pid=4" in summary.problems[1] and "'pid'" in summary.problems[1]
    assert all("mpd.slice.0-999.json" in problem for problem in summary.problems)


def test_skip_bad_skips_a_file_that_cannot_be_read_and_names_it(tmp_path, write_slice, catalog):
    broken = tmp_path / "mpd.slice.0-999.json"
    broken.write_text("{not json")
    good = write_slice(tmp_path, [_good(1)], "mpd.slice.1000-1999.json")
    with pytest.raises(MPDFormatError, match="malformed JSON"):
        ingest_paths(catalog, [broken, good])  # without --skip-bad it stops
    summary = ingest_paths(catalog, [broken, good], skip_bad=True)
    assert summary.skipped_files == 1 and summary.files == 1
    assert catalog.pids() == [1]
    assert len(summary.problems) == 1
    assert str(broken) in summary.problems[0] and "malformed JSON" in summary.problems[0]


def test_content_digests_ignore_ids_and_see_any_changed_field(tmp_path, write_slice):
    """What the scale benchmark compares across releases: two catalogs of the same files agree
    whatever ids their rows got; a renamed track or a reordered playlist does not."""
    first = [make_playlist(1, "chill", ["chill01", "chill02"]), make_playlist(2, "gym", ["gym01", "chill01"])]
    with Catalog(tmp_path / "one.sqlite") as one, Catalog(tmp_path / "two.sqlite") as two, \
            Catalog(tmp_path / "three.sqlite") as three:
        ingest_paths(one, [write_slice(tmp_path / "x", first, "mpd.slice.0-999.json")])
        # The other file order gives the tracks other ids.
        ingest_paths(two, [write_slice(tmp_path / "y", first[1:], "mpd.slice.0-999.json"),
                           write_slice(tmp_path / "y", first[:1], "mpd.slice.1000-1999.json")])
        reordered = [make_playlist(1, "chill", ["chill02", "chill01"]), first[1]]
        ingest_paths(three, [write_slice(tmp_path / "z", reordered, "mpd.slice.0-999.json")])
        assert one.content_digests() == two.content_digests()
        assert one.content_digests()["playlist_tracks"]["rows"] == 4
        differing = [name for name, digest in three.content_digests().items() if digest != one.content_digests()[name]]
        assert differing == ["playlist_tracks"]
