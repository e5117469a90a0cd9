"""Reading what a person points at: a track of the playlist ("3", "#3", "this one", part of
its name) or, for likes and dislikes, an artist or a catalog song ("Hello by Adele").

A track talked about becomes the session's focus, so a later "this one" means it.
"""

from __future__ import annotations

import re

from agent.chat.outcome import ChatError
from agent.chat.search import CatalogSearch
from agent.chat.session import ChatSession
from retrieval.normalize import normalize_title
from retrieval.records import Candidate, Track

NUMBER = re.compile(r"^(?:#|no\.?\s*|number\s+|track\s+|song\s+)?(\d{1,4})$", re.IGNORECASE)
THIS = {"", "this", "this one", "it", "that", "that one", "this song", "that song", "this track"}


class References:
    """Resolves references against one session's playlist and one catalog."""

    def __init__(self, session: ChatSession, search: CatalogSearch):
        self.session = session
        self.search = search

    def track(self, ref: str) -> Candidate:
        """A track of the playlist by number ("3", "#3"), by "this one", or by (part of) its name."""
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
            raise ChatError(f"no track named “{text}” in the playlist")
        self.session.focus = found.rank
        return found

    def track_or_song(self, ref: str) -> Candidate | Track:
        """A track of the playlist, else the catalog's song named so ("Black Hole Sun", "Hello by Adele")."""
        try:
            return self.track(ref)
        except ChatError:
            found = self.search.tracks(ref, limit=1) if ref.strip() and not NUMBER.match(ref.strip()) else []
            if not found:
                raise
            return found[0]

    def in_playlist(self, text: str) -> Candidate | None:
        """The playlist's track named `text` (title, or title and artist), else the first whose title holds it."""
        wanted = normalize_title(text)
        if not wanted:
            return None
        for track in self.session.tracks:
            full = normalize_title(f"{track.track_name} {track.artist_name}")
            if wanted in (normalize_title(track.track_name), full):
                return track
        return next((t for t in self.session.tracks if wanted in normalize_title(t.track_name)), None)

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
