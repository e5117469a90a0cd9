"""Playlists and their tracks as arrays: the data every query's signals read.

Reading a few hundred playlists' tracks from SQLite per query cost more than all the
scoring. Here they are CSR arrays, playlist -> distinct tracks (in playlist order),
track -> playlists (lowest pid first) and title -> playlists (lowest pid first: a
query's neighbours), written beside the catalog once per content (a folder named by its
fingerprint) and memory-mapped: opening them costs nothing and processes share the pages.
"""

from __future__ import annotations

from collections.abc import Iterable, Sequence
from pathlib import Path

import numpy as np

ARRAYS = ("pids", "playlist_offsets", "playlist_tracks", "track_offsets", "track_playlists", "popular", "songs",
          "title_offsets", "title_pids", "artists", "artist_offsets", "artist_tracks")
# Bumped when the arrays change, so an older graph on disk is rebuilt rather than misread.
LAYOUT_VERSION = "2"
# Entries deduplicated per chunk of playlists, so building at MPD scale stays in memory.
_CHUNK = 4_000_000


class PlaylistGraph:
    """Playlist rows (by ascending pid) and their tracks, both ways."""

    def __init__(self, arrays: dict[str, np.ndarray]):
        self.pids = arrays["pids"]
        self._playlist_offsets = arrays["playlist_offsets"]
        self._playlist_tracks = arrays["playlist_tracks"]
        self._track_offsets = arrays["track_offsets"]
        self._track_playlists = arrays["track_playlists"]
        self.popular = arrays["popular"]  # track ids, most played first (then lowest id)
        self._songs = arrays["songs"]  # per track id, its song: versions of a song share it
        self._versions: np.ndarray | None = None  # per track, whether its song has other versions
        self._artists = arrays["artists"]  # per track id, its primary artist's number (-1: none)
        self._artist_offsets = arrays["artist_offsets"]
        self._artist_tracks = arrays["artist_tracks"]  # track ids by artist number, ascending
        self.plays = np.diff(self._track_offsets)  # playlists holding each track id
        self._title_offsets = arrays["title_offsets"]
        self._title_pids = arrays["title_pids"]  # pids (not rows): a playlist without tracks has a title too
        self._row_titles: np.ndarray | None = None

    def _matched(self, pids: Iterable[int]) -> tuple[np.ndarray, np.ndarray]:
        """For each pid, the row where it would be and whether it is there."""
        wanted = np.fromiter(pids, np.int64)
        if not len(self.pids):
            return np.zeros(len(wanted), np.int64), np.zeros(len(wanted), bool)
        at = np.minimum(np.searchsorted(self.pids, wanted), len(self.pids) - 1)
        return at, self.pids[at] == wanted

    def rows(self, pids: Iterable[int]) -> np.ndarray:
        """The rows of these pids; playlists without tracks are left out."""
        at, found = self._matched(pids)
        return at[found]

    def tracks_of_pids(self, pids: Sequence[int]) -> tuple[np.ndarray, np.ndarray]:
        """Each playlist's distinct tracks, in the order of `pids`, laid end to end, and
        how many each has (none for an unknown pid): one gather, not an array per playlist."""
        at, found = self._matched(pids)
        if not len(self.pids):
            return self._playlist_tracks[:0], np.zeros(len(at), np.int64)
        starts = self._playlist_offsets[at]
        lengths = np.where(found, self._playlist_offsets[at + 1] - starts, 0)
        return self._playlist_tracks[_spanned(starts, lengths)], lengths

    def tracks_of_rows(self, rows: np.ndarray) -> tuple[np.ndarray, np.ndarray]:
        """`tracks_of_pids` for playlist rows."""
        rows = np.asarray(rows, np.int64)
        starts = self._playlist_offsets[rows]
        lengths = self._playlist_offsets[rows + 1] - starts
        return self._playlist_tracks[_spanned(starts, lengths)], lengths

    def tracks_of_row(self, row: int) -> np.ndarray:
        return self._playlist_tracks[self._playlist_offsets[row]:self._playlist_offsets[row + 1]]

    def tracks_of(self, pid: int) -> np.ndarray:
        return self.tracks_of_pids([pid])[0]

    def rows_holding(self, track_id: int) -> np.ndarray:
        """Rows of the playlists holding the track, lowest pid first."""
        if not 0 <= track_id < len(self.plays):
            return self._track_playlists[:0]
        return self._track_playlists[self._track_offsets[track_id]:self._track_offsets[track_id + 1]]

    def rows_of_tracks(self, track_ids: np.ndarray) -> tuple[np.ndarray, np.ndarray]:
        """`rows_holding` for each track, laid end to end, and how many each has."""
        ids = np.asarray(track_ids, np.int64)
        inside = (ids >= 0) & (ids < len(self.plays))
        at = np.where(inside, ids, 0)
        starts = self._track_offsets[at]
        lengths = np.where(inside, self._track_offsets[at + 1] - starts, 0)
        return self._track_playlists[_spanned(starts, lengths)], lengths

    def pids_with_title(self, title_id: int) -> np.ndarray:
        """Pids of the playlists carrying this title id, lowest first."""
        if not 0 <= title_id < len(self._title_offsets) - 1:
            return self._title_pids[:0]
        return self._title_pids[self._title_offsets[title_id]:self._title_offsets[title_id + 1]]

    def row_titles(self) -> np.ndarray:
        """Per playlist row, the id of its title (-1: none); worked out on first use."""
        if self._row_titles is None:
            titles = np.repeat(np.arange(len(self._title_offsets) - 1), np.diff(self._title_offsets))
            self._row_titles = np.full(len(self.pids), -1, np.int64)
            if len(self.pids):
                at = np.minimum(np.searchsorted(self.pids, self._title_pids), len(self.pids) - 1)
                found = self.pids[at] == self._title_pids
                self._row_titles[at[found]] = titles[found]
        return self._row_titles

    def pids_with_titles(self, title_ids: np.ndarray, enough: int) -> tuple[np.ndarray, np.ndarray]:
        """The pids of these titles in turn (each title's lowest first), from as many of
        the titles as it takes to reach `enough` pids (all when they hold fewer), and for
        each pid the number of its title in `title_ids`."""
        title_ids = np.asarray(title_ids, np.int64)
        inside = (title_ids >= 0) & (title_ids < len(self._title_offsets) - 1)
        at = np.where(inside, title_ids, 0)
        starts = self._title_offsets[at]
        counts = np.where(inside, self._title_offsets[at + 1] - starts, 0)
        taken = int(np.searchsorted(np.cumsum(counts), enough)) + 1  # titles up to the one that reaches enough
        starts, counts = starts[:taken], counts[:taken]
        owners = np.repeat(np.arange(len(counts)), counts)
        first_of_owner = np.cumsum(counts) - counts
        return self._title_pids[starts[owners] + np.arange(len(owners)) - first_of_owner[owners]], owners

    def csr_arrays(self) -> tuple[np.ndarray, np.ndarray, int]:
        """(row offsets, track ids, track count): the playlists x tracks matrix the collaborative models fit."""
        return self._playlist_offsets, self._playlist_tracks, len(self.plays)

    def plays_of(self, track_ids: np.ndarray) -> np.ndarray:
        return by_track(self.plays, track_ids, missing=0)

    def songs_of(self, track_ids: np.ndarray) -> np.ndarray:
        """The song of each track; a track without a song key is a song of its own (-id - 1)."""
        track_ids = np.asarray(track_ids, np.int64)
        songs = by_track(self._songs, track_ids, missing=-1)
        return np.where(songs >= 0, songs, -track_ids - 1)

    def with_versions(self, track_ids: np.ndarray) -> np.ndarray:
        """Whether each track's song has several versions in the catalog."""
        if self._versions is None:  # built on first use: a flag per track
            counts = np.bincount(self._songs[self._songs >= 0], minlength=1)
            self._versions = (self._songs >= 0) & (counts[np.maximum(self._songs, 0)] > 1)
        return by_track(self._versions, track_ids, missing=0).astype(bool, copy=False)

    def artists_of(self, track_ids: np.ndarray) -> np.ndarray:
        """The primary artist's number of each track (-1: none known)."""
        return by_track(self._artists, track_ids, missing=-1)

    def tracks_by_artist(self, artist: int) -> np.ndarray:
        """The track ids of an artist number, ascending."""
        if not 0 <= artist < len(self._artist_offsets) - 1:
            return self._artist_tracks[:0]
        return self._artist_tracks[self._artist_offsets[artist]:self._artist_offsets[artist + 1]]

    def held_out_plays(self, pids: Iterable[int]) -> np.ndarray:
        """Per track id, how many of these playlists hold it (subtracted when they are hidden)."""
        segments = [self.tracks_of_row(int(row)) for row in self.rows(pids)]
        tracks = np.concatenate(segments) if segments else np.empty(0, np.int64)
        return np.bincount(tracks, minlength=len(self.plays))[:len(self.plays)]

    # ----------------------------------------------------------------------- #
    # Building, saving, opening
    # ----------------------------------------------------------------------- #

    @classmethod
    def build(cls, entries: Iterable[tuple[int, int]], song_keys: Iterable[tuple[str, int]] = (),
              titles: Iterable[tuple[int, int]] = ()) -> PlaylistGraph:
        """From (pid, track id) entries ordered by pid, then position, (song key, track id)
        pairs ordered by key (versions of a song share a key) and (title id, pid) pairs
        ordered by title id, then pid."""
        # int32 halves the memory of the 66M entries of the full MPD (pids and ids fit).
        pairs = np.fromiter(entries, np.dtype([("pid", np.int32), ("track", np.int32)]))
        # Repeats dropped first, so only the kept entries are ever copied (memory: the full
        # MPD's 66M entries take 0.5 GB as pairs and as much again in each copy).
        keep = _first_occurrences(pairs["pid"], pairs["track"])
        tracks, kept_pids = pairs["track"][keep], pairs["pid"][keep]
        del pairs, keep
        starts = np.flatnonzero(np.r_[True, kept_pids[1:] != kept_pids[:-1]]) if len(kept_pids) else np.empty(0, np.int64)
        pids = kept_pids[starts].astype(np.int64)
        playlist_offsets = np.append(starts, len(kept_pids))
        del kept_pids, starts
        track_count = int(tracks.max()) + 1 if len(tracks) else 0
        track_offsets, track_playlists = _by_track(playlist_offsets, tracks, track_count)
        plays = np.diff(track_offsets)
        songs, artists = _song_and_artist_numbers(song_keys, track_count)
        return cls({
            "pids": pids,
            "playlist_offsets": playlist_offsets,
            "playlist_tracks": tracks,
            "track_offsets": track_offsets,
            "track_playlists": track_playlists,
            "popular": np.argsort(-plays, kind="stable")[: int((plays > 0).sum())],
            "songs": songs,
            **_title_arrays(titles),
            **_artist_index(artists),
        })

    def save(self, folder: Path) -> None:
        arrays = {"pids": self.pids, "playlist_offsets": self._playlist_offsets,
                  "playlist_tracks": self._playlist_tracks, "track_offsets": self._track_offsets,
                  "track_playlists": self._track_playlists, "popular": self.popular, "songs": self._songs,
                  "title_offsets": self._title_offsets, "title_pids": self._title_pids,
                  "artists": self._artists, "artist_offsets": self._artist_offsets,
                  "artist_tracks": self._artist_tracks}
        for name, array in arrays.items():
            np.save(folder / f"{name}.npy", np.ascontiguousarray(array))

    @classmethod
    def load(cls, folder: Path) -> PlaylistGraph:
        # Plain array views of the maps: slicing a np.memmap costs several times more.
        return cls({name: np.load(folder / f"{name}.npy", mmap_mode="r").view(np.ndarray) for name in ARRAYS})


