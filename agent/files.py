"""Writing a file so that it is either the old one or the new one, never half of each.

The content goes to a temporary file in the same folder (so the rename stays on one
file system), is flushed to disk, then renamed over the target. A Ctrl-C or a crash
mid-write leaves the previous file whole. The temporary file is created readable by
its owner only (mkstemp), which keeps secrets private even before the rename.
"""

from __future__ import annotations

import os
import tempfile
from pathlib import Path


def write_atomic(path: Path, content: str | bytes, mode: int | None = None) -> Path:
    """Replace `path` with `content` (text as UTF-8) in one step; `mode` None keeps the owner-only 0o600."""
    path = Path(path)
    path.parent.mkdir(parents=True, exist_ok=True)
    data = content.encode("utf-8") if isinstance(content, str) else content
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
    return path
