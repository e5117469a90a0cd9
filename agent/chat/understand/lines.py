"""Parse mode: messages in, one JSON object per message out (what `agent chat --parse` prints)."""

from __future__ import annotations

import json
from collections.abc import Iterable, Iterator

from agent.chat.understand.message import ParseContext
from agent.chat.understand.parser import Understander
from agent.safe_text import json_safe


def parsed_lines(understander: Understander, messages: Iterable[str],
                 context: ParseContext | None = None) -> Iterator[str]:
    """`{"text", "action", "slots", "confidence"}` as one JSON line per non-blank message, and
    `"found"` where `context` (a catalog) was asked what a name is.

    Control and bidi characters are written as \\u escapes (`json_safe`), so a message cannot
    move the terminal's cursor.
    """
    for message in messages:
        if message.strip():
            yield json_safe(json.dumps(understander.parse(message.strip(), context).as_line(), ensure_ascii=False))
