"""The catalog a command works on: the user's, else the demo one, built on first use."""

from __future__ import annotations

from agent.cli.common import stderr
from agent.cli.progress import counting
from agent.workspace import Workspace, ensure_demo
from retrieval.index.titles import active_index_info


def open_active_catalog(workspace: Workspace):
    """The user's catalog, else the demo one, built with a progress bar on first use."""
    catalog, is_demo = workspace.active_catalog()
    if is_demo and active_index_info(catalog) is None:
        catalog.close()
        stderr().print("First run: building the demo catalog (a demo of real song titles, not Spotify data).")
        with counting("Embedding demo titles") as update:
            ensure_demo(workspace, lambda done, total: update(done, total))
        catalog, is_demo = workspace.active_catalog()
    return catalog, is_demo
