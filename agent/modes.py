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
from collections.abc import Callable
from dataclasses import dataclass, replace

from typing import TYPE_CHECKING

from retrieval.filters import cap_per_artist, exclude_artists
from retrieval.generator import GenerationError, GenerationOptions, Retriever
from retrieval.normalize import normalize_title
from retrieval.records import GeneratedPlaylist

if TYPE_CHECKING:  # the LLM modules (langchain) load only when a mode needs them
    from agent.llm import ChatBackend

MODES = ("retrieval", "rerank", "llm")
SHOTS = (0, 1, 5)
FUSES = ("none", "rrf")
DEFAULT_CANDIDATES = 50

# ((uri, name, artist), score), best first: what the evaluation runner scores. The
# uri is None for a song an LLM named that the catalog lacks (it counts as a miss).
Recommendation = list[tuple[tuple[str | None, str, str], float]]


@dataclass(frozen=True)
class ModeOptions:
    mode: str = "retrieval"
    shots: int = 0  # llm: example songs in the prompt
    fuse: str = "none"  # rerank: "rrf" blends the LLM's order with retrieval's
    candidates: int = DEFAULT_CANDIDATES  # rerank: how many retrieved tracks the LLM sees
    shuffles: int = 1  # rerank: orders the candidates are shown in, combined by Borda count

    def check(self) -> None:
        if self.mode not in MODES:
            raise GenerationError(f"unknown --mode {self.mode!r}; choose one of {', '.join(MODES)}")
        if self.shots not in SHOTS:
            raise GenerationError(f"--shots must be one of {', '.join(map(str, SHOTS))}, got {self.shots}")
        if self.fuse not in FUSES:
            raise GenerationError(f"unknown --fuse {self.fuse!r}; choose one of {', '.join(FUSES)}")
        if self.candidates < 1:
            raise GenerationError(f"--candidates must be at least 1, got {self.candidates}")
        if self.shuffles < 1:
            raise GenerationError(f"--rerank-shuffles must be at least 1, got {self.shuffles}")

    @property
    def needs_llm(self) -> bool:
        return self.mode != "retrieval"


def make_playlist(
    retriever: Retriever,
    backend: ChatBackend | None,
    title: str,
    options: GenerationOptions = GenerationOptions(),
    mode: ModeOptions = ModeOptions(),
) -> GeneratedPlaylist:
    """A playlist for `title` in `mode`; `backend` may be None for retrieval."""
    mode.check()
    options.check()
    if not title.strip() and not (options.seed_uris and mode.mode == "retrieval"):
        raise GenerationError("the title is empty; give a playlist title such as --title \"road trip\"")
    if mode.mode == "retrieval":
        return retriever.generate(title, options)
    if backend is None:
        raise GenerationError(f"--mode {mode.mode} needs an LLM backend")
    if mode.mode == "rerank":
        return _reranked(retriever, backend, title, options, mode)
    return _generated(retriever, backend, title, options, mode)


def _reranked(retriever: Retriever, backend: ChatBackend, title: str, options: GenerationOptions,
              mode: ModeOptions) -> GeneratedPlaylist:
    from agent.rerank import rerank

    started = time.perf_counter()
    pool = retriever.generate(title, replace(options, n=max(options.n, mode.candidates)))
    head, tail = pool.tracks[: mode.candidates], pool.tracks[mode.candidates:]
    # Retrieval warned about the larger request; only the user's n matters here.
    warnings = [w for w in pool.warnings if not w.startswith(f"only {len(pool.tracks)} tracks found")]
    if len(pool.tracks) < options.n:
        warnings.append(f"only {len(pool.tracks)} tracks found in {len(pool.neighbours)} neighbour playlists; raise --k")
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


def _generated(retriever: Retriever, backend: ChatBackend, title: str, options: GenerationOptions,
               mode: ModeOptions) -> GeneratedPlaylist:
    from agent.llm_generate import generate_songs
    from retrieval.matching import SongMatcher

    started = time.perf_counter()
    neighbours, examples, warnings = [], [], []
    if mode.shots:
        shown = retriever.generate(title, replace(options, n=mode.shots))
        neighbours, examples = shown.neighbours, shown.tracks
    songs = generate_songs(backend, SongMatcher(retriever.catalog), title, options.n, mode.shots, examples)
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


def recommender(
    retriever: Retriever,
    backend: ChatBackend | None,
    mode: ModeOptions,
    options: GenerationOptions = GenerationOptions(),
) -> Callable[[str, int], Recommendation]:
    """`recommend(title, n)` for the evaluation runner, in any mode.

    Pass `options.exclude_pids` to hide a query's own playlist from retrieval, from
    the rerank candidates and from the example songs alike.
    """
    mode.check()

    def recommend(title: str, n: int) -> Recommendation:
        playlist = make_playlist(retriever, backend, title, replace(options, n=n), mode)
        return [((t.track_uri, t.track_name, t.artist_name), t.score) for t in playlist.tracks]

    return recommend
