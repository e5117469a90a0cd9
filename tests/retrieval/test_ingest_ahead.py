"""Ingest with the next file read in a second process: the catalog holds exactly what
reading one file at a time stores, over duplicates, bad playlists and re-ingested slices,
and a bad or killed ingest keeps every file before it whole."""

from __future__ import annotations

import os
import signal
import subprocess
import sys
import textwrap

import pytest

from conftest import make_playlist, write_slice_file
from retrieval.catalog import Catalog
from retrieval.mpd.ingest import ingest_paths
from retrieval.mpd.parse import MPDFormatError


def stored(catalog: Catalog) -> dict:
    """Every row of the ingested tables, ids included: both ways must agree to the id."""
    db = catalog.connection_for_tests()
    tables = {"tracks": "track_id", "playlists": "pid", "playlist_tracks": "pid, pos", "titles": "title_id"}
    return {table: db.execute(f"SELECT * FROM {table} ORDER BY {order}").fetchall() for table, order in tables.items()}


def bad_track(pid: int) -> dict:
    playlist = make_playlist(pid, "broken", ["gym01", "gym03"], full=True)
    del playlist["tracks"][1]["track_name"]
    return playlist


@pytest.fixture
def slices(tmp_path) -> list:
    """Three slices sharing tracks; pid 2 again in the third (a newer version); a track
    twice in one playlist; a playlist without tracks; a bad playlist in the second."""
    folder = tmp_path / "mpd"
    return [
        write_slice_file(folder, [make_playlist(1, "Gym", ["gym01", "gym02", "gym01"], full=True),
                                  make_playlist(2, "chill", ["chill01", "chill02"], full=True)], "mpd.slice.0-999.json"),
        write_slice_file(folder, [make_playlist(1000, "gym!!", ["gym02", "gym03"]), bad_track(1001),
                                  make_playlist(1002, "empty", [])], "mpd.slice.1000-1999.json"),
        write_slice_file(folder, [make_playlist(2, "chill v2", ["chill02", "xmas01"], full=True),
                                  make_playlist(2000, "xmas", ["xmas01", "gym01"], full=True)], "mpd.slice.2000-2999.json"),
    ]


def ingested(path, files, **options) -> tuple[dict, object]:
    with Catalog(path) as catalog:
        summary = ingest_paths(catalog, files, **options)
        return stored(catalog), summary


def test_reading_ahead_stores_what_one_file_at_a_time_stores(tmp_path, slices):
    ahead, ahead_summary = ingested(tmp_path / "ahead.sqlite", slices, skip_bad=True, parse_ahead=True)
    here, here_summary = ingested(tmp_path / "here.sqlite", slices, skip_bad=True, parse_ahead=False)
    assert ahead == here
    assert ahead_summary.problems == here_summary.problems
    assert len(ahead_summary.problems) == 1 and "pid=1001" in ahead_summary.problems[0]
    assert "track_name" in ahead_summary.problems[0] and "mpd.slice.1000-1999.json" in ahead_summary.problems[0]
    pids = [row[0] for row in ahead["playlists"]]
    assert pids == [1, 2, 1000, 1002, 2000]
    assert [row[1] for row in ahead["playlists"] if row[0] == 2] == ["chill v2"]  # the later file's version
    uris = [row[1] for row in ahead["tracks"]]
    assert len(uris) == len(set(uris)) == 6  # gym01, gym02, chill01, chill02, gym03, xmas01


def test_a_file_with_a_bad_playlist_stores_its_good_ones_as_a_clean_file_would(tmp_path, slices):
    good = [make_playlist(1000, "gym!!", ["gym02", "gym03"]), make_playlist(1002, "empty", [])]
    clean = write_slice_file(tmp_path / "clean", good, "mpd.slice.1000-1999.json")
    with_bad, _ = ingested(tmp_path / "bad.sqlite", [slices[0], slices[1]], skip_bad=True, parse_ahead=True)
    without, _ = ingested(tmp_path / "clean.sqlite", [slices[0], clean], parse_ahead=True)
    assert with_bad == without


def test_reingesting_slices_in_later_runs_changes_nothing(tmp_path, slices):
    once, _ = ingested(tmp_path / "once.sqlite", slices, skip_bad=True, parse_ahead=True)
    with Catalog(tmp_path / "again.sqlite") as catalog:
        ingest_paths(catalog, slices[:2], skip_bad=True, parse_ahead=True)
        ingest_paths(catalog, slices[1:], skip_bad=True, parse_ahead=True)  # the second slice again
        ingest_paths(catalog, slices, skip_bad=True, parse_ahead=True)
        again = stored(catalog)
    assert again == once


def test_a_bad_file_read_ahead_stops_the_ingest_after_the_files_before_it(tmp_path, slices):
    with Catalog(tmp_path / "catalog.sqlite") as catalog:
        with pytest.raises(MPDFormatError, match=r"mpd\.slice\.1000-1999\.json.*pid=1001.*track_name"):
            ingest_paths(catalog, slices, parse_ahead=True)
        assert catalog.pids() == [1, 2]
        assert catalog.playlist(2).name == "chill"  # the third file, read ahead, stored nothing


def test_an_unreadable_file_read_ahead_is_skipped_and_named(tmp_path, slices):
    broken = tmp_path / "mpd" / "mpd.slice.1500-1599.json"
    broken.write_text('{"playlists": [')
    with Catalog(tmp_path / "catalog.sqlite") as catalog:
        summary = ingest_paths(catalog, [slices[0], broken, slices[2]], skip_bad=True, parse_ahead=True)
        assert summary.skipped_files == 1 and str(broken) in summary.problems[0]
        assert catalog.pids() == [1, 2, 2000]


def test_an_ingest_killed_mid_way_keeps_whole_files_and_can_be_run_again(tmp_path, slices):
    path = tmp_path / "catalog.sqlite"
    # A real ingest reading ahead, killed (SIGKILL) once its second file is stored.
    script = textwrap.dedent(f"""
        import os, signal
        from pathlib import Path
        from retrieval.catalog import Catalog
        from retrieval.mpd.ingest import ingest_paths
        files = [Path(p) for p in {[str(s) for s in slices]!r}]
        stored = []
        def on_file(path, stats):
            stored.append(path)
            if len(stored) == 2:
                os.kill(os.getpid(), signal.SIGKILL)
        ingest_paths(Catalog({str(path)!r}), files, skip_bad=True, parse_ahead=True, on_file=on_file)
    """)
    killed = subprocess.run([sys.executable, "-c", script], capture_output=True, timeout=120,
                            env={**os.environ, "PYTHONPATH": os.pathsep.join(sys.path)})
    assert killed.returncode == -signal.SIGKILL, killed.stderr.decode()[-2000:]
    with Catalog(path) as catalog:
        assert catalog.pids() == [1, 2, 1000, 1002]
        ingest_paths(catalog, slices, skip_bad=True, parse_ahead=True)
        after = stored(catalog)
    once, _ = ingested(tmp_path / "once.sqlite", slices, skip_bad=True, parse_ahead=False)
    assert after == once
