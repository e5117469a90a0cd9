"""Slash commands, run against the session.

Each run is timed and recorded as a call of the turn, like a tool call, so the screen
and the transcript show what was done for every message however it was asked.
"""

from __future__ import annotations

import shlex
from collections.abc import Callable
from dataclasses import dataclass, field

from agent.chat.actions import ChatError, Explanation, Outcome, Playlister
from agent.chat.persistence import file_name
from agent.chat.session import Version
from retrieval.records import Neighbour, Track

HELP = """\
[bold]Make[/bold]   /generate TITLE · /regenerate · /mode retrieval|rerank|llm [SHOTS] · /rerank
[bold]Shape[/bold]  /more [N|MOOD] · /less [N|MOOD] · /exclude ARTIST (this chat) · /remove N · /add SONG by ARTIST
[bold]Taste[/bold]  /like N|ARTIST · /dislike N|ARTIST  (saved to your profile; every playlist obeys it)
[bold]Ask[/bold]    /explain N · /find TEXT · /similar TITLE · /show · /profile
[bold]Keep[/bold]   /undo · /redo · /save [NAME|FILE.json|.csv|.m3u] · /quit (or Ctrl-D; an unsaved playlist asks first)
Or just type: “make me something for a rainy sunday”, “more upbeat”, “too much rap”, “only 15 songs”,
“remove the third song”, “no Drake” (this playlist) or “never play Drake” (remembered), “why is 3 here?”,
“who sings number 4?”, “what's the longest song?”, “how many songs by Drake?”, “save this as saturday dinner”.
The chat is kept as it goes: `agent chat --resume` continues it after the terminal closed."""


@dataclass
class Reply:
    """What one command or action produced, for the screen."""

    message: str = ""
    version: Version | None = None
    warnings: list[str] = field(default_factory=list)
    explanation: Explanation | None = None
    tracks: list[Track] | None = None
    neighbours: list[Neighbour] | None = None
    show_help: bool = False
    show_profile: bool = False
    quit: bool = False


def _outcome(outcome: Outcome) -> Reply:
    return Reply(outcome.message, outcome.version, outcome.warnings)


class Commands:
    """Runs `/name argument` through one `Playlister`."""

    def __init__(self, playlister: Playlister):
        self.playlister = playlister
        p = playlister
        self.table: dict[str, Callable[[str], Reply]] = {
            "generate": lambda a: _outcome(p.generate(a)),
            "more": lambda a: _outcome(p.more(a)),
            "less": lambda a: _outcome(p.less(a)),
            "exclude": lambda a: _outcome(p.exclude_artist(_needed(a, "/exclude ARTIST"))),
            "remove": lambda a: _outcome(p.remove_tracks(_needed(a, "/remove N").replace(",", " ").split())),
            "add": lambda a: _outcome(p.add(_needed(a, "/add SONG by ARTIST"))),
            "like": lambda a: _outcome(p.like(a)),
            "dislike": lambda a: _outcome(p.dislike(_needed(a, "/dislike N|ARTIST"))),
            "more_like": lambda a: _outcome(p.more_like(a)),
            "explain": self._explain,
            "find": lambda a: Reply(tracks=p.lookup(_needed(a, "/find TEXT"), limit=10)),
            "similar": lambda a: Reply(neighbours=p.similar(_needed(a, "/similar TITLE"))),
            "mode": self._mode,
            "rerank": lambda a: _outcome(p.rerank(a or None)),
            "undo": lambda a: _outcome(p.undo()),
            "redo": lambda a: _outcome(p.redo()),
            "regenerate": lambda a: _outcome(p.regenerate()),
            "save": self._save,
            "show": self._show,
            "profile": lambda a: Reply(show_profile=True),
            "help": lambda a: Reply(show_help=True),
            "quit": lambda a: Reply(quit=True),
        }
        self.aliases = {"exit": "quit", "q": "quit", "gen": "generate", "g": "generate", "h": "help", "?": "help",
                        "why": "explain", "lookup": "find", "search": "find"}

    def slash(self, line: str) -> Reply:
        """Run a line starting with "/"."""
        name, _, argument = line[1:].strip().partition(" ")
        name = self.aliases.get(name.lower(), name.lower())
        if name not in self.table:
            raise ChatError(f"unknown command /{name}; /help lists them")
        return self.run(name, argument.strip())

    def run(self, name: str, argument: str) -> Reply:
        with self.playlister.session.calling(name, {"argument": argument}):
            return self.table[name](argument)

    # -- commands with more to them ----------------------------------------------------

    def _explain(self, argument: str) -> Reply:
        explanation = self.playlister.explain(argument)
        return Reply(explanation=explanation)

    def _mode(self, argument: str) -> Reply:
        parts = argument.split()
        if not parts:
            raise ChatError(f"the mode is {self.playlister.session.mode}; /mode retrieval|rerank|llm [0|1|5 shots]")
        shots = None
        if len(parts) > 1:
            if not parts[1].isdigit() or int(parts[1]) not in (0, 1, 5):
                raise ChatError("shots (example songs for --mode llm) must be 0, 1 or 5")
            shots = int(parts[1])
        return _outcome(self.playlister.set_mode(parts[0].lower(), shots))

    def _save(self, argument: str) -> Reply:
        return self.saved(argument, overwrite=True)

    def saved(self, argument: str, overwrite: bool) -> Reply:
        words = shlex.split(argument) if argument.strip() else []
        if not words:
            words = [file_name(self.playlister.session.title or "playlist")]
        path = self.playlister.save(words[0], words[1] if len(words) > 1 else None, overwrite=overwrite)
        self.playlister.session.saved = self.playlister.session.current
        count = len(self.playlister.session.tracks)
        return Reply(f"saved {count} tracks to {path}")

    def _show(self, argument: str) -> Reply:
        current = self.playlister.session.current
        if current is None:
            raise ChatError("there is no playlist yet: start one with /generate TITLE")
        return Reply(version=current)


def _needed(argument: str, usage: str) -> str:
    if not argument.strip():
        raise ChatError(f"usage: {usage}")
    return argument
