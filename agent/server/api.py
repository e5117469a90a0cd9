"""The HTTP API: thin routes over `PlaylistService`, JSON errors, the page at `/`.

Retrieval-only requests run on a `RetrievalRunner` (a thread, or `--workers` processes),
one at a time each; anything that calls the LLM runs on the `LLMWorker` thread, so a
slow model never delays them.
"""

from __future__ import annotations

from dataclasses import replace

import asyncio
import contextlib
from importlib import resources
from typing import Literal

from fastapi import FastAPI, Query
from fastapi.exceptions import RequestValidationError
from fastapi.responses import FileResponse, JSONResponse, PlainTextResponse, Response
from fastapi.staticfiles import StaticFiles

from agent.server.errors import error_response, install_error_handlers
from agent.server.limits import BodySizeLimit
from agent.server.llm_worker import LLMWorker
from agent.server.retrieval_pool import RetrievalRunner
from retrieval.steering import Steering
from agent.server.schemas import MAX_BODY_BYTES, CompareBody, ExportBody, PlaylistBody, ProfileChange, TitleBody
from agent.server.service import (
    GeneratedPlaylist, GenerationOptions, ModeOptions, PlaylistService, Request as PlaylistRequest, as_text,
)

STATIC = resources.files("agent.server") / "static"
MEDIA_TYPES = {"json": "application/json", "csv": "text/csv", "m3u": "audio/x-mpegurl"}


def create_app(service: PlaylistService, llm: LLMWorker, retrieval: RetrievalRunner | None = None) -> FastAPI:
    retrieval = retrieval or RetrievalRunner(service)

    @contextlib.asynccontextmanager
    async def lifespan(_app: FastAPI):
        await asyncio.to_thread(retrieval.start)
        yield
        llm.shutdown()
        retrieval.shutdown()
        service.close()

    app = FastAPI(title="playlist-agent", version="1", summary="Turn a playlist title into a playlist.",
                  lifespan=lifespan)
    app.state.retrieval = retrieval
    app.add_middleware(BodySizeLimit, max_bytes=MAX_BODY_BYTES)
    install_error_handlers(app)
    app.mount("/static", StaticFiles(directory=str(STATIC)), name="static")

    @app.get("/", include_in_schema=False)
    def page() -> FileResponse:
        return FileResponse(str(STATIC / "index.html"), media_type="text/html")

    @app.get("/healthz")
    def healthz() -> dict:
        return {
            "status": "ok", "catalog": "demo" if service.is_demo else "user", "playlists": service.playlists,
            "encoder": service.index.info.encoder_name, "query_encoder": service.query_encoder,
        }

    @app.post("/v1/playlists", response_model=GeneratedPlaylist)
    async def create_playlist(body: PlaylistBody) -> JSONResponse:
        request = _request(body, body.mode, k=body.k, voting=body.voting)
        if body.steering:
            request = replace(request, steering=Steering.parse(body.steering, body.steer_strength))
        if not request.mode.needs_llm:
            status, body = await asyncio.wrap_future(retrieval.submit(request))
            return Response(body, status_code=status, media_type="application/json")
        playlist = await asyncio.wrap_future(llm.submit(service.playlist, request))
        # Serialised once, by the record's own schema (a dict and json.dumps cost twice as much).
        return Response(playlist.model_dump_json(), media_type="application/json")

    @app.post("/v1/compare")
    async def compare(body: CompareBody) -> JSONResponse:
        """Retrieval, LLM rerank and pure LLM side by side; `also` marks the songs other modes share."""
        comparison, also = await asyncio.wrap_future(llm.submit(service.compare, _request(body, "retrieval")))
        return JSONResponse({**comparison.model_dump(mode="json"), "also": also})

    @app.get("/v1/search")
    def search(q: str = Query(min_length=1, max_length=100), limit: int = Query(default=10, ge=1, le=50)) -> dict:
        """Songs and artists in the catalog whose names hold every word of `q`."""
        return service.search(q, limit)

    @app.get("/v1/profiles/{name}")
    def show_profile(name: str) -> dict:
        profile, warning = service.profile(name)
        return {"name": name, **profile.model_dump(), "warnings": [warning] if warning else []}

    @app.post("/v1/profiles/{name}/{verb}")
    def change_profile(name: str, verb: Literal["like", "dislike"], body: ProfileChange) -> dict:
        if not body.tracks and not body.artists:
            return error_response(422, "invalid_request", "give tracks (URIs) or artists to like or dislike")
        profile = service.change_profile(name, verb, body.tracks, body.artists)
        return {"name": name, **profile.model_dump()}

    @app.post("/v1/export")
    def export(body: ExportBody) -> PlainTextResponse:
        """A playlist record as JSON, CSV or M3U, written by the same code as `--format`."""
        try:
            playlist = GeneratedPlaylist.model_validate(body.playlist)
        except ValueError as error:
            raise RequestValidationError([{"loc": ["body", "playlist"], "msg": str(error).splitlines()[0],
                                           "type": "value_error"}]) from error
        return PlainTextResponse(as_text(playlist, body.format) + "\n", media_type=MEDIA_TYPES[body.format])

    return app


def _request(body: TitleBody, mode: str, **generation) -> PlaylistRequest:
    options = GenerationOptions(
        n=body.n, merge_versions=not body.filters.keep_versions, max_per_artist=body.filters.max_per_artist,
        exclude_artists=tuple(body.filters.exclude_artists), discovery=body.filters.discovery, **generation,
    )
    mode_options = ModeOptions(mode=mode, shots=body.shots, fuse=body.fuse, candidates=body.candidates,
                               shuffles=body.rerank_shuffles)
    return PlaylistRequest(title=body.title, options=options, mode=mode_options, profile=body.profile,
                           seeds=tuple(dict.fromkeys(body.seeds)))
