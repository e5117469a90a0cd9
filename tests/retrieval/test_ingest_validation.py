"""Hostile MPD input: values that do not fit their columns, oversized text and files,
things that are not regular files. Each is a one-line error naming file, pid and field
(exit 1 from the CLI), skipped under --skip-bad, and never changes the stored catalog."""

from __future__ import annotations

import gzip
import os
import time

import pytest

from conftest import failed_cleanly, make_playlist, ok, run_agent
from retrieval.catalog import Catalog
from retrieval.mpd.ingest import ingest_paths
from retrieval.mpd.parse import MAX_DESCRIPTION_CHARS, MAX_NAME_CHARS, MPDFormatError


@pytest.fixture
def catalog(tmp_path):
    with Catalog(tmp_path / "data" / "catalog.sqlite") as opened:
        yield opened


def _good(pid: int) -> dict:
    return make_playlist(pid, f"good {pid}", ["gym01", "gym02"], full=True)


def _with_track_field(pid: int, field: str, value) -> dict:
    playlist = _good(pid)
    playlist["tracks"][0][field] = value
    return playlist


BIG = 1 << 63  # one past SQLite's largest integer

BAD_VALUES = {
    "pid of 2^63": ({**_good(1), "pid": BIG}, BIG, "pid"),
    # The JSON reader turns an integer past 64 bits into a float: still refused.
    "pid below -2^63": ({**_good(1), "pid": -BIG - 1}, None, "pid"),
    "num_followers of 2^63": ({**_good(31), "num_followers": BIG}, 31, "num_followers"),
    "modified_at as a string": ({**_good(32), "modified_at": "1493424000"}, 32, "modified_at"),
    "num_followers as a float": ({**_good(33), "num_followers": 2.5}, 33, "num_followers"),
    "description as an object": ({**_good(34), "description": {"text": "x"}}, 34, "description"),
    "collaborative as a list": ({**_good(35), "collaborative": ["no"]}, 35, "collaborative"),
    "duration_ms as an object": (_with_track_field(36, "duration_ms", {"ms": 1}), 36, "duration_ms"),
    "duration_ms as a string": (_with_track_field(37, "duration_ms", "180000"), 37, "duration_ms"),
    "album_name as a number": (_with_track_field(38, "album_name", 7), 38, "album_name"),
    "artist_uri as a list": (_with_track_field(39, "artist_uri", ["a"]), 39, "artist_uri"),
    "playlist name too long": ({**_good(40), "name": "n" * (MAX_NAME_CHARS + 1)}, 40, "name"),
    "track name too long": (_with_track_field(41, "track_name", "t" * (MAX_NAME_CHARS + 1)), 41, "track_name"),
    "artist name too long": (_with_track_field(42, "artist_name", "a" * (MAX_NAME_CHARS + 1)), 42, "artist_name"),
    "track uri too long": (_with_track_field(43, "track_uri", "u" * (MAX_NAME_CHARS + 1)), 43, "track_uri"),
    "description too long": ({**_good(44), "description": "d" * (MAX_DESCRIPTION_CHARS + 1)}, 44, "description"),
}


@pytest.mark.parametrize("bad, pid, field", BAD_VALUES.values(), ids=BAD_VALUES.keys())
def test_a_value_that_does_not_fit_is_reported_and_skippable(tmp_path, write_slice, catalog, bad, pid, field):
    path = write_slice(tmp_path, [_good(100), bad, _good(101)], "mpd.slice.0-999.json")
    with pytest.raises(MPDFormatError) as caught:
        ingest_paths(catalog, [path])
    message = str(caught.value)
    assert "mpd.slice.0-999.json" in message and f"'{field}'" in message
    assert pid is None or f"pid={pid}" in message
    assert len(message) < 400  # the offending value is not echoed whole
    assert catalog.stats().playlists == 0
    summary = ingest_paths(catalog, [path], skip_bad=True)
    assert summary.skipped == 1 and catalog.pids() == [100, 101]


