"""`agent serve`: the HTTP API and the page, with the models loaded once."""

from __future__ import annotations

import click

from agent.cli.common import stderr, workspace_options
from agent.cli.generate import open_active_catalog
from agent.cli.llm_options import LLMChoice, backend_options
from agent.cli.progress import waiting
from agent.safe_text import safe_text
from agent.workspace import Workspace


def _host(host: str) -> str:
    if not host.isprintable() or not host.strip():
        raise click.BadParameter(f"{safe_text(host)!r} is not a host name or address such as 127.0.0.1")
    return host


@click.command()
@click.option("--host", default="127.0.0.1", show_default=True, callback=lambda _ctx, _param, host: _host(host),
              help="Interface to listen on; 0.0.0.0 exposes the server to your network.")
@click.option("--port", type=click.IntRange(0, 65535), default=8000, show_default=True)
@click.option("--workers", type=click.IntRange(1, 64), default=1, show_default=True,
              help="Retrieval processes; each answers one retrieval request at a time, the next waiting "
                   "one, so give as many as CPU cores for throughput. Each loads its own encoder; the "
                   "catalog's arrays are shared, and the LLM runs once, in the serving process.")
@click.option("--llm-queue", type=click.IntRange(1, 1000), default=8, show_default=True,
              help="LLM requests allowed to wait (per worker); more are refused (HTTP 503) until one finishes.")
@backend_options
@workspace_options
def serve(host: str, port: int, workers: int, llm_queue: int, llm: LLMChoice, workspace: Workspace) -> None:
    """Serve playlists over HTTP: a page at /, a JSON API under /v1/, docs at /docs.

    The encoder and index load once at start; the LLM loads on the first request that
    needs it, and runs on its own thread so retrieval requests never wait for it.
    """
    import uvicorn

    from agent.server.app import ServeSettings

    catalog, is_demo = open_active_catalog(workspace)
    settings = ServeSettings.of(workspace, catalog.path, is_demo, llm_queue, llm)
    # Loaded here even for several workers, so a broken catalog or index is reported
    # once, as a one-line error, before any worker starts.
    with catalog, waiting("Loading the encoder and the title index"):
        service = settings.load_service()
    app = settings.app(service, workers)
    if workers > 1:
        with waiting(f"Starting {workers} worker processes"):
            app.state.retrieval.start()
    source = "demo catalog" if is_demo else f"catalog {catalog.path}"
    processes = f", {workers} worker processes" if workers > 1 else ""
    stderr().print(safe_text(f"Serving {service.playlists:,} playlists ({source}, {service.query_encoder} query "
                             f"encoder{processes}) at http://{host}:{port}/  (API docs: /docs; Ctrl-C stops)"),
                   highlight=False, soft_wrap=True)
    options = {"host": host, "port": port, "log_level": "warning", "timeout_graceful_shutdown": 3}
    uvicorn.run(app, **options)
