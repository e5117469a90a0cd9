"""Songs and artists named in plain words, resolved to catalog tracks and artist names.

A song may be named by its URI, as "song by artist", "artist - song", "song - artist"
or by its title alone. Names are compared on `song_key` and `artist_key` (case,
accents, punctuation, "feat." parts and version suffixes such as "- Remastered 2011"
folded), through the key table `SongMatcher` keeps in the catalog file, so a lookup
is an indexed query even on a million playlists.

Versions of one song (same key) are one match. Several different songs are one match
when the most played holds at least `DOMINANT_SHARE` of their plays (said in a note);
otherwise, as for several artists, an `AmbiguousName` lists them, unless the caller
allows the most-played one. Words in any order ("brightside killers") are a last
resort when no reading of the name matches. No match is a `NameNotFound`.

Seeds may also be URIs the catalog lacks, or tracks as the MPD writes them (URI, song
and artist): `seeds` skips what it cannot find and says so, so a request still has its
other seeds and its title to answer from. Nothing here prints or stores anything.
"""

from __future__ import annotations

import re
from collections.abc import Iterable, Sequence
from dataclasses import dataclass

from retrieval.catalog import Catalog
from retrieval.matching import SongMatcher
from retrieval.normalize import artist_key, song_key, title_key
from retrieval.records import Track

# "spotify:track:4uLU6hMCjMI75M1A2tKUQC", "demo:track:41385477cbdd734f": no spaces, two colons.
_URI = re.compile(r"^[\w.-]+:[\w.-]+:[\w.-]+$")
_BY = re.compile(r"\s+by\s+", re.IGNORECASE)
_DASH = re.compile(r"\s+[-\u2013\u2014]\s+")
_LEADING_THE = re.compile(r"^the\s+")
SHOWN = 8  # candidates listed in an ambiguity message
# A song whose most-played version holds this share of the plays of every song the name
# matches is what the name means ("Mr. Brightside": The Killers' in 158 of 163 playlists).
DOMINANT_SHARE = 0.8
WORD_MATCHES = 200  # tracks read when matching the words of a name in any order


class NameNotFound(LookupError):
    """A name that matches nothing in the catalog."""


class AmbiguousName(LookupError):
    """A name that matches several songs or artists; `candidates` lists them, most-played first."""

    def __init__(self, message: str, candidates: Sequence[str]):
        super().__init__(message)
        self.candidates = list(candidates)


@dataclass(frozen=True)
class ResolvedTrack:
    query: str
    track: Track
    plays: int | None  # None when the name matched a single track: nothing to rank, so not counted
    # Set when several songs matched and the most-played one was taken.
    note: str | None = None

    def describe(self) -> str:
        return f"“{self.track.track_name}” by {self.track.artist_name}"


@dataclass(frozen=True)
class ResolvedArtist:
    query: str
    name: str  # as the catalog spells it most often
    tracks: int
    note: str | None = None


@dataclass(frozen=True)
class _Song:
    track_id: int
    track: Track
    plays: int | None

    def label(self) -> str:
        return f"“{self.track.track_name}” by {self.track.artist_name} ({self.plays} playlists)"


