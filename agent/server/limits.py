"""Limits checked before a route runs: a cap on request bodies (HTTP 413), on the
nesting of a JSON body (HTTP 422, checked before the route's parser could recurse), and
the Host names the server answers for (HTTP 400)."""

from __future__ import annotations

import functools
import ipaddress
import socket

from starlette.types import ASGIApp, Message, Receive, Scope, Send

from agent.server.errors import BodyTooDeep, BodyTooLarge, error_response
from retrieval.json_reader import JSONInputError, JSONNestingError, read_json


class BodySizeLimit:
    def __init__(self, app: ASGIApp, max_bytes: int):
        self.app = app
        self.max_bytes = max_bytes

    async def __call__(self, scope: Scope, receive: Receive, send: Send) -> None:
        if scope["type"] != "http":
            await self.app(scope, receive, send)
            return
        declared = dict(scope.get("headers", [])).get(b"content-length")
        if declared is not None and (not declared.isdigit() or int(declared) > self.max_bytes):
            await self._refuse(scope, receive, send)
            return
        chunks: list[bytes] = []
        seen = 0

        async def counted() -> Message:
            nonlocal seen
            message = await receive()
            chunks.append(message.get("body", b""))
            seen += len(chunks[-1])
            if seen > self.max_bytes:  # a chunked body that declared no length
                raise BodyTooLarge(f"the request body is over {self.max_bytes:,} bytes")
            if not message.get("more_body", False):
                _check_nesting(b"".join(chunks))
            return message

        try:
            await self.app(scope, counted, send)
        except BodyTooLarge:
            await self._refuse(scope, receive, send)

    async def _refuse(self, scope: Scope, receive: Receive, send: Send) -> None:
        response = error_response(413, "too_large", f"the request body is over {self.max_bytes:,} bytes")
        await response(scope, receive, send)


def _check_nesting(body: bytes) -> None:
    """BodyTooDeep for a JSON body nested past the reader's limit; any other fault is the route's to judge."""
    try:
        read_json(body, what="the request body")
    except JSONNestingError as error:
        raise BodyTooDeep(error.problem) from None
    except JSONInputError:
        pass  # malformed, or no JSON at all: the route answers it as it always has


class HostAllowList:
    """Answers only requests whose Host names this server, so a page on another site
    cannot reach it through DNS rebinding (its requests carry the attacker's name).

    Allowed, with any port: 127.0.0.1, [::1], localhost, the address listened on and the
    `extra` names; listening on every interface (0.0.0.0 or ::) adds the machine's own
    names and any address of its own. Anything else gets 400.
    """

    def __init__(self, app: ASGIApp, listen_host: str, extra: tuple[str, ...] = ()):
        self.app = app
        self.every_interface = listen_host in ("0.0.0.0", "::", "")
        names = {"127.0.0.1", "::1", "localhost", listen_host, *extra}
        if self.every_interface:
            names |= {socket.gethostname(), socket.getfqdn()}
        self.names = frozenset(_bare(name) for name in names)

    async def __call__(self, scope: Scope, receive: Receive, send: Send) -> None:
        if scope["type"] == "http" and not self.allows(dict(scope.get("headers", [])).get(b"host", b"")):
            host = dict(scope["headers"]).get(b"host", b"").decode("latin-1")[:100]
            message = (f"this server does not answer for host {host!r}; start it with --allow-host NAME "
                       "to serve a name of your own" if host else "the request has no Host header")
            await error_response(400, "bad_host", message)(scope, receive, send)
            return
        await self.app(scope, receive, send)

    def allows(self, header: bytes) -> bool:
        host = _bare(header.decode("latin-1"))
        if not host:
            return False
        return host in self.names or (self.every_interface and _is_own_address(host))


def _bare(host: str) -> str:
    """The host of a Host header, lower case, without port, brackets or a final dot."""
    text = host.strip().lower()
    if text.startswith("["):
        return text[1:text.find("]")] if "]" in text else ""
    name, colon, port = text.rpartition(":")
    if colon and port.isdigit() and ":" not in name:
        text = name
    return text.rstrip(".")


@functools.lru_cache(maxsize=256)
def _is_own_address(host: str) -> bool:
    """Whether `host` is an IP address of this machine: only those can be bound to."""
    try:
        family = socket.AF_INET6 if ipaddress.ip_address(host).version == 6 else socket.AF_INET
    except ValueError:
        return False
    with socket.socket(family, socket.SOCK_STREAM) as probe:
        try:
            probe.bind((host, 0))
        except OSError:
            return False
    return True
