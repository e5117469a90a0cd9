"""The one preparation of a playlist request, for the CLI, the server and the chat.

A face turns what it was given into a `RequestDraft`: the title, the options, names as
typed (seeds, artists to leave out) and the profile's name. `RequestPreparer.prepare`
resolves the names in the catalog, applies the profile and returns the checked
`PlaylistRequest`, carrying the warnings it produced and the `Provenance` the output
records. Every face therefore resolves the same way and fails the same way:

- seeds: a URI the catalog lacks, or a track (URI, song, artist) matching nothing, is
  skipped with a warning; plain words that match nothing are an error. With no known
  seed and no title left, a batch (`popular_when_empty`) answers with the most played
  tracks and says so; a single request is an error.
- artists to leave out: an unknown or ambiguous name is an error.
- the profile: its exclusions and likes apply; an unreadable profile file is set aside
  with a warning.
"""

from __future__ import annotations

import functools

from dataclasses import dataclass, field, replace
from importlib import metadata
from pathlib import Path

from agent.playlist.options import RequestError
from agent.playlist.request import PlaylistRequest
from agent.profile import Profile, load_profile
from retrieval.catalog import Catalog
from retrieval.generator import GenerationError, require_title
from retrieval.records import Provenance, Track
from retrieval.resolve import NameResolver, resolve_seeds

MAX_SEEDS = 1000
PACKAGE = "playlist-agent"


@dataclass(frozen=True)
class RequestDraft:
    """A request as a face received it: `request` holds the title, options, mode and
    steering; the names in `seeds` and `exclude_artists` are not looked up yet."""

    request: PlaylistRequest = field(default_factory=PlaylistRequest)
    seeds: tuple[str | Track, ...] = ()  # URIs, "song by artist", or tracks as the MPD writes them
    exclude_artists: tuple[str, ...] = ()  # as typed; the catalog's spelling replaces each
    profile: str | None = None  # the name of the profile to apply; None for none

    @property
    def needs_llm(self) -> bool:
        return self.request.needs_llm

    def check(self) -> RequestDraft:
        """What can be checked before the catalog opens, so a mistake is said at once."""
        if len(self.seeds) > MAX_SEEDS:
            raise RequestError("seeds", f"{{name}} holds {len(self.seeds)} tracks; at most {MAX_SEEDS} per request")
        self.request.check_options()
        require_title(self.request.title, bool(self.seeds) and self.request.mode == "retrieval")
        return self


class RequestPreparer:
    """Prepares drafts against one catalog (one thread's connection)."""

    def __init__(self, catalog: Catalog, home: Path | None = None, popular_when_empty: bool = False):
        """`home` holds the profiles; `popular_when_empty` answers a request left with
        neither title nor known seed by popularity (batches, the API) instead of failing."""
        self.catalog = catalog
        self.home = home
        self.popular_when_empty = popular_when_empty
        self._resolver: NameResolver | None = None
        self._fingerprint: str | None = None
        self._artists: dict[str, str] = {}  # as typed -> the catalog's spelling

    @property
    def resolver(self) -> NameResolver:
        if self._resolver is None:  # keys new tracks on first use: only when a name is read
            self._resolver = NameResolver(self.catalog)
        return self._resolver

    def prepare(self, draft: RequestDraft, profile: Profile | None = None) -> PlaylistRequest:
        """The checked request for `draft`; `profile`, when given, is applied instead of
        loading `draft.profile` (a chat holds its profile)."""
        request = draft.check().request
        warnings: list[str] = []
        seeds = self._seeds(draft, warnings)
        artists = self.artists(draft.exclude_artists)
        profile, profile_name = self._profile(draft.profile, profile, warnings)
        options = profile.apply(replace(
            request.options, seed_uris=tuple(t.track_uri for t in seeds),
            exclude_artists=tuple(dict.fromkeys(request.options.exclude_artists + artists)),
        ))
        if draft.seeds and not seeds and not request.title.strip():
            if not self.popular_when_empty:
                raise GenerationError("no seed track is in the catalog and there is no title to answer from")
            options = replace(options, popular_when_empty=True)
            request = request.with_mode(mode="retrieval")
        request = replace(request, options=options, warnings=tuple(warnings))
        return replace(request, made_with=self.provenance(request, profile_name)).check()

    def artists(self, names: tuple[str, ...]) -> tuple[str, ...]:
        """The catalog's spelling of each artist; an unknown or ambiguous name is an error.
        A batch calls it before its first request, so a wrong name fails once, at once."""
        for name in names:
            if name not in self._artists:
                self._artists[name] = self.resolver.artist(name).name
        return tuple(self._artists[name] for name in names)

    def _seeds(self, draft: RequestDraft, warnings: list[str]) -> list[Track]:
        if not draft.seeds:
            return []
        found = resolve_seeds(self.resolver, draft.seeds)
        warnings += found.notes
        return found.tracks

    def _profile(self, name: str | None, given: Profile | None, warnings: list[str]) -> tuple[Profile, str | None]:
        """The profile to apply and its name (None when it adds nothing)."""
        profile = given
        if profile is None and name is not None and self.home is not None:
            profile, warning = load_profile(self.home, name)
            warnings += [warning] if warning else []
        if profile is None or profile.is_empty():
            return Profile(), None
        return profile, name or "chat"

    def provenance(self, request: PlaylistRequest, profile_name: str | None) -> Provenance:
        """What the output records about how the playlist was made."""
        options, mode = request.options, request.mode_options
        settings: dict[str, str | int | float | bool | None] = {
            "mode": mode.mode, "n": options.n, "k": options.k, "voting": options.voting,
            "merge_versions": options.merge_versions, "max_per_artist": options.max_per_artist,
            "seeds": len(options.seed_uris), "discovery": options.discovery, "ranker": options.ranker,
            "method": options.method,
        }
        if request.steering is not None:
            settings["steer_strength"] = request.steering.strength
        if mode.needs_llm:
            settings |= {"shots": mode.shots, "fuse": mode.fuse, "candidates": mode.candidates,
                         "shuffles": mode.shuffles}
        steering = request.steering
        return Provenance(
            version=package_version(), catalog=self.fingerprint(), settings=settings,
            steering=[w if toward else f"-{w}" for w, toward in zip(steering.words, steering.toward)] if steering else [],
            profile=profile_name, excluded_artists=list(options.exclude_artists),
            excluded_tracks=len(options.exclude_track_uris), liked_tracks=len(options.liked_track_uris),
        )

    def fingerprint(self) -> str:
        """The catalog's playlists, highest pid and content version: cheap, read once."""
        if self._fingerprint is None:
            self._fingerprint = f"{self.catalog.quick_fingerprint()}-v{self.catalog.content_version()}"
        return self._fingerprint


@functools.cache  # reading the installed metadata costs ~3 ms, a sixth of a warm request
def package_version() -> str:
    try:
        return metadata.version(PACKAGE)
    except metadata.PackageNotFoundError:  # run from a checkout that was never installed
        return "unknown"