def _spanned(starts: np.ndarray, lengths: np.ndarray) -> np.ndarray:
    """The positions start, start + 1, ... of each span (`lengths[i]` from `starts[i]`), spans end to end."""
    ends = np.cumsum(lengths)
    return np.arange(ends[-1] if len(ends) else 0) + np.repeat(starts - (ends - lengths), lengths)


def by_track(values: np.ndarray, track_ids: np.ndarray, missing: int) -> np.ndarray:
    """`values[track_id]` for each track id, `missing` for an id outside the array (a track
    the graph has never seen, such as one added to the catalog after it was built)."""
    track_ids = np.asarray(track_ids, np.int64)
    if not len(values):
        return np.full(len(track_ids), missing, np.int64)
    if len(track_ids) and track_ids.min() >= 0 and track_ids.max() < len(values):
        return values[track_ids]  # the usual case, in one pass instead of five
    inside = (track_ids >= 0) & (track_ids < len(values))
    return np.where(inside, values[np.where(inside, track_ids, 0)], missing)


def _title_arrays(titles: Iterable[tuple[int, int]]) -> dict[str, np.ndarray]:
    """Title id -> pids as CSR arrays, from (title id, pid) pairs ordered by title id, then pid."""
    pairs = np.fromiter(titles, np.dtype([("title", np.int64), ("pid", np.int64)]))
    title_count = int(pairs["title"].max()) + 1 if len(pairs) else 0
    counts = np.bincount(pairs["title"], minlength=title_count)
    return {"title_offsets": np.concatenate(([0], np.cumsum(counts))), "title_pids": pairs["pid"].copy()}


