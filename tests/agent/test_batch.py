"""`agent generate --titles-file`: every record written as it is made, a failed title
recorded and the batch going on, the index it started with kept through rebuilds, and
a kill or Ctrl-C leaving every finished record as a whole JSONL line.

The long runs are real `agent` processes (a batch killed for real, rebuilt under for
real); the rebuilds run in this process through the CLI.
"""

from __future__ import annotations

import importlib
import json
import os
import signal
import subprocess
import sys
import time
from pathlib import Path

import pytest

from conftest import build_corpus, make_playlist, ok, run_agent, stop_process, uri, write_slice_file
from retrieval.generator import GenerationError
from retrieval.records import SCHEMA_VERSION

pytestmark = pytest.mark.usefixtures("reuse_encoder")

AGENT = str(Path(sys.executable).with_name("agent"))
CORPUS = build_corpus()
LATE_PID = 900
LATE_TITLE = "zebra disco marathon"
THEMES = ["xmas songs", "workout", "chill", "road trip", "christmas", "gym", "relax", LATE_TITLE]


@pytest.fixture(scope="module")
def home(tmp_path_factory) -> Path:
    data = tmp_path_factory.mktemp("batch-home")
    ok(run_agent("ingest", write_slice_file(tmp_path_factory.mktemp("batch-mpd"), CORPUS.playlists), "--data-dir", data))
    return data


def titles_file(folder: Path, count: int) -> Path:
    path = folder / "titles.txt"
    path.write_text("\n".join(THEMES[i % len(THEMES)] for i in range(count)) + "\n", encoding="utf-8")
    return path


def records(text: str) -> list[dict]:
    return [json.loads(line) for line in text.splitlines()]


def start_batch(home: Path, titles: Path, out: Path) -> subprocess.Popen:
    env = {**os.environ, "HF_HUB_OFFLINE": "1", "AGENT_HOME": str(home)}
    env.pop("AGENT_CHROMA_URL", None)
    return subprocess.Popen([AGENT, "generate", "--titles-file", str(titles), "-n", "3", "--k", "4", "-o", str(out)],
                            env=env, stdout=subprocess.PIPE, stderr=subprocess.PIPE, text=True)


def wait_for_lines(out: Path, process: subprocess.Popen, lines: int, timeout: float = 240) -> None:
    deadline = time.monotonic() + timeout
    while time.monotonic() < deadline:
        if out.exists() and out.read_text(encoding="utf-8").count("\n") >= lines:
            return
        assert process.poll() is None, process.communicate()
        time.sleep(0.05)
    raise AssertionError(f"no {lines} records in {out} after {timeout} s")


# --------------------------------------------------------------------------- #
# A failed title is a record; the batch goes on
# --------------------------------------------------------------------------- #


GENERATE = importlib.import_module("agent.cli.generate")  # the module; `agent.cli.generate` is the command


def failing_for(titles: dict[str, Exception]):
    real = GENERATE.make_playlist

    def make(retriever, backend, request, *rest):
        if request.title in titles:
            raise titles[request.title]
        return real(retriever, backend, request, *rest)

    return make


def test_a_failed_title_is_an_error_record_and_the_batch_goes_on(home, tmp_path, monkeypatch):
    monkeypatch.setattr(GENERATE, "make_playlist",
                        failing_for({"broken": GenerationError("the catalog has no such thing")}))
    titles = tmp_path / "titles.txt"
    titles.write_text("chill\nbroken\nworkout\n", encoding="utf-8")
    result = run_agent("generate", "--data-dir", home, "--titles-file", titles, "-n", 3)
    assert result.exit_code == 1 and "Traceback" not in result.output
    got = records(result.stdout)
    assert [r["title"] for r in got] == ["chill", "broken", "workout"]
    assert got[1] == {"title": "broken", "error": "the catalog has no such thing", "schema_version": SCHEMA_VERSION}
    assert len(got[0]["tracks"]) == 3 and len(got[2]["tracks"]) == 3
    assert result.stderr.strip().splitlines()[-1] == "1 of 3 titles failed; their records say why"


