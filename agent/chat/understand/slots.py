"""The slots of each action, read by rules from the message's own words."""

from __future__ import annotations

import re
from collections.abc import Callable
from typing import Any

from agent.chat.understand.discovery import discovery_sign
from agent.chat.understand.names import clean_name, name_slots
from agent.chat.understand.numbers import count_in, digits_for_words, positions_in
from agent.chat.understand.steering import steering_words

Slots = dict[str, Any]

_POLITE = (r"^(?:(?:hey|hi|ok|okay|so|um+|uh+|hmm+|well|yo|now|alright|right|and|also|oh|then|actually|"
           r"please|pls|plz|kindly|perhaps|possibly|(?:please )?note that|just so you know|fyi|for the record|btw|"
           r"can you|could you|would you|will you|can u|could u|would you mind|can we|could we|"
           r"i want you to|i'd like you to|i would like you to|i need you to|let's|lets|just|maybe|"
           r"go ahead and|you should|i think you should|try to|try and|forget (?:it|that|this)(?: one)?)[\s,]+)+")
_EXTENSIONS = r"\.(?:json|csv|m3u8?|txt|xspf|pls)"
_FILE = re.compile(rf"""(?P<path>"[^"]+{_EXTENSIONS}"|'[^']+{_EXTENSIONS}'|[^\s"']+{_EXTENSIONS})(?![\w])""",
                   re.IGNORECASE)


def polite_stripped(text: str) -> str:
    """"could you please remove Drake" -> "remove Drake"."""
    return re.sub(_POLITE, "", text.strip(), flags=re.IGNORECASE)


def _prefix_name(pattern: str, default_slot: str) -> Callable[[str, int | None], Slots]:
    verb = re.compile(pattern, re.IGNORECASE)

    def read(text: str, playlist_length: int | None) -> Slots:
        positions = _positions(text, playlist_length)
        if positions:
            return {"positions": positions}
        rest = polite_stripped(text)
        for _ in range(2):  # "ugh, i hate ..."
            rest = verb.sub("", rest, count=1)
        return name_slots(rest, default_slot)
    return read


def _positions(text: str, playlist_length: int | None) -> list[int]:
    lowered = digits_for_words(text.lower())
    if re.search(r"\bby\b|[a-z]\d|\d[a-z]{3}", lowered) and not re.search(r"(?:#|\bnumber|\bno\.?)\s*\d", lowered):
        return []  # "Blink 182", "Song 2 by Blur", "the 1975": digits inside a name
    return positions_in(lowered, playlist_length)


read_remove = _prefix_name(
    r"^(?:(?:please\s+)?(?:remove|take out|take off|pull|drop|delete|get rid of|skip|kick out|lose|cut|"
    r"ditch|toss|scrap|nix|exclude|throw out|yank|axe|bin)\s+|no more\s+|no\s+|"
    r"without\s+|minus\s+|nothing\s+(?:by|from)\s+|none\s+of\s+|not\s+|"
    r"(?:can we|could we|let's)\s+(?:lose|drop|skip|remove|cut)\s+|"
    r"i don'?t want\s+(?:any\s+)?|(?:get|take)\s+|enough\s+(?:of\s+)?)", "artist")
read_dislike = _prefix_name(
    r"^(?:i\s+(?:really\s+|just\s+|honestly\s+)?(?:hate|dislike|despise|can'?t stand|cannot stand|do not like|"
    r"don'?t like|don'?t love|never want to hear)\s+|"
    r"i(?:'?m| am)\s+(?:so\s+|really\s+)?(?:not a fan of|sick of|tired of|done with|over)\s+|"
    r"not a fan of\s+|dislike\s+|never\s+(?:ever\s+)?(?:play|give me|suggest|"
    r"recommend)\s+|don'?t\s+(?:ever\s+)?(?:play|give me|suggest|recommend)\s+|ban\s+|block\s+|"
    r"thumbs down(?:\s+(?:for|to|on))?\s+|(?:ugh|yuck|eww?|meh)[\s,]+|hate\s+)", "artist")
read_like = _prefix_name(
    r"^(?:i\s+(?:really\s+|just\s+|absolutely\s+|totally\s+)?(?:love|like|adore|dig|enjoy)\s+|"
    r"(?:love|like|adore)\s+|thumbs up(?:\s+(?:for|to|on))?\s+|(?:great|nice|good|awesome)\s+(?:pick|choice)"
    r"(?:\s+(?:with|on))?\s+|remember (?:that )?i (?:like|love)\s+|i'?m (?:a |such a )?(?:big |huge |massive )?fan of\s+|"
    r"(?:a |such a )?(?:big |huge |massive )?fan of\s+|(?:i'?m |i am )?(?:really |very |so )?fond of\s+|more\s+)", "artist")
