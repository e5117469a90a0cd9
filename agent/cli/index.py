"""`agent index`: (re)build the title index of the active catalog."""

from __future__ import annotations

import click

from agent.cli.common import stderr, stdout, workspace_options
from agent.cli.progress import counting
from agent.workspace import Workspace, rebuild_collaborative, rebuild_index, rebuild_track_tags
from retrieval.index.tags import tags_folder
from training.models import resolve_encoder


@click.command()
@click.option(
    "--encoder", "encoder_name",
    help="pt (the pre-trained all-MiniLM-L6-v2, default), ft-c, ft-t or ft-g (the latest `agent train` model), "
         "a model name from DATA_DIR/models, or a sentence-transformers model folder.",
)
@workspace_options
def index(encoder_name: str | None, workspace: Workspace) -> None:
    """Embed every distinct playlist title and store the vectors in Chroma.

    The new index is built beside the old one and replaces it only when complete,
    so generation keeps working during a rebuild.
    """
    catalog, is_demo = workspace.active_catalog()
    with catalog:
        encoder_path = resolve_encoder(encoder_name, workspace.home, catalog.fingerprint())
        with counting("Embedding titles") as update:
            built = rebuild_index(catalog, workspace, encoder_path, on_progress=update, on_warning=warn)
        with counting("Averaging titles into track tag vectors") as update:
            tags = rebuild_track_tags(catalog, workspace, built, on_progress=update)
        with counting("Fitting ALS on the playlists"):
            als = rebuild_collaborative(catalog)
    which = "demo catalog" if is_demo else "catalog"
    stdout().print(
        f"Indexed {built.info.titles:,} titles of the {which} with {built.info.encoder_name} "
        f"in {workspace.chroma.describe()} (collection {built.info.collection}).\n"
        f"Encoder folder: {encoder_path} (fingerprint {built.info.encoder_fingerprint}).\n"
        f"Track tag vectors: {tags.info.tracks:,} tracks in {tags.info.seconds:.1f}s "
        f"(in {tags_folder(catalog) / tags.info.collection}).\n"
        f"ALS: {len(als.tracks):,} tracks held by 2 playlists or more, {als.factors} factors.",
        markup=False, highlight=False,  # paths and URLs are the user's text, not markup
    )


def warn(message: str) -> None:
    stderr().print(f"Warning: {message}", markup=False, highlight=False, soft_wrap=True)
