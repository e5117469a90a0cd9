"""`agent serve`: the HTTP API and the page over the same playlist service as the CLI."""