read_explain = _prefix_name(
    r"^(?:why'?d (?:you|u) (?:put|pick|add|include|choose)\s+|"
    r"why\s+(?:is|was|'s|did (?:you|u) (?:pick|add|include|choose|put( in)?)|are|the heck is|on earth is|would you pick)"
    r"\s+|what(?:'?s| is| are)\s+|explain(?:\s+(?:why|to me why))?\s+|how did\s+|how come\s+(?:you (?:added|picked|chose)\s+)?|"
    r"reason for\s+|why\s+)(?:did (?:you|u) (?:put|pick|add|include|choose)\s+)?"
    r"(?:there(?:'s| is| are)?\s+)?", "song")
read_similar = _prefix_name(
    r"^(?:(?:(?:give me|play|find(?: me)?|add|i want|get me|show me|i'?d like)\s+)?(?:more|some|other)?\s*"
    r"(?:songs|tracks|stuff|music|things|ones|tunes|something|anything)?\s*(?:(?:that|which)\s+)?"
    r"(?:(?:sound|sounds|are|is)\s+)?(?:like|similar to|in the style of|(?:in|with) the (?:vibe|spirit) of|in the same vein as|"
    r"along the lines of|close to|in the vein of)\s+|similar\s+(?:songs\s+|tracks\s+)?to\s+)", "song")
_read_add_name = _prefix_name(
    r"^(?:add(?:\s+in)?|(?:put|throw|stick|squeeze|slip|pop)(?:\s+in)?|include|queue(?:\s+up)?|"
    r"i want to hear|i wanna hear|i want|play|append|insert|(?:can|could) (?:we|you) (?:get|have)|"
    r"i'?d like to hear|what about adding|how about adding|how about)\s+", "song")
# "put Toxic on"; case-sensitive, so "put Hold On" keeps its "On".
_PUT_ON = re.compile(r"^((?:put|stick|throw|pop|slap)\s+.+?)\s+on$")


def read_add(text: str, playlist_length: int | None) -> Slots:
    return _read_add_name(_PUT_ON.sub(r"\1", text.strip(" ?!.,")), playlist_length)


def read_steer(text: str, playlist_length: int | None) -> Slots:
    sign, rest = discovery_sign(text)
    words = steering_words(digits_for_words(rest))
    slots: Slots = {"words": words} if words else {}
    return {**slots, "discovery": sign} if sign else slots


_ABSOLUTE = re.compile(r"\b(?:only|just|exactly|total|in total|max|maximum|at most|down to|up to|limit|"
                       r"cap|make it|set|to|trim|cut it|keep)\b")
_PLUS = re.compile(r"\b(?:more|too short|not enough|longer|extra|another|add|additional|extend|bigger|expand|increase|lengthen)\b")
_MINUS = re.compile(r"\b(?:fewer|less|shorter|shorten|smaller|reduce|trim|cut|drop|remove|lose|shrink|too many|too long)\b")


def read_length(text: str, playlist_length: int | None) -> Slots:
    lowered = digits_for_words(text.lower())
    n = count_in(lowered)
    slots: Slots = {}
    if n is not None:
        slots["n"] = n
    if n is not None and _ABSOLUTE.search(lowered) and not re.search(r"\b(?:more|fewer|extra|another)\b", lowered):
        return slots
    if _MINUS.search(lowered):
        slots["change"] = "-"
    elif _PLUS.search(lowered):
        slots["change"] = "+"
    return slots


_NEW_PREFIX = re.compile(
    r"^(?:new idea\s*:?\s*|(?:start|begin)\s+(?:over|again|fresh|a new one)\s*(?:with|:|-|,)?\s*(?:some\s+|a\s+|an\s+)?|"
    r"(?:new|fresh|another)\s+(?:playlist|one|mix)\s*(?:for|about|with|:|-)?\s*(?:a\s+|an\s+|the\s+)?|"
    r"(?:now\s+)?(?:make|give|create|build|generate|put together|put on|whip up|play|find|get|do|i want|i need|"
    r"i'?d like|i'?d love|i would like|need|how about|gimme|what about|let'?s (?:do|have|make|try|get)|can i (?:get|have)|"
    r"i'?m in the mood for|in the mood for|i feel like|something different:?|switch to|change it to|"
    r"instead(?: make)?|recommend|suggest|show me)\s+(?:me\s+|us\s+)?(?:a\s+|an\s+|some\s+|another\s+|the\s+|new\s+|"
    r"fresh\s+|different\s+|whole new\s+|brand new\s+|completely different\s+)*"
    r"(?:(?:\d+|[a-z]+)[\s-](?:songs?|tracks?)\s+)?(?:new\s+)?(?:playlist|mix|list|set|songs?|tracks?|tunes|music|"
    r"something|stuff|one|vibes|soundtrack)?\s*(?:of\s+\d+\s+(?:songs?|tracks?)\s+)?"
    r"(?:for|about|with|called|named|titled|to|that(?:'s| is)|like|of|:|-)?\s*(?:a\s+|an\s+|the\s+|some\s+)?)",
    re.IGNORECASE,
)


