"""Likes and dislikes: saved to the profile at once, so every later playlist obeys them.

Each one is a step of the chat's history carrying its `ProfileEdit`, so /undo takes it
back from the profile as well as from the playlist. The profile is changed through
`update_profile` (locked, re-read, written back), so what another chat or `agent
profile` saved meanwhile is kept.
"""

from __future__ import annotations

from dataclasses import dataclass

from pathlib import Path

from agent.chat.building import Builder
from agent.chat.outcome import Outcome
from agent.chat.profile_edit import ProfileEdit
from agent.chat.references import References
from agent.chat.session import ChatSession, Version
from agent.profile import update_profile


@dataclass
class Preferences:
    """Likes and dislikes: saved to the profile as undoable steps, applied to the playlist."""

    home: Path
    session: ChatSession
    references: References
    builder: Builder

    def like(self, ref: str) -> Outcome:
        """Saved to the profile; a name the catalog lacks is refused (a like must point at something)."""
        kind, target = self.references.target(ref, strict=True)
        if kind == "track":
            edit = self.save(ProfileEdit("like", "track", target.track_uri))
            _remember(target.track_uri, self.session.accepted, self.session.rejected)
            note = (f"liked “{target.track_name}” by {target.artist_name}: playlists holding it "
                    f"will vote in every playlist you make with profile {self.session.profile_name!r}")
        else:
            edit = self.save(ProfileEdit("like", "artist", target))
            note = f"liked {target} (saved to profile {self.session.profile_name!r})"
        current = self.session.current
        if current is not None:
            # The playlist stays as it is; the step is there so /undo can take the like back.
            self.session.history.push(Version(current.recipe, current.playlist, note, edit))
        return Outcome(note)

    def dislike(self, ref: str, strict: bool = False) -> Outcome:
        """Never again, in this chat and later ones; the playlist is rebuilt without it.

        `strict`: refuse a name the catalog lacks (read from free text or chosen by a model,
        rather than typed as /dislike NAME).
        """
        kind, target = self.references.target(ref, strict)
        if kind == "track":
            edit = self.save(ProfileEdit("dislike", "track", target.track_uri))
            _remember(target.track_uri, self.session.rejected, self.session.accepted)
            what = f"“{target.track_name}” by {target.artist_name}"
        else:
            edit = self.save(ProfileEdit("dislike", "artist", target))
            what = target
        note = f"no more {what} (saved to profile {self.session.profile_name!r})"
        if kind == "unknown":
            note = f"no artist or song named “{target}” in the catalog; remembered as an unwanted artist anyway"
        if self.session.current is None:
            return Outcome(note)
        outcome = self.builder.change(self.session.current.recipe, note, edit)
        outcome.message = note
        return outcome

    def save(self, edit: ProfileEdit) -> ProfileEdit:
        """Apply `edit` to the stored profile; the edit as recorded against it (for /undo)."""
        recorded: list[ProfileEdit] = []

        def change(profile) -> None:
            recorded.append(edit.recorded(profile))
            edit.apply(profile)

        self.session.profile, _ = update_profile(self.home, self.session.profile_name, change)
        return recorded[0]

    def undo(self, edit: ProfileEdit) -> None:
        self.session.profile, _ = update_profile(self.home, self.session.profile_name, edit.revert)

    def redo(self, edit: ProfileEdit) -> None:
        self.session.profile, _ = update_profile(self.home, self.session.profile_name, edit.apply)


def _remember(uri: str, into: list[str], out_of: list[str]) -> None:
    if uri in out_of:
        out_of.remove(uri)
    if uri not in into:
        into.append(uri)
