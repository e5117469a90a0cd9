"""Writing a command's output file: checked before the work, errors as one line after it.

`-o` names a file the user wants; a folder, a device, a link, a missing folder or a
place that cannot be written is said at once, before any slow step; a write that still
fails (a full disk) is an `OutputError`, shown as one line like every user error. The
rules are those of every file a user names (`agent.files`).
"""

from __future__ import annotations

from pathlib import Path

from agent.errors import OutputError
from agent.files import check_user_path, write_user_file

__all__ = ["OutputError", "check_output", "write_output"]


def check_output(path: Path | None, inputs: tuple[Path | None, ...] = ()) -> None:
    """Refuse an output path that cannot work, or that is one of `inputs`, before any work is done."""
    if path is not None:
        check_user_path(path, inputs)


def write_output(path: Path, text: str) -> None:
    write_user_file(path, text)