_KIND_PREFIX = re.compile(
    r"^(?:a\s+|an\s+|some\s+|new\s+)*(?:\d+\s+(?:songs?|tracks?)\s+)?(?:playlist|mix|list|set|songs|tracks|tunes|music|"
    r"something|stuff)\s+(?:for|about|called|named|titled|with|of|:|-)\s+(?:a\s+|an\s+|the\s+)?", re.IGNORECASE)
_KIND_SUFFIX = re.compile(r"\s+(?:playlist|mix)$", re.IGNORECASE)


_TITLE_AFTER_KIND = re.compile(
    r"\b(?:playlist|mix|soundtrack|list|bangers|jams|bops|tunes)(?:\s*:|\s+(?:for|about|of|called|named|titled|with|to|:))"
    r"\s+(?:a\s+|an\s+|the\s+|some\s+)?"
    r"(?P<title>.+)$", re.IGNORECASE)


def read_new(text: str, playlist_length: int | None) -> Slots:
    stripped = polite_stripped(text)
    if after_kind := _TITLE_AFTER_KIND.search(stripped):
        title = after_kind.group("title")
    else:
        title = _NEW_PREFIX.sub("", stripped, count=1)
        title = _KIND_SUFFIX.sub("", _KIND_PREFIX.sub("", title, count=1))
    title = re.sub(r"(?:[\s,]+(?:please|pls|plz|thanks|thank you|thx|instead|now|for me|then))+[\s!.?]*$", "",
                   title, flags=re.IGNORECASE)
    title = title.strip(" ?!.,:;\"'“”")
    slots: Slots = {"title": title} if title else {}
    count = re.search(r"\b(\d{1,3}|[a-z]+)[\s-](?:songs?|tracks?)\b", digits_for_words(stripped.lower()))
    if count and count.group(1).isdigit():
        slots["n"] = int(count.group(1))
    return slots


def read_save(text: str, playlist_length: int | None) -> Slots:
    if match := _FILE.search(text):
        return {"path": match.group("path").strip("\"' ")}
    rest = re.sub(r"^.*?\b(?:as|to|called|named|into|in|call it|name it)\s+(?:a\s+file\s+(?:called|named)\s+)?", "",
                  polite_stripped(text), count=1, flags=re.IGNORECASE)
    if rest != polite_stripped(text) and (name := clean_name(rest)) and not re.fullmatch(
            r"(?:a )?(?:file|disk|disc|my computer|it|this|playlist|the playlist)", name, re.IGNORECASE):
        return {"path": name}
    return {}


def read_mode(text: str, playlist_length: int | None) -> Slots:
    lowered = re.sub(r"\b(?:no|stop using|without|turn off|disable|not|don'?t use|instead of)\s+(?:the\s+)?"
                     r"(?:llm|re-?rank\w*|language model)", "", text.lower())
    for mode, pattern in (("rerank", r"\bre-?rank"), ("llm", r"\b(?:llm|language model|ai mode|the ai)\b"),
                          ("retrieval", r"\b(?:retrieval|retrieve|plain|basic|default|normal|fast mode|no llm)\b")):
        if re.search(pattern, lowered):
            return {"mode": mode}
    return {}


def _none(text: str, playlist_length: int | None) -> Slots:
    return {}


READERS: dict[str, Callable[[str, int | None], Slots]] = {
    "new": read_new, "steer": read_steer, "length": read_length, "remove": read_remove, "add": read_add,
    "dislike": read_dislike, "like": read_like, "explain": read_explain, "similar": read_similar,
    "save": read_save, "mode": read_mode,
}


def read_slots(action: str, text: str, playlist_length: int | None = None) -> Slots:
    """The slots `action` takes, as far as the words give them; {} for actions without slots."""
    return READERS.get(action, _none)(text, playlist_length)

