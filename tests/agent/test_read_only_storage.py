"""A data dir on read-only storage is named read-only, never "damaged": the commands that
only read it work (the catalog opened read-only, the index read without a lease), and the
ones that must write it say in one line that it is read-only (exit 1).

Storage is made read-only for real: a read-only bind mount of the data dir, in a mount
namespace of the command's own (`unshare -m`), so root's rights do not get around it and
nothing outside the command sees the mount. Where that is not allowed the test is skipped.
"""

from __future__ import annotations

import json
import shutil
import subprocess
import sys
from pathlib import Path

import pytest

from conftest import build_corpus, ok, run_agent, stop_process, write_slice_file
from demo_home import subprocess_env
from serve_client import start_server

pytestmark = pytest.mark.slow

_MOUNT_READ_ONLY = 'mount --bind "$0" "$0" && mount -o remount,bind,ro "$0" && exec "$@"'


def read_only(home: Path) -> list[str]:
    """The command prefix that runs a command with `home` mounted read-only for it alone."""
    return ["unshare", "-m", "sh", "-c", _MOUNT_READ_ONLY, str(home)]


def read_only_run(home: Path, *args: str, stdin: str = "") -> subprocess.CompletedProcess:
    """`agent ARGS` with `home` mounted read-only for it alone."""
    command = [*read_only(home), sys.executable, "-c", "from agent.cli import main; main()", *args]
    return subprocess.run(command, input=stdin, capture_output=True, text=True, env=subprocess_env(home),
                          timeout=300)


@pytest.fixture(scope="module")
def home(tmp_path_factory, reuse_encoder) -> Path:
    if shutil.which("unshare") is None:
        pytest.skip("needs unshare(1) to mount the data dir read-only")
    data = tmp_path_factory.mktemp("read-only-home")
    ok(run_agent("ingest", write_slice_file(tmp_path_factory.mktemp("read-only-mpd"), build_corpus().playlists),
                 "--data-dir", data))
    probe = read_only_run(data, "--help")
    if probe.returncode != 0:
        pytest.skip(f"cannot mount a read-only data dir here: {probe.stderr.strip()[:200]}")
    return data


def test_generate_reads_a_read_only_catalog_and_says_the_index_has_no_lease(home):
    result = read_only_run(home, "generate", "-t", "christmas", "-n", "3", "--format", "json")
    assert result.returncode == 0, result.stderr
    assert len(json.loads(result.stdout)["tracks"]) == 3
    assert "read-only" in result.stderr and "without a lease" in result.stderr
    assert "damaged" not in result.stderr


@pytest.mark.parametrize("args", [("profile", "show"), ("chat", "--parse")])
def test_reading_commands_work(home, args):
    result = read_only_run(home, *args, stdin="more upbeat\n")
    assert result.returncode == 0, result.stderr
    assert "Traceback" not in result.stderr


def test_evaluate_writes_its_report_elsewhere(home, tmp_path):
    report = tmp_path / "report"
    result = read_only_run(home, "evaluate", "--limit", "5", "--voting", "count", "--output-dir", str(report))
    assert result.returncode == 0, result.stderr
    written = json.loads((report / "report.json").read_text())
    assert written["queries"] >= 1 and written["results"]


@pytest.mark.parametrize("args", [("llm-config", "--threads", "3"), ("profile", "clear")])
def test_a_change_is_one_line_saying_read_only(home, args):
    result = read_only_run(home, *args)
    assert result.returncode == 1, result.stderr
    errors = [line for line in result.stderr.splitlines() if line.startswith("Error:")]
    assert len(errors) == 1 and "is read-only" in errors[0] and str(home) in errors[0]
    assert "damaged" not in result.stderr and "Traceback" not in result.stderr


def test_serve_answers_playlists_and_names_a_change_read_only(home, tmp_path):
    server = start_server(home, tmp_path / "server.log", prefix=tuple(read_only(home)))
    try:
        status, playlist = server.call("POST", "/v1/playlists", {"title": "christmas", "n": 3, "profile": None})
        assert status == 200 and len(playlist["tracks"]) == 3
        status, answer = server.call("POST", "/v1/profiles/ro/like", {"artists": ["Queen"]})
        assert status == 503 and "is read-only" in answer["error"]["message"]
    finally:
        stop_process(server.process, timeout=10)
    assert "damaged" not in (tmp_path / "server.log").read_text()
