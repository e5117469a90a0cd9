"""Counts and track positions in words: "fifteen", "the third song", "the last two", "songs 3 and 5"."""

from __future__ import annotations

import re

_UNITS = ["zero", "one", "two", "three", "four", "five", "six", "seven", "eight", "nine", "ten", "eleven",
          "twelve", "thirteen", "fourteen", "fifteen", "sixteen", "seventeen", "eighteen", "nineteen"]
_TENS = {"twenty": 20, "thirty": 30, "forty": 40, "fifty": 50, "sixty": 60, "seventy": 70, "eighty": 80,
         "ninety": 90}
CARDINALS: dict[str, int] = {word: value for value, word in enumerate(_UNITS)}
CARDINALS.update(_TENS)
CARDINALS.update({"a couple": 2, "couple": 2, "a few": 3, "few": 3, "a dozen": 12, "dozen": 12, "hundred": 100})

ORDINALS: dict[str, int] = {
    "first": 1, "second": 2, "third": 3, "fourth": 4, "fifth": 5, "sixth": 6, "seventh": 7, "eighth": 8,
    "ninth": 9, "tenth": 10, "eleventh": 11, "twelfth": 12, "thirteenth": 13, "fourteenth": 14,
    "fifteenth": 15, "sixteenth": 16, "seventeenth": 17, "eighteenth": 18, "nineteenth": 19, "twentieth": 20,
}

_COMPOUND = re.compile(r"\b(" + "|".join(_TENS) + r")[\s-](" + "|".join(_UNITS[1:10]) + r")\b")
_WORD_NUMBER = re.compile(r"\b(" + "|".join(sorted(CARDINALS, key=len, reverse=True)) + r")\b")
_ORDINAL_WORD = re.compile(r"\b(" + "|".join(ORDINALS) + r")\b")
_ORDINAL_DIGITS = re.compile(r"\b(\d{1,3})(?:st|nd|rd|th)\b")


def digits_for_words(text: str) -> str:
    """`text` with number words as digits: "fifteen songs" -> "15 songs", "twenty-five" -> "25"."""
    text = _COMPOUND.sub(lambda m: str(_TENS[m.group(1)] + CARDINALS[m.group(2)]), text)
    return _WORD_NUMBER.sub(lambda m: str(CARDINALS[m.group(1)]), text)


def ordinals_as_digits(text: str) -> str:
    """"the third song" -> "the #3 song"; "3rd" -> "#3"."""
    text = _ORDINAL_WORD.sub(lambda m: f"#{ORDINALS[m.group(1)]}", text)
    return _ORDINAL_DIGITS.sub(lambda m: f"#{m.group(1)}", text)


_TRACK = r"(?:songs?|tracks?|ones?|numbers?|nos?\.?|items?|entries|entry|pos(?:ition)?s?)"
_LIST = r"\d{1,3}(?:\s*(?:,|and|&|\+|or|-|to|through|thru)\s*(?:#\s*)?\d{1,3})*"
_AFTER_TRACK = re.compile(_TRACK + r"\s*#?\s*(" + _LIST + r")\b")
_ORDINAL_LIST = re.compile(r"#(\d{1,3})((?:\s*(?:,|and|&|or)\s*(?:the\s+)?#\d{1,3})*)")
# Only action words may precede a bare number: in "no more maroon 5" the 5 is part of a name.
_LEAD = (r"(?:(?:please|pls|remove|drop|delete|take|out|skip|cut|lose|like|love|dislike|hate|explain|why|ban|get|"
         r"rid|of|the|i|also|and|kick|ditch|not|a|fan|thumbs|up|down|on|for|just|what|about|is|was|so|ok)\s+){0,4}")
_BARE = re.compile(r"^" + _LEAD + r"#?(" + _LIST + r")(?:\s+(?:please|pls|plz|too|as well))?$")
_LAST = re.compile(r"\b(?:the\s+)?(?:very\s+)?last(?:\s+(\d{1,2}))?\b(?!\s*(?:time|night|week|year))")
_FIRST_N = re.compile(r"\b(?:the\s+)?first\s+(\d{1,2})\b")


def _expand(listing: str) -> list[int]:
    numbers: list[int] = []
    parts = re.split(r"\s*(?:,|and|&|\+|or)\s*", listing)
    for part in parts:
        span = re.match(r"#?\s*(\d{1,3})\s*(?:-|to|through|thru)\s*#?\s*(\d{1,3})$", part.strip())
        if span and int(span.group(1)) < int(span.group(2)) <= int(span.group(1)) + 30:
            numbers.extend(range(int(span.group(1)), int(span.group(2)) + 1))
        elif digits := re.findall(r"\d{1,3}", part):
            numbers.extend(int(d) for d in digits)
    return numbers


def positions_in(text: str, playlist_length: int | None = None) -> list[int]:
    """1-based track positions a message names; "last"/"last two" are -1/-2.. without a playlist length.

    `text` is lower case with digits for number words (see `digits_for_words`).
    """
    first = _FIRST_N.search(text)  # before "first" becomes "#1"
    text = ordinals_as_digits(text)
    found: list[int] = []
    last = _LAST.search(text)
    if last:
        text = text[:last.start()] + text[last.end():]
    if first:
        found.extend(range(1, int(first.group(1)) + 1))
    elif match := _AFTER_TRACK.search(text):
        found.extend(_expand(match.group(1)))
    elif match := _ORDINAL_LIST.search(text):
        found.extend(_expand(match.group(1) + match.group(2).replace("the", "")))
    elif match := _BARE.match(text.strip(" ?!.")):
        found.extend(_expand(match.group(1)))
    if last:
        count = int(last.group(1)) if last.group(1) else 1
        found.extend(range(-count, 0))
    found = [p for p in dict.fromkeys(found) if p != 0]
    if playlist_length:
        found = [p + playlist_length + 1 if p < 0 else p for p in found]
        found = sorted(dict.fromkeys(p for p in found if p >= 1))
    return found


def count_in(text: str) -> int | None:
    """The first whole number in `text` (already with digits for number words), if any."""
    match = re.search(r"(?<![#\w.])(\d{1,4})(?![\w.]*\.\w)", text)
    return int(match.group(1)) if match else None
