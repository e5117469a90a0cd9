"""The `agent` command: one small module per command, registered here."""

from __future__ import annotations

import click

from agent.cli.evaluate import evaluate
from agent.cli.generate import generate
from agent.cli.index import index
from agent.cli.ingest import ingest


@click.group(context_settings={"help_option_names": ["-h", "--help"]})
@click.version_option(package_name="playlist-agent")
def cli() -> None:
    """Turn a playlist title into a playlist, from the Million Playlist Dataset or the demo catalog."""


cli.add_command(generate)
cli.add_command(ingest)
cli.add_command(index)
cli.add_command(evaluate)


def main() -> None:
    cli()
