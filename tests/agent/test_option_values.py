"""Option values of `agent tune` and `agent evaluate` that cannot work are refused with the
command line, in one line naming the option, before any work (found by
benchmarks/hostile_data.py: they were internal errors, a progress line, or a run killed
for memory)."""

from __future__ import annotations

import pytest

from conftest import failed_cleanly, run_agent


@pytest.mark.parametrize("command", ["tune", "evaluate"])
@pytest.mark.parametrize("share", ["-1", "0", "1", "1.5", "nan", "inf"])
def test_a_share_outside_zero_to_one_names_share(tmp_path, command, share):
    output = failed_cleanly(run_agent(command, "--share", share, "--data-dir", tmp_path), "--share", exit_code=1)
    assert "internal error" not in output


@pytest.mark.parametrize("args, option", [
    (["evaluate", "--k", "0"], "--k"),
    (["evaluate", "--k", "50,-5"], "--k"),
    (["evaluate", "--limit", "-1"], "--limit"),
    (["evaluate", "--limit", "0"], "--limit"),
    (["tune", "--ranker", "--folds", str(10**20)], "--folds"),
])
def test_counts_that_cannot_work_are_refused_before_any_work(tmp_path, args, option):
    output = failed_cleanly(run_agent(*args, "--data-dir", tmp_path), option, exit_code=1)
    assert "Scoring" not in output and "internal error" not in output
