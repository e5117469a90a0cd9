"""Running a message read by `agent.chat.understand`: each action becomes one operation.

Nothing changes unless the reading is sure enough: `clarify` (the reader's answer under
its confidence threshold) asks a short question, and `smalltalk` only answers. A new
playlist replaces the current one only when the message reads as a new request (action
`new` with a description); /undo brings the old one back. Every turn answers with one
line saying what it did.
"""

from __future__ import annotations

import re
import shlex
from typing import Any

from agent.chat.answers import answer
from agent.chat.commands import Commands, Reply
from agent.chat.persistence import file_name
from agent.safe_text import clean
from agent.chat.outcome import ChatError, Outcome
from agent.chat.understand import CONFIDENCE_THRESHOLD, ParsedMessage

# A dislike is remembered in the profile only when the words ask for it; "no Taylor Swift"
# is about this playlist.
LASTING = re.compile(r"\b(?:never|ever again|any ?more ever|for good|forever|from now on|dislike|hate|"
                     r"can'?t stand|cannot stand|don'?t like|do not like|ban|block)\b", re.IGNORECASE)
CHANGES = "“more upbeat”, “remove the third song”, “only 15 songs”"
SMALLTALK = (f"Happy to help. Ask for a playlist (“a playlist for a rainy sunday”) or a change ({CHANGES}), "
             "or /help for everything I can do.")


def _reply(outcome: Outcome) -> Reply:
    return Reply(outcome.message, outcome.version, outcome.warnings)


