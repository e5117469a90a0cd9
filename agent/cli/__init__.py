"""The `agent` command: one small module per command, registered here."""

from __future__ import annotations

import click

from agent.cli.common import AgentGroup, group_shared_options
from agent.cli.compare import compare
from agent.cli.chat import chat
from agent.cli.evaluate import evaluate
from agent.cli.generate import generate
from agent.cli.index import index
from agent.cli.profile import profile
from agent.cli.ingest import ingest
from agent.cli.llm_config import llm_config
from agent.cli.serve import serve
from agent.cli.train import train
from agent.cli.tune import tune


@click.group(cls=AgentGroup, context_settings={"help_option_names": ["-h", "--help"]})
@click.version_option(package_name="playlist-agent")
@group_shared_options
def cli() -> None:
    """Turn a playlist title into a playlist, from the Million Playlist Dataset or the demo catalog."""


cli.add_command(generate)
cli.add_command(chat)
cli.add_command(compare)
cli.add_command(llm_config)
cli.add_command(ingest)
cli.add_command(index)
cli.add_command(evaluate)
cli.add_command(profile)
cli.add_command(train)
cli.add_command(serve)
cli.add_command(tune)


def main() -> None:
    cli()