def test_a_title_that_fails_on_a_bug_is_recorded_and_the_batch_exits_2(home, tmp_path, monkeypatch):
    monkeypatch.setattr(GENERATE, "make_playlist", failing_for({"chill": RuntimeError("a bug deep inside")}))
    titles = tmp_path / "titles.txt"
    titles.write_text("chill\nworkout\n", encoding="utf-8")
    out = tmp_path / "out.jsonl"
    result = run_agent("generate", "--data-dir", home, "--titles-file", titles, "-o", out)
    assert result.exit_code == 2 and "Traceback" not in result.output
    failed, made = records(out.read_text(encoding="utf-8"))
    assert "internal error (RuntimeError: a bug deep inside)" in failed["error"]
    assert made["title"] == "workout" and made["tracks"]
    assert "1 of 2 titles failed" in result.stderr


def test_a_batch_with_no_failure_exits_0_and_says_where_it_wrote(home, tmp_path):
    out = tmp_path / "out.jsonl"
    result = ok(run_agent("generate", "--data-dir", home, "--titles-file", titles_file(tmp_path, 5), "-o", out))
    assert [r["title"] for r in records(out.read_text(encoding="utf-8"))] == THEMES[:5]
    assert "Wrote 5 record(s)" in result.stderr and "failed" not in result.stderr


def test_a_jsonl_titles_file_takes_seeds_named_in_plain_words_and_its_own_n(home, tmp_path):
    requests = tmp_path / "requests.jsonl"
    requests.write_text("\n".join(json.dumps(line) for line in [
        {"title": "xmas songs", "n": 2},
        {"seeds": ["eye of the tiger by survivor"], "n": 4},  # no title: a continuation
        {"title": "gym", "seeds": ["Zzyzx Road by The Nonexistents"]},
    ]) + "\n", encoding="utf-8")
    out = tmp_path / "out.jsonl"
    result = run_agent("generate", "--data-dir", home, "--titles-file", requests, "--k", 4, "-o", out)
    assert result.exit_code == 1 and "1 of 3 titles failed" in result.stderr
    titled, continued, failed = records(out.read_text(encoding="utf-8"))
    assert len(titled["tracks"]) == 2
    assert [s["track_uri"] for s in continued["seeds"]] == [uri("gym01")]
    assert len(continued["tracks"]) == 4 and uri("gym01") not in [t["track_uri"] for t in continued["tracks"]]
    assert "Zzyzx Road" in failed["error"] and "tracks" not in failed


# --------------------------------------------------------------------------- #
# Written as made: kills, Ctrl-C and index rebuilds lose nothing
# --------------------------------------------------------------------------- #


def assert_whole_records(text: str) -> list[dict]:
    """Every complete line is a record; at most the last, unterminated, line is cut."""
    complete = text[: text.rfind("\n") + 1]
    got = records(complete)
    assert all(r["schema_version"] == SCHEMA_VERSION and r["title"] in THEMES for r in got)
    return got


def test_killing_a_batch_keeps_every_finished_record(home, tmp_path):
    out = tmp_path / "out.jsonl"
    process = start_batch(home, titles_file(tmp_path, 5000), out)
    try:
        wait_for_lines(out, process, 20)
        process.kill()
        process.wait(timeout=30)
    finally:
        if process.poll() is None:
            stop_process(process, 10)
    got = assert_whole_records(out.read_text(encoding="utf-8"))
    assert 20 <= len(got) < 5000
    assert [r["title"] for r in got] == [THEMES[i % len(THEMES)] for i in range(len(got))]


def test_ctrl_c_keeps_what_was_written_and_ends_with_one_line(home, tmp_path):
    out = tmp_path / "out.jsonl"
    process = start_batch(home, titles_file(tmp_path, 5000), out)
    try:
        wait_for_lines(out, process, 5)
        process.send_signal(signal.SIGINT)
        _, err = process.communicate(timeout=60)
    finally:
        if process.poll() is None:
            stop_process(process, 10)
    assert process.returncode == 130, err
    assert "Traceback" not in err
    got = assert_whole_records(out.read_text(encoding="utf-8"))
    assert out.read_text(encoding="utf-8").endswith("\n")
    assert f"Interrupted: {len(got)} of 5000 records were written to {out} and are kept." in " ".join(err.split())


