"""`agent chat` fed through a pipe: bytes that are not UTF-8 and characters a terminal would
obey, as a paste or a piped file brings them (found by benchmarks/hostile_chat.py)."""

from __future__ import annotations

import json
import os
import subprocess
import sys
from pathlib import Path

import pytest

from conftest import build_corpus, ok, run_agent, write_slice_file


@pytest.fixture(scope="module")
def home(tmp_path_factory) -> Path:
    data = tmp_path_factory.mktemp("chat-stdin-home")
    ok(run_agent("ingest", write_slice_file(tmp_path_factory.mktemp("chat-stdin-mpd"), build_corpus().playlists),
                 "--data-dir", data))
    return data


def piped_chat(home: Path, stdin: bytes, *args: str) -> subprocess.CompletedProcess:
    env = {**os.environ, "AGENT_HOME": str(home)}
    env.pop("AGENT_DEBUG", None)
    return subprocess.run([sys.executable, "-c", "from agent.cli import main; main()", "chat", *args],
                          input=stdin, env=env, capture_output=True, timeout=300)


def test_bytes_that_are_not_utf8_are_read_as_replacement_characters(home):
    done = piped_chat(home, b"caf\xe9 christmas \xff\xfe\n/generate \xc3 christmas\n" + bytes(range(128, 256)) + b"\n")
    shown = (done.stdout + done.stderr).decode("utf-8", "replace")
    assert done.returncode == 0, shown
    assert "internal error" not in shown and "Traceback" not in shown


def test_parse_mode_writes_del_c1_and_bidi_controls_as_escapes(home):
    message = "more\x7f upbeat \x9b31m \u202eevil"
    done = piped_chat(home, (message + "\n").encode(), "--parse")
    assert done.returncode == 0, done.stderr.decode()
    out = done.stdout.decode()
    assert not any(ch in out for ch in "\x7f\x9b\u202e")
    assert json.loads(out.splitlines()[0])["text"] == message  # the same text, to a JSON reader
