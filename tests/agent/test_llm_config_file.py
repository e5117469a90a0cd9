"""A broken `<data dir>/llm.json` (not UTF-8, not JSON, wrong fields, nested without end)
is one line naming the file, wherever it is read; `agent llm-config` with new settings
or --reset sets it aside (kept, byte for byte) and writes a good one."""

from __future__ import annotations

import json
from pathlib import Path

import pytest

from conftest import failed_cleanly, ok, run_agent

BROKEN = {
    "latin-1": (b'{"llm": "openai", "openai": {"model": "caf\xe9"}}', "is not UTF-8 text (byte 42)"),
    "truncated": (b'{"llm": "openai", "openai": {', "is not valid JSON"),
    "a list": (b"[1, 2]", "holds settings that do not fit"),
    "unknown field": (b'{"llm": "local", "colour": "red"}', "colour"),
    "nested": (b"[" * 100_000 + b"]" * 100_000, "is nested deeper than 200 levels"),
}


def broken_home(tmp_path: Path, content: bytes) -> Path:
    (tmp_path / "llm.json").write_bytes(content)
    return tmp_path


@pytest.mark.parametrize("kind", list(BROKEN))
def test_a_broken_settings_file_is_one_line_naming_it(tmp_path, kind):
    content, problem = BROKEN[kind]
    home = broken_home(tmp_path, content)
    out = failed_cleanly(run_agent("llm-config", "--data-dir", home), str(home / "llm.json"), exit_code=1)
    assert "agent llm-config --reset" in out
    assert problem in out
    assert (home / "llm.json").read_bytes() == content  # showing changes nothing


def test_generate_with_an_llm_names_the_broken_file_before_any_work(tmp_path):
    home = broken_home(tmp_path, BROKEN["latin-1"][0])
    result = run_agent("generate", "--data-dir", home, "-t", "road trip", "--mode", "rerank")
    failed_cleanly(result, str(home / "llm.json"), "is not UTF-8 text", exit_code=1)
    assert not (home / "catalog.sqlite").exists() and not (home / "demo").exists()


def test_new_settings_replace_a_broken_file_which_is_kept_aside(tmp_path):
    content = BROKEN["latin-1"][0]
    home = broken_home(tmp_path, content)
    result = ok(run_agent("llm-config", "--data-dir", home, "--llm", "openai", "--base-url", "http://127.0.0.1:9/v1"))
    said = " ".join(result.stderr.split())  # Rich wraps long lines
    assert "set aside as" in said and "is not UTF-8 text" in said
    saved = json.loads((home / "llm.json").read_text(encoding="utf-8"))
    assert saved["llm"] == "openai" and saved["openai"]["base_url"] == "http://127.0.0.1:9/v1"
    [aside] = home.glob("llm.json.broken-*")
    assert aside.read_bytes() == content
    ok(run_agent("llm-config", "--data-dir", home))  # readable again


def test_reset_writes_the_defaults_over_a_broken_or_a_good_file(tmp_path):
    home = broken_home(tmp_path, BROKEN["truncated"][0])
    ok(run_agent("llm-config", "--data-dir", home, "--reset"))
    assert json.loads((home / "llm.json").read_text(encoding="utf-8")) == {"llm": "local"}
    ok(run_agent("llm-config", "--data-dir", home, "--llm", "openai"))
    ok(run_agent("llm-config", "--data-dir", home, "--reset"))
    assert json.loads((home / "llm.json").read_text(encoding="utf-8")) == {"llm": "local"}


def test_a_bad_new_setting_leaves_the_broken_file_where_it_was(tmp_path):
    content = BROKEN["truncated"][0]
    home = broken_home(tmp_path, content)
    failed_cleanly(run_agent("llm-config", "--data-dir", home, "--n-ctx", "10"), "n_ctx", "nothing was saved",
                   exit_code=1)
    assert (home / "llm.json").read_bytes() == content and not list(home.glob("llm.json.broken-*"))


def test_two_broken_files_reset_within_a_second_are_both_kept_aside(tmp_path):
    for content in (BROKEN["truncated"][0], BROKEN["latin-1"][0]):
        (tmp_path / "llm.json").write_bytes(content)
        ok(run_agent("llm-config", "--data-dir", tmp_path, "--reset"))
    kept = sorted(path.read_bytes() for path in tmp_path.glob("llm.json.broken-*"))
    assert kept == sorted([BROKEN["truncated"][0], BROKEN["latin-1"][0]])
