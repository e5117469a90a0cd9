"""The three ways to make a playlist, behind one call:

- ``retrieval``: title voting alone (`Retriever.generate`);
- ``rerank``: retrieval's top `candidates`, reordered by an LLM (optionally fused with
  retrieval's order by RRF); tracks past the candidates follow in retrieval order;
- ``llm``: the LLM names songs from the title (0, 1 or 5 example songs taken from
  retrieval's top tracks), matched back to the catalog.

When the LLM fails (down, timeout, unusable answer, after one retry) the playlist is
retrieval's, with `llm.fallback` set and a warning; configuration mistakes (no key,
no GGUF) raise instead, so they are fixed rather than hidden.
"""

from __future__ import annotations

import time
from dataclasses import replace
from typing import TYPE_CHECKING

from agent.playlist.request import PlaylistRequest
from retrieval.ranking.filters import cap_per_artist, exclude_artists
from retrieval.generator import GenerationError, Retriever
from retrieval.methods import generate_by_method
from retrieval.normalize import normalize_title
from retrieval.records import GeneratedPlaylist
from retrieval.ranking.steering import generate_steered
from retrieval.index.tags import TagIndex

if TYPE_CHECKING:  # the LLM modules (langchain) load only when a mode needs them
    from agent.llm import ChatBackend


def make_playlist(retriever: Retriever, backend: ChatBackend | None, request: PlaylistRequest,
                  tags: TagIndex | None = None) -> GeneratedPlaylist:
    """A playlist for `request`; `backend` may be None for retrieval, `tags` unless it steers.
    The preparation's warnings come first in the playlist's, and its provenance is recorded."""
    request.check()
    playlist = _made(retriever, backend, request, tags)
    if not request.warnings and request.made_with is None:
        return playlist
    return playlist.model_copy(update={"warnings": [*request.warnings, *playlist.warnings],
                                       "made_with": request.made_with})


def _made(retriever: Retriever, backend: ChatBackend | None, request: PlaylistRequest,
          tags: TagIndex | None) -> GeneratedPlaylist:
    if request.steering is not None:
        if tags is None:
            raise GenerationError("steering needs the track tag vectors, which this index lacks; rebuild the index")
        return generate_steered(retriever, tags, request.title, request.options, request.steering)
    if request.mode == "retrieval":
        return generate_by_method(retriever, request.title, request.options)
    if backend is None:
        raise GenerationError(f"mode {request.mode} needs an LLM backend")
    if request.mode == "rerank":
        return _reranked(retriever, backend, request)
    return _generated(retriever, backend, request)


def _reranked(retriever: Retriever, backend: ChatBackend, request: PlaylistRequest) -> GeneratedPlaylist:
    from agent.playlist.rerank import rerank

    started = time.perf_counter()
    title, options, mode = request.title, request.options, request.mode_options
    pool = retriever.generate(title, replace(options, n=max(options.n, mode.candidates)))
    head, tail = pool.tracks[: mode.candidates], pool.tracks[mode.candidates:]
    # Retrieval warned about the larger request; only the user's n matters here.
    warnings = [w for w in pool.warnings if not w.startswith(f"only {len(pool.tracks)} tracks found")]
    if len(pool.tracks) < options.n:
        warnings.append(f"only {len(pool.tracks)} tracks found in {len(pool.neighbours)} neighbour playlists; "
                        "raise k (the neighbour playlists that vote)")
    if not head:
        return pool.model_copy(update={"mode": "rerank", "warnings": warnings})
    result = rerank(backend, title, head, wanted=options.n, fuse=mode.fuse, shuffles=mode.shuffles)
    tracks = result.candidates + [t.model_copy(update={"rank": len(head) + i}) for i, t in enumerate(tail, 1)]
    return pool.model_copy(update={
        "mode": "rerank",
        "tracks": tracks[: options.n],
        "warnings": warnings + result.warnings,
        "llm": result.info,
        "seconds": round(time.perf_counter() - started, 4),
    })


def _generated(retriever: Retriever, backend: ChatBackend, request: PlaylistRequest) -> GeneratedPlaylist:
    from agent.playlist.llm_songs import generate_songs
    from retrieval.matching import SongMatcher

    started = time.perf_counter()
    title, options, shots = request.title, request.options, request.mode_options.shots
    neighbours, examples, warnings = [], [], []
    if shots:
        shown = retriever.generate(title, replace(options, n=shots))
        neighbours, examples = shown.neighbours, shown.tracks
    songs = generate_songs(backend, SongMatcher(retriever.catalog), title, options.n, shots, examples)
    warnings += songs.warnings
    if songs.failed:
        fallback = retriever.generate(title, options)
        return fallback.model_copy(update={
            "mode": "llm",
            "warnings": fallback.warnings + warnings + ["showing the retrieval-only playlist instead"],
            "llm": songs.info,
            "seconds": round(time.perf_counter() - started, 4),
        })
    # The user's filters apply to every mode (the artist ones read only `artist_name`).
    tracks = [t for t in songs.candidates if t.track_uri is None or t.track_uri not in options.exclude_track_uris]
    tracks = cap_per_artist(exclude_artists(tracks, options.exclude_artists), options.max_per_artist)
    tracks = [t.model_copy(update={"rank": rank, "score": round(1.0 / rank, 6)}) for rank, t in enumerate(tracks, 1)]
    return GeneratedPlaylist(
        title=title,
        normalized_title=normalize_title(title),
        mode="llm",
        encoder=retriever.index.info.encoder_name,
        k=options.k,
        voting=options.voting,
        tracks=tracks,
        neighbours=neighbours,
        warnings=warnings,
        seconds=round(time.perf_counter() - started, 4),
        llm=songs.info,
        match_rate=songs.match_rate,
    )
