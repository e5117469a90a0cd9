"""Preference memory: a named profile of liked and unwanted tracks and artists.

A profile is one JSON file, DATA_DIR/profiles/NAME.json, written atomically (a
temporary file renamed over the old one), so Ctrl-C never leaves half a profile. An
unreadable file is moved aside untouched, named in a warning, and a fresh profile is
used: a broken file must not stop playlist generation, nor be overwritten.

Changes go through `update_profile`: it locks the profiles folder, re-reads the file,
applies the change and writes it back, so two writers (a chat open for an hour and an
`agent profile dislike` meanwhile, or sixteen of those at once) never erase each
other's edits.
"""

from __future__ import annotations

import contextlib
import fcntl
import os
import re
from collections.abc import Callable, Iterator
from pathlib import Path

from pydantic import BaseModel, ConfigDict, Field

from agent.files import write_atomic
from retrieval.echo import clip
from retrieval.generator import GenerationOptions
from retrieval.json_reader import InputFileError, read_json_file
from retrieval.normalize import normalize_title
from retrieval.set_aside import aside_path

DEFAULT_PROFILE = "default"
# A profile is read on every request that names it: past these it would slow them all.
MAX_ENTRIES = 1000  # per list (liked tracks, unwanted artists, ...)
MAX_BYTES = 256 * 1024
_NAME = re.compile(r"[\w.-]{1,64}")
MAX_PROFILE_BYTES = 16 << 20  # about 150,000 liked tracks


class ProfileError(ValueError):
    """A profile name that cannot be a file name."""


class ProfileTooLargeError(ProfileError):
    """A change that would take a profile past MAX_ENTRIES or MAX_BYTES; nothing was written."""


class Profile(BaseModel):
    model_config = ConfigDict(extra="forbid")

    version: int = 1
    liked_tracks: list[str] = Field(default_factory=list, description="track URIs")
    unwanted_tracks: list[str] = Field(default_factory=list, description="track URIs")
    liked_artists: list[str] = Field(default_factory=list)
    unwanted_artists: list[str] = Field(default_factory=list)

    def like_track(self, uri: str) -> None:
        _move(uri, into=self.liked_tracks, out_of=self.unwanted_tracks)

    def dislike_track(self, uri: str) -> None:
        _move(uri, into=self.unwanted_tracks, out_of=self.liked_tracks)

    def like_artist(self, artist: str) -> None:
        _move(artist, into=self.liked_artists, out_of=self.unwanted_artists, key=normalize_title)

    def dislike_artist(self, artist: str) -> None:
        _move(artist, into=self.unwanted_artists, out_of=self.liked_artists, key=normalize_title)

    def clear(self) -> None:
        for items in (self.liked_tracks, self.unwanted_tracks, self.liked_artists, self.unwanted_artists):
            items.clear()

    def is_empty(self) -> bool:
        return not (self.liked_tracks or self.unwanted_tracks or self.liked_artists or self.unwanted_artists)

    def apply(self, options: GenerationOptions) -> GenerationOptions:
        """The generation options with this profile's exclusions and likes added."""
        return GenerationOptions(**{
            **options.__dict__,
            "exclude_artists": tuple(dict.fromkeys(options.exclude_artists + tuple(self.unwanted_artists))),
            "exclude_track_uris": options.exclude_track_uris | frozenset(self.unwanted_tracks),
            "liked_track_uris": tuple(dict.fromkeys(options.liked_track_uris + tuple(self.liked_tracks))),
        })


def _move(item: str, into: list[str], out_of: list[str], key=lambda s: s) -> None:
    wanted = key(item)
    out_of[:] = [existing for existing in out_of if key(existing) != wanted]
    if all(key(existing) != wanted for existing in into):
        into.append(item)


def profile_path(home: Path, name: str) -> Path:
    if not _NAME.fullmatch(name):  # fullmatch: `$` alone would accept a trailing newline
        raise ProfileError(f"profile name {clip(name)!r} must be 1-64 letters, digits, '.', '-' or '_'")
    return home / "profiles" / f"{name}.json"


def load_profile(home: Path, name: str = DEFAULT_PROFILE) -> tuple[Profile, str | None]:
    """The profile, and a warning when its file was unreadable and set aside."""
    path = profile_path(home, name)
    if not path.exists():
        return Profile(), None
    try:
        return Profile.model_validate(read_json_file(path, what="it", max_bytes=MAX_PROFILE_BYTES)), None
    except (OSError, ValueError) as error:  # InputFileError and ValidationError are ValueErrors
        reason = clip(error.problem if isinstance(error, InputFileError) else str(error).splitlines()[0])
        try:
            aside = aside_path(path, "unreadable")
            os.replace(path, aside)
        except OSError as cannot:  # read-only storage: the file stays, and so does the warning
            return Profile(), (f"profile file {path} is unreadable ({reason}) and cannot be set aside "
                               f"({cannot.strerror}); using a fresh profile")
        return Profile(), f"profile file {path} is unreadable ({reason}); kept aside as {aside.name}, using a fresh profile"


def save_profile(home: Path, profile: Profile, name: str = DEFAULT_PROFILE) -> Path:
    path = profile_path(home, name)
    write_atomic(path, profile.model_dump_json(indent=2))
    return path


@contextlib.contextmanager
def _locked(home: Path) -> Iterator[None]:
    """Hold an exclusive lock on the profiles folder (released when the process dies).

    The folder itself is locked rather than a lock file beside the profile, so no
    extra file appears among the profiles.
    """
    folder = home / "profiles"
    folder.mkdir(parents=True, exist_ok=True)
    handle = os.open(folder, os.O_RDONLY)
    try:
        fcntl.flock(handle, fcntl.LOCK_EX)
        yield
    finally:
        os.close(handle)  # closing the descriptor releases the lock


def update_profile(
    home: Path, name: str, change: Callable[[Profile], None]
) -> tuple[Profile, str | None]:
    """Apply `change` to the stored profile under a lock: read, change, write atomically.

    Returns the profile as written and the warning of `load_profile`, if any. Holders
    of a profile loaded earlier call this for each edit instead of saving their copy,
    so edits made by others meanwhile are kept.
    """
    profile_path(home, name)  # validate the name before touching the folder
    with _locked(home):
        profile, warning = load_profile(home, name)
        change(profile)
        _check_size(profile, name)
        save_profile(home, profile, name)
    return profile, warning


def _check_size(profile: Profile, name: str) -> None:
    lists = {"liked tracks": profile.liked_tracks, "unwanted tracks": profile.unwanted_tracks,
             "liked artists": profile.liked_artists, "unwanted artists": profile.unwanted_artists}
    for what, items in lists.items():
        if len(items) > MAX_ENTRIES:
            raise ProfileTooLargeError(f"profile {name!r} would hold {len(items):,} {what}, over the limit of "
                                       f"{MAX_ENTRIES:,}; clear it or use another profile")
    size = len(profile.model_dump_json(indent=2).encode())
    if size > MAX_BYTES:
        raise ProfileTooLargeError(f"profile {name!r} would take {size:,} bytes, over the limit of {MAX_BYTES:,}; "
                                   "clear it or use another profile")
