"""Errors the operating system raises that are the user's to fix, said in their words.

A read-only data dir, a full disk, a file-size limit (`ulimit -f`) or a name too long for
the file system is not a bug: it is exit 1 with one line naming the path and the cause,
never an internal error.
"""

from __future__ import annotations

import errno
import os

from retrieval.echo import ECHO_CHARS, printable

_CAUSES = {
    errno.EROFS: "is read-only (its storage is mounted read-only); nothing was changed",
    errno.ENOSPC: "cannot be written: no space is left on its device",
    errno.EDQUOT: "cannot be written: the disk quota is used up",
    errno.EFBIG: "cannot grow: it reached the file size limit (ulimit -f) or the file system's",
    errno.ENAMETOOLONG: "has a name too long for the file system (at most 255 bytes a name)",
    errno.EACCES: "cannot be used: permission denied",
    errno.EPERM: "cannot be used: operation not permitted",
}


def os_error_message(error: BaseException) -> str | None:
    """The one-line message of an OSError a user can act on, or None for any other error."""
    cause = _cause(error) if isinstance(error, OSError) else None
    if cause is None:
        return None
    return f"{_end_of(str(error.filename)) if error.filename else 'a file'} {cause}"


def _cause(error: OSError) -> str | None:
    # A file where the data dir keeps a folder (chroma/, catalog.sqlite.models/): mkdir says
    # EEXIST and anything below it ENOTDIR. An EEXIST of another kind stays an internal error.
    path = str(error.filename) if error.filename else ""
    if error.errno == errno.EEXIST and os.path.lexists(path) and not os.path.isdir(path):
        return "is not a folder, though the data dir keeps one there; move it aside and run the command again"
    if error.errno == errno.ENOTDIR:
        return "lies under a file where the data dir keeps a folder; move that file aside and run the command again"
    return _CAUSES.get(error.errno)


def _end_of(path: str) -> str:
    # A long path is shown by its end, where the file's own name is, within the echo limit.
    return printable(path) if len(path) <= ECHO_CHARS else "…" + printable(path[-(ECHO_CHARS - 1):])
