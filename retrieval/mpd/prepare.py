"""Preparing MPD files for the catalog: read, validate, and reduce to the rows to store.

Runs in a second process while the catalog stores the previous file (`retrieval.mpd.ingest`),
so what it hands over is small: the playlists' rows, the rows of tracks not met before
in this ingest, and every track slot as a number (its *code*, given in order of first
appearance). The catalog turns codes into track ids once per code, not once per slot.
"""

from __future__ import annotations

import gc
import os
import pickle
import signal
import subprocess
import sys
from dataclasses import dataclass, field
from pathlib import Path

import numpy as np

from retrieval.mpd.parse import ParsedFile, read_content
from retrieval.mpd.errors import MPDFormatError
from retrieval.mpd.files import read_bytes
from retrieval.mpd.structs import UNSET, Playlist, Track, decode_valid
from retrieval.normalize import normalize_title


@dataclass
class PreparedFile:
    """One file's rows. `playlists`: (pid, name, normalised title or "", number of tracks,
    collaborative, modified_at, num_followers, description); `new_tracks`: (code, uri,
    name, artist, artist_uri, album_name, album_uri, duration_ms); `codes`: the code of
    every track slot, playlist after playlist."""

    path: Path
    playlists: list[tuple]
    new_tracks: list[tuple]
    codes: np.ndarray
    bad: list[MPDFormatError] = field(default_factory=list)

    @property
    def track_slots(self) -> int:
        return len(self.codes)


class FilePreparer:
    """Prepares the files of one ingest in order, remembering the codes it gave."""

    def __init__(self) -> None:
        self._codes: dict[str, int] = {}

    def prepare(self, path: Path, skip_bad: bool = False) -> PreparedFile:
        content = read_bytes(path)
        decoded = decode_valid(content)
        prepared = self._rows(path, decoded) if decoded is not None else None
        if prepared is None:  # refused by the fast path: read again for the exact error
            prepared = self._rows(path, *_from_parsed(read_content(path, content, skip_bad)))
        del content
        return prepared

    def _rows(self, path: Path, playlists: list[Playlist],
              bad: list[MPDFormatError] | None = None) -> PreparedFile | None:
        tracks = [track for playlist in playlists for track in playlist.tracks]
        slots = list(map(self._codes.get, [track.track_uri for track in tracks]))
        new_tracks, new = [], {}
        first_code = len(self._codes)
        for i in [i for i, code in enumerate(slots) if code is None]:  # tracks not met before
            track = tracks[i]
            code = new.get(track.track_uri)
            if code is None:
                if not track.track_uri.strip():
                    return None  # an empty track_uri: `retrieval.mpd.parse` says where
                code = new[track.track_uri] = first_code + len(new)
                new_tracks.append((code, track.track_uri, track.track_name, track.artist_name, track.artist_uri,
                                   track.album_name, track.album_uri, track.duration_ms))
            slots[i] = code
        self._codes.update(new)  # only once the whole file is valid
        return PreparedFile(path, [_playlist_row(p) for p in playlists], new_tracks,
                            np.asarray(slots, dtype=np.int64), bad or [])


def _playlist_row(playlist: Playlist) -> tuple:
    name = None if playlist.name is UNSET else playlist.name
    collaborative = playlist.collaborative
    if isinstance(collaborative, str):
        collaborative = collaborative == "true"
    return (playlist.pid, name, normalize_title(name) if name else "", len(playlist.tracks), collaborative,
            playlist.modified_at, playlist.num_followers, playlist.description)


def _from_parsed(parsed: ParsedFile) -> tuple[list[Playlist], list[MPDFormatError]]:
    """The slow path's playlists in the fast path's types (the fields are the same names)."""
    playlists = [
        Playlist(pid=p.pid, name=UNSET if p.name is None else p.name, **_present(p.extra), tracks=[
            Track(track_uri=t.track_uri, track_name=t.track_name, artist_name=t.artist_name, **_present(t.extra))
            for t in p.tracks
        ])
        for p in parsed.playlists
    ]
    return playlists, parsed.bad


def _present(extra: dict) -> dict:
    return {key: value for key, value in extra.items() if value is not None}


class PreparingProcess:
    """A `FilePreparer` in a second Python, asked for files in order over a pipe.

    A plain subprocess rather than multiprocessing: that would import the caller's main
    script again, and a fork would copy the caller's threads (Chroma, torch).
    """

    def __init__(self) -> None:
        package_root = str(Path(__file__).resolve().parents[1])
        env = {**os.environ, "PYTHONPATH": os.pathsep.join(filter(None, [package_root, os.environ.get("PYTHONPATH")]))}
        self._process = subprocess.Popen([sys.executable, "-m", "retrieval.mpd.prepare"], env=env,
                                         stdin=subprocess.PIPE, stdout=subprocess.PIPE)

    def ask(self, path: Path, skip_bad: bool) -> None:
        pickle.dump((path, skip_bad), self._process.stdin)
        self._process.stdin.flush()

    def answer(self) -> PreparedFile | MPDFormatError:
        try:
            kind, value = pickle.load(self._process.stdout)
        except EOFError:
            raise RuntimeError(f"the process preparing MPD files stopped (exit status {self._process.wait()})") from None
        if kind == "failed":
            raise value
        return value

    def __enter__(self) -> PreparingProcess:
        return self

    def __exit__(self, *exc) -> None:
        # Closing both pipes ends it even while it writes an answer no one will read.
        self._process.stdin.close()
        self._process.stdout.close()
        try:
            self._process.wait(timeout=30)
        except subprocess.TimeoutExpired:
            self._process.kill()
            self._process.wait()


def _serve() -> None:
    """The preparing process: (path, skip_bad) in, ("file" | "error" | "failed", value) out."""
    # Ctrl-C reaches the whole process group: the storing process stops the ingest
    # cleanly, this one must not print a traceback of its own.
    signal.signal(signal.SIGINT, signal.SIG_IGN)
    # A file's objects form no cycles and are freed as the next is read: the collector's
    # passes over millions of fresh objects would only cost a quarter of the decoding.
    gc.disable()
    answers = os.fdopen(os.dup(1), "wb")
    os.dup2(2, 1)  # a stray print must not corrupt the answers
    requests, preparer = sys.stdin.buffer, FilePreparer()
    while True:
        try:
            path, skip_bad = pickle.load(requests)
        except EOFError:
            return
        try:
            answer = ("file", preparer.prepare(path, skip_bad))
        except MPDFormatError as error:
            answer = ("error", error)
        except Exception as error:  # an internal error: raised again in the storing process
            answer = ("failed", RuntimeError(f"preparing {path}: {type(error).__name__}: {error}"))
        try:
            pickle.dump(answer, answers, protocol=pickle.HIGHEST_PROTOCOL)
            answers.flush()
        except BrokenPipeError:  # the ingest stopped and no longer listens
            return


if __name__ == "__main__":
    # Through the module's importable name, so that what is pickled names it, not __main__.
    from retrieval.mpd.prepare import _serve as serve

    serve()
