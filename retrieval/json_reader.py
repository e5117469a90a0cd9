"""Reading JSON that comes from outside (a server's answer, a profile file, a titles file
line, a request body, a challenge set) with limits on its size and its nesting.

Python's own parser raises RecursionError on about a thousand nested brackets, and
code that later walks a deep value recursively (validation, printing) can do the same:
an internal error where the input is simply bad. Here every fault, a malformed text,
a text over `max_bytes` or a value nested deeper than `max_depth`, is one
`JSONInputError` naming `what` was read and what is wrong with it.

orjson parses (it has a fixed limit of its own, 1,024 levels, so it never recurses
without bound); the depth is then checked without recursion, level by level, skipping
containers that hold only scalars in one C-level pass.
"""

from __future__ import annotations

import json
from typing import Any

import orjson

MAX_DEPTH = 200
MAX_BYTES = 64 << 20  # 64 MiB: a large MPD slice is 30 MB
_SCALARS = frozenset({str, int, float, bool, type(None)})


class JSONInputError(ValueError):
    """External JSON that is malformed, too large or nested too deeply; the message says which."""


def read_json(
    text: str | bytes | bytearray | memoryview,
    *,
    what: str,
    max_depth: int = MAX_DEPTH,
    max_bytes: int = MAX_BYTES,
    lenient_strings: bool = False,
) -> Any:
    """The value `text` holds, or JSONInputError naming `what` and the fault.

    `lenient_strings` lets raw tabs and newlines inside strings through (as llama.cpp's
    grammar produces them); the standard library parses then, guarded the same way.
    """
    size = len(text.encode("utf-8", "surrogatepass")) if isinstance(text, str) else len(text)
    if size > max_bytes:
        raise JSONInputError(f"{what} holds {size:,} bytes, over the limit of {max_bytes:,}")
    too_deep = JSONInputError(f"{what} is nested deeper than {max_depth} levels")
    value = _parse(text, what, lenient_strings, too_deep)
    if not within_depth(value, max_depth):
        raise too_deep
    return value


def _parse(text: str | bytes | bytearray | memoryview, what: str, lenient_strings: bool,
           too_deep: JSONInputError) -> Any:
    try:
        if lenient_strings:
            return json.loads(bytes(text) if isinstance(text, (bytearray, memoryview)) else text, strict=False)
        return orjson.loads(text)
    except RecursionError:
        raise too_deep from None
    except orjson.JSONDecodeError as error:
        if "depth limit" in error.msg or "recursion limit" in error.msg:
            raise too_deep from None
        raise JSONInputError(f"{what} is not valid JSON ({error.msg} at line {error.lineno}, "
                             f"column {error.colno})") from None
    except json.JSONDecodeError as error:
        raise JSONInputError(f"{what} is not valid JSON ({error.msg} at line {error.lineno}, "
                             f"column {error.colno})") from None
    except UnicodeDecodeError as error:
        raise JSONInputError(f"{what} is not UTF-8 text (byte {error.start})") from None


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
