"""Errors from the operating system a user can fix are one line naming the path and the
cause (exit 1), never an internal error: a name too long for the file system, a file-size
limit reached during ingest (the catalog keeps what it held)."""

from __future__ import annotations

import resource
import subprocess
import sys

import pytest

from conftest import build_corpus, failed_cleanly, ok, run_agent, write_slice_file
from demo_home import subprocess_env
from retrieval.catalog import Catalog


def test_a_data_dir_name_too_long_for_the_file_system_is_one_line(tmp_path):
    home = tmp_path / ("a" * 300)
    out = failed_cleanly(run_agent("profile", "clear", "--data-dir", home), "name too long", exit_code=1)
    assert len(out.strip().splitlines()[-1]) < 200  # the path is shown by its end, not echoed whole


def _big_slice(folder, playlists: int = 3000):
    many = [{"pid": 10_000 + pid, "name": f"big {pid}", "tracks": [
        {"track_uri": f"spotify:track:big{pid}x{n}", "track_name": f"song {pid} {n}", "artist_name": f"artist {n}"}
        for n in range(20)]} for pid in range(playlists)]
    return write_slice_file(folder, many, name="mpd.slice.10000-12999.json")


def test_ingest_past_a_file_size_limit_says_so_and_keeps_the_catalog(tmp_path, reuse_encoder):
    home = tmp_path / "home"
    ok(run_agent("ingest", write_slice_file(tmp_path / "small", build_corpus().playlists), "--data-dir", home,
                 "--no-index"))
    before = (home / "catalog.sqlite").stat().st_size
    limit = before + 512 * 1024

    def limited() -> None:
        resource.setrlimit(resource.RLIMIT_FSIZE, (limit, limit))

    result = subprocess.run(
        [sys.executable, "-c", "from agent.cli import main; main()", "ingest", str(_big_slice(tmp_path / "big")),
         "--no-index"], preexec_fn=limited, capture_output=True, text=True, env=subprocess_env(home), timeout=300)
    assert result.returncode == 1, result.stderr
    assert "file size limit" in result.stderr and "cannot rollback" not in result.stderr
    assert "Traceback" not in result.stderr
    with Catalog(home / "catalog.sqlite") as catalog:
        assert catalog.stats().playlists == len(build_corpus().playlists)


@pytest.mark.parametrize("folder", ["chroma", "catalog.sqlite.models"])
def test_a_file_where_the_data_dir_keeps_a_folder_is_one_line_naming_it(tmp_path, reuse_encoder, folder):
    home = tmp_path / "home"
    ok(run_agent("ingest", "--no-index", write_slice_file(tmp_path / "mpd", build_corpus().playlists),
                 "--data-dir", home))
    (home / folder).write_text("a file where a folder belongs")
    output = failed_cleanly(run_agent("index", "--data-dir", home), folder, "not a folder", exit_code=1)
    assert "internal error" not in output
    assert (home / folder).read_text() == "a file where a folder belongs"  # left for the user to look at
