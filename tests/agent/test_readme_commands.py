"""The README's command table against the commands themselves: every `agent` command is
listed, and every option the table names exists in that command's `--help`."""

from __future__ import annotations

import re
from pathlib import Path

import click
import pytest
from click.testing import CliRunner

from agent.cli import cli

README = Path(__file__).resolve().parents[2] / "README.md"
OPTION = re.compile(r"(?<![\w-])(--[a-z][a-z0-9-]*|-[a-zA-Z])(?![\w-])")
SHARED = ("--data-dir", "--chroma-url")


def commands_section() -> str:
    text = README.read_text(encoding="utf-8")
    start = text.index("\n## Commands\n")
    end = text.index("\n## ", start + 1)
    return text[start:end]


def table_rows() -> list[tuple[str, str, str]]:
    """(command name, its arguments in the first cell, the rest of the row) for each row."""
    rows = []
    for line in commands_section().splitlines():
        found = re.match(r"\| `agent ([a-z-]+)([^`]*)` \|(.*)\|$", line)
        if found:
            rows.append(found.groups())
    return rows


def help_text(*path: str) -> str:
    result = CliRunner().invoke(cli, [*path, "--help"], terminal_width=200)
    assert result.exit_code == 0, result.output
    return result.output


def commands() -> dict[str, click.Command]:
    """`agent`'s commands by name, through click's lookup (their modules load on first use)."""
    context = click.Context(cli)
    return {name: cli.get_command(context, name) for name in cli.list_commands(context)}


def leaf_commands() -> list[tuple[str, ...]]:
    leaves = []
    for name, command in commands().items():
        if isinstance(command, click.Group):
            leaves += [(name, sub) for sub in command.commands]
        else:
            leaves.append((name,))
    return leaves


def test_the_table_is_found():
    assert len(table_rows()) >= len(commands())


def test_every_command_is_in_the_table():
    listed = {name for name, _, _ in table_rows()}
    assert set(commands()) <= listed, f"missing from the README: {set(commands()) - listed}"
    assert listed <= set(commands()), f"in the README but not a command: {listed - set(commands())}"


@pytest.mark.parametrize("name, arguments, rest", table_rows(),
                         ids=[f"{n}:{i}" for i, (n, _, _) in enumerate(table_rows())])
def test_every_option_the_table_names_exists(name, arguments, rest):
    command = commands()[name]
    if isinstance(command, click.Group):  # e.g. `agent profile show|clear|like|dislike`
        subcommands = re.findall(r"(?<![\w-])[a-z][a-z-]*", arguments)
        assert set(subcommands) <= set(command.commands), arguments
        texts = [help_text(name, sub) for sub in command.commands] + [help_text(name)]
    else:
        texts = [help_text(name)]
    options = OPTION.findall(arguments + rest)
    missing = [o for o in options if not any(re.search(rf"(?<![\w-]){re.escape(o)}(?![\w-])", t) for t in texts)]
    assert not missing, f"`agent {name}` has no {missing}"


@pytest.mark.parametrize("path", leaf_commands(), ids=" ".join)
def test_the_shared_options_exist_on_every_command(path):
    assert SHARED[0] in commands_section() and SHARED[1] in commands_section()
    text = help_text(*path)
    assert all(option in text for option in SHARED), f"`agent {' '.join(path)}` lacks {SHARED}"
