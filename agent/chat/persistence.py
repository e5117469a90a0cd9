"""What the chat writes to disk: the playlist to a file the person names."""

from __future__ import annotations

import re
from pathlib import Path

from agent.chat.outcome import ChatError
from agent.chat.session import Version
from agent.files import FileWriteError, write_user_file
from agent.render import as_text

SAVE_FORMATS = {".json": "json", ".csv": "csv", ".m3u": "m3u", ".m3u8": "m3u"}
DEFAULT_SUFFIX = ".m3u"  # what music players open


def file_name(words: str) -> str:
    """A file name made from the words given, in M3U unless they name a format: "saturday dinner" ->
    "saturday-dinner.m3u", "mix.json" -> "mix.json"."""
    text = words.strip().strip("\"'")
    if Path(text).suffix.lower() in SAVE_FORMATS:
        return text
    slug = "-".join(re.findall(r"[^\W_]+", text.lower()))[:60].strip("-")
    return (slug or "playlist") + DEFAULT_SUFFIX


def save_playlist(current: Version | None, path: str | Path, fmt: str | None = None, overwrite: bool = True) -> Path:
    """Write the playlist as json, csv or m3u (from the extension when no format is given).

    `overwrite` False (saves a model asked for): an existing file is never replaced.
    """
    if current is None:
        raise ChatError("there is no playlist to save yet")
    target = _target(path)
    suffix = target.suffix.lower()
    if fmt is None:
        if suffix not in SAVE_FORMATS:
            raise ChatError(f"name the file .json, .csv or .m3u (got “{target.name}”)")
        fmt = SAVE_FORMATS[suffix]
    if fmt not in set(SAVE_FORMATS.values()):
        raise ChatError(f"unknown format {fmt!r}; choose json, csv or m3u")
    if not overwrite and (target.exists() or suffix not in SAVE_FORMATS):
        raise ChatError(f"{target} exists or is not a .json/.csv/.m3u file; save it yourself with /save {target}")
    try:
        return write_user_file(target, as_text(current.playlist, fmt) + "\n")
    except FileWriteError as error:
        raise ChatError(str(error)) from None


def _target(path: str | Path) -> Path:
    text = str(path).strip().strip("\"'")
    if not text:
        raise ChatError("give a file name, e.g. /save playlist.json")
    return Path(text).expanduser()
