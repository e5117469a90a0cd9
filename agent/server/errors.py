"""Errors as JSON, split as the CLI splits them: a request the user can fix (4xx, one
clear message), a server that cannot answer now (503), or a bug (500, logged with its
traceback; AGENT_DEBUG=1 also returns it)."""

from __future__ import annotations

import os
import sys
import traceback

from fastapi import FastAPI, Request
from fastapi.exceptions import RequestValidationError
from fastapi.responses import JSONResponse
from starlette.exceptions import HTTPException

from agent.errors import USER_ERRORS
from agent.os_errors import os_error_message
from agent.profile import ProfileTooLargeError
from agent.server.llm_worker import LLMBusyError
from agent.server.playlists import UNAVAILABLE_ERRORS


class BodyTooLarge(Exception):
    """A request body over the limit (see `limits.BodySizeLimit`)."""


class BodyTooDeep(Exception):
    """A JSON request body nested past what any route accepts (see `limits.BodySizeLimit`)."""


def error_response(status: int, kind: str, message: str, details: list | None = None) -> JSONResponse:
    error = {"type": kind, "message": message}
    if details:
        error["details"] = details
    return JSONResponse({"error": error}, status_code=status)


def error_body(error: Exception) -> tuple[int, bytes]:
    """The status and JSON body the handlers below answer `error` with, for an answer
    made away from the app (a retrieval process); a bug's traceback goes to stderr."""
    if isinstance(error, UNAVAILABLE_ERRORS) or os_error_message(error):
        status, kind, message = 503, "unavailable", os_error_message(error) or str(error)
    elif isinstance(error, USER_ERRORS):
        status, kind, message = 422, "user_error", str(error)
    else:
        traceback.print_exception(error, file=sys.stderr)
        status, kind, message = 500, "internal_error", _internal_message(error)
    return status, bytes(error_response(status, kind, message).body)


def _internal_message(error: Exception) -> str:
    message = "internal error; the server log has the details"
    if os.environ.get("AGENT_DEBUG"):
        message += "\n" + "".join(traceback.format_exception(error))
    return message


def _field(location: tuple, kind: str) -> str:
    if kind == "json_invalid":  # its location is ("body", character offset): the body is what is wrong
        return "body"
    return ".".join(str(part) for part in location if part != "body") or "body"


def _problem(error: dict) -> dict:
    message = error["msg"].removeprefix("Value error, ")
    if error["type"] == "json_invalid" and len(error["loc"]) > 1:
        message += f" at character {error['loc'][1]}"
    return {"field": _field(error["loc"], error["type"]), "message": message}


def install_error_handlers(app: FastAPI) -> None:
    @app.exception_handler(RequestValidationError)
    async def invalid(_request: Request, error: RequestValidationError) -> JSONResponse:
        problems = [_problem(e) for e in error.errors()]
        first = problems[0] if problems else {"field": "body", "message": "invalid request"}
        return error_response(422, "invalid_request", f"{first['field']}: {first['message']}", problems)

    @app.exception_handler(HTTPException)
    async def http_error(_request: Request, error: HTTPException) -> JSONResponse:
        if isinstance(error.__cause__, BodyTooLarge):  # FastAPI wraps what reading the body raised
            return error_response(413, "too_large", str(error.__cause__))
        if isinstance(error.__cause__, BodyTooDeep):
            return error_response(422, "invalid_request", f"body: {error.__cause__}")
        return error_response(error.status_code, "http_error", str(error.detail))

    @app.exception_handler(LLMBusyError)
    async def busy(_request: Request, error: LLMBusyError) -> JSONResponse:
        return error_response(503, "busy", str(error))

    @app.exception_handler(ProfileTooLargeError)
    async def profile_full(_request: Request, error: ProfileTooLargeError) -> JSONResponse:
        return error_response(413, "too_large", str(error))

    async def unavailable(_request: Request, error: Exception) -> JSONResponse:
        return error_response(503, "unavailable", str(error))

    async def user_error(_request: Request, error: Exception) -> JSONResponse:
        return error_response(422, "user_error", str(error))

    # The most specific registered class wins, so an unavailable backend is never a user error.
    for kind in USER_ERRORS:
        app.add_exception_handler(kind, user_error)
    for kind in UNAVAILABLE_ERRORS:
        app.add_exception_handler(kind, unavailable)

    @app.exception_handler(Exception)
    async def failed(_request: Request, error: Exception) -> JSONResponse:
        if said := os_error_message(error):  # read-only storage, a full disk: the server's, not a bug
            return error_response(503, "unavailable", said)
        # Starlette re-raises after answering, so the server log shows the traceback.
        return error_response(500, "internal_error", _internal_message(error))
