"""Text from users and catalogs, made safe to show in a terminal.

A title or a track name is data, never formatting: Rich markup in it (`[bold]`,
`[link=…]`, a stray `[/]` that would raise MarkupError) is escaped, and terminal
control sequences (ESC, OSC window-title and hyperlink codes, BEL, any C0 or C1
control character) are removed, so nothing a catalog holds can restyle, retitle or
clear the user's terminal. File formats escape their own way (see `render.py`).
"""

from __future__ import annotations

import re

from rich.markup import escape

# Whole escape sequences first (so their parameters do not survive as text), then any
# control character left: OSC ... BEL/ST, CSI ... final byte, two-byte ESC sequences.
_SEQUENCES = re.compile(
    r"(?:\x1b\]|\x9d).*?(?:\x07|\x1b\\|\x9c|$)"
    r"|(?:\x1b\[|\x9b)[0-?]*[ -/]*[@-~]"
    r"|\x1b[@-Z\\-_]",
    re.DOTALL,
)
_CONTROLS = re.compile(r"[\x00-\x1f\x7f-\x9f]")
# Bidirectional overrides and isolates reorder what follows them on screen ("gpj.exe" shown
# as "exe.jpg"): dropped, as they carry no visible character of their own.
_BIDI = re.compile(r"[\u061c\u200e\u200f\u202a-\u202e\u2066-\u2069]")
# JSON escapes C0 controls itself but leaves DEL, C1 (0x9b is a CSI to some terminals) and
# bidi controls raw; JSON's structure is ASCII, so these stand only inside its strings.
_RAW_IN_JSON = re.compile(rf"[\x7f-\x9f]|{_BIDI.pattern}")


def clean(text: object) -> str:
    """One line of plain text: escape sequences and bidi controls dropped, every control
    character a space (so words stay apart), runs of spaces kept as they were otherwise."""
    return _CONTROLS.sub(" ", _BIDI.sub("", _SEQUENCES.sub("", str(text))))


def safe_text(text: object) -> str:
    """`clean` text escaped for Rich markup: for strings that Rich parses (titles,
    captions, `console.print` lines)."""
    return escape(clean(text))


def json_safe(json_text: str) -> str:
    """JSON text (as json.dumps or pydantic writes it) with every character a terminal
    would obey written as a \\u escape: a JSON reader gets the same strings back."""
    return _RAW_IN_JSON.sub(lambda raw: f"\\u{ord(raw.group()):04x}", json_text)
