"""The operations a chat can do to its playlist, shared by slash commands, the action
parser and the LangChain tools, so each behaves the same whichever way it is asked.

`Playlister` holds the operations on a playlist (make, shape, undo); it hands the rest
to one part each: `Builder` makes a recipe's playlist, `References` reads which track
or artist is meant, `Preferences` saves likes and dislikes, `explain` says why a track
is there, and `save_playlist` writes the playlist to a file.
"""

from __future__ import annotations

from collections.abc import Callable
from pathlib import Path

from agent.chat.building import MAX_TRACKS, Builder
from agent.chat.explain import Explanation, explain
from agent.chat.llm_loading import LazyBackend
from agent.chat.outcome import ChatError, Outcome
from agent.chat.persistence import save_playlist
from agent.chat.preferences import Preferences
from agent.chat.references import References
from agent.chat.search import CatalogSearch
from agent.chat.session import DEFAULT_N, ChatSession, Recipe
from agent.llm import ChatBackend
from agent.playlist import MODES
from retrieval.generator import Retriever
from retrieval.normalize import normalize_title, song_key
from retrieval.records import Candidate, Neighbour, Track
from retrieval.index.tags import TagIndex

__all__ = ["ChatError", "Explanation", "Outcome", "Playlister"]

STEP = 5  # tracks added by /more, removed by /less
DISCOVERY_STEP = 0.3  # "fewer hits" from 0 reaches 0.3, the page's "balanced"; three steps reach 1


