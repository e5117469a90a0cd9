"""Finding and reading MPD files safely: regular files only, bounded in size.

Limits (each a clear error naming the file, never an exhausted memory or a hang):

- only regular files are opened (`os.stat` first), so a FIFO named `x.json` or a device
  such as `/dev/zero` is refused instead of read forever;
- a file, or a `.gz` file once decompressed, holds at most `MAX_FILE_BYTES` (1 GiB;
  MPD slices are about 33 MB), checked while streaming, so a gzip bomb stops early;
- a symbolic link loop is reported as such, not as a missing file.
"""

from __future__ import annotations

import errno
import gzip
import os
import re
import stat
import zlib
from collections.abc import Iterable
from pathlib import Path

from retrieval.json_reader import file_kind
from retrieval.mpd.errors import MPDFormatError

MAX_FILE_BYTES = 1 << 30
_READ_CHUNK = 16 << 20
MPD_SUFFIXES = (".json", ".json.gz")


def _slice_order(path: Path) -> tuple[int, str]:
    match = re.search(r"(\d+)-\d+", path.name)
    return (int(match.group(1)) if match else -1, path.name)


def _stat(path: Path) -> os.stat_result:
    try:
        return os.stat(path)
    except OSError as error:
        if error.errno == errno.ELOOP:
            raise MPDFormatError(path, "symbolic link loop (the link points back to itself)") from error
        if error.errno in (errno.ENOENT, errno.ENOTDIR):
            raise MPDFormatError(path, "no such file or folder") from error
        raise MPDFormatError(path, f"cannot read: {error.strerror}") from error


def find_files(paths: Iterable[str | Path]) -> list[Path]:
    """Expand folders to the MPD files inside them, in slice order."""
    found: list[Path] = []
    for raw in paths:
        path = Path(raw)
        if stat.S_ISDIR(_stat(path).st_mode):
            inside = [p for p in path.iterdir() if p.name.endswith(MPD_SUFFIXES)]
            if not inside:
                raise MPDFormatError(path, "folder holds no .json or .json.gz files")
            found.extend(sorted(inside, key=_slice_order))
        else:
            found.append(path)
    return found


def read_bytes(path: Path) -> bytes | bytearray:
    """The file's content, decompressed when it ends in .gz; refused past the limits."""
    mode = _stat(path).st_mode
    if not stat.S_ISREG(mode):
        raise MPDFormatError(path, f"is {file_kind(mode)}, not a regular file; give an MPD .json or .json.gz file")
    if not path.name.endswith(".gz"):
        return _read_plain(path)
    data = bytearray()
    try:
        with gzip.open(path, "rb") as handle:
            while chunk := handle.read(_READ_CHUNK):
                data += chunk
                if len(data) > MAX_FILE_BYTES:
                    raise MPDFormatError(path, f"holds more than {_size(MAX_FILE_BYTES)} (decompressed); "
                                         "split it into MPD slices")
    except (OSError, EOFError, zlib.error) as error:
        raise MPDFormatError(path, f"cannot read file: {error}") from error
    return data  # orjson parses a bytearray as it is: no second copy


def _read_plain(path: Path) -> bytes:
    """One read into a buffer of the file's size: no growing, no copy."""
    try:
        with open(path, "rb") as handle:
            too_big = os.fstat(handle.fileno()).st_size > MAX_FILE_BYTES
            data = b"" if too_big else handle.read()
    except OSError as error:
        raise MPDFormatError(path, f"cannot read file: {error}") from error
    if too_big or len(data) > MAX_FILE_BYTES:
        raise MPDFormatError(path, f"holds more than {_size(MAX_FILE_BYTES)}; split it into MPD slices")
    return data


def _size(count: int) -> str:
    return f"{count / (1 << 30):g} GiB" if count >= 1 << 30 else f"{count:,} bytes"
