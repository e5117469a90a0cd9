"""Quoting user text inside messages: short, and with no terminal control characters.

A playlist name can be megabytes long or hold escape sequences; an error or warning
names it by a clipped, printable prefix so it neither floods nor drives a terminal.
"""

from __future__ import annotations

import re

ECHO_CHARS = 80
_CONTROL = re.compile(r"[\x00-\x1f\x7f-\x9f\u200b-\u200f\u202a-\u202e\u2066-\u2069]")


def clip(value: object, limit: int = ECHO_CHARS) -> str:
    """`value` as printable text of at most `limit` characters, "…" marking a cut."""
    if isinstance(value, (dict, list)):
        text = f"a JSON {'object' if isinstance(value, dict) else 'list'}"  # never echo a structure whole
    else:
        text = value if isinstance(value, str) else repr(value)
    text = _CONTROL.sub("\ufffd", text[: limit * 2])
    return text if len(text) <= limit else text[:limit] + "…"


def printable(text: str) -> str:
    """`text` whole, with terminal control characters replaced by U+FFFD."""
    return _CONTROL.sub("\ufffd", text)
