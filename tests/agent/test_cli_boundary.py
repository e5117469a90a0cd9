"""The CLI's one error boundary: a user's mistake is exit 1 with a one-line message
naming the flag; a bug is exit 2 with a short report; AGENT_DEBUG=1 lets it through."""

from __future__ import annotations

import importlib

import pytest

from conftest import failed_cleanly, run_agent


@pytest.mark.parametrize(
    "args, message",
    [
        (["--candidates", "0"], "--candidates must be at least 1, got 0"),
        (["--rerank-shuffles", "0"], "--rerank-shuffles must be at least 1, got 0"),
    ],
)
def test_a_request_error_names_the_flag_not_the_field(tmp_path, args, message):
    out = failed_cleanly(run_agent("generate", "--data-dir", tmp_path, "--title", "chill", *args), message,
                         exit_code=1)
    assert "shuffles must" not in out.replace("--rerank-shuffles must", "")


@pytest.mark.parametrize("args, message", [
    (["generate", "--bogus"], "No such option '--bogus'"),
    (["--bogus", "generate"], "No such option '--bogus'"),
    (["nosuchcommand"], "No such command 'nosuchcommand'"),
    (["generate", "-n", "many", "--title", "chill"], "'many' is not a valid integer"),
    (["generate", "--title", "chill", "--format", "pdf"], "'pdf' is not one of"),
])
def test_a_mistyped_command_line_is_a_user_error_exit_1(tmp_path, args, message):
    failed_cleanly(run_agent("--data-dir", tmp_path, *args), message, exit_code=1)


def test_agent_alone_shows_its_help_and_succeeds():
    result = run_agent()
    assert result.exit_code == 0, result.output
    assert "Usage:" in result.output and "generate" in result.output


def explode(*args, **kwargs):
    raise RuntimeError("a bug deep inside")


def test_an_internal_error_is_exit_2_with_a_short_report(tmp_path, monkeypatch):
    monkeypatch.setattr(importlib.import_module("agent.cli.generate"), "playlist_maker", explode)
    result = run_agent("generate", "--data-dir", tmp_path, "--title", "chill")
    assert result.exit_code == 2, result.output
    assert "Traceback" not in result.output
    lines = [line for line in result.output.splitlines() if line.strip()]
    assert len(lines) == 1 and "internal error (RuntimeError: a bug deep inside)" in lines[0]
    assert "AGENT_DEBUG=1" in lines[0]


def test_agent_debug_lets_the_traceback_through(tmp_path, monkeypatch):
    monkeypatch.setattr(importlib.import_module("agent.cli.generate"), "playlist_maker", explode)
    result = run_agent("generate", "--data-dir", tmp_path, "--title", "chill", env={"AGENT_DEBUG": "1"})
    assert isinstance(result.exception, RuntimeError) and str(result.exception) == "a bug deep inside"
