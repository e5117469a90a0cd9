"""Reading JSON that comes from outside (a server's answer, a profile file, a titles file
line, a request body, a challenge set) with limits on its size and its nesting.

Python's own parser raises RecursionError on about a thousand nested brackets, and
code that later walks a deep value recursively (validation, printing) can do the same:
an internal error where the input is simply bad. Here every fault, a malformed text,
a text over `max_bytes` or a value nested deeper than `max_depth`, is one
`JSONInputError` naming `what` was read and what is wrong with it.

orjson parses (it has a fixed limit of its own, 1,024 levels, so it never recurses
without bound); the depth is then checked without recursion, level by level, skipping
containers that hold only scalars in one C-level pass. On a large MPD-shaped file that
check costs a fifth to a third of the parse (benchmarks/bench_json_reader.py): a reader
whose validation never recurses (ingest, a challenge set read the same way) passes
`max_depth=None` and keeps orjson's own limit, at orjson's speed.
"""

from __future__ import annotations

import json
import os
import stat
import sys
from pathlib import Path
from typing import Any

import orjson

MAX_DEPTH = 200
MAX_BYTES = 64 << 20  # 64 MiB: a large MPD slice is 30 MB
_PARSER_DEPTH = 1_000  # about where orjson (1,024) and Python's parser (the recursion limit) stop
_SCALARS = frozenset({str, int, float, bool, type(None)})


class InputFileError(ValueError):
    """An input that cannot be read as given (a device, a folder, too large); the message says which."""

    def __init__(self, what: str, problem: str):
        self.problem = problem  # the message without the name of what was read
        super().__init__(f"{what} {problem}")


class JSONInputError(InputFileError):
    """External JSON that is malformed, too large or nested too deeply; the message says which."""


class JSONNestingError(JSONInputError):
    """Well-formed JSON nested deeper than the limit."""


def read_limited(path: Path, *, max_bytes: int = MAX_BYTES, what: str | None = None) -> bytes:
    """A regular file's bytes (or standard input's, for `-`), refused past `max_bytes`.

    Devices, pipes and folders are refused before any read: /dev/zero would never end.
    """
    what = what or str(path)
    if str(path) == "-":
        data = sys.stdin.buffer.read(max_bytes + 1)
    else:
        mode = os.stat(path).st_mode
        if not stat.S_ISREG(mode):
            raise InputFileError(what, f"is {file_kind(mode)}, not a regular file")
        with open(path, "rb") as handle:
            data = handle.read(max_bytes + 1)
    if len(data) > max_bytes:
        raise InputFileError(what, f"holds more than {max_bytes:,} bytes")
    return data


def read_json_file(path: Path, *, what: str | None = None, max_depth: int | None = MAX_DEPTH,
                   max_bytes: int = MAX_BYTES) -> Any:
    """`read_json` of a file read by `read_limited` (a challenge set, a profile)."""
    what = what or str(path)
    return read_json(read_limited(path, max_bytes=max_bytes, what=what), what=what, max_depth=max_depth,
                     max_bytes=max_bytes)


def file_kind(mode: int) -> str:
    """What a non-regular file is, for a message: "a device", "a folder"..."""
    kinds = ((stat.S_ISDIR, "a folder"), (stat.S_ISCHR, "a device"), (stat.S_ISBLK, "a device"),
             (stat.S_ISFIFO, "a named pipe (FIFO)"), (stat.S_ISSOCK, "a socket"), (stat.S_ISLNK, "a symbolic link"))
    return next((name for test, name in kinds if test(mode)), "not a regular file")


def read_json(
    text: str | bytes | bytearray | memoryview,
    *,
    what: str,
    max_depth: int | None = MAX_DEPTH,
    max_bytes: int = MAX_BYTES,
    lenient_strings: bool = False,
) -> Any:
    """The value `text` holds, or JSONInputError naming `what` and the fault.

    `lenient_strings` lets raw tabs and newlines inside strings through (as llama.cpp's
    grammar produces them); the standard library parses then, guarded the same way.
    """
    size = len(text.encode("utf-8", "surrogatepass")) if isinstance(text, str) else len(text)
    if size > max_bytes:
        raise JSONInputError(what, f"holds {size:,} bytes, over the limit of {max_bytes:,}")
    too_deep = JSONNestingError(what, f"is nested deeper than {max_depth or _PARSER_DEPTH} levels")
    value = _parse(text, what, lenient_strings, too_deep)
    if max_depth is not None and not within_depth(value, max_depth):
        raise too_deep
    return value


def _parse(text: str | bytes | bytearray | memoryview, what: str, lenient_strings: bool,
           too_deep: JSONNestingError) -> Any:
    try:
        if lenient_strings:
            return json.loads(bytes(text) if isinstance(text, (bytearray, memoryview)) else text, strict=False)
        return orjson.loads(text)
    except RecursionError:
        raise too_deep from None
    except orjson.JSONDecodeError as error:
        if "depth limit" in error.msg or "recursion limit" in error.msg:
            raise too_deep from None
        if "UTF-8" in error.msg and not isinstance(text, str):
            raise _not_utf8(what, bytes(text)) from None
        raise _malformed(what, error) from None
    except json.JSONDecodeError as error:
        raise _malformed(what, error) from None
    except UnicodeDecodeError:
        raise _not_utf8(what, bytes(text)) from None


def _not_utf8(what: str, data: bytes) -> JSONInputError:
    try:
        data.decode("utf-8")
    except UnicodeDecodeError as error:
        return JSONInputError(what, f"is not UTF-8 text (byte {error.start})")
    return JSONInputError(what, "is not UTF-8 text")


def _malformed(what: str, error: json.JSONDecodeError) -> JSONInputError:
    return JSONInputError(what, f"is not valid JSON ({error.msg}, line {error.lineno} column {error.colno})")


def within_depth(value: Any, max_depth: int = MAX_DEPTH) -> bool:
    """Whether `value` nests containers at most `max_depth` deep (a scalar is depth 0)."""
    level = [value] if type(value) in (dict, list) else []
    depth = 0
    while level:
        depth += 1
        if depth > max_depth:
            return False
        below: list[Any] = []
        for node in level:
            children = node.values() if type(node) is dict else node
            if not _SCALARS.issuperset(map(type, children)):
                below.extend(child for child in children if type(child) in (dict, list))
        level = below
    return True
