"""The `agent` command: one small module per command, registered here.

A command's module is imported only when that command runs (or `--help` lists it), so
`agent generate` does not load what chat, evaluate, serve or llm-config need.
"""

from __future__ import annotations

import importlib

import click

from agent.cli.common import AgentGroup, group_shared_options

# command name -> the module under agent.cli defining it, as a function of the same name
COMMANDS = {
    "generate": "generate", "chat": "chat", "compare": "compare", "llm-config": "llm_config", "ingest": "ingest",
    "index": "index", "evaluate": "evaluate", "profile": "profile", "train": "train", "serve": "serve",
    "tune": "tune", "challenge": "challenge",
}


class LazyAgentGroup(AgentGroup):
    def list_commands(self, ctx: click.Context) -> list[str]:
        return sorted(COMMANDS)

    def get_command(self, ctx: click.Context, name: str) -> click.Command | None:
        if name not in COMMANDS:
            return None
        return getattr(importlib.import_module(f"agent.cli.{COMMANDS[name]}"), COMMANDS[name])


@click.group(cls=LazyAgentGroup, context_settings={"help_option_names": ["-h", "--help"]})
@click.version_option(package_name="playlist-agent")
@group_shared_options
def cli() -> None:
    """Turn a playlist title into a playlist, from the Million Playlist Dataset or the demo catalog."""


def main() -> None:
    cli()
