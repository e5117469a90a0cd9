"""Making the playlist for a recipe, under the profile, and recording it as a new version.

A change builds a new `Version` from a changed `Recipe`; the profile is applied at
every build. Tracks enter the playlist only from the catalog: by retrieval, by an LLM
answer matched to the catalog, or by a catalog search for a song the user named.
"""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass, field

from agent.chat.llm_loading import LazyBackend
from agent.chat.outcome import ChatError, Outcome
from agent.chat.profile_edit import ProfileEdit
from agent.chat.search import CatalogSearch
from agent.chat.session import ChatSession, Recipe, Version
from agent.playlist import ModeOptions, PlaylistRequest, RequestDraft, RequestPreparer, make_playlist
from retrieval.ranking.filters import exclude_artists
from retrieval.generator import GenerationOptions, Retriever
from retrieval.records import Candidate, GeneratedPlaylist
from retrieval.ranking.steering import Steering
from retrieval.index.tags import TagIndex

MAX_TRACKS = 200
# How hard "more chill" pulls. On the MPD sample, one steer of a 10-track playlist replaced 3.6
# tracks on average at 0.5 (retrieval's default; 15 % of steers replaced fewer than 3) and 5.9 at
# 0.7 (1 %): a change a person sees (docs/chat.md, "Steering").
STEERING_STRENGTH = 0.7
SHOWN_MISSING = 5  # songs an LLM named that the catalog lacks, listed in the note


@dataclass
class Builder:
    """Builds recipes with one retriever and (for the LLM modes) the chat's LLM."""

    retriever: Retriever
    session: ChatSession
    search: CatalogSearch
    llm: LazyBackend
    tags: Callable[[], TagIndex | None] = lambda: None  # the track tag vectors steering reads, if the index has them
    preparer: RequestPreparer = field(init=False)

    def __post_init__(self) -> None:
        self.preparer = RequestPreparer(self.retriever.catalog)

    def build(self, recipe: Recipe) -> tuple[GeneratedPlaylist, list[str]]:
        """The playlist for `recipe` under the profile, and what the person should know about it."""
        mode = ModeOptions(mode=recipe.mode, shots=recipe.shots, candidates=recipe.candidates)
        tags = self.tags() if recipe.mode == "retrieval" and (recipe.moods or recipe.avoid) else None
        if tags is not None:  # steering words re-rank the title's playlist; the title stays as typed
            words = Steering(recipe.moods + recipe.avoid, (True,) * len(recipe.moods) + (False,) * len(recipe.avoid),
                             STEERING_STRENGTH)
            asked = PlaylistRequest(recipe.title, self._options(recipe), mode, steering=words)
        else:
            asked = PlaylistRequest(recipe.query, self._options(recipe), mode)
        request = self.preparer.prepare(RequestDraft(asked, profile=self.session.profile_name), self.session.profile)
        options = request.options
        backend = self.llm.get() if recipe.mode != "retrieval" else None
        playlist = make_playlist(self.retriever, backend, request, tags)
        playlist = playlist.model_copy(update={"title": recipe.title})
        notes = list(playlist.warnings)
        tracks = [t for t in playlist.tracks if t.in_catalog and t.track_uri]
        missing = [t for t in playlist.tracks if not (t.in_catalog and t.track_uri)]
        if missing:
            shown = "; ".join(f'"{t.track_name}" by {t.artist_name}' for t in missing[:SHOWN_MISSING])
            notes.append(f"the LLM named {len(missing)} song(s) the catalog lacks, left out: {shown}"
                         + (" ..." if len(missing) > SHOWN_MISSING else ""))
        tracks += self._added(recipe, options, {t.track_uri for t in tracks})
        tracks = [t.model_copy(update={"rank": rank}) for rank, t in enumerate(tracks, 1)]
        return playlist.model_copy(update={"tracks": tracks, "warnings": notes}), notes

    def change(self, recipe: Recipe, note: str, edit: ProfileEdit | None = None) -> Outcome:
        """Build `recipe` and make it the current version (the one before stays for /undo);
        `edit` is the profile change this step made, undone with it."""
        if not 1 <= recipe.n <= MAX_TRACKS:
            raise ChatError(f"a playlist holds 1 to {MAX_TRACKS} tracks, not {recipe.n}")
        playlist, notes = self.build(recipe)
        if not playlist.tracks:
            notes.append("the playlist is empty; /undo goes back to the one before")
        version = Version(recipe, playlist, note, edit)
        self.session.history.push(version)
        self.session.focus = None
        return Outcome(f"{note}: {len(playlist.tracks)} tracks", version, notes)

    def _options(self, recipe: Recipe) -> GenerationOptions:
        """The recipe's options; the preparation adds the profile's."""
        return GenerationOptions(
            n=recipe.n,
            exclude_artists=recipe.excluded_artists,
            exclude_track_uris=frozenset(recipe.excluded_tracks) | self._avoided(recipe),
            liked_track_uris=recipe.seeds,
            discovery=recipe.discovery,
        )

    def _avoided(self, recipe: Recipe) -> frozenset[str]:
        """Tracks that playlists titled like an avoided theme favour ("less sad"), where steering cannot lean away."""
        if recipe.mode == "retrieval" and self.tags() is not None:
            return frozenset()
        uris: set[str] = set()
        for theme in recipe.avoid:
            favoured = self.retriever.generate(theme, GenerationOptions(n=30, k=10))
            uris.update(t.track_uri for t in favoured.tracks)
        return frozenset(uris - set(recipe.seeds) - set(recipe.added) - set(self.session.profile.liked_tracks))

    def _added(self, recipe: Recipe, options: GenerationOptions, present: set[str]) -> list[Candidate]:
        tracks = [self.search.track_by_uri(uri) for uri in recipe.added if uri not in present]
        added = [Candidate(**t.model_dump(), rank=0, score=0.0) for t in tracks if t]
        # A song added by name still obeys later exclusions ("no more Drake").
        added = [t for t in added if t.track_uri not in options.exclude_track_uris]
        return exclude_artists(added, options.exclude_artists)