class Dispatcher:
    """Maps a `ParsedMessage` onto the chat's operations through one `Commands`."""

    def __init__(self, commands: Commands):
        self.commands = commands
        self.playlister = commands.playlister

    def run(self, parsed: ParsedMessage) -> Reply:
        if parsed.action == "smalltalk":
            kept = " Your playlist is as it was." if self.playlister.session.current is not None else ""
            return Reply(SMALLTALK + kept)
        if parsed.action == "clarify" or parsed.confidence < CONFIDENCE_THRESHOLD:
            return self._clarify(parsed)
        with self.playlister.session.calling(parsed.action, parsed.slots):
            return getattr(self, f"_{parsed.action}")(parsed.slots, parsed.text)

    def _clarify(self, parsed: ParsedMessage) -> Reply:
        said = f"I did not understand “{clean(parsed.text)[:60]}”, so nothing changed."
        if self.playlister.session.current is None:
            return Reply(f"{said} What should the playlist be about? e.g. “a playlist for a rainy sunday”")
        return Reply(f"{said} Did you mean a new playlist (“a playlist for …”) or a change to this one ({CHANGES})?")

    # -- making and shaping -------------------------------------------------------------

    def _new(self, slots: dict[str, Any], text: str) -> Reply:
        title = (slots.get("title") or "").strip()
        if not title:
            return Reply("What should the new playlist be about? e.g. “a playlist for a rainy sunday”")
        before = self.playlister.session.current
        reply = _reply(self.playlister.generate(title, n=slots.get("n")))
        if before is not None:
            reply.message += f" (it replaces “{before.recipe.title}”; /undo brings that one back)"
        return reply

    def _steer(self, slots: dict[str, Any], text: str) -> Reply:
        words = [(str(w["word"]), int(w["sign"])) for w in slots.get("words", [])]
        if not words and not slots.get("discovery"):
            if self.playlister.session.current is None:
                # "90s hip hop" as a first message: with no playlist to lose, it is a request.
                return self._new({"title": text}, text)
            return Reply("More or less of what? e.g. “more upbeat”, “less sad”, “more 90s”; nothing changed.")
        before = self.playlister.session.tracks
        reply = _reply(self.playlister.steer(words, int(slots.get("discovery", 0))))
        if reply.version is not None:
            reply.message += f" ({changed(before, self.playlister.session.tracks)})"
        return reply

    def _length(self, slots: dict[str, Any], text: str) -> Reply:
        return _reply(self.playlister.set_length(slots.get("n"), slots.get("change")))

    def _remove(self, slots: dict[str, Any], text: str) -> Reply:
        """From this playlist only; the profile is not touched."""
        if slots.get("positions") or slots.get("song"):
            outcome = self.playlister.remove_tracks(self._tracks(slots))
        elif slots.get("artist"):
            outcome = self.playlister.exclude_artist(slots["artist"])
            artist = self.playlister.search.artist(slots["artist"]) or slots["artist"]
            outcome.message += f" (this playlist only; “never {artist}” keeps them out of every playlist)"
        else:
            raise ChatError("remove what? give a number (“remove 3”), a song or an artist")
        return _reply(outcome)

    def _add(self, slots: dict[str, Any], text: str) -> Reply:
        name = _song(slots)
        if not name:
            raise ChatError("add which song? e.g. “add Hello by Adele”")
        return _reply(self.playlister.add(name))

    def _similar(self, slots: dict[str, Any], text: str) -> Reply:
        return _reply(self.playlister.more_like(self._one(slots, "more like which song? e.g. “more like 3”")))

    # -- taste ---------------------------------------------------------------------------

    def _dislike(self, slots: dict[str, Any], text: str) -> Reply:
        if not LASTING.search(text):
            return self._remove(slots, text)
        outcome = self.playlister.dislike(self._one(slots, "which song or artist? e.g. “never play Drake”"),
                                          strict=True)
        outcome.message += "; remembered for later playlists (/undo takes it back)"
        return _reply(outcome)

    def _like(self, slots: dict[str, Any], text: str) -> Reply:
        return _reply(self.playlister.like(self._one(slots, "which song or artist? e.g. “I love 3”")))

    def _explain(self, slots: dict[str, Any], text: str) -> Reply:
        explanation = self.playlister.explain(self._one(slots, "why which song? e.g. “why is 3 here?”"))
        return Reply(f"why #{explanation.track.rank} “{explanation.track.track_name}” is here",
                     explanation=explanation)

    # -- the rest: as their slash commands -----------------------------------------------

    def _undo(self, slots: dict[str, Any], text: str) -> Reply:
        return self.commands.table["undo"]("")

    def _redo(self, slots: dict[str, Any], text: str) -> Reply:
        return self.commands.table["redo"]("")

    def _show(self, slots: dict[str, Any], text: str) -> Reply:
        reply = self.commands.table["show"]("")
        reply.message = f"the playlist now ({len(self.playlister.session.tracks)} tracks)"
        return reply

    def _help(self, slots: dict[str, Any], text: str) -> Reply:
        return Reply(show_help=True)

    def _quit(self, slots: dict[str, Any], text: str) -> Reply:
        return Reply(quit=True)

    def _save(self, slots: dict[str, Any], text: str) -> Reply:
        # Read from free text, a name could be a misreading: an existing file is never replaced.
        path = file_name(slots["path"]) if slots.get("path") else ""
        return self.commands.saved(shlex.quote(path) if path else "", overwrite=False)

    def _ask(self, slots: dict[str, Any], text: str) -> Reply:
        return Reply(answer(slots, self.playlister.session, self.playlister.search))

    def _mode(self, slots: dict[str, Any], text: str) -> Reply:
        if not slots.get("mode"):
            raise ChatError(f"the mode is {self.playlister.session.mode}; choose retrieval, rerank or llm")
        return _reply(self.playlister.set_mode(slots["mode"]))

    # -- references -----------------------------------------------------------------------

    def _tracks(self, slots: dict[str, Any]) -> list[str]:
        positions = [p if p > 0 else len(self.playlister.session.tracks) + 1 + p for p in slots.get("positions", [])]
        return [str(p) for p in positions] or [slots["song"]]

    def _one(self, slots: dict[str, Any], question: str) -> str:
        """One reference: the first position, else "SONG by ARTIST", the song or the artist."""
        if slots.get("positions"):
            return self._tracks(slots)[0]
        if name := _song(slots) or slots.get("artist"):
            return name
        raise ChatError(question)


def changed(before: list, after: list) -> str:
    """How many of the new list's tracks were not on the old one: "6 of 10 changed"."""
    old = {t.track_uri for t in before}
    return f"{sum(t.track_uri not in old for t in after)} of {len(after)} changed"


def _song(slots: dict[str, Any]) -> str:
    song, artist = slots.get("song"), slots.get("artist")
    if song and artist:
        return f"{song} by {artist}"
    return song or ""
