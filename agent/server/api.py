"""The HTTP API: thin routes over `PlaylistService`, JSON errors, the page at `/`.

Retrieval-only requests run on a `RetrievalRunner` (a thread, or `--workers` processes),
one at a time each; anything that calls the LLM runs on the `LLMWorker` thread, so a
slow model never delays them.
"""

from __future__ import annotations

import asyncio
import contextlib
import dataclasses
from importlib import resources
from typing import Literal

from fastapi import FastAPI, Query
from fastapi.exceptions import RequestValidationError
from fastapi.responses import FileResponse, JSONResponse, PlainTextResponse, Response
from fastapi.staticfiles import StaticFiles
from fastapi_offline import FastAPIOffline

from agent.server.errors import error_response, install_error_handlers
from agent.server.limits import BodySizeLimit
from agent.server.llm_worker import LLMBudgetSpentError, LLMWorker
from agent.server.retrieval_pool import RetrievalRunner
from agent.playlist import ModeOptions, PlaylistRequest, RequestDraft
from agent.render import as_text
from agent.server.schemas import MAX_BODY_BYTES, CompareBody, ExportBody, PlaylistBody, ProfileChange, TitleBody
from agent.server.playlists import PlaylistService
from retrieval.generator import GenerationOptions
from retrieval.records import GeneratedPlaylist
from retrieval.ranking.steering import Steering

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

    # Swagger UI and ReDoc from files shipped in a package, not a CDN: the docs work offline.
    app = FastAPIOffline(title="playlist-agent", version="1", summary="Turn a playlist title into a playlist.",
                         lifespan=lifespan)
    app.state.retrieval = retrieval
    app.state.llm_model = {"configured": False, "model": None}  # set by whoever knows the LLM settings
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
            "llm": app.state.llm_model,
        }

    @app.post("/v1/playlists", response_model=GeneratedPlaylist)
    async def create_playlist(body: PlaylistBody) -> JSONResponse:
        steering = Steering.parse(body.steering, body.steer_strength) if body.steering else None
        request = _request(body, body.mode, steering, k=body.k, voting=body.voting)
        if not request.needs_llm:
            status, body = await asyncio.wrap_future(retrieval.submit(request))
            return Response(body, status_code=status, media_type="application/json")
        job = llm.submit(service.playlist, request)
        try:  # shielded: the job must run (or skip itself) so the queue count stays right
            playlist = await asyncio.wait_for(asyncio.shield(asyncio.wrap_future(job)), llm.budget)
        except (TimeoutError, LLMBudgetSpentError):
            return await _retrieval_instead(request)
        # Serialised once, by the record's own schema (a dict and json.dumps cost twice as much).
        return Response(playlist.model_dump_json(), media_type="application/json")

    async def _retrieval_instead(request: RequestDraft) -> Response:
        """Retrieval's playlist for a request whose LLM budget ran out, saying so."""
        retrieval_only = dataclasses.replace(request, request=request.request.with_mode(mode="retrieval"))
        status, body = await asyncio.wrap_future(retrieval.submit(retrieval_only))
        if status != 200:
            return Response(body, status_code=status, media_type="application/json")
        playlist = GeneratedPlaylist.model_validate_json(body)
        warning = f"the LLM did not answer within {llm.budget:g} s; this is the retrieval-only playlist"
        return Response(playlist.model_copy(update={"warnings": [*playlist.warnings, warning]}).model_dump_json(),
                        media_type="application/json")

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
        profile, warning = service.change_profile(name, verb, body.tracks, body.artists)
        return {"name": name, **profile.model_dump(), "warnings": [warning] if warning else []}

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


def _request(body: TitleBody, mode: str, steering: Steering | None = None, **generation) -> RequestDraft:
    """The body as the draft every face hands to the one preparation."""
    options = GenerationOptions(n=body.n, merge_versions=not body.filters.keep_versions,
                                max_per_artist=body.filters.max_per_artist, discovery=body.filters.discovery,
                                ranker=body.filters.ranker, method=body.filters.method,
                                exclude_track_uris=frozenset(body.filters.exclude_tracks), **generation)
    mode_options = ModeOptions(mode=mode, shots=body.shots, fuse=body.fuse, candidates=body.candidates,
                               shuffles=body.rerank_shuffles)
    return RequestDraft(PlaylistRequest(body.title, options, mode_options, steering), seeds=tuple(body.seeds),
                        exclude_artists=tuple(body.filters.exclude_artists), profile=body.profile)
