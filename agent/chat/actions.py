"""The operations a chat can do to its playlist, shared by slash commands, the action
parser and the LangChain tools, so each behaves the same whichever way it is asked.

A change builds a new `Version` from a changed `Recipe`; the profile is applied at
every build. Tracks enter the playlist only from the catalog: by retrieval, by an LLM
answer matched to the catalog, or by a catalog search for a song the user named.
"""

from __future__ import annotations

import re
from collections.abc import Callable
from dataclasses import dataclass, field
from pathlib import Path

from agent.chat.search import CatalogSearch
from agent.chat.session import DEFAULT_N, ChatSession, Recipe, Version
from agent.llm import ChatBackend, LLMConfigError
from agent.modes import MODES, ModeOptions, make_playlist
from agent.profile import save_profile
from agent.render import as_text
from retrieval.filters import exclude_artists
from retrieval.generator import GenerationOptions, Retriever
from retrieval.normalize import normalize_title
from retrieval.records import Candidate, GeneratedPlaylist, Neighbour, Track

SAVE_FORMATS = {".json": "json", ".csv": "csv", ".m3u": "m3u", ".m3u8": "m3u"}
STEP = 5  # tracks added by /more, removed by /less
MAX_TRACKS = 200
_NUMBER = re.compile(r"^(?:#|no\.?\s*|number\s+|track\s+|song\s+)?(\d{1,4})$", re.IGNORECASE)
_THIS = {"", "this", "this one", "it", "that", "that one", "this song", "that song", "this track"}


class ChatError(Exception):
    """A request that cannot be done as asked; shown as one line, and the chat goes on."""


@dataclass
class Outcome:
    """What an operation did: a line for the person (and the agent), and the new version if any."""

    message: str
    version: Version | None = None
    warnings: list[str] = field(default_factory=list)


@dataclass(frozen=True)
class Voter:
    pid: int
    name: str
    similarity: float | None  # None: a playlist holding a track the user liked


@dataclass(frozen=True)
class Explanation:
    track: Candidate
    voting: str
    mode: str
    voters: list[Voter]
    neighbours: int

    def summary(self) -> str:
        t = self.track
        if not self.voters:
            return (f"#{t.rank} “{t.track_name}” by {t.artist_name}: no playlist voted for it "
                    f"({'named by the LLM' if self.mode == 'llm' else 'added by name'}).")
        similar = [v for v in self.voters if v.similarity is not None]
        lines = [f"#{t.rank} “{t.track_name}” by {t.artist_name}: score {t.score:g} ({self.voting} voting); "
                 f"{len(similar)} of the {self.neighbours} most similar playlists hold it"]
        lines += [f"  pid {v.pid} “{v.name}” similarity {v.similarity:.3f}" for v in similar[:10]]
        if len(similar) > 10:
            lines.append(f"  ... and {len(similar) - 10} more")
        liked = len(self.voters) - len(similar)
        if liked:
            lines.append(f"  + {liked} playlist(s) holding a track you liked")
        if t.merged_uris:
            lines.append(f"  (other versions merged in: {len(t.merged_uris)})")
        return "\n".join(lines)


