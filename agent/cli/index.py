"""`agent index`: (re)build the title index of the active catalog."""

from __future__ import annotations

from pathlib import Path

import click

from agent.cli.common import stdout, user_errors, workspace_options
from agent.cli.progress import counting
from agent.workspace import Workspace, rebuild_index


@click.command()
@click.option(
    "--encoder", "encoder_path", type=click.Path(exists=True, file_okay=False, path_type=Path),
    help="A sentence-transformers model folder [default: the pre-trained all-MiniLM-L6-v2].",
)
@workspace_options
def index(encoder_path: Path | None, workspace: Workspace) -> None:
    """Embed every distinct playlist title and store the vectors in Chroma.

    The new index is built beside the old one and replaces it only when complete,
    so generation keeps working during a rebuild.
    """
    with user_errors():
        catalog, is_demo = workspace.active_catalog()
        with catalog, counting("Embedding titles") as update:
            built = rebuild_index(catalog, workspace, encoder_path, on_progress=update)
        which = "demo catalog" if is_demo else "catalog"
        stdout().print(
            f"Indexed {built.info.titles:,} titles of the {which} with {built.info.encoder_name} "
            f"in {workspace.chroma.describe()} (collection {built.info.collection})."
        )
