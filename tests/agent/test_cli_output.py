"""Where `agent generate` writes, and how it says it cannot: the -o extension picks the
format, an output that cannot be written is one line (before the work when that can be
known), the shared options work before the command, a titles file must be UTF-8."""

from __future__ import annotations

import csv
import json
from pathlib import Path

import pytest

from conftest import build_corpus, failed_cleanly, ok, run_agent, write_slice_file


@pytest.fixture(scope="module")
def home(tmp_path_factory, reuse_encoder) -> Path:
    data = tmp_path_factory.mktemp("output-home")
    ok(run_agent("ingest", write_slice_file(tmp_path_factory.mktemp("output-mpd"), build_corpus().playlists),
                 "--data-dir", data))
    return data


def generate(home: Path, *args, env=None):
    return run_agent("generate", "--data-dir", home, "--title", "christmas", "-n", 3, *args, env=env)


@pytest.mark.parametrize("name, check", [
    ("trip.csv", lambda text: text.startswith("# playlist-agent ")  # version, catalog and settings first
     and next(csv.reader(text.splitlines()[1:])) == ["rank", "track_uri", "track_name", "artist_name", "score"]),
    ("trip.m3u", lambda text: text.startswith("#EXTM3U\n")),
    ("trip.m3u8", lambda text: text.startswith("#EXTM3U\n")),
    ("trip.jsonl", lambda text: len(text.splitlines()) == 1 and json.loads(text)["title"] == "christmas"),
    ("trip.json", lambda text: json.loads(text)["title"] == "christmas" and "\n  " in text),
    ("trip.txt", lambda text: json.loads(text)["title"] == "christmas"),  # no known extension: JSON, as before
])
def test_the_output_extension_picks_the_format(home, tmp_path, name, check):
    target = tmp_path / name
    ok(generate(home, "-o", target))
    assert check(target.read_text(encoding="utf-8"))


def test_format_wins_over_the_extension(home, tmp_path):
    target = tmp_path / "trip.csv"
    ok(generate(home, "-o", target, "--format", "json"))
    assert json.loads(target.read_text())["title"] == "christmas"


@pytest.mark.parametrize("target, fragment, exit_code", [
    ("", "is a folder or empty", 1),
    ("FOLDER", "is a directory", 1),  # refused by click's own check of -o, a usage error
    ("MISSING/out.json", "does not exist", 1),
    ("/dev/full", "cannot write /dev/full", 1),
])
def test_an_output_that_cannot_be_written_is_one_line(home, tmp_path, target, fragment, exit_code):
    if not Path("/dev/full").exists() and target == "/dev/full":
        pytest.skip("no /dev/full on this system")
    target = target.replace("FOLDER", str(tmp_path)).replace("MISSING", str(tmp_path / "missing"))
    out = failed_cleanly(generate(home, "-o", target), fragment, exit_code=exit_code)
    assert len([line for line in out.splitlines() if line.startswith("Error:")]) == 1


def test_a_missing_output_folder_is_refused_before_the_work(home, tmp_path, monkeypatch):
    import importlib

    def must_not_run(*args, **kwargs):
        raise AssertionError("the playlists were made before the output was checked")

    monkeypatch.setattr(importlib.import_module("agent.cli.generate"), "playlist_maker", must_not_run)
    failed_cleanly(generate(home, "-o", tmp_path / "missing" / "out.json"), "does not exist", exit_code=1)


def test_shared_options_are_accepted_before_the_command(home, tmp_path):
    before = ok(run_agent("--data-dir", home, "generate", "--title", "christmas", "-n", 3, "--format", "json"))
    after = ok(generate(home, "--format", "json"))
    assert json.loads(before.stdout)["tracks"] == json.loads(after.stdout)["tracks"]
    # The command's own flag still wins over the one before it.
    empty = tmp_path / "empty-home"
    beside = ok(run_agent("--data-dir", empty, "generate", "--data-dir", home, "--title", "christmas", "-n", 3,
                          "--format", "json"))
    assert json.loads(beside.stdout)["tracks"] == json.loads(after.stdout)["tracks"] and not empty.exists()


def test_a_titles_file_that_is_not_utf8_is_a_clear_error(home, tmp_path):
    titles = tmp_path / "titles.txt"
    titles.write_bytes(b"chill\nf\xe9te\n")
    failed_cleanly(run_agent("generate", "--data-dir", home, "--titles-file", titles), "titles.txt",
                   "not UTF-8", exit_code=1)
