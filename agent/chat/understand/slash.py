"""Slash commands read as actions, with confidence 1: the user said exactly what they want."""

from __future__ import annotations

import re
import shlex
from typing import Any

from agent.chat.understand.message import MODES, ParsedMessage
from agent.chat.understand.names import split_song_artist
from agent.chat.understand.numbers import count_in, positions_in

_ALIASES = {"exit": "quit", "q": "quit", "gen": "generate", "g": "generate", "h": "help", "?": "help",
            "why": "explain", "lookup": "find", "search": "find", "more_like": "similar", "exclude": "exclude"}


def parse_slash(text: str) -> ParsedMessage:
    """`/undo`, `/save x.csv`, `/mode rerank`, `/remove 3 5` ...; an unknown command is `clarify`."""
    name, _, argument = text.strip()[1:].partition(" ")
    name = _ALIASES.get(name.lower(), name.lower())
    argument = argument.strip()
    action, slots = _READERS.get(name, _unknown)(argument)
    return ParsedMessage(text=text, action=action, slots=slots, confidence=1.0)


def _unknown(argument: str) -> tuple[str, dict[str, Any]]:
    return "clarify", {}


def _title(argument: str) -> tuple[str, dict[str, Any]]:
    return "new", ({"title": argument} if argument else {})


def _more_or_less(change: str):
    def read(argument: str) -> tuple[str, dict[str, Any]]:
        if not argument:
            return "length", {"change": change}
        if re.fullmatch(r"\d{1,4}", argument):
            return "length", {"n": int(argument), "change": change}
        return "steer", {"words": [{"word": argument.lower(), "sign": 1 if change == "+" else -1}]}
    return read


def _target(action: str, name_slot: str):
    """Positions when the argument is numbers, else a name (a "SONG by ARTIST" is split)."""
    def read(argument: str) -> tuple[str, dict[str, Any]]:
        if not argument:
            return action, {}
        if re.fullmatch(r"[#\d\s,\-]+", argument):
            return action, {"positions": positions_in(re.sub(r"[\s,]+", ",", argument.strip(" ,")))}
        song, artist = split_song_artist(argument)
        if song:
            return action, {"song": song, "artist": artist}
        return action, {name_slot: argument}
    return read


def _save(argument: str) -> tuple[str, dict[str, Any]]:
    try:
        words = shlex.split(argument)
    except ValueError:
        words = argument.split()
    return "save", ({"path": " ".join(words)} if words else {})


def _mode(argument: str) -> tuple[str, dict[str, Any]]:
    word = argument.split()[0].lower() if argument else ""
    return ("mode", {"mode": word}) if word in MODES else ("mode", {})


def _plain(action: str):
    return lambda argument: (action, {})


def _count_or_nothing(argument: str) -> tuple[str, dict[str, Any]]:
    n = count_in(argument)
    return "length", ({"n": n} if n else {})


_READERS = {
    "generate": _title, "regenerate": _plain("new"), "new": _title,
    "more": _more_or_less("+"), "less": _more_or_less("-"), "length": _count_or_nothing,
    "exclude": _target("remove", "artist"), "remove": _target("remove", "artist"),
    "add": _target("add", "song"), "like": _target("like", "artist"), "dislike": _target("dislike", "artist"),
    "explain": _target("explain", "song"), "similar": _target("similar", "song"),
    "find": _plain("show"), "profile": _plain("show"), "show": _plain("show"),
    "mode": _mode, "rerank": lambda argument: ("mode", {"mode": "rerank"}),
    "undo": _plain("undo"), "redo": _plain("redo"), "save": _save,
    "help": _plain("help"), "quit": _plain("quit"),
}