class NameResolver:
    """Resolves names against one catalog."""

    def __init__(self, catalog: Catalog):
        self.catalog = catalog
        SongMatcher(catalog)  # makes sure every track's song key is in the catalog's key table

    # -- tracks ------------------------------------------------------------------

    def track(self, text: str, most_played: bool = False) -> ResolvedTrack:
        """The one song `text` names; its most-played version when it has several."""
        query = text.strip()
        if not query:
            raise NameNotFound("the song name is empty")
        if _URI.match(query):
            return self._by_uri(query)
        songs = self._songs(self._track_ids(query))
        if not songs:
            raise NameNotFound(f"no song in the catalog matches “{query}”")
        best = songs[0]
        if len(songs) == 1:
            return ResolvedTrack(query, best.track, best.plays)
        total = sum(song.plays for song in songs)
        if best.plays >= DOMINANT_SHARE * total:
            note = (f"“{query}” matches {len(songs)} songs; took {best.label()}, "
                    f"{best.plays / total:.0%} of their plays")
            return ResolvedTrack(query, best.track, best.plays, note)
        if most_played:
            note = f"“{query}” matches {len(songs)} songs; took the most played, {best.label()}"
            return ResolvedTrack(query, best.track, best.plays, note)
        raise AmbiguousName(_ambiguity(query, "songs", [s.label() for s in songs]), [s.label() for s in songs])

    def known_track(self, seed: Track) -> Track | None:
        """The catalog's track with the seed's URI, else the one song its names match
        (another release of the same song), else None."""
        track = self.catalog.track_by_uri(seed.track_uri)
        if track is not None or not seed.track_name.strip():
            return track
        songs = self._songs(self.catalog.track_ids_with_song_key(song_key(seed.track_name, seed.artist_name)))
        if not songs or (len(songs) > 1 and songs[0].plays < DOMINANT_SHARE * sum(s.plays for s in songs)):
            return None
        return songs[0].track

    def tracks(self, texts: Iterable[str], most_played: bool = False) -> list[ResolvedTrack]:
        return [self.track(text, most_played) for text in texts]

    def _by_uri(self, uri: str) -> ResolvedTrack:
        track = self.catalog.track_by_uri(uri)
        if track is None:
            raise NameNotFound(f"no track with URI {uri} in the catalog")
        return ResolvedTrack(uri, track, None)

    def _track_ids(self, query: str) -> list[int]:
        """Ids matching a song-and-artist reading of `query`, else the title alone."""
        ids: list[int] = []
        for song, artist in _readings(query):
            ids += self.catalog.track_ids_with_song_key(song_key(song, artist))
        # A title such as "Stand by Me" or "Hallelujah - 2011 Remaster" reads as a song alone.
        ids = ids or self.catalog.track_ids_with_title_key(title_key(query))
        return ids or self._track_ids_by_words(query)

    def _track_ids_by_words(self, query: str) -> list[int]:
        """Words in any order ("brightside killers"). One word alone is a search, not a name,
        and words that all belong to the artist name an artist ("bon iver"), not a song."""
        words = [word for word in title_key(query).split() if word.isalnum()]
        ids = self.catalog.track_ids_with_key_words(words, WORD_MATCHES) if len(words) > 1 else []
        tracks = self.catalog.tracks_by_id(ids) if ids else {}
        return [i for i in ids if set(words) & set(title_key(tracks[i].track_name).split())]

    def _songs(self, track_ids: list[int]) -> list[_Song]:
        """One entry per song (versions merged), its most-played version, most played first."""
        if not track_ids:
            return []
        tracks = self.catalog.tracks_by_id(track_ids)
        if len(tracks) == 1:  # the common case skips counting (its index takes a while to build on a big catalog)
            ((track_id, track),) = tracks.items()
            return [_Song(track_id, track, None)]
        plays = self.catalog.play_counts(track_ids)
        best: dict[str, _Song] = {}
        for track_id in sorted(plays, key=lambda t: (-plays[t], t)):
            track = tracks[track_id]
            key = song_key(track.track_name, track.artist_name)
            song = best.setdefault(key, _Song(track_id, track, 0))
            best[key] = _Song(song.track_id, song.track, song.plays + plays[track_id])
        return sorted(best.values(), key=lambda s: (-s.plays, s.track_id))

    # -- artists -----------------------------------------------------------------

    def artist(self, text: str, most_played: bool = False) -> ResolvedArtist:
        """The one artist `text` names, compared on its primary artist, with or without "the"."""
        query = text.strip()
        if not query:
            raise NameNotFound("the artist name is empty")
        found = self._artists(query)
        if not found:
            raise NameNotFound(f"no artist in the catalog matches “{query}”")
        ranked = sorted(found.items(), key=lambda item: (-item[1], item[0]))
        labels = [f"{name} ({count} tracks)" for name, count in ranked]
        if len(ranked) > 1 and not most_played:
            raise AmbiguousName(_ambiguity(query, "artists", labels), labels)
        name, count = ranked[0]
        note = None
        if len(ranked) > 1:
            note = f"“{query}” matches {len(ranked)} artists; took the one with most tracks, {labels[0]}"
        return ResolvedArtist(query, name, count, note)

    def _artists(self, query: str) -> dict[str, int]:
        """{shown name: tracks}, one entry per primary-artist key matching `query` with or without "the"."""
        bare = _LEADING_THE.sub("", artist_key(query)) or artist_key(query)
        by_key: dict[str, dict[str, int]] = {}
        for name, count in self.catalog.artists_with_keys([bare, f"the {bare}"]).items():
            by_key.setdefault(artist_key(name), {})[name] = count
        # Spellings that share a key ("Calvin Harris", "Calvin Harris & Rihanna") are one
        # artist, shown by its shortest spelling and counted together.
        return {min(names, key=lambda n: (len(n), -names[n], n)): sum(names.values()) for names in by_key.values()}


