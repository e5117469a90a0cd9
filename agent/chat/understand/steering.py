"""Steering words with a sign: "more upbeat and less sad" -> [+upbeat, -sad]."""

from __future__ import annotations

import re

COMPARATIVES = {
    "happier": "happy", "sadder": "sad", "faster": "fast", "slower": "slow", "calmer": "calm",
    "louder": "loud", "softer": "soft", "quieter": "quiet", "darker": "dark", "heavier": "heavy",
    "chiller": "chill", "lighter": "light", "older": "old", "newer": "new", "harder": "hard",
    "mellower": "mellow", "angrier": "angry", "gentler": "gentle", "brighter": "bright", "dancier": "dancey",
    "groovier": "groovy", "moodier": "moody", "funkier": "funky", "poppier": "poppy", "rockier": "rocky",
    "edgier": "edgy", "jazzier": "jazzy", "sexier": "sexy", "cheerier": "cheery", "livelier": "lively",
    "energeticer": "energetic", "upbeatier": "upbeat",
}
_PLUS = r"more|moar|(?:but\s+)?with(?:\s+more|\s+some)?|extra|add(?:\s+(?:some|more))?|up the|crank up the|turn up the|increase the|boost the|pump up the"
_MINUS = (r"less|fewer|not so|not as|not that|too|tone down the|turn down the|cut the|reduce the|"
          r"cut down on|cut back on|lower the|way too|a lot less|no more|without|stop with the|enough")
_CLAUSE_END = r"(?=\s*(?:,|;|\.|!|\?|\band\b|\bbut\b|\bplus\b|\bmore\b|\bless\b|$))"
_CLAUSE = re.compile(rf"\b(?P<kw>{_MINUS}|{_PLUS})\s+(?P<words>[^,;.!?]+?)" + _CLAUSE_END)
_FILLER = re.compile(
    r"^(?:(?:a|an|the|of|some|bit|little|lot|lil|way|much|even|slightly|kinda|kind of|sort of|really|very|"
    r"super|stuff|songs?|tracks?|music|vibes?|feel|energy of|ish)\s+)+|"
    r"(?:\s+(?:please|pls|plz|songs?|tracks?|stuff|music|vibes?|ones|overall|now|thanks|thank you|"
    r"in there|in here|in it|here|on it|for me|then|if you can|if possible|feel|feeling|sound|sounding|"
    r"tunes|tho|though|than this|than that|please\s+thanks|lol|ok|maybe|right now|too|versions?|honestly|tbh|"
    r"for me|instead|again)\b)+$"
)
_JOINED = re.compile(rf"\s*(?:,\s*|\s(?:and|&|plus)\s+)(?!{_MINUS}\b|{_PLUS}\b|not\b)(?P<words>[a-z0-9'-]+)"
                     r"(?=\s*(?:,|;|\.|!|\?|\band\b|\bplease\b|\bpls\b|$))")
_BARE_COMPARATIVE = re.compile(r"\b(" + "|".join(COMPARATIVES) + r")\b")


def steering_words(text: str) -> list[dict[str, int | str]]:
    """Each word or short phrase the message wants more (+1) or less (-1) of; lower case."""
    words: list[dict[str, int | str]] = []
    for match in _CLAUSE.finditer(text):
        sign = -1 if re.fullmatch(_MINUS, match.group("kw")) else 1
        phrase = _clean(match.group("words"))
        if phrase and phrase not in {"it", "this", "that"}:
            words.append({"word": phrase, "sign": sign})
            # "more chill and jazzy": a word joined on without its own "more" or "less" shares the sign.
            for joined in _JOINED.finditer(text, match.end()):
                if joined.start() != match.end() and not text[match.end():joined.start()].strip(" ,&") == "":
                    break
                if (also := _clean(joined.group("words"))) and also not in {"it", "this", "that"}:
                    words.append({"word": COMPARATIVES.get(also, also), "sign": sign})
                break
    for match in _BARE_COMPARATIVE.finditer(text):
        base = COMPARATIVES[match.group(1)]
        if not any(base == w["word"] or match.group(1) == w["word"] for w in words):
            words.append({"word": base, "sign": _comparative_sign(text, match.start())})
    return words


def _clean(phrase: str) -> str:
    phrase = phrase.strip()
    for _ in range(3):
        before = phrase
        phrase = _FILLER.sub("", phrase).strip()
        if phrase == before:
            break
    phrase = COMPARATIVES.get(phrase, phrase)
    return phrase


def _comparative_sign(text: str, at: int) -> int:
    """"happier" wants more happy; "less happier" is not English, but "not happier" wants less."""
    before = text[max(0, at - 5):at]
    return -1 if re.search(r"\bnot\s$", before) else 1