class Playlister:
    """Runs chat operations on one session, with one retriever and (on first need) one LLM."""

    def __init__(self, retriever: Retriever, session: ChatSession, home: Path,
                 backend_factory: Callable[[], ChatBackend] | None = None,
                 tags: Callable[[], TagIndex | None] = lambda: None):
        self.retriever = retriever
        self.session = session
        self.home = home
        self.search = CatalogSearch(retriever.catalog)
        self.llm = LazyBackend(backend_factory)
        self.references = References(session, self.search)
        self.builder = Builder(retriever, session, self.search, self.llm, tags)
        self.preferences = Preferences(home, session, self.references, self.builder)

    @property
    def has_llm(self) -> bool:
        return self.llm.configured

    def backend(self) -> ChatBackend:
        return self.llm.get()

    def _recipe(self) -> Recipe:
        current = self.session.current
        if current is None:
            raise ChatError("there is no playlist yet: start one with /generate TITLE, e.g. /generate rainy sunday")
        return current.recipe

    # -- making and shaping ------------------------------------------------------------

    def generate(self, title: str, n: int | None = None, mode: str | None = None, shots: int | None = None) -> Outcome:
        title = " ".join(title.split())
        if not title:
            raise ChatError("give a title, e.g. /generate rainy sunday")
        mode = mode or self.session.mode
        if mode not in MODES:
            raise ChatError(f"unknown mode {mode!r}; choose one of {', '.join(MODES)}")
        current = self.session.current
        # The length and discovery asked for earlier are the chat's settings: a new title keeps them.
        recipe = Recipe(title=title, n=n or (current.recipe.n if current else DEFAULT_N), mode=mode,
                        shots=self.session.shots if shots is None else shots,
                        discovery=current.recipe.discovery if current else 0.0)
        return self.builder.change(recipe, f"generate “{title}” ({mode})")

    def more(self, argument: str = "") -> Outcome:
        """No argument or a number: more tracks; words: lean the playlist towards them ("upbeat")."""
        recipe = self._recipe()
        count = _count(argument)
        if count is not None:
            return self.builder.change(recipe.with_(n=min(MAX_TRACKS, recipe.n + count)), f"{count} more tracks")
        return self.builder.change(recipe.with_(moods=recipe.moods + (argument.strip(),)), f"more “{argument.strip()}”")

    def less(self, argument: str = "") -> Outcome:
        """No argument or a number: fewer tracks; words: leave out what playlists titled so favour."""
        recipe = self._recipe()
        count = _count(argument)
        if count is not None:
            return self.builder.change(recipe.with_(n=max(1, recipe.n - count)), f"{count} fewer tracks")
        return self.builder.change(recipe.with_(avoid=recipe.avoid + (argument.strip(),)), f"less “{argument.strip()}”")

    def steer(self, words: list[tuple[str, int]], discovery: int = 0) -> Outcome:
        """Lean towards (+1) and away from (-1) feels in one step: "more upbeat, less sad";
        `discovery` +1 ("fewer hits") or -1 ("more hits") moves it one DISCOVERY_STEP."""
        recipe = self._recipe()
        towards = tuple(w for w, sign in words if sign > 0 and w.strip())
        away = tuple(w for w, sign in words if sign < 0 and w.strip())
        level = round(min(1.0, max(0.0, recipe.discovery + discovery * DISCOVERY_STEP)), 1)
        if not towards and not away:
            if discovery and level == recipe.discovery:
                return Outcome(f"discovery is already {level:.1f} ({'the most' if level else 'the least'}); nothing changed")
            if not discovery:
                raise ChatError("more or less of what? e.g. “more upbeat” or “less sad”")
        notes = [f"more “{w}”" for w in towards] + [f"less “{w}”" for w in away]
        if level != recipe.discovery:
            notes.insert(0, f"{'fewer' if level > recipe.discovery else 'more'} hits: discovery {level:.1f}")
        return self.builder.change(recipe.with_(moods=recipe.moods + towards, avoid=recipe.avoid + away,
                                                discovery=level), "; ".join(notes))

    def set_length(self, n: int | None = None, change: str | None = None) -> Outcome:
        """"only 15 songs" (n), "5 more" (n, "+"), "shorter" ("-": STEP fewer)."""
        recipe = self._recipe()
        if change in {"+", "-"}:
            step = n or STEP
            wanted = recipe.n + step if change == "+" else recipe.n - step
        elif n is not None:
            wanted = n
        else:
            raise ChatError(f"how many tracks? the playlist has {recipe.n}; e.g. “only 15 songs” or “5 more”")
        wanted = max(1, min(MAX_TRACKS, wanted))
        if wanted == recipe.n:
            return Outcome(f"the playlist already has {recipe.n} tracks")
        return self.builder.change(recipe.with_(n=wanted), f"length {recipe.n} → {wanted}")

    def exclude_artist(self, name: str) -> Outcome:
        """Leave an artist out for this chat (the profile is unchanged)."""
        recipe = self._recipe()
        artist = self.search.artist(name)
        if artist is None:
            raise ChatError(f"no artist named “{name.strip()}” in the catalog, so nothing to leave out")
        if normalize_title(artist) in {normalize_title(a) for a in recipe.excluded_artists}:
            return Outcome(f"{artist} is already left out")
        return self.builder.change(recipe.with_(excluded_artists=recipe.excluded_artists + (artist,)), f"without {artist}")

    def remove_tracks(self, refs: list[str]) -> Outcome:
        recipe = self._recipe()
        tracks = [self.references.track(ref) for ref in refs]
        self.session.rejected.extend(t.track_uri for t in tracks if t.track_uri not in self.session.rejected)
        names = ", ".join(f"“{t.track_name}”" for t in tracks)
        return self.builder.change(recipe.with_(excluded_tracks=recipe.excluded_tracks + tuple(t.track_uri for t in tracks)),
                           f"removed {names}")

    def more_like(self, ref: str) -> Outcome:
        """Playlists holding this track (of the playlist, else of the catalog) join the vote, so its neighbours rise."""
        recipe = self._recipe()
        track = self.references.track_or_song(ref)
        return self.builder.change(recipe.with_(seeds=recipe.seeds + (track.track_uri,)), f"more like “{track.track_name}”")

    def refine(self, exclude_artists: list[str] = (), exclude_tracks: list[str] = (), more_like: str | None = None,
               mood: str | None = None, avoid: str | None = None) -> Outcome:
        """Several changes as one step (one /undo): artists and tracks out, a seed track, moods."""
        recipe = self._recipe()
        notes, unknown = [], []
        artists = []
        for name in exclude_artists:
            artist = self.search.artist(name)
            (artists.append(artist) if artist else unknown.append(name))
        if artists:
            recipe = recipe.with_(excluded_artists=recipe.excluded_artists + tuple(artists))
            notes.append("without " + ", ".join(artists))
        tracks = [self.references.track(ref) for ref in exclude_tracks]
        if tracks:
            recipe = recipe.with_(excluded_tracks=recipe.excluded_tracks + tuple(t.track_uri for t in tracks))
            self.session.rejected.extend(t.track_uri for t in tracks if t.track_uri not in self.session.rejected)
            notes.append("removed " + ", ".join(f"“{t.track_name}”" for t in tracks))
        if more_like:
            seed = self.references.track(more_like)
            recipe = recipe.with_(seeds=recipe.seeds + (seed.track_uri,))
            notes.append(f"more like “{seed.track_name}”")
        if mood and mood.strip():
            recipe = recipe.with_(moods=recipe.moods + (mood.strip(),))
            notes.append(f"more “{mood.strip()}”")
        if avoid and avoid.strip():
            recipe = recipe.with_(avoid=recipe.avoid + (avoid.strip(),))
            notes.append(f"less “{avoid.strip()}”")
        missing = [f"no artist named “{name}” in the catalog" for name in unknown]
        if not notes:
            raise ChatError("; ".join(missing)
                            or "nothing to change: give artists, tracks, a track to follow or a mood")
        outcome = self.builder.change(recipe, "; ".join(notes))
        outcome.warnings = missing + outcome.warnings
        return outcome

    def add(self, text: str) -> Outcome:
        """Add a song the person names, found in the catalog; a song the catalog lacks is reported."""
        recipe = self._recipe()
        track = self.search.song(text, "it was not added")
        # Another version of the song ("- Remastered") counts as the song.
        if song_key(track.track_name, track.artist_name) in {song_key(t.track_name, t.artist_name) for t in self.session.tracks}:
            return Outcome(f"“{track.track_name}” by {track.artist_name} is already in the playlist")
        excluded = recipe.excluded_tracks
        return self.builder.change(recipe.with_(added=recipe.added + (track.track_uri,),
                                        excluded_tracks=tuple(u for u in excluded if u != track.track_uri)),
                           f"added “{track.track_name}” by {track.artist_name}")

    def set_mode(self, mode: str, shots: int | None = None) -> Outcome:
        if mode not in MODES:
            raise ChatError(f"unknown mode {mode!r}; choose one of {', '.join(MODES)}")
        if mode != "retrieval":
            self.llm.get()  # fail now, not at the next message
        self.session.mode = mode
        if shots is not None:
            self.session.shots = shots
        if self.session.current is None:
            return Outcome(f"mode {mode}: used from the next /generate")
        recipe = self._recipe()
        return self.builder.change(recipe.with_(mode=mode, shots=self.session.shots), f"mode {mode}")

    def rerank(self, title: str | None = None, candidates: int = 30) -> Outcome:
        """The LLM reorders retrieval's top `candidates` for the title (the current one by default)."""
        current = self.session.current
        recipe = current.recipe if current else Recipe(title=title or "")
        if title:
            recipe = recipe.with_(title=" ".join(title.split()), moods=())
        if not recipe.title:
            raise ChatError("give a title to rerank for")
        recipe = recipe.with_(mode="rerank", candidates=max(1, min(candidates, MAX_TRACKS)))
        return self.builder.change(recipe, f"reranked “{recipe.title}” by the LLM")

    # -- versions ----------------------------------------------------------------------

    def undo(self) -> Outcome:
        """The version before; a like or dislike undone leaves the profile as it was too."""
        undone = self.session.current
        version = self.session.history.undo()
        if version is None:
            raise ChatError("nothing to undo")
        if undone.edit is not None:
            self.preferences.undo(undone.edit)
        restored = f"; profile {self.session.profile_name!r} restored" if undone.edit else ""
        return Outcome(f"undid: {undone.note}{restored}", version)

    def redo(self) -> Outcome:
        version = self.session.history.redo()
        if version is None:
            raise ChatError("nothing to redo")
        if version.edit is not None:
            self.preferences.redo(version.edit)
        return Outcome(f"redid: {version.note}", version)

    def regenerate(self) -> Outcome:
        """The last step again: the current recipe rebuilt (with the profile as it is now)."""
        current = self.session.current
        if current is None:
            raise ChatError("nothing to regenerate yet: start with /generate TITLE")
        return self.builder.change(current.recipe, f"regenerated ({current.note})")

    # -- handed on ---------------------------------------------------------------------

    def like(self, ref: str) -> Outcome:
        return self.preferences.like(ref)

    def dislike(self, ref: str, strict: bool = False) -> Outcome:
        return self.preferences.dislike(ref, strict)

    def track(self, ref: str) -> Candidate:
        return self.references.track(ref)

    def explain(self, ref: str) -> Explanation:
        """Which similar playlists voted for a track, and how similar their titles are."""
        return explain(self.references.track(ref), self.session.current.playlist, self.retriever.catalog)

    def lookup(self, text: str, limit: int = 5) -> list[Track]:
        return self.search.tracks(text, limit)

    def similar(self, title: str, k: int = 10) -> list[Neighbour]:
        if not title.strip():
            raise ChatError("give a title to compare with")
        neighbours, _ = self.retriever.neighbours(title, max(1, min(k, 100)))
        return neighbours

    def save(self, path: str | Path, fmt: str | None = None, overwrite: bool = True) -> Path:
        return save_playlist(self.session.current, path, fmt, overwrite)


def _count(argument: str) -> int | None:
    """A number of tracks: "" means STEP; None when the argument is words."""
    text = argument.strip().lower().removesuffix("tracks").removesuffix("songs").strip()
    if not text:
        return STEP
    if text.isdigit():
        return max(1, int(text))
    return None

