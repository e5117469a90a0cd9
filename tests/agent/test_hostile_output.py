"""Hostile text and numbers at the CLI: CSV is safe on a terminal and in a spreadsheet,
status lines carry no control codes, echoes stay short, titles that show nothing are
refused like "!!!", options have caps, a titles file is bounded, and a profile file
nested thousands deep is set aside like any unreadable one."""

from __future__ import annotations

import csv
import io
import json
from pathlib import Path
from types import SimpleNamespace

import pytest
from click.testing import CliRunner
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from agent.cli import cli
from conftest import build_corpus, failed_cleanly, ok, run_agent, write_slice_file
from retrieval.records import GeneratedPlaylist

FORMULA = '=HYPERLINK("http://evil.example","x")'


def no_control_codes(text: str) -> bool:
    return not any(ch in text for ch in "\x1b\x07\x9b\x9d\u202e")


@pytest.fixture(scope="module")
def home(tmp_path_factory, reuse_encoder) -> Path:
    """A catalog whose christmas songs are named like spreadsheet formulas, with escape codes."""
    corpus = build_corpus()
    names = {"xmas01": (FORMULA, "+1 \x1b[2JArtist"), "xmas02": ("@SUM(A1)", "-minus \x1b]0;owned\x07")}
    for playlist in corpus.playlists:
        for track in playlist["tracks"]:
            key = track["track_uri"].rsplit(":", 1)[1]
            if key in names:
                track["track_name"], track["artist_name"] = names[key]
    data = tmp_path_factory.mktemp("hostile-output-home")
    ok(run_agent("ingest", write_slice_file(tmp_path_factory.mktemp("hostile-output-mpd"), corpus.playlists),
                 "--data-dir", data))
    return data


def test_csv_cells_never_start_a_formula_nor_carry_control_codes(home):
    result = ok(run_agent("generate", "--data-dir", home, "-t", "christmas", "-n", 10, "--format", "csv"))
    assert no_control_codes(result.stdout)
    rows = list(csv.DictReader(line for line in io.StringIO(result.stdout) if not line.startswith("#")))
    cells = [row[key] for row in rows for key in ("track_uri", "track_name", "artist_name")]
    assert f"'{FORMULA}" in cells and "'@SUM(A1)" in cells  # the text kept, after a quote
    assert not any(cell.startswith(("=", "+", "-", "@", "\t", "\r")) for cell in cells)
    assert all(float(row["score"]) == float(row["score"]) for row in rows)  # numbers stay numbers


def test_profile_show_and_clear_under_a_data_dir_holding_escape_codes(tmp_path):
    home = tmp_path / "home\x1b[2J\x1b]0;owned\x07"
    for command in ("show", "clear"):
        result = ok(run_agent("profile", command, "--data-dir", home))
        assert no_control_codes(result.output)


def test_a_profile_nested_thousands_deep_is_set_aside_and_generation_goes_on(home):
    profiles = home / "profiles"
    profiles.mkdir(exist_ok=True)
    (profiles / "deep.json").write_text('{"liked_artists": ' + "[" * 5000 + "]" * 5000 + "}")
    result = ok(run_agent("generate", "--data-dir", home, "-t", "christmas", "-n", 3, "--profile", "deep"))
    assert "nested deeper than 200 levels" in result.stderr and "kept aside" in result.stderr
    assert len(list(profiles.glob("deep.json.unreadable-*"))) == 1 and not (profiles / "deep.json").exists()
    assert ok(run_agent("profile", "show", "--data-dir", home, "--profile", "deep")).output


def test_two_damaged_versions_set_aside_within_a_second_are_both_kept(home):
    profiles = home / "profiles"
    profiles.mkdir(exist_ok=True)
    for version in ("{broken", "[1, 2"):
        (profiles / "twice.json").write_text(version)
        ok(run_agent("profile", "show", "--data-dir", home, "--profile", "twice"))
    kept = sorted(path.read_text() for path in profiles.glob("twice.json.unreadable-*"))
    assert kept == ["[1, 2", "{broken"]


def test_serve_refuses_a_host_with_escape_codes_without_printing_them(home):
    result = run_agent("serve", "--data-dir", home, "--host", "\x1b[2J\x1b]0;owned\x07x")
    failed_cleanly(result, "--host", exit_code=1)
    assert no_control_codes(result.output)


@pytest.mark.parametrize("title", ["\u200b", "\ufe0f", "\u0301", "\u202e", "\u200b\u202e\ufe0f"])
def test_a_title_of_invisible_characters_is_refused_like_punctuation(home, title):
    out = failed_cleanly(run_agent("generate", "--data-dir", home, "-t", title), "has no letters", exit_code=1)
    assert no_control_codes(out)


