"""Reading what a person points at: a track of the playlist ("3", "#3", "this one", its name)
or, for likes and dislikes, an artist or a catalog song ("Hello by Adele").

Names are read by the catalog's resolver (through `CatalogSearch`): a name that fits
nothing or several things is reported, and nothing acts on a partial match.

A track talked about becomes the session's focus, so a later "this one" means it.
"""

from __future__ import annotations

import re

from agent.chat.outcome import ChatError
from agent.chat.search import CatalogSearch
from agent.chat.session import ChatSession
from retrieval.normalize import normalize_title, song_key, title_key
from retrieval.records import Candidate, Track

NUMBER = re.compile(r"^(?:#|no\.?\s*|number\s+|track\s+|song\s+)?(\d{1,4})$", re.IGNORECASE)
THIS = {"", "this", "this one", "it", "that", "that one", "this song", "that song", "this track"}


class References:
    """Resolves references against one session's playlist and one catalog."""

    def __init__(self, session: ChatSession, search: CatalogSearch):
        self.session = session
        self.search = search

    def track(self, ref: str) -> Candidate:
        """A track of the playlist by number ("3", "#3"), by "this one", or by its name."""
        tracks = self.session.tracks
        if not tracks:
            raise ChatError("there is no playlist yet: start one with /generate TITLE")
        text = ref.strip()
        if text.lower() in THIS:
            if self.session.focus is None:
                raise ChatError("which track? give its number, e.g. /like 3")
            text = str(self.session.focus)
        if number := NUMBER.match(text):
            rank = int(number[1])
            if not 1 <= rank <= len(tracks):
                raise ChatError(f"there is no track {rank}; the playlist has tracks 1 to {len(tracks)}")
            self.session.focus = rank
            return tracks[rank - 1]
        found = self.in_playlist(text)
        if found is None:
            raise ChatError(f"no track named “{text}” in the playlist{self._near(text)}")
        self.session.focus = found.rank
        return found

    def track_or_song(self, ref: str) -> Candidate | Track:
        """A track of the playlist, else the catalog's one song named so ("Black Hole Sun", "Hello by Adele")."""
        try:
            return self.track(ref)
        except ChatError:
            text = ref.strip()
            if not text or NUMBER.match(text) or text.lower() in THIS:
                raise
            found = self.search.exact_track(text)
            if found is None:
                raise ChatError(f"“{text}” is neither in the playlist nor in the catalog; nothing changed") from None
            return found

    def in_playlist(self, text: str) -> Candidate | None:
        """The playlist's track named `text`: its title, title and artist, or a song name the resolver reads
        ("Last Christmas - Remastered by Wham!"). Only whole names count: a part of one acts on nothing."""
        tracks = self.session.tracks
        wanted, spelled = title_key(text), normalize_title(text)
        if not wanted:
            return None
        named = [t for t in tracks
                 if title_key(t.track_name) == wanted or normalize_title(f"{t.track_name} {t.artist_name}") == spelled]
        if len({song_key(t.track_name, t.artist_name) for t in named}) > 1:
            listed = "; ".join(f"{t.rank}. “{t.track_name}” by {t.artist_name}" for t in named)
            raise ChatError(f"“{text}” names {len(named)} tracks of the playlist: {listed}. Give its number")
        if named:
            return named[0]
        try:
            song = self.search.exact_track(text)
        except ChatError:  # several catalog songs: the caller reports it when it looks beyond the playlist
            return None
        if song is None:
            return None
        key = song_key(song.track_name, song.artist_name)
        return next((t for t in tracks if song_key(t.track_name, t.artist_name) == key), None)

    def _near(self, text: str) -> str:
        """", did you mean …?" for playlist tracks whose title holds `text`: shown, never acted on."""
        wanted = normalize_title(text)
        near = [t for t in self.session.tracks if wanted and wanted in normalize_title(t.track_name)][:3]
        if not near:
            return ""
        return "; did you mean " + " or ".join(f"{t.rank}. “{t.track_name}”" for t in near) + "?"

    def target(self, ref: str, strict: bool) -> tuple[str, Candidate | Track | str]:
        """("track", track) for a number, "this one", a song of the playlist or "SONG by ARTIST";
        ("artist", name) for an artist; ("unknown", text) when not strict."""
        text = ref.strip()
        if text.lower() in THIS or NUMBER.match(text):
            return "track", self.track(text)
        artist = self.search.artist(text)
        if artist:
            return "artist", artist
        in_playlist = self.in_playlist(text)
        if in_playlist:
            return "track", in_playlist
        found = self.search.exact_track(text)
        if found:
            return "track", found
        if strict:
            raise ChatError(f"no artist or song named “{text}” in the catalog; nothing changed "
                            f"(/dislike {text} remembers it anyway)")
        return "unknown", text
