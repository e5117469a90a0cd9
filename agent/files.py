"""Writing files: the program's own, atomically; the ones a user names, in place and only
when what stands there is a regular file or nothing.

`write_atomic` is for files the program owns (in its data dir): the content goes to a
temporary file in the same folder (so the rename stays on one file system), is flushed
to disk, then renamed over the target. A Ctrl-C or a crash mid-write leaves the previous
file whole. The temporary file is created readable by its owner only (mkstemp), which
keeps secrets private even before the rename.

`open_user_file` and `write_user_file` are for every path a user names (`-o`,
`--transcript`, the chat's `/save`, report folders). A rename there would replace
whatever stands at the path, a device node, a symbolic link or /dev/full itself, with a
regular file; so the path is looked at first (`os.lstat`: a regular file, or nothing),
opened without following a link, checked again on the open descriptor, and only then
emptied and written. Missing folders are never created, and every refusal or failed
write (a full disk included) is one `FileWriteError` naming the path.
"""

from __future__ import annotations

import contextlib
import os
import stat
import tempfile
from collections.abc import Iterable
from pathlib import Path
from typing import TextIO

from retrieval.echo import clip, printable
from retrieval.json_reader import file_kind

_OPEN_FLAGS = os.O_WRONLY | os.O_CREAT | os.O_NOFOLLOW | os.O_NOCTTY | getattr(os, "O_CLOEXEC", 0)


class FileWriteError(Exception):
    """A file the user named that cannot, or must not, be written; the message names it."""


def check_user_path(path: Path, inputs: Iterable[Path | None] = ()) -> None:
    """Refuse a path that cannot work, before any slow step: a folder, a device, a link,
    a missing folder, a name with control characters, a place that cannot be written,
    one of the command's `inputs`."""
    refuse_input_as_output(path, inputs)
    shown = printable(str(path))
    if str(path) in ("", "."):
        raise FileWriteError(f"the output {shown!r} is a folder or empty; give a file name such as playlist.json")
    if printable(path.name) != path.name:
        raise FileWriteError(f"the file name {clip(path.name)!r} holds control characters; choose another name")
    try:
        mode = os.lstat(path).st_mode
    except FileNotFoundError:
        mode = None
    except OSError as error:
        raise FileWriteError(f"cannot write {shown}: {error.strerror}") from None
    if mode is not None and not stat.S_ISREG(mode):
        raise FileWriteError(f"cannot write {shown}: it is {file_kind(mode)}, not a regular file; "
                             "give a new file name")
    if not path.parent.is_dir():
        raise FileWriteError(f"cannot write {shown}: the folder {printable(str(path.parent))} does not exist")
    if not os.access(path if mode is not None else path.parent, os.W_OK):
        raise FileWriteError(f"cannot write {shown}: permission denied")


def refuse_input_as_output(path: Path, inputs: Iterable[Path | None]) -> None:
    """Writing over a file the command reads would empty it: whatever was read into
    memory goes with the run, the user's file is lost. Any name for it counts (a link,
    `./x`), so the files themselves are compared."""
    for source in inputs:
        with contextlib.suppress(OSError):  # no output yet, or an input that is not a file: nothing to lose
            if source is not None and os.path.samefile(path, source):
                raise FileWriteError(f"cannot write {printable(str(path))}: it is the input file "
                                     f"{printable(str(source))}; give the output another name")


def open_user_file(path: Path) -> TextIO:
    """`path` opened for writing text, emptied; refused as `check_user_path` says."""
    path = Path(path)
    check_user_path(path)
    try:
        handle = os.open(path, _OPEN_FLAGS, 0o666)
    except OSError as error:  # a link or a device put there since the check, or the OS refusing
        raise FileWriteError(f"cannot write {printable(str(path))}: {error.strerror}") from None
    mode = os.fstat(handle).st_mode
    if not stat.S_ISREG(mode):
        os.close(handle)
        raise FileWriteError(f"cannot write {printable(str(path))}: it is {file_kind(mode)}, not a regular file")
    os.ftruncate(handle, 0)
    return os.fdopen(handle, "w", encoding="utf-8")


def write_user_file(path: Path, text: str) -> Path:
    """Write `text` to the file the user named, or raise FileWriteError naming it."""
    path = Path(path)
    out = open_user_file(path)
    try:
        out.write(text)
        out.close()  # flushes: a full disk says so here
    except OSError as error:
        with contextlib.suppress(OSError):
            out.close()
        raise FileWriteError(f"cannot write {printable(str(path))}: {error.strerror or error}") from None
    return path


def write_atomic(path: Path, content: str | bytes, mode: int | None = None) -> Path:
    """Replace `path` with `content` (text as UTF-8) in one step; `mode` None keeps the owner-only 0o600.

    An OSError names `path` itself (not the temporary file), so a read-only data dir or a
    full disk is reported as the file the user knows.
    """
    path = Path(path)
    try:
        path.parent.mkdir(parents=True, exist_ok=True)
        _replace(path, content.encode("utf-8") if isinstance(content, str) else content, mode)
    except OSError as error:
        raise OSError(error.errno, error.strerror, str(path)) from error
    return path


def _replace(path: Path, data: bytes, mode: int | None) -> None:
    handle, temporary = tempfile.mkstemp(dir=path.parent, prefix=f".{path.name}.", suffix=".tmp")
    try:
        with os.fdopen(handle, "wb") as out:
            out.write(data)
            out.flush()
            os.fsync(out.fileno())
        if mode is not None:
            os.chmod(temporary, mode)
        os.replace(temporary, path)
    except BaseException:
        Path(temporary).unlink(missing_ok=True)
        raise
