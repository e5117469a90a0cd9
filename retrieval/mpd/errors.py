"""The error every MPD reading problem raises: it names the file, the pid and the field."""

from __future__ import annotations

from pathlib import Path
from typing import Any

from retrieval.echo import clip, printable


class MPDFormatError(ValueError):
    """A file or playlist that is not valid MPD; the message names the file, pid and field.

    The pid is quoted clipped: in a bad file it may be any JSON value, of any size.
    """

    def __init__(self, path: Path, message: str, pid: Any = None, field: str | None = None):
        self.path, self.pid, self.field, self.message = path, pid, field, message
        where = printable(str(path))
        if pid is not None:
            where += f", playlist pid={clip(pid)}"
        if field is not None:
            where += f", field '{clip(field)}'"
        super().__init__(f"{where}: {message}")

    def __reduce__(self):
        # Raised in the process that parses ahead, re-raised in the one that stores.
        return type(self), (self.path, self.message, self.pid, self.field)