def test_a_bidi_override_in_a_title_is_not_shown_raw(home):
    result = ok(run_agent("generate", "--data-dir", home, "-t", "christmas \u202eexe.mp3", "-n", 3))
    assert "\u202e" not in result.output and "christmas exe.mp3" in result.output


def test_json_records_carry_c1_and_bidi_controls_escaped_and_give_them_back(home, tmp_path):
    title = "christmas \u202eexe.mp3 \x9b2J \u2066"
    titles = tmp_path / "hostile.jsonl"
    titles.write_text(json.dumps({"title": title}) + "\n")
    result = ok(run_agent("generate", "--data-dir", home, "--titles-file", titles, "-n", 2))
    assert no_control_codes(result.stdout) and "\u2066" not in result.stdout
    assert json.loads(result.stdout)["title"] == title


@pytest.mark.parametrize(("args", "said"), [
    (("-n", "1000000000000"), "-n must be at most 500"),
    (("--mode", "rerank", "--rerank-shuffles", "100000"), "--rerank-shuffles must be at most 10"),
    (("--mode", "rerank", "--candidates", "100000"), "--candidates must be at most 500"),
])
def test_counts_have_caps_named_by_their_option(home, args, said):
    failed_cleanly(run_agent("generate", "--data-dir", home, "-t", "christmas", *args), said, exit_code=1)


def test_a_20000_character_title_is_echoed_in_80_characters(home):
    result = ok(run_agent("generate", "--data-dir", home, "-t", "christmas " * 2000, "-n", 3, "--format", "json"))
    assert "256 tokens" in result.stderr and len(result.stderr) < 400


def test_a_2mb_titles_file_line_gives_one_short_warning(home, tmp_path):
    titles = tmp_path / "titles.txt"
    titles.write_text(("christmas " * 200_000) + "\n")
    result = ok(run_agent("generate", "--data-dir", home, "--titles-file", titles, "-n", 2))
    assert len(result.stderr) < 400 and result.stderr.count("Warning") == 1


def test_a_titles_file_that_is_a_device_is_refused_at_once(home):
    failed_cleanly(run_agent("generate", "--data-dir", home, "--titles-file", "/dev/zero"),
                   "/dev/zero is a device, not a regular file", exit_code=1)


def test_titles_come_from_standard_input_with_a_dash(home):
    result = CliRunner().invoke(cli, ["generate", "--data-dir", str(home), "--titles-file", "-", "-n", "2"],
                                input="christmas\nchill\n")
    ok(result)
    assert [json.loads(line)["title"] for line in result.stdout.splitlines()] == ["christmas", "chill"]


def test_a_titles_file_line_nested_thousands_deep_is_one_line_naming_it(home, tmp_path):
    titles = tmp_path / "deep.jsonl"
    titles.write_text('{"title": "christmas"}\n{"seeds": ' + "[" * 5000 + "]" * 5000 + "}\n")
    failed_cleanly(run_agent("generate", "--data-dir", home, "--titles-file", titles),
                   "deep.jsonl, line 2: is nested deeper than 200 levels", exit_code=1)


@given(content=st.binary(max_size=200) | st.recursive(
    st.none() | st.integers() | st.text(max_size=10),
    lambda inner: st.lists(inner, max_size=3) | st.dictionaries(st.text(max_size=8), inner, max_size=3),
).map(lambda value: json.dumps(value).encode()), depth=st.integers(0, 3000))
@settings(max_examples=40, deadline=None, suppress_health_check=[HealthCheck.function_scoped_fixture])
def test_any_profile_file_is_shown_or_set_aside_never_an_internal_error(tmp_path_factory, content, depth):
    home = tmp_path_factory.mktemp("any-profile")
    (home / "profiles").mkdir()
    (home / "profiles" / "default.json").write_bytes(b"[" * depth + content + b"]" * depth)
    result = run_agent("profile", "show", "--data-dir", home)
    assert result.exit_code == 0, result.output
    assert (home / "profiles" / "default.json").exists() or list((home / "profiles").glob("default.json.unreadable-*"))


def test_chat_save_refuses_a_file_name_with_escape_codes(tmp_path, monkeypatch):
    from agent.chat.outcome import ChatError
    from agent.chat.persistence import save_playlist

    monkeypatch.chdir(tmp_path)
    current = SimpleNamespace(playlist=GeneratedPlaylist(title="x", normalized_title="x", encoder="e", k=1, voting="count", tracks=[]))
    with pytest.raises(ChatError, match="control characters") as error:
        save_playlist(current, "\x1b[2J.csv")
    assert no_control_codes(str(error.value)) and list(tmp_path.iterdir()) == []
