"""A cap on request bodies, checked before a route reads them (HTTP 413), and on the
nesting of a JSON body (HTTP 422), checked before the route's parser could recurse."""

from __future__ import annotations

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
