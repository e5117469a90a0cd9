"""Likes and dislikes: saved to the profile at once, so every later playlist obeys them."""

from __future__ import annotations

from pathlib import Path

from agent.chat.building import Builder
from agent.chat.outcome import Outcome
from agent.chat.references import References
from agent.chat.session import ChatSession
from agent.profile import save_profile


class Preferences:
    def __init__(self, home: Path, session: ChatSession, references: References, builder: Builder):
        self.home = home
        self.session = session
        self.references = references
        self.builder = builder

    def like(self, ref: str) -> Outcome:
        """Saved to the profile; a name the catalog lacks is refused (a like must point at something)."""
        kind, target = self.references.target(ref, strict=True)
        profile = self.session.profile
        if kind == "track":
            profile.like_track(target.track_uri)
            _remember(target.track_uri, self.session.accepted, self.session.rejected)
            self._save()
            return Outcome(f"liked “{target.track_name}” by {target.artist_name}: playlists holding it "
                           f"will vote in every playlist you make with profile {self.session.profile_name!r}")
        profile.like_artist(target)
        self._save()
        return Outcome(f"liked {target} (saved to profile {self.session.profile_name!r})")

    def dislike(self, ref: str, strict: bool = False) -> Outcome:
        """Never again, in this chat and later ones; the playlist is rebuilt without it.

        `strict`: refuse a name the catalog lacks (read from free text or chosen by a model,
        rather than typed as /dislike NAME).
        """
        kind, target = self.references.target(ref, strict)
        profile = self.session.profile
        if kind == "track":
            profile.dislike_track(target.track_uri)
            _remember(target.track_uri, self.session.rejected, self.session.accepted)
            what = f"“{target.track_name}” by {target.artist_name}"
        else:
            profile.dislike_artist(target)
            what = target
        self._save()
        note = f"no more {what} (saved to profile {self.session.profile_name!r})"
        if kind == "unknown":
            note = f"no artist or song named “{target}” in the catalog; remembered as an unwanted artist anyway"
        if self.session.current is None:
            return Outcome(note)
        outcome = self.builder.change(self.session.current.recipe, note)
        outcome.message = note
        return outcome

    def _save(self) -> None:
        save_profile(self.home, self.session.profile, self.session.profile_name)


def _remember(uri: str, into: list[str], out_of: list[str]) -> None:
    if uri in out_of:
        out_of.remove(uri)
    if uri not in into:
        into.append(uri)