def test_values_at_the_limits_are_stored(tmp_path, write_slice, catalog):
    edge = {**_good(BIG - 1), "num_followers": -BIG, "modified_at": 0, "name": "n" * MAX_NAME_CHARS,
            "description": "d" * MAX_DESCRIPTION_CHARS, "collaborative": True}
    edge["tracks"][0]["track_name"] = "t" * MAX_NAME_CHARS
    ingest_paths(catalog, [write_slice(tmp_path, [edge])])
    stored = catalog.playlist(BIG - 1)
    assert stored.name == "n" * MAX_NAME_CHARS and stored.tracks[0].track_name == "t" * MAX_NAME_CHARS


def test_optional_fields_given_as_null_are_stored_as_absent(tmp_path, write_slice, catalog):
    playlist = {**_good(5), "description": None, "num_followers": None}
    ingest_paths(catalog, [write_slice(tmp_path, [playlist])])
    assert catalog.pids() == [5]


def test_a_huge_pid_value_is_echoed_as_a_short_prefix(tmp_path, write_slice, catalog):
    path = write_slice(tmp_path, [{**_good(1), "pid": "\x1b]0;pwned\x07" + "9" * 100_000}])
    with pytest.raises(MPDFormatError) as caught:
        ingest_paths(catalog, [path])
    message = str(caught.value)
    assert len(message) < 300 and "…" in message
    assert "\x1b" not in message and "\x07" not in message


def test_a_gzip_bomb_stops_at_the_size_limit(tmp_path, monkeypatch, catalog):
    # The limit is 1 GiB; a smaller one here keeps the test fast, the streaming check is the same.
    monkeypatch.setattr("retrieval.mpd.files.MAX_FILE_BYTES", 1 << 20)
    path = tmp_path / "mpd.slice.0-999.json.gz"
    path.write_bytes(gzip.compress(b'{"playlists": [' + b" " * (4 << 20) + b"]}"))
    with pytest.raises(MPDFormatError, match="more than") as caught:
        ingest_paths(catalog, [path])
    assert str(path) in str(caught.value)


def test_a_plain_file_over_the_limit_is_refused(tmp_path, monkeypatch, catalog):
    monkeypatch.setattr("retrieval.mpd.files.MAX_FILE_BYTES", 1000)
    path = tmp_path / "big.json"
    path.write_text('{"playlists": []' + " " * 2000 + "}")
    with pytest.raises(MPDFormatError, match="more than 1,000 bytes"):
        ingest_paths(catalog, [path])


# --------------------------------------------------------------------------- #
# Through the CLI: things that are not MPD files at all
# --------------------------------------------------------------------------- #


def test_ingest_refuses_a_fifo_without_hanging(tmp_path, workspace_home):
    fifo = tmp_path / "x.json"
    os.mkfifo(fifo)
    started = time.monotonic()
    failed_cleanly(run_agent("ingest", "--no-index", fifo), "named pipe", str(fifo), exit_code=1)
    assert time.monotonic() - started < 60


def test_ingest_refuses_a_device(workspace_home):
    failed_cleanly(run_agent("ingest", "--no-index", "/dev/zero"), "/dev/zero", "device", exit_code=1)


def test_ingest_reports_a_symlink_loop_as_such(tmp_path, workspace_home):
    loop = tmp_path / "loop.json"
    loop.symlink_to(loop)
    failed_cleanly(run_agent("ingest", "--no-index", loop), "symbolic link loop", exit_code=1)


def test_ingest_reports_a_missing_path(tmp_path, workspace_home):
    failed_cleanly(run_agent("ingest", "--no-index", tmp_path / "nowhere.json"), "no such file", exit_code=1)


def test_ingest_cli_names_file_pid_and_field_and_skip_bad_goes_on(tmp_path, write_slice, workspace_home):
    path = write_slice(tmp_path, [_good(1), {**_good(2), "num_followers": BIG}])
    failed_cleanly(run_agent("ingest", "--no-index", path), str(path), "pid=2", "'num_followers'", exit_code=1)
    garbage = tmp_path / "mpd.slice.9000-9999.json"
    garbage.write_bytes(b"\x00\xff not json")
    result = ok(run_agent("ingest", "--no-index", "--skip-bad", path, garbage))
    assert "1 invalid playlist(s)" in result.output and "1 unreadable file(s)" in result.output
    assert str(garbage) in result.output
    with Catalog(workspace_home / "catalog.sqlite") as stored:
        assert stored.pids() == [1]