def _song_and_artist_numbers(song_keys: Iterable[tuple[str, int]], track_count: int) -> tuple[np.ndarray, np.ndarray]:
    """Per track id, a number shared by the versions of one song, and one shared by the
    tracks of one primary artist (the song key's artist part); -1 where a track has no key."""
    songs = np.full(track_count, -1, np.int64)
    artists = np.full(track_count, -1, np.int64)
    artist_numbers: dict[str, int] = {}
    number, last = -1, None
    for key, track_id in song_keys:
        if key != last:
            number, last = number + 1, key
        if track_id < track_count:
            songs[track_id] = number
            artist = key[key.find("|") + 1:]
            artists[track_id] = artist_numbers.setdefault(artist, len(artist_numbers)) if artist else -1
    return songs, artists


def _artist_index(artists: np.ndarray) -> dict[str, np.ndarray]:
    """Per track id its artist number, and the artists' tracks as CSR arrays."""
    known = np.flatnonzero(artists >= 0)
    order = known[np.argsort(artists[known], kind="stable")]  # ascending ids within an artist
    count = int(artists.max()) + 1 if len(known) else 0
    return {"artists": artists, "artist_tracks": order,
            "artist_offsets": np.searchsorted(artists[order], np.arange(count + 1))}


def _by_track(offsets: np.ndarray, tracks: np.ndarray, track_count: int) -> tuple[np.ndarray, np.ndarray]:
    """(offsets, rows) of each track's playlists, rows ascending: the entries transposed by a
    counting sort (CSR -> CSC), 5 bytes an entry where an argsort and its gather took 12."""
    from scipy import sparse

    if not len(tracks):
        return np.zeros(track_count + 1, np.int64), np.empty(0, np.int32)
    entries = sparse.csr_matrix((np.ones(len(tracks), bool), tracks, offsets),
                                shape=(len(offsets) - 1, track_count)).tocsc()
    return entries.indptr.astype(np.int64), entries.indices.astype(np.int32, copy=False)


def _first_occurrences(groups: np.ndarray, tracks: np.ndarray) -> np.ndarray:
    """Which entries to keep: a repeated (group, track) dropped, its first position kept
    (`groups`, a playlist's pid or row per entry, never decreases)."""
    keep = np.zeros(len(groups), bool)
    span = int(tracks.max()) + 1 if len(tracks) else 1
    start = 0
    while start < len(groups):
        end = _chunk_end(groups, start)
        key = (groups[start:end] - groups[start]).astype(np.int64) * span + tracks[start:end]
        keep[start + np.unique(key, return_index=True)[1]] = True
        start = end
    return keep


def _chunk_end(rows: np.ndarray, start: int) -> int:
    """About `_CHUNK` entries from `start`, ending on a playlist boundary."""
    if start + _CHUNK >= len(rows):
        return len(rows)
    end = int(np.searchsorted(rows, rows[start + _CHUNK], side="left"))
    return end if end > start else int(np.searchsorted(rows, rows[start], side="right"))
