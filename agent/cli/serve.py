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
@click.option("--port", type=click.IntRange(0, 65535), default=8000, show_default=True,
              help="Port to listen on; 0 picks a free one (printed).")
@click.option("--allow-host", "allowed_hosts", multiple=True, metavar="NAME",
              help="Also answer requests for this host name (a proxy's, or this machine's name on the network "
                   "with --host 0.0.0.0); others get HTTP 400. Repeatable.")
@click.option("--workers", type=click.IntRange(1, 64), default=1, show_default=True,
              help="Retrieval processes; each answers one retrieval request at a time, the next waiting "
                   "one, so give as many as CPU cores for throughput. Each loads its own encoder; the "
                   "catalog's arrays are shared, and the LLM runs once, in the serving process.")
@click.option("--llm-queue", type=click.IntRange(1, 1000), default=8, show_default=True,
              help="LLM requests allowed to wait (per worker); more are refused (HTTP 503) until one finishes.")
@click.option("--llm-budget", type=click.FloatRange(1, 3600), default=30, show_default=True, metavar="SECONDS",
              help="Time one request may wait for the LLM; past it, retrieval's playlist is the answer.")
@click.option("--header-timeout", type=click.FloatRange(0.5, 600), default=10, show_default=True, metavar="SECONDS",
              help="Time a client has to send a request's headers; slower connections are closed.")
@click.option("--body-timeout", type=click.FloatRange(0.5, 600), default=10, show_default=True, metavar="SECONDS",
              help="Time a client has to send a request's body once the server reads it; slower connections "
                   "get 408 and are closed.")
@click.option("--keep-alive", type=click.FloatRange(0.5, 600), default=5, show_default=True, metavar="SECONDS",
              help="Time an idle connection stays open between requests.")
@click.option("--max-connections", type=click.IntRange(1, 100_000), default=500, show_default=True,
              help="Open connections at once; more are answered 503 and closed.")
@backend_options
@workspace_options
def serve(host: str, port: int, allowed_hosts: tuple[str, ...], workers: int, llm_queue: int, llm_budget: float,
          header_timeout: float, body_timeout: float, keep_alive: float, max_connections: int, llm: LLMChoice,
          workspace: Workspace) -> None:
    """Serve playlists over HTTP: a page at /, a JSON API under /v1/, docs at /docs.

    The encoder and index load once at start; the LLM loads on the first request that
    needs it, and runs on its own thread so retrieval requests never wait for it.
    """
    import uvicorn

    from agent.server.app import ServeSettings
    from agent.server.listen import AddressError, ConnectionLimits, bind, guarded_protocol, url_of

    try:  # before anything loads: a taken port is reported at once
        sock = bind(host, port)
    except AddressError as error:
        raise click.ClickException(str(error)) from None
    catalog, is_demo = open_active_catalog(workspace)
    settings = ServeSettings.of(workspace, catalog.path, is_demo, llm_queue, llm_budget, llm)
    # Loaded here even for several workers, so a broken catalog or index is reported
    # once, as a one-line error, before any worker starts.
    with catalog, waiting("Loading the encoder and the title index"):
        service = settings.load_service()
    app = settings.app(service, workers, host, allowed_hosts)
    if workers > 1:
        with waiting(f"Starting {workers} worker processes"):
            app.state.retrieval.start()
    source = "demo catalog" if is_demo else f"catalog {catalog.path}"
    processes = f", {workers} worker processes" if workers > 1 else ""
    stderr().print(safe_text(f"Serving {service.playlists:,} playlists ({source}, {service.query_encoder} query "
                             f"encoder{processes}) at {url_of(sock, host)}  (API docs: /docs; Ctrl-C stops)"),
                   highlight=False, soft_wrap=True)
    limits = ConnectionLimits(keep_alive_timeout=keep_alive, header_timeout=header_timeout,
                              max_connections=max_connections, body_timeout=body_timeout)
    config = uvicorn.Config(app, http=guarded_protocol(limits), timeout_keep_alive=limits.keep_alive_timeout,
                            log_level="warning", timeout_graceful_shutdown=3)
    uvicorn.Server(config).run(sockets=[sock])
