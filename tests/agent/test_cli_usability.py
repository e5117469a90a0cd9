"""What a new user meets on the command line: suggestions for mistyped commands, an
--explain that fits a screen, footers that say what a playlist came from, tables that fit
80 columns, files that end as files do, and Ctrl-C ending with 130."""

from __future__ import annotations

import json
import re
import shutil
from pathlib import Path

import pytest

from conftest import failed_cleanly, ok, run_agent
from demo_home import built_demo_home

NEIGHBOUR_ROW = re.compile(r"│\s+\d+ │ .* │\s+[01]\.\d{3} │$", re.M)


@pytest.fixture(scope="module")
def demo(tmp_path_factory) -> dict[str, str]:
    """The environment of a data dir holding the demo catalog, a copy of its own (evaluate writes reports)."""
    home = tmp_path_factory.mktemp("usability") / "home"
    shutil.copytree(built_demo_home(), home)
    return {"AGENT_HOME": str(home), "AGENT_CHROMA_URL": "", "COLUMNS": "80"}


@pytest.mark.parametrize("typed, meant", [(["generte"], "generate"), (["evalute"], "evaluate"),
                                          (["profile", "sho"], "show")])
def test_a_mistyped_command_gets_a_suggestion(typed, meant):
    failed_cleanly(run_agent(*typed), f"No such command '{typed[-1]}'. Did you mean '{meant}'?", exit_code=1)


def test_a_mistyped_option_gets_a_suggestion():
    failed_cleanly(run_agent("generate", "--titel", "x"), "No such option '--titel'", "--title", exit_code=1)


def test_a_word_like_no_command_gets_no_suggestion():
    output = failed_cleanly(run_agent("zzzzzz"), "No such command 'zzzzzz'.", exit_code=1)
    assert "Did you mean" not in output


def test_explain_shows_the_twenty_most_similar_playlists_and_explain_all_every_one(demo):
    record = json.loads(ok(run_agent("generate", "--title", "road trip", "-n", "5", "--format", "json", env=demo)).output)
    matched = len(record["neighbours"])
    assert matched > 20
    explained = ok(run_agent("generate", "--title", "road trip", "-n", "5", "--explain", env=demo)).output
    assert len(NEIGHBOUR_ROW.findall(explained)) == 20
    assert f"{matched - 20} more matched playlists not shown; --explain-all shows them all." in explained
    every = ok(run_agent("generate", "--title", "road trip", "-n", "5", "--explain-all", env=demo)).output
    assert len(NEIGHBOUR_ROW.findall(every)) == matched
    assert "not shown" not in every


def test_a_seed_only_playlist_says_what_it_was_made_from(demo):
    output = ok(run_agent("generate", "--seed", "Africa by Toto", "-n", "5", env=demo)).output
    flat = " ".join(output.split())
    assert "voted by 0" not in flat
    assert "5 tracks from the playlists holding the seeds" in flat and "“Africa” by Toto" in flat


def test_a_titled_playlist_still_says_how_many_playlists_voted(demo):
    output = ok(run_agent("generate", "--title", "road trip", "-n", "5", env=demo)).output
    assert "5 tracks voted by 300 similar playlists" in " ".join(output.split())


@pytest.mark.parametrize("voting, k", [("count,similarity", "50"), ("similarity", "50")])
def test_evaluate_tables_fit_80_columns_with_every_number_whole(demo, voting, k):
    output = ok(run_agent("evaluate", "--limit", "5", "--voting", voting, "--k", k, env=demo)).output
    table_lines = [line for line in output.splitlines() if line[:1] in "┏┃┡│└"]
    assert len(table_lines) > 10 and max(len(line) for line in table_lines) <= 80, output
    assert "…" not in output
    table = "\n".join(table_lines)
    assert re.search(r"(ndcg@10|ndcg@500)\s+│\s+0\.\d{4}", table) or re.search(r"│\s+0\.\d{3} │", table), output


