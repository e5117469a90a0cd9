"""User and catalog text reaches the terminal as text: Rich markup in it is shown, not
applied, and terminal control sequences are removed; M3U gets one line per entry."""

from __future__ import annotations

import json

import pytest
from rich.console import Console

from agent.safe_text import clean, json_safe, safe_text
from conftest import build_corpus, failed_cleanly, ok, run_agent, write_slice_file

OSC_TITLE = "\x1b]0;pwned\x07 x"
HOSTILE = ["party [/] time", "[bold]x[/]", OSC_TITLE, "[link=http://evil.example]click[/link]"]


def rendered(markup: str) -> str:
    console = Console(record=True, width=200, force_terminal=True, color_system=None)
    console.print(markup)
    return console.export_text().rstrip("\n")


@pytest.mark.parametrize("text, shown", [
    ("party [/] time", "party [/] time"),
    ("[bold]x[/]", "[bold]x[/]"),
    ("[link=http://evil.example]click[/link]", "[link=http://evil.example]click[/link]"),
    (OSC_TITLE, " x"),
    ("\x1b[2J\x1b[Hcleared", "cleared"),
    ("\x9b31mC1 CSI", "C1 CSI"),
    ("bell\x07 and\x00nul", "bell  and nul"),
    ("two\nlines\tand tab", "two lines and tab"),
])
def test_safe_text_shows_the_text_itself_and_no_control_codes(text, shown):
    assert clean(text) == shown
    assert rendered(safe_text(text)) == shown


def test_json_safe_escapes_what_json_leaves_raw_and_reads_back_the_same():
    text = "del\x7f csi\x9b2J osc\x9d rlo\u202e isolate\u2066 ok é 🎄"
    written = json_safe(json.dumps({"name": text}, ensure_ascii=False))
    assert not any(ch in written for ch in "\x7f\x9b\x9d\u202e\u2066")
    assert "é 🎄" in written and json.loads(written) == {"name": text}


def test_ordinary_text_is_unchanged():
    for text in ("road trip", "Xmas 🎄", "케이팝", "AC/DC - Back In Black (Live)"):
        assert rendered(safe_text(text)) == text == clean(text)


@pytest.fixture(scope="module")
def hostile_home(tmp_path_factory, reuse_encoder):
    """A catalog whose playlist, track and artist names carry markup and escape codes."""
    corpus = build_corpus()
    corpus.playlists[0]["name"] = "christmas \x1b]0;owned\x07[bold]party[/]"
    corpus.playlists[1]["name"] = "christmas [/] \x1b[2Jsongs"
    for playlist in corpus.playlists:
        for track in playlist["tracks"]:
            if track["track_uri"].endswith("xmas01"):
                track["track_name"] = "All I Want \x1b]8;;http://evil.example\x1b\\[link=http://evil.example]x[/link]"
                track["artist_name"] = "Mariah \x07Carey [red]"
    data = tmp_path_factory.mktemp("hostile-home")
    ok(run_agent("ingest", write_slice_file(tmp_path_factory.mktemp("hostile-mpd"), corpus.playlists),
                 "--data-dir", data))
    return data


def assert_no_control_codes(text: str) -> None:
    assert not any(ch in text for ch in "\x1b\x07\x9b\x9d"), repr(text)


@pytest.mark.parametrize("title", HOSTILE)
def test_a_hostile_title_is_printed_as_text(hostile_home, title):
    result = ok(run_agent("generate", "--data-dir", hostile_home, "--title", title, "-n", 3))
    assert_no_control_codes(result.output)
    assert clean(title).strip() in result.output


def test_catalog_names_shown_by_explain_are_text(hostile_home):
    result = ok(run_agent("generate", "--data-dir", hostile_home, "--title", "christmas", "--explain", "-n", 10,
                          env={"COLUMNS": "300"}))
    assert_no_control_codes(result.output)
    assert "[link=http://evil.example]x[/link]" in result.output
    assert "Carey [red]" in result.output
    assert "[bold]party[/]" in result.output and "christmas [/]" in result.output


def test_a_newline_in_a_title_does_not_inject_m3u_lines(hostile_home):
    result = ok(run_agent("generate", "--data-dir", hostile_home, "--title", "christmas\n#EXTINF:-1,injected\nx.mp3",
                          "--format", "m3u", "-n", 3))
    lines = result.stdout.splitlines()
    assert lines[1] == "#PLAYLIST:christmas #EXTINF:-1,injected x.mp3"
    assert "x.mp3" not in lines and not any(line.startswith("#EXTINF:-1,injected") for line in lines)
    assert_no_control_codes(result.stdout)
    # Catalog names with escape codes are cleaned in M3U too.
    assert all(line.startswith(("#", "spotify:", "https://")) for line in lines), lines


def test_an_error_quoting_user_text_is_one_clean_line(hostile_home, tmp_path):
    titles = tmp_path / f"titles{OSC_TITLE}.txt"
    titles.write_text("\n \n")
    out = failed_cleanly(run_agent("generate", "--data-dir", hostile_home, "--titles-file", titles), "holds no titles")
    assert_no_control_codes(out)