def prepare_name_lookups(catalog: Catalog) -> None:
    """Key every new track and index the artist keys, so the first lookup is fast too.

    On a big catalog this takes a while once; ingestion calls it, where a wait is
    expected. The track -> playlists index behind play counts is left to the first
    ambiguous name: kept up to date, it would slow every later ingestion.
    """
    SongMatcher(catalog)
    catalog.artists_with_keys(["-"])


def _readings(query: str) -> list[tuple[str, str]]:
    """(song, artist) readings of "song by artist", "artist - song" and "song - artist"."""
    readings = []
    by = list(_BY.finditer(query))
    if by:
        last = by[-1]  # "Stand by Me by Ben E. King": the artist follows the last "by"
        readings.append((query[: last.start()], query[last.end():]))
    parts = _DASH.split(query, maxsplit=1)
    if len(parts) == 2:
        readings += [(parts[1], parts[0]), (parts[0], parts[1])]
    return [(song, artist) for song, artist in readings if song.strip() and artist.strip()]


def _ambiguity(query: str, kind: str, labels: list[str]) -> str:
    shown = "; ".join(labels[:SHOWN]) + (f"; and {len(labels) - SHOWN} more" if len(labels) > SHOWN else "")
    return f"“{query}” matches {len(labels)} {kind}: {shown}. Name one more precisely"


@dataclass(frozen=True)
class ResolvedSeeds:
    """The seed tracks found, in order and each once, and what the person should know:
    a version picked, a seed matched by name, seeds skipped as unknown."""

    tracks: list[Track]
    notes: list[str]
    unknown: int  # seeds given that matched nothing and were skipped


def resolve_seeds(resolver: NameResolver, seeds: Iterable[str | Track]) -> ResolvedSeeds:
    """The seeds named by URI, in plain words or as tracks (URI, song, artist).

    A URI the catalog lacks is skipped, and so is a track matching no song by its URI or
    its names. Plain words name a song the person typed: matching nothing, or several
    songs none of which dominates, is an error (`NameNotFound`, `AmbiguousName`).
    """
    found: dict[str, Track] = {}
    notes: list[str] = []
    unknown: list[str] = []
    for seed in seeds:
        if isinstance(seed, Track):
            match = resolver.known_track(seed)
        elif _URI.match(seed.strip()):
            match = resolver.catalog.track_by_uri(seed.strip())
        else:
            resolved = resolver.track(seed)
            match = resolved.track
            notes += [resolved.note] if resolved.note else []
        if match is None:
            unknown.append(seed.track_uri if isinstance(seed, Track) else seed.strip())
        elif isinstance(seed, Track) and match.track_uri != seed.track_uri:
            notes.append(f"seed {seed.track_uri} is not in the catalog; took {_described(match)} by its name")
        if match is not None:
            found.setdefault(match.track_uri, match)
    if unknown:
        shown = ", ".join(unknown[:SHOWN]) + (f" and {len(unknown) - SHOWN} more" if len(unknown) > SHOWN else "")
        notes.append(f"{len(unknown)} seed track(s) not in the catalog, skipped: {shown}")
    return ResolvedSeeds(list(found.values()), notes, len(unknown))


def _described(track: Track) -> str:
    return f"“{track.track_name}” by {track.artist_name}"
