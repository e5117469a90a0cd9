"""`agent serve --workers 2`: two real worker processes behind one port answer the
records (and errors) one process answers, share the requests between them, are
replaced when one dies, and stop with the server."""

from __future__ import annotations

import json
import os
import signal
import time
from concurrent.futures import ThreadPoolExecutor
from pathlib import Path

import pytest

from conftest import stop_process
from demo_home import built_demo_home
from serve_client import start_server

pytestmark = pytest.mark.slow
TITLES = ["road trip", "gym", "christmas", "rainy sunday coding"]
# New to the server when asked together, so a worker encodes several in one batch.
NEW_TITLES = ["beach vibes", "late night drive", "sunday brunch", "pregame", "country", "chill", "workout",
              "party", "summer 17", "sad girl hours", "wedding dance floor", "throwback thursday"]


def _worker_processes(parent: int) -> list[int]:
    """Pids of the processes `parent` started as multiprocessing workers (Linux /proc)."""
    found = []
    for entry in Path("/proc").iterdir():
        try:
            stat = (entry / "stat").read_text().rsplit(")", 1)[1].split()
            command = (entry / "cmdline").read_bytes()
        except (OSError, IndexError):
            continue
        if entry.name.isdigit() and int(stat[1]) == parent and b"spawn_main" in command:
            found.append(int(entry.name))
    return found


def _cpu_ticks(pid: int) -> int:
    stat = Path(f"/proc/{pid}/stat").read_text().rsplit(")", 1)[1].split()
    return int(stat[11]) + int(stat[12])


def _unknown_seed(server) -> tuple[int, dict]:
    return server.call("POST", "/v1/playlists", {"seeds": ["Zzyzx Road by The Nonexistents"], "profile": None})


def _playlists(server, titles: list[str]) -> list[dict]:
    with ThreadPoolExecutor(8) as pool:
        answers = list(pool.map(
            lambda title: server.call("POST", "/v1/playlists", {"title": title, "n": 7, "profile": None}), titles))
    assert all(status == 200 for status, _ in answers)
    return [{key: value for key, value in record.items() if key != "seconds"} for _, record in answers]


def _long_playlist(server) -> dict:
    status, record = server.call("POST", "/v1/playlists", {"title": "road trip", "n": 500, "k": 1000, "profile": None})
    assert status == 200 and len(json.dumps(record)) > 250_000  # a Unix socket buffers about 200 KB
    return {key: value for key, value in record.items() if key != "seconds"}


@pytest.mark.skipif(not Path("/proc/self/stat").exists(), reason="counts worker processes in /proc")
def test_two_workers_serve_what_one_process_serves_survive_a_death_and_stop_with_the_server(tmp_path):
    home = built_demo_home()
    single = start_server(home, tmp_path / "single.log")
    try:
        expected = _playlists(single, TITLES)
        expected_new = _playlists(single, NEW_TITLES)
        expected_error = _unknown_seed(single)
        expected_long = _long_playlist(single)
    finally:
        stop_process(single.process, timeout=10)

    server = start_server(home, tmp_path / "workers.log", options=("--workers", "2"))
    try:
        workers = _worker_processes(server.process.pid)
        loaded = {pid: _cpu_ticks(pid) for pid in workers}
        served_new = _playlists(server, NEW_TITLES)  # 8 at once: each worker takes several
        served = _playlists(server, TITLES * 8)  # concurrent, so both processes take requests
        assert all(_cpu_ticks(pid) > ticks for pid, ticks in loaded.items())  # both answered some
        assert len(workers) == 2 and _worker_processes(server.process.pid) == workers  # none died
        assert _unknown_seed(server) == expected_error and expected_error[0] == 422
        assert _long_playlist(server) == expected_long  # an answer longer than a socket's buffer crosses whole
        os.kill(workers[0], signal.SIGKILL)  # a worker dies (out of memory, killed)
        time.sleep(1)
        assert _playlists(server, TITLES) == expected  # new workers answer
        replacements = _worker_processes(server.process.pid)
        assert len(replacements) == 2 and workers[0] not in replacements
        assert [json.dumps(r, sort_keys=True) for r in served] == [json.dumps(r, sort_keys=True) for r in expected * 8]
        assert served_new == expected_new  # the same records, however the titles were batched
        assert "2 worker processes" in (tmp_path / "workers.log").read_text()
    finally:
        stop_process(server.process, timeout=20)
    assert not any(Path(f"/proc/{pid}").exists() for pid in workers + replacements)