class Playlister:
    """Runs chat operations on one session, with one retriever and (on first need) one LLM."""

    def __init__(self, retriever: Retriever, session: ChatSession, home: Path,
                 backend_factory: Callable[[], ChatBackend] | None = None):
        self.retriever = retriever
        self.session = session
        self.home = home
        self.search = CatalogSearch(retriever.catalog)
        self._backend_factory = backend_factory
        self._backend: ChatBackend | None = None

    # -- the LLM, loaded on first need ------------------------------------------------

    @property
    def has_llm(self) -> bool:
        return self._backend_factory is not None

    def backend(self) -> ChatBackend:
        if self._backend is None:
            if self._backend_factory is None:
                raise ChatError("this needs an LLM: start the chat with --llm local or --llm openai")
            try:
                self._backend = self._backend_factory()
            except LLMConfigError as error:
                # Not retried on every message: the setting has to be fixed first.
                self._backend_factory = None
                raise ChatError(str(error)) from None
        return self._backend

    # -- building ----------------------------------------------------------------------

    def build(self, recipe: Recipe) -> tuple[GeneratedPlaylist, list[str]]:
        """The playlist for `recipe` under the profile, and what the person should know about it."""
        options = self._options(recipe)
        backend = self.backend() if recipe.mode != "retrieval" else None
        playlist = make_playlist(self.retriever, backend, recipe.query, options,
                                 ModeOptions(mode=recipe.mode, shots=recipe.shots, candidates=recipe.candidates))
        notes = list(playlist.warnings)
        tracks = [t for t in playlist.tracks if t.in_catalog and t.track_uri]
        missing = [t for t in playlist.tracks if not (t.in_catalog and t.track_uri)]
        if missing:
            shown = "; ".join(f'"{t.track_name}" by {t.artist_name}' for t in missing[:5])
            notes.append(f"the LLM named {len(missing)} song(s) the catalog lacks, left out: {shown}"
                         + (" ..." if len(missing) > 5 else ""))
        tracks += self._added(recipe, options, {t.track_uri for t in tracks})
        tracks = [t.model_copy(update={"rank": rank}) for rank, t in enumerate(tracks, 1)]
        return playlist.model_copy(update={"tracks": tracks, "warnings": notes}), notes

    def _options(self, recipe: Recipe) -> GenerationOptions:
        return self.session.profile.apply(GenerationOptions(
            n=recipe.n,
            exclude_artists=recipe.excluded_artists,
            exclude_track_uris=frozenset(recipe.excluded_tracks) | self._avoided(recipe),
            liked_track_uris=recipe.seeds,
        ))

    def _avoided(self, recipe: Recipe) -> frozenset[str]:
        """Tracks that playlists titled like an avoided theme favour ("less sad")."""
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

    def change(self, recipe: Recipe, note: str) -> Outcome:
        if not 1 <= recipe.n <= MAX_TRACKS:
            raise ChatError(f"a playlist holds 1 to {MAX_TRACKS} tracks, not {recipe.n}")
        playlist, notes = self.build(recipe)
        if not playlist.tracks:
            notes.append("the playlist is empty; /undo goes back to the one before")
        version = Version(recipe, playlist, note)
        self.session.history.push(version)
        self.session.focus = None
        return Outcome(f"{note}: {len(playlist.tracks)} tracks", version, notes)

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
        recipe = Recipe(title=title, n=n or (current.recipe.n if current else DEFAULT_N), mode=mode,
                        shots=self.session.shots if shots is None else shots)
        return self.change(recipe, f"generate “{title}” ({mode})")

    def more(self, argument: str = "") -> Outcome:
        """No argument or a number: more tracks; words: lean the playlist towards them ("upbeat")."""
        recipe = self._recipe()
        count = _count(argument)
        if count is not None:
            return self.change(recipe.with_(n=min(MAX_TRACKS, recipe.n + count)), f"{count} more tracks")
        return self.change(recipe.with_(moods=recipe.moods + (argument.strip(),)), f"more “{argument.strip()}”")

    def less(self, argument: str = "") -> Outcome:
        """No argument or a number: fewer tracks; words: leave out what playlists titled so favour."""
        recipe = self._recipe()
        count = _count(argument)
        if count is not None:
            return self.change(recipe.with_(n=max(1, recipe.n - count)), f"{count} fewer tracks")
        return self.change(recipe.with_(avoid=recipe.avoid + (argument.strip(),)), f"less “{argument.strip()}”")

    def exclude_artist(self, name: str) -> Outcome:
        """Leave an artist out for this chat (the profile is unchanged)."""
        recipe = self._recipe()
        artist = self.search.artist(name)
        if artist is None:
            raise ChatError(f"no artist named “{name.strip()}” in the catalog, so nothing to leave out")
        if normalize_title(artist) in {normalize_title(a) for a in recipe.excluded_artists}:
            return Outcome(f"{artist} is already left out")
        return self.change(recipe.with_(excluded_artists=recipe.excluded_artists + (artist,)), f"without {artist}")

    def remove_tracks(self, refs: list[str]) -> Outcome:
        recipe = self._recipe()
        tracks = [self.track(ref) for ref in refs]
        self.session.rejected.extend(t.track_uri for t in tracks if t.track_uri not in self.session.rejected)
        names = ", ".join(f"“{t.track_name}”" for t in tracks)
        return self.change(recipe.with_(excluded_tracks=recipe.excluded_tracks + tuple(t.track_uri for t in tracks)),
                           f"removed {names}")

    def more_like(self, ref: str) -> Outcome:
        """Playlists holding this track join the vote, so its neighbours rise."""
        recipe = self._recipe()
        track = self.track(ref)
        return self.change(recipe.with_(seeds=recipe.seeds + (track.track_uri,)), f"more like “{track.track_name}”")

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
        tracks = [self.track(ref) for ref in exclude_tracks]
        if tracks:
            recipe = recipe.with_(excluded_tracks=recipe.excluded_tracks + tuple(t.track_uri for t in tracks))
            self.session.rejected.extend(t.track_uri for t in tracks if t.track_uri not in self.session.rejected)
            notes.append("removed " + ", ".join(f"“{t.track_name}”" for t in tracks))
        if more_like:
            seed = self.track(more_like)
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
        outcome = self.change(recipe, "; ".join(notes))
        outcome.warnings = missing + outcome.warnings
        return outcome

    def add(self, text: str) -> Outcome:
        """Add a song the person names, found in the catalog; a song the catalog lacks is reported."""
        recipe = self._recipe()
        found = self.search.tracks(text, limit=1)
        if not found:
            raise ChatError(f"“{text.strip()}” is not in the catalog, so it was not added")
        track = found[0]
        if track.track_uri in {t.track_uri for t in self.session.tracks}:
            return Outcome(f"“{track.track_name}” by {track.artist_name} is already in the playlist")
        excluded = recipe.excluded_tracks
        return self.change(recipe.with_(added=recipe.added + (track.track_uri,),
                                        excluded_tracks=tuple(u for u in excluded if u != track.track_uri)),
                           f"added “{track.track_name}” by {track.artist_name}")

    def set_mode(self, mode: str, shots: int | None = None) -> Outcome:
        if mode not in MODES:
            raise ChatError(f"unknown mode {mode!r}; choose one of {', '.join(MODES)}")
        if mode != "retrieval":
            self.backend()  # fail now, not at the next message
        self.session.mode = mode
        if shots is not None:
            self.session.shots = shots
        if self.session.current is None:
            return Outcome(f"mode {mode}: used from the next /generate")
        recipe = self._recipe()
        return self.change(recipe.with_(mode=mode, shots=self.session.shots), f"mode {mode}")

    def rerank(self, title: str | None = None, candidates: int = 30) -> Outcome:
        """The LLM reorders retrieval's top `candidates` for the title (the current one by default)."""
        current = self.session.current
        recipe = current.recipe if current else Recipe(title=title or "")
        if title:
            recipe = recipe.with_(title=" ".join(title.split()), moods=())
        if not recipe.title:
            raise ChatError("give a title to rerank for")
        recipe = recipe.with_(mode="rerank", candidates=max(1, min(candidates, MAX_TRACKS)))
        return self.change(recipe, f"reranked “{recipe.title}” by the LLM")

    # -- versions ----------------------------------------------------------------------

    def undo(self) -> Outcome:
        undone = self.session.current
        version = self.session.history.undo()
        if version is None:
            raise ChatError("nothing to undo")
        return Outcome(f"undid: {undone.note}", version)

    def redo(self) -> Outcome:
        version = self.session.history.redo()
        if version is None:
            raise ChatError("nothing to redo")
        return Outcome(f"redid: {version.note}", version)

    def regenerate(self) -> Outcome:
        """The last step again: the current recipe rebuilt (with the profile as it is now)."""
        current = self.session.current
        if current is None:
            raise ChatError("nothing to regenerate yet: start with /generate TITLE")
        return self.change(current.recipe, f"regenerated ({current.note})")

    # -- preferences (saved to the profile at once) -------------------------------------

    def like(self, ref: str) -> Outcome:
        """Saved to the profile; a name the catalog lacks is refused (a like must point at something)."""
        kind, target = self._target(ref, strict=True)
        profile = self.session.profile
        if kind == "track":
            profile.like_track(target.track_uri)
            self._remember(target.track_uri, self.session.accepted, self.session.rejected)
            self._save_profile()
            return Outcome(f"liked “{target.track_name}” by {target.artist_name}: playlists holding it "
                           f"will vote in every playlist you make with profile {self.session.profile_name!r}")
        profile.like_artist(target)
        self._save_profile()
        return Outcome(f"liked {target} (saved to profile {self.session.profile_name!r})")

    def dislike(self, ref: str, strict: bool = False) -> Outcome:
        """Never again, in this chat and later ones; the playlist is rebuilt without it.

        `strict`: refuse a name the catalog lacks (read from free text or chosen by a model,
        rather than typed as /dislike NAME).
        """
        kind, target = self._target(ref, strict)
        profile = self.session.profile
        if kind == "track":
            profile.dislike_track(target.track_uri)
            self._remember(target.track_uri, self.session.rejected, self.session.accepted)
            what = f"“{target.track_name}” by {target.artist_name}"
        else:
            profile.dislike_artist(target)
            what = target
        self._save_profile()
        note = f"no more {what} (saved to profile {self.session.profile_name!r})"
        if kind == "unknown":
            note = f"no artist or song named “{target}” in the catalog; remembered as an unwanted artist anyway"
        if self.session.current is None:
            return Outcome(note)
        outcome = self.change(self.session.current.recipe, note)
        outcome.message = note
        return outcome

    def _target(self, ref: str, strict: bool) -> tuple[str, Candidate | Track | str]:
        """("track", track) for a number, "this one", a song of the playlist or "SONG by ARTIST";
        ("artist", name) for an artist; ("unknown", text) when not strict."""
        text = ref.strip()
        if text.lower() in _THIS or _NUMBER.match(text):
            return "track", self.track(text)
        artist = self.search.artist(text)
        if artist:
            return "artist", artist
        in_playlist = self._in_playlist(text)
        if in_playlist:
            return "track", in_playlist
        found = self.search.exact_track(text)
        if found:
            return "track", found
        if strict:
            raise ChatError(f"no artist or song named “{text}” in the catalog; nothing changed "
                            f"(/dislike {text} remembers it anyway)")
        return "unknown", text

    def _save_profile(self) -> None:
        save_profile(self.home, self.session.profile, self.session.profile_name)

    @staticmethod
    def _remember(uri: str, into: list[str], out_of: list[str]) -> None:
        if uri in out_of:
            out_of.remove(uri)
        if uri not in into:
            into.append(uri)

    # -- reading -----------------------------------------------------------------------

    def track(self, ref: str) -> Candidate:
        """A track of the playlist by number ("3", "#3"), by "this one", or by (part of) its name."""
        tracks = self.session.tracks
        if not tracks:
            raise ChatError("there is no playlist yet: start one with /generate TITLE")
        text = ref.strip()
        if text.lower() in _THIS:
            if self.session.focus is None:
                raise ChatError("which track? give its number, e.g. /like 3")
            text = str(self.session.focus)
        if number := _NUMBER.match(text):
            rank = int(number[1])
            if not 1 <= rank <= len(tracks):
                raise ChatError(f"there is no track {rank}; the playlist has tracks 1 to {len(tracks)}")
            self.session.focus = rank
            return tracks[rank - 1]
        found = self._in_playlist(text)
        if found is None:
            raise ChatError(f"no track named “{text}” in the playlist")
        self.session.focus = found.rank
        return found

    def _in_playlist(self, text: str) -> Candidate | None:
        wanted = normalize_title(text)
        if not wanted:
            return None
        for track in self.session.tracks:
            full = normalize_title(f"{track.track_name} {track.artist_name}")
            if wanted in (normalize_title(track.track_name), full):
                return track
        return next((t for t in self.session.tracks if wanted in normalize_title(t.track_name)), None)

    def explain(self, ref: str) -> Explanation:
        """Which similar playlists voted for a track, and how similar their titles are."""
        track = self.track(ref)
        playlist = self.session.current.playlist
        names = {n.pid: n for n in playlist.neighbours}
        voters = [Voter(pid, names[pid].name, names[pid].similarity) if pid in names else Voter(pid, "", None)
                  for pid in track.voters]
        voters.sort(key=lambda v: -1.0 if v.similarity is None else -v.similarity)
        voters.sort(key=lambda v: v.similarity is None)
        # Liked-track voters are unnamed in the playlist record; the catalog has their titles.
        voters = [v if v.similarity is not None else Voter(v.pid, self._title_of(v.pid), None) for v in voters]
        return Explanation(track, playlist.voting, playlist.mode, voters, len(playlist.neighbours))

    def _title_of(self, pid: int) -> str:
        return self.retriever.catalog.playlist_name(pid) or ""

    def lookup(self, text: str, limit: int = 5) -> list[Track]:
        return self.search.tracks(text, limit)

    def similar(self, title: str, k: int = 10) -> list[Neighbour]:
        if not title.strip():
            raise ChatError("give a title to compare with")
        neighbours, _ = self.retriever.neighbours(title, max(1, min(k, 100)))
        return neighbours

    def save(self, path: str | Path, fmt: str | None = None, overwrite: bool = True) -> Path:
        """Write the playlist as json, csv or m3u (from the extension when no format is given).

        `overwrite` False (saves a model asked for): an existing file is never replaced.
        """
        current = self.session.current
        if current is None:
            raise ChatError("there is no playlist to save yet")
        text = str(path).strip().strip("\"'")
        if not text:
            raise ChatError("give a file name, e.g. /save playlist.json")
        target = Path(text).expanduser()
        suffix = target.suffix.lower()
        if fmt is None:
            if suffix not in SAVE_FORMATS:
                raise ChatError(f"name the file .json, .csv or .m3u (got “{target.name}”)")
            fmt = SAVE_FORMATS[suffix]
        if fmt not in set(SAVE_FORMATS.values()):
            raise ChatError(f"unknown format {fmt!r}; choose json, csv or m3u")
        if not overwrite and (target.exists() or suffix not in SAVE_FORMATS):
            raise ChatError(f"{target} exists or is not a .json/.csv/.m3u file; save it yourself with /save {target}")
        if not target.parent.is_dir():
            raise ChatError(f"cannot save to {target}: the folder {target.parent} does not exist")
        try:
            target.write_text(as_text(current.playlist, fmt) + "\n", encoding="utf-8")
        except OSError as error:
            raise ChatError(f"cannot save to {target}: {error.strerror or error}") from None
        return target


def _count(argument: str) -> int | None:
    """A number of tracks: "" means STEP; None when the argument is words."""
    text = argument.strip().lower().removesuffix("tracks").removesuffix("songs").strip()
    if not text:
        return STEP
    if text.isdigit():
        return max(1, int(text))
    return None

