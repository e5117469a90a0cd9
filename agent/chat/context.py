"""What the chat tells the reader of messages: the playlist's length, whether a name is one of
its songs or artists (else the catalog's), and the words steering can mend a typo towards."""

from __future__ import annotations

import re
from collections import Counter

from agent.chat.outcome import ChatError
from agent.chat.search import CatalogSearch
from agent.chat.session import ChatSession
from agent.chat.understand import ParseContext
from agent.chat.understand.typos import slips_of
from retrieval.normalize import normalize_title, title_key

_MENDABLE = re.compile(r"[a-z]{4,}")  # short words and numbers ("90s") are left as typed


class ChatContext:
    """Builds a `ParseContext` for each message from one session and one catalog."""

    def __init__(self, session: ChatSession | None, search: CatalogSearch):
        """`session` None: no playlist to look in (`agent chat --parse`), only the catalog."""
        self.session = session
        self.search = search
        self._title_words: Counter[str] | None = None
        self._artist_first_names: frozenset[str] | None = None

    def parse_context(self) -> ParseContext:
        return ParseContext(playlist_length=len(self._tracks()) or None, is_artist=self.search.is_artist,
                            name_kind=self.name_kind, mend_word=self.mend_word)

    def name_kind(self, name: str) -> tuple[str, str] | None:
        """("song" or "artist", where): the playlist first, then the catalog; ("either", "catalog") when
        the catalog has both, None when it has neither."""
        wanted, spelled = title_key(name), normalize_title(name)
        if not spelled:
            return None
        tracks = self._tracks()
        if any(title_key(t.track_name) == wanted for t in tracks):
            return "song", "playlist"
        if any(normalize_title(t.artist_name) == spelled for t in tracks):
            return "artist", "playlist"
        is_artist = self.search.is_artist(name) or spelled in self._first_names()  # "kanye" for Kanye West
        is_song = self._is_song(name)
        if is_artist or is_song:
            return ("either" if is_artist and is_song else "artist" if is_artist else "song"), "catalog"
        return None

    def _first_names(self) -> frozenset[str]:
        """The first words of the catalog's artists of two or more words (read once)."""
        if self._artist_first_names is None:
            names = (normalize_title(artist).split() for artist in self.search.catalog.artist_names())
            self._artist_first_names = frozenset(words[0] for words in names if len(words) > 1)
        return self._artist_first_names

    def _tracks(self) -> list:
        return self.session.tracks if self.session else []

    def _is_song(self, name: str) -> bool:
        try:
            return self.search.exact_track(name) is not None
        except ChatError:  # several songs are named so: a song all the same
            return True

    def mend_word(self, word: str) -> str:
        """The catalog's title word one slip away from `word` ("relaxd" -> "relaxed"); `word` if none is."""
        words = self.title_words()
        if not _MENDABLE.fullmatch(word) or word in words:
            return word
        near = slips_of(word, words)
        return max(near, key=lambda w: (words[w], w)) if near else word

    def title_words(self) -> Counter[str]:
        """How many stored titles use each word (read once, on the first steering message)."""
        if self._title_words is None:
            self._title_words = Counter(w for title in self.search.catalog.normalized_titles().values()
                                        for w in set(title.split()))
        return self._title_words
