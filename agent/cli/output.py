"""Writing a command's output file: checked before the work, errors as one line after it.

`-o` names a file the user wants; a folder, a missing folder or a place that cannot be
written is said at once, before any slow step; a write that still fails (a full disk,
/dev/full) is an `OutputError`, shown as one line like every user error.
"""

from __future__ import annotations

import os
from pathlib import Path

from agent.errors import OutputError

__all__ = ["OutputError", "check_output", "write_output"]


def check_output(path: Path | None) -> None:
    """Refuse an output path that cannot work, before any work is done."""
    if path is None:
        return
    if str(path) in ("", ".") or path.is_dir():
        raise OutputError(f"the output {str(path)!r} is a folder or empty; give a file name such as -o playlist.json")
    folder = path.parent
    if not folder.is_dir():
        raise OutputError(f"cannot write {path}: the folder {folder} does not exist")
    if not os.access(path if path.exists() else folder, os.W_OK):
        raise OutputError(f"cannot write {path}: permission denied")


def write_output(path: Path, text: str) -> None:
    try:
        with open(path, "w", encoding="utf-8") as out:
            out.write(text)
    except OSError as error:
        raise OutputError(f"cannot write {path}: {error.strerror or error}") from None