def test_an_m3u_ends_with_one_newline_on_stdout_and_in_a_file(demo, tmp_path):
    printed = ok(run_agent("generate", "--title", "road trip", "-n", "3", "--format", "m3u", env=demo)).output
    assert printed.startswith("#EXTM3U\n") and printed.endswith("\n") and not printed.endswith("\n\n")
    target = tmp_path / "trip.m3u"
    ok(run_agent("generate", "--title", "road trip", "-n", "3", "-o", target, env=demo))
    written = target.read_text(encoding="utf-8")
    assert written.startswith("#EXTM3U\n") and written.endswith("\n") and not written.endswith("\n\n")


def test_ctrl_c_during_a_single_request_exits_130_with_one_line(demo, monkeypatch):
    import agent.cli.generate

    def interrupted(*args, **kwargs):
        raise KeyboardInterrupt

    monkeypatch.setattr(agent.cli.generate, "make_playlist", interrupted)
    result = run_agent("generate", "--title", "road trip", env=demo)
    assert result.exit_code == 130, result.output
    assert "Traceback" not in result.output and "Aborted" not in result.output
    assert result.output.strip().splitlines()[-1] == "Interrupted."


def test_a_warning_quoting_a_file_is_shown_as_text(capsys):
    from agent.cli.common import warn

    warn("profile /tmp/[bold]x\x1b[31m.json could not be read")
    err = capsys.readouterr().err
    assert "\x1b[31m" not in err and "[bold]x" in err and err.startswith("Warning:")


def test_a_wait_through_a_pipe_says_what_it_waits_for_and_how_long_it_took(capsys, monkeypatch):
    import time

    from agent.cli import progress

    monkeypatch.setattr(progress, "PIPED_HEARTBEAT_S", 0.5)
    with progress.waiting("Comparing modes"):
        time.sleep(1.2)
    lines = capsys.readouterr().err.splitlines()
    assert lines[0] == "Comparing modes..."
    assert re.fullmatch(r"Comparing modes\.\.\. \d\.\d s", lines[1]), lines  # said while it waits
    assert re.fullmatch(r"Comparing modes\.\.\. done in 1\.[2-9] s", lines[-1]), lines


def test_a_wait_that_fails_leaves_the_error_to_speak(capsys):
    from agent.cli.progress import waiting

    with pytest.raises(RuntimeError), waiting("Loading"):
        raise RuntimeError("broken")
    assert capsys.readouterr().err.splitlines() == ["Loading..."]


def test_ctrl_c_while_a_request_waits_for_the_llm_exits_130_with_one_line(demo, monkeypatch):
    """A real process, waiting on a real (hanging) LLM server, interrupted as a user would."""
    import signal
    import subprocess
    import sys
    import threading

    import faulty_openai_server
    from demo_home import subprocess_env

    monkeypatch.setattr(faulty_openai_server, "HANG", 60.0)
    server = faulty_openai_server.FaultyServer()
    threading.Thread(target=server.serve_forever, daemon=True).start()
    env = subprocess_env(Path(demo["AGENT_HOME"]), OPENAI_API_KEY="sk-test")
    process = subprocess.Popen(
        [sys.executable, "-c", "from agent.cli import main; main()", "generate", "--title", "road trip",
         "--mode", "rerank", "--llm", "openai", "--base-url", server.url("hang")],
        env=env, stdout=subprocess.PIPE, stderr=subprocess.PIPE, text=True)
    try:
        for line in process.stderr:  # the wait announces itself, piped too
            if line.startswith("Making the playlist with the LLM (rerank)..."):
                break
        process.send_signal(signal.SIGINT)
        _, err = process.communicate(timeout=60)
    finally:
        if process.poll() is None:
            process.kill()
        server.shutdown()
        server.server_close()
    assert process.returncode == 130, err
    assert "Traceback" not in err and "Aborted" not in err
    assert err.strip().splitlines()[-1] == "Interrupted."
