"""The README is a short tutorial whose commands work: every `agent` command in its code
blocks (and in docs/generating.md's) runs on the demo catalog and exits 0, except the
ones that need the MPD sample, a terminal, a server or minutes, listed here with the
reason; those are run by the benchmarks and their own tests."""

from __future__ import annotations

import re
import shlex
import shutil
from pathlib import Path

import pytest

from conftest import run_agent
from demo_home import built_demo_home

ROOT = Path(__file__).resolve().parents[2]
README = ROOT / "README.md"
DOC_PAGES = ("quality", "performance", "api", "chat", "architecture", "training", "guarantees", "python-api",
             "generating", "llm", "requests", "web", "challenge", "ranking")
RUN_FROM = (README, ROOT / "docs" / "generating.md")
# (what a command line holds, why the suite does not run it)
NOT_RUN = (
    ("path/to/", "a placeholder for your own MPD files"),
    ("../shared", "needs the MPD sample"),
    ("agent serve", "a server that runs until stopped (tests/agent/test_serve.py)"),
    ("agent chat", "interactive (tests/agent/test_chat_pty.py)"),
    ("--mode rerank", "the bundled LLM takes minutes on two cores (tests/agent/test_llm_local.py)"),
    ("--mode llm", "the bundled LLM takes minutes on two cores (tests/agent/test_llm_local.py)"),
    ("agent compare", "the bundled LLM takes minutes on two cores"),
    ("agent evaluate", "minutes on a real catalog: run by the benchmarks"),
    ("agent tune", "minutes on a real catalog: run by the benchmarks"),
    ("agent train", "minutes: run by the benchmarks"),
    ("agent challenge", "needs a challenge set and its truth (tests/agent/test_challenge.py)"),
)


def code_block_commands(page: Path) -> list[str]:
    """Each `agent ...` line of the page's shell code blocks, comments dropped."""
    blocks = re.findall(r"^```(?:bash|sh)?\n(.*?)^```", page.read_text(encoding="utf-8"), re.M | re.S)
    lines = [line.strip() for block in blocks for line in block.splitlines()]
    return [shlex.join(shlex.split(line, comments=True)) for line in lines if line.startswith("agent ")]


def commands_to_run() -> list[str]:
    commands = [command for page in RUN_FROM for command in code_block_commands(page)
                if not any(marker in command for marker, _ in NOT_RUN)]
    return list(dict.fromkeys(commands))


def test_the_readme_is_a_short_tutorial_and_docs_has_the_pages():
    lines = README.read_text(encoding="utf-8").splitlines()
    assert len(lines) <= 300, f"README.md has {len(lines)} lines"
    missing = [name for name in DOC_PAGES if not (ROOT / "docs" / f"{name}.md").is_file()]
    assert not missing, f"docs/ lacks {missing}"
    assert (ROOT / "CHANGELOG.md").is_file()


@pytest.mark.parametrize("page", [README, *sorted((ROOT / "docs").glob("*.md"))], ids=lambda p: p.name)
def test_every_relative_link_leads_to_a_file(page):
    targets = re.findall(r"\]\(([^)#:]+)(?:#[^)]*)?\)", page.read_text(encoding="utf-8"))
    broken = [t for t in targets if not (page.parent / t).exists()]
    assert not broken, f"{page.name} links to missing {broken}"


def test_the_commands_are_found_and_some_are_run():
    assert len(commands_to_run()) >= 8, commands_to_run()


@pytest.fixture(scope="module")
def demo_copy(tmp_path_factory) -> Path:
    """A data dir of its own, since the profile commands write."""
    home = tmp_path_factory.mktemp("docs") / "home"
    shutil.copytree(built_demo_home(), home)
    return home


@pytest.mark.parametrize("command", commands_to_run())
def test_every_documented_command_runs_on_the_demo(command, demo_copy, tmp_path, monkeypatch):
    monkeypatch.chdir(tmp_path)  # where `-o` files land
    (tmp_path / "titles.txt").write_text("road trip\nrainy sunday\n", encoding="utf-8")
    result = run_agent(*shlex.split(command)[1:], env={"AGENT_HOME": str(demo_copy), "AGENT_CHROMA_URL": ""})
    assert result.exit_code == 0, f"`{command}` exited {result.exit_code}:\n{result.output}"
    assert result.output.strip() or any(tmp_path.iterdir()), f"`{command}` printed and wrote nothing"


def test_the_python_api_page_runs_as_written(demo_copy, monkeypatch, capsys):
    monkeypatch.setenv("AGENT_HOME", str(demo_copy))
    monkeypatch.delenv("AGENT_CHROMA_URL", raising=False)
    page = ROOT / "docs" / "python-api.md"
    snippets = re.findall(r"^```python\n(.*?)^```", page.read_text(encoding="utf-8"), re.M | re.S)
    assert len(snippets) >= 3
    names: dict = {}
    for snippet in snippets:
        exec(compile(snippet, str(page), "exec"), names)  # noqa: S102 - the page's own code
    printed = capsys.readouterr().out
    assert "playlists; demo: True" in printed
    continued = names["continued"]
    assert len(continued.tracks) == 10 and names["playlist"].tracks[0].track_uri not in \
        {track.track_uri for track in continued.tracks}
    assert all(track.artist_name != "Bon Jovi" for track in continued.tracks)