def test_a_batch_keeps_its_index_through_two_rebuilds(home, tmp_path):
    # A playlist stored after the index: only an index built later can find it.
    late = write_slice_file(tmp_path / "late", [make_playlist(LATE_PID, LATE_TITLE, ["xmas01", "xmas02"])])
    ok(run_agent("ingest", late, "--no-index", "--data-dir", home))
    out = tmp_path / "out.jsonl"
    count = 3000
    process = start_batch(home, titles_file(tmp_path, count), out)
    try:
        wait_for_lines(out, process, 1)
        ok(run_agent("index", "--data-dir", home))
        ok(run_agent("index", "--data-dir", home))
        assert process.poll() is None, "the batch ended before the rebuilds: make it longer"
        _, err = process.communicate(timeout=600)
    finally:
        if process.poll() is None:
            stop_process(process, 10)
    assert process.returncode == 0, err
    got = records(out.read_text(encoding="utf-8"))
    assert len(got) == count and not [r for r in got if "error" in r]
    # Every answer came from the index the batch started with, which lacks the late playlist...
    assert not [r for r in got if LATE_PID in {n["pid"] for n in r["neighbours"]}]
    # ...which the rebuilt index has.
    fresh = json.loads(ok(run_agent("generate", "--data-dir", home, "-t", LATE_TITLE, "--format", "json")).stdout)
    assert fresh["neighbours"][0]["pid"] == LATE_PID


# --------------------------------------------------------------------------- #
# Unknown seeds never fail a request of a batch
# --------------------------------------------------------------------------- #


def plays() -> dict[str, int]:
    """How many of the corpus's playlists hold each track."""
    counts: dict[str, int] = {}
    for playlist in CORPUS.playlists:
        for track in {t["track_uri"] for t in playlist["tracks"]}:
            counts[track] = counts.get(track, 0) + 1
    return counts


def test_unknown_seeds_are_skipped_with_a_warning_and_the_batch_answers_every_line(home, tmp_path):
    requests = tmp_path / "requests.jsonl"
    gone = {"track_uri": "spotify:track:gone", "track_name": "Eye of the Tiger", "artist_name": "Survivor", "pos": 0}
    lost = {"track_uri": "spotify:track:lost", "track_name": "No Such Song", "artist_name": "Nobody"}
    requests.write_text("\n".join(json.dumps(line) for line in [
        {"title": "gym", "seeds": ["spotify:track:gone", uri("chill01")]},
        {"seeds": [gone], "n": 3},  # the MPD's own shape: another release of a song the catalog holds
        {"seeds": ["spotify:track:gone", lost], "n": 3},  # nothing known and no title
    ]) + "\n", encoding="utf-8")
    out = tmp_path / "out.jsonl"
    ok(run_agent("generate", "--data-dir", home, "--titles-file", requests, "--k", 4, "-o", out))
    skipped, by_name, popular = records(out.read_text(encoding="utf-8"))

    assert [s["track_uri"] for s in skipped["seeds"]] == [uri("chill01")]
    assert "1 seed track(s) not in the catalog, skipped: spotify:track:gone" in skipped["warnings"]
    assert [s["track_uri"] for s in by_name["seeds"]] == [uri("gym01")]
    assert "seed spotify:track:gone is not in the catalog; took “Eye of the Tiger” by Survivor by its name" \
        in by_name["warnings"]

    assert popular["seeds"] == [] and len(popular["tracks"]) == 3
    assert any("most played" in w for w in popular["warnings"])
    counts = plays()
    chosen = [counts[t["track_uri"]] for t in popular["tracks"]]
    assert min(chosen) >= max(c for u, c in counts.items() if u not in {t["track_uri"] for t in popular["tracks"]})


def test_more_than_a_thousand_seeds_is_an_error_naming_the_line(home, tmp_path):
    requests = tmp_path / "requests.jsonl"
    requests.write_text(json.dumps({"title": "gym"}) + "\n" + json.dumps({"seeds": [uri("gym01")] * 1001}) + "\n",
                        encoding="utf-8")
    result = run_agent("generate", "--data-dir", home, "--titles-file", requests)
    assert result.exit_code == 1 and f"{requests}, line 2: 1001 seeds; at most 1000 per request" in result.output


def test_an_unknown_artist_to_leave_out_stops_a_batch_before_its_first_title(home, tmp_path):
    out = tmp_path / "out.jsonl"
    result = run_agent("generate", "--data-dir", home, "--titles-file", titles_file(tmp_path, 3),
                       "--exclude-artist", "The Nonexistents", "-o", out)
    assert result.exit_code == 1 and "no artist in the catalog matches “The Nonexistents”" in result.output
    assert not out.exists()  # one error, said once, instead of a failed record per title
