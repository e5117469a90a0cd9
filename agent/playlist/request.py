"""One playlist request: the title, retrieval's options and how an LLM takes part.

`check()` is the one validation of a request; the service runs it, and the CLI runs
it before any slow step so a mistake is reported at once. New knobs (a seed,
steering words) are new fields here, checked in `check()`.
"""

from __future__ import annotations

from dataclasses import dataclass, field, replace

from agent.playlist.options import (
    DEFAULT_CANDIDATES, FUSES, MAX_CANDIDATES, MAX_SHUFFLES, MAX_TRACKS, MODES, SHOTS, RequestError, check_choice,
    check_positive,
)
from retrieval.generator import FUSED, GenerationOptions, require_title
from retrieval.records import Provenance
from retrieval.ranking.steering import Steering


@dataclass(frozen=True)
class ModeOptions:
    """Which mode makes the playlist, and the LLM's part in it."""

    mode: str = "retrieval"
    shots: int = 0  # llm: example songs in the prompt
    fuse: str = "none"  # rerank: "rrf" blends the LLM's order with retrieval's
    candidates: int = DEFAULT_CANDIDATES  # rerank: how many retrieved tracks the LLM sees
    shuffles: int = 1  # rerank: orders the candidates are shown in, combined by Borda count

    def check(self) -> None:
        check_choice("mode", self.mode, MODES)
        check_choice("shots", self.shots, SHOTS)
        check_choice("fuse", self.fuse, FUSES)
        check_positive("candidates", self.candidates, MAX_CANDIDATES)
        check_positive("shuffles", self.shuffles, MAX_SHUFFLES)

    @property
    def needs_llm(self) -> bool:
        return self.mode != "retrieval"


@dataclass(frozen=True)
class PlaylistRequest:
    """Everything that decides a playlist. `options` holds n, k, voting, the filters
    and what a profile adds (liked and excluded tracks)."""

    title: str = ""
    options: GenerationOptions = field(default_factory=GenerationOptions)
    mode_options: ModeOptions = field(default_factory=ModeOptions)
    steering: Steering | None = None  # words to move the playlist toward or away from
    # What the preparation (`agent.playlist.prepare`) found: told to the person with the playlist.
    warnings: tuple[str, ...] = ()
    made_with: Provenance | None = None

    def check(self) -> PlaylistRequest:
        self.check_options()
        answerable = bool(self.options.seed_uris) or self.options.popular_when_empty
        require_title(self.title, answerable and self.mode == "retrieval")
        return self

    def check_options(self) -> PlaylistRequest:
        """Everything but the title: what a batch checks once before its first title."""
        check_positive("n", self.options.n, MAX_TRACKS)
        self.options.check()
        self.mode_options.check()
        if self.steering is not None and self.mode != "retrieval":
            raise RequestError("steering", "{name} works with the retrieval mode only")
        if self.options.method != FUSED and (self.mode != "retrieval" or self.steering is not None):
            raise RequestError("method", f"{{name}} {self.options.method} makes a playlist alone: "
                                         "no LLM mode and no steering with it")
        return self

    def for_title(self, title: str) -> PlaylistRequest:
        return replace(self, title=title)

    def with_options(self, **changes) -> PlaylistRequest:
        return replace(self, options=replace(self.options, **changes))

    def with_profile(self, profile) -> PlaylistRequest:
        """With a profile's unwanted artists and tracks left out and its liked tracks voting."""
        return replace(self, options=profile.apply(self.options))

    def with_mode(self, **changes) -> PlaylistRequest:
        return replace(self, mode_options=replace(self.mode_options, **changes))

    @property
    def mode(self) -> str:
        return self.mode_options.mode

    @property
    def needs_llm(self) -> bool:
        return self.mode_options.needs_llm
