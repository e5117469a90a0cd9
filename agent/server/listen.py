"""Listening: the socket bound before anything loads, and connections that cannot hold
the server hostage.

uvicorn closes a keep-alive connection after `timeout_keep_alive`, but a connection
that never finishes its headers or its body (or never sends a byte) stays open for
ever, and enough of them use up the process's file descriptors. `GuardedHttp` gives each
request `header_timeout` seconds from its first byte to complete its headers and
`body_timeout` seconds from when the server starts reading its body to complete that,
closes a new connection that sends nothing for `keep_alive_timeout` (as uvicorn closes
an idle kept-alive one), and refuses connections past `max_connections` with a 503 at once.
A request the HTTP parser rejects (a bad method, a negative Content-Length, raw bytes in
the URL) gets its 400 in the API's JSON error shape, not uvicorn's plain text.
"""

from __future__ import annotations

import asyncio
import errno
import json
import socket
from dataclasses import dataclass

from uvicorn.protocols.http.httptools_impl import HttpToolsProtocol


def _raw_answer(status: str, kind: str, message: str) -> bytes:
    """A complete HTTP response in the API's error shape, for answers made below the app."""
    body = json.dumps({"error": {"type": kind, "message": message}}).encode()
    head = (f"HTTP/1.1 {status}\r\ncontent-type: application/json\r\nconnection: close\r\n"
            f"content-length: {len(body)}\r\n\r\n")
    return head.encode() + body


BUSY = _raw_answer("503 Service Unavailable", "busy", "too many open connections; try again shortly")
HEADERS_TOO_SLOW = _raw_answer("408 Request Timeout", "timeout", "the request headers did not arrive in time")
BODY_TOO_SLOW = _raw_answer("408 Request Timeout", "timeout", "the request body did not arrive in time")
_BIND_REASONS = {errno.EADDRINUSE: "is in use by another program", errno.EACCES: "needs privileges to bind",
                 errno.EADDRNOTAVAIL: "is not an address of this machine"}


class AddressError(ValueError):
    """An address the server cannot listen on; the message names it."""


@dataclass(frozen=True)
class ConnectionLimits:
    keep_alive_timeout: float = 5.0
    header_timeout: float = 10.0
    max_connections: int = 500
    body_timeout: float = 10.0


def bind(host: str, port: int) -> socket.socket:
    """A listening socket on `host`:`port` (port 0: a free one), or `AddressError`."""
    where = f"{host}:{port}" if ":" not in host else f"[{host}]:{port}"
    try:
        family, kind, proto, _name, address = socket.getaddrinfo(
            host, port, type=socket.SOCK_STREAM, flags=socket.AI_PASSIVE)[0]
    except (socket.gaierror, UnicodeError) as error:
        raise AddressError(f"cannot listen on {where}: the host does not resolve ({error})") from None
    sock = socket.socket(family, kind, proto)
    sock.setsockopt(socket.SOL_SOCKET, socket.SO_REUSEADDR, 1)
    try:
        sock.bind(address)
    except OSError as error:
        sock.close()
        reason = _BIND_REASONS.get(error.errno, f"cannot be bound ({error.strerror})")
        raise AddressError(f"cannot listen on {where}: the address {reason}") from None
    sock.listen(2048)  # clients who connect before the server starts wait in the queue, never refused
    sock.set_inheritable(True)
    return sock


def url_of(sock: socket.socket, host: str) -> str:
    """The URL a browser reaches `sock` at, with the port actually bound."""
    port = sock.getsockname()[1]
    shown = "127.0.0.1" if host in ("0.0.0.0", "") else ("[::1]" if host == "::" else host)
    return f"http://{f'[{shown}]' if ':' in shown and not shown.startswith('[') else shown}:{port}/"


def guarded_protocol(limits: ConnectionLimits) -> type[HttpToolsProtocol]:
    return type("GuardedHttp", (GuardedHttp,), {"limits": limits})


class GuardedHttp(HttpToolsProtocol):
    limits = ConnectionLimits()
    _header_timer: asyncio.TimerHandle | None = None
    _body_timer: asyncio.TimerHandle | None = None

    def connection_made(self, transport) -> None:  # type: ignore[override]
        super().connection_made(transport)
        if len(self.connections) > self.limits.max_connections:
            transport.write(BUSY)
            transport.close()
            return
        self._arm_header_timer(self.limits.keep_alive_timeout)  # idle until its first byte

    def on_message_begin(self) -> None:
        super().on_message_begin()
        self._cancel_header_timer()  # the headers' time counts from their first byte
        self._arm_header_timer(self.limits.header_timeout)

    def on_headers_complete(self) -> None:
        self._cancel_header_timer()
        super().on_headers_complete()

    def _start_asgi_task(self, cycle, app) -> None:  # type: ignore[no-untyped-def]
        # The body's time counts from here, not from its headers: a pipelined request
        # starts only when the one before it is answered, and until then nothing reads it.
        if cycle.more_body:
            self._cancel_body_timer()
            self._body_timer = self.loop.call_later(self.limits.body_timeout, self._body_too_slow)
        super()._start_asgi_task(cycle, app)

    def on_message_complete(self) -> None:
        self._cancel_body_timer()
        super().on_message_complete()

    def connection_lost(self, exc: Exception | None) -> None:
        self._cancel_header_timer()
        self._cancel_body_timer()
        super().connection_lost(exc)

    def send_400_response(self, msg: str) -> None:
        self.transport.write(_raw_answer("400 Bad Request", "invalid_request", f"{msg.rstrip('.')}: "
                                         "the request is not valid HTTP/1.1"))
        self.transport.close()

    def _arm_header_timer(self, seconds: float) -> None:
        self._header_timer = self.loop.call_later(seconds, self._headers_too_slow)

    def _cancel_header_timer(self) -> None:
        if self._header_timer is not None:
            self._header_timer.cancel()
            self._header_timer = None

    def _cancel_body_timer(self) -> None:
        if self._body_timer is not None:
            self._body_timer.cancel()
            self._body_timer = None

    def _headers_too_slow(self) -> None:
        self._header_timer = None
        if self.transport.is_closing():
            return
        if self.cycle is None or self.cycle.response_complete:  # never in the middle of another answer
            self.transport.write(HEADERS_TOO_SLOW)
        self.transport.close()

    def _body_too_slow(self) -> None:
        """The unfinished body is the running request's (bodies are read in order), so
        the 408 is its answer, unless the app has begun answering it already."""
        self._body_timer = None
        if self.transport.is_closing() or self.cycle is None:
            return
        if not self.cycle.response_started:
            self.transport.write(BODY_TOO_SLOW)
        self.cycle.disconnected = True  # the app reads a disconnect and writes nothing after the 408
        self.transport.close()
