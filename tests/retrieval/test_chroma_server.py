"""`agent` against a real Chroma server (`chroma run`) instead of the embedded store.

The commands run unpatched here: they load MiniLM from the installed package as a
user's process would.
"""

from __future__ import annotations

import json
import os
import shutil
import socket
import subprocess
import sys
import time
import urllib.request
from pathlib import Path

import pytest
from click.testing import CliRunner

from agent.cli import cli
from agent.workspace import Workspace
from conftest import build_corpus, stop_process, write_slice_file
from retrieval.catalog import Catalog
from retrieval.index.titles import active_index_info

CORPUS = build_corpus()
STARTUP_SECONDS = 60


def _chroma_executable() -> str | None:
    beside_python = Path(sys.executable).with_name("chroma")
    if beside_python.exists():
        return str(beside_python)
    return shutil.which("chroma")


def _free_port() -> int:
    with socket.socket() as sock:
        sock.bind(("127.0.0.1", 0))
        return sock.getsockname()[1]


def _answers(port: int) -> bool:
    for path in ("/api/v2/heartbeat", "/api/v1/heartbeat"):
        try:
            with urllib.request.urlopen(f"http://127.0.0.1:{port}{path}", timeout=2) as response:
                if response.status == 200:
                    return True
        except OSError:
            continue
    return False


@pytest.fixture(scope="module")
def chroma_server(tmp_path_factory):
    executable = _chroma_executable()
    if executable is None:
        pytest.skip("the `chroma` executable (chromadb's server) is not installed")
    store = tmp_path_factory.mktemp("chroma-server")
    port = _free_port()
    log = open(store.parent / f"chroma-server-{port}.log", "wb")
    env = dict(os.environ, ANONYMIZED_TELEMETRY="False")
    process = subprocess.Popen(
        [executable, "run", "--path", str(store / "data"), "--port", str(port)],
        stdout=log, stderr=subprocess.STDOUT, env=env,
    )
    try:
        deadline = time.monotonic() + STARTUP_SECONDS
        while not _answers(port):
            if process.poll() is not None:
                pytest.fail(f"chroma run exited with {process.returncode}: {Path(log.name).read_text(errors='replace')[-2000:]}")
            if time.monotonic() > deadline:
                pytest.fail(f"chroma run did not answer on port {port} within {STARTUP_SECONDS}s")
            time.sleep(0.25)
        yield f"http://127.0.0.1:{port}", port
    finally:
        stop_process(process, timeout=15)
        log.close()


def agent(*args, env=None):
    return CliRunner().invoke(cli, [str(a) for a in args], env=env)


def ok(result):
    assert result.exit_code == 0, f"exit {result.exit_code}\n{result.output}\n{result.exception!r}"
    return result


def test_ingest_and_generate_use_the_chroma_server(chroma_server, tmp_path):
    url, port = chroma_server
    home = tmp_path / "home"
    slice_path = write_slice_file(tmp_path / "mpd", CORPUS.playlists)

    ingested = ok(agent("ingest", slice_path, "--data-dir", home, "--chroma-url", url))
    assert url in ingested.stdout

    generated = ok(agent("generate", "--data-dir", home, "--chroma-url", url,
                         "--title", "xmas songs", "--k", 4, "-n", 5, "--format", "json"))
    payload = json.loads(generated.stdout)
    assert len(payload["tracks"]) == 5
    assert {t["track_uri"] for t in payload["tracks"]} <= CORPUS.uris["xmas"]

    # The same through $AGENT_CHROMA_URL.
    via_env = ok(agent("generate", "--data-dir", home, "--title", "workout", "--k", 3, "--format", "json",
                       env={"AGENT_CHROMA_URL": url}))
    tracks = json.loads(via_env.stdout)["tracks"]
    # The 7 workout tracks are voted; the popularity tail fills the other 3 of the 10 asked for.
    assert len(tracks) == 10
    assert {t["track_uri"] for t in tracks if t["voters"]} <= CORPUS.uris["workout"]

    # The index lives on the server ...
    import chromadb
    from chromadb.config import Settings

    with Catalog(Workspace(home=home).user_catalog_path) as catalog:
        info = active_index_info(catalog)
    client = chromadb.HttpClient(host="127.0.0.1", port=port, settings=Settings(anonymized_telemetry=False))
    names = {c.name if hasattr(c, "name") else c for c in client.list_collections()}
    assert info.collection in names
    assert client.get_collection(info.collection).count() == CORPUS.distinct_titles
    # ... and the embedded store was never used.
    assert not Workspace(home=home).chroma.path.exists()

    # Without the server, the index is not found there: a clear error, not a traceback.
    local = agent("generate", "--data-dir", home, "--title", "workout")
    assert local.exit_code != 0 and isinstance(local.exception, SystemExit)
    assert info.collection in local.output and "agent index" in local.output
