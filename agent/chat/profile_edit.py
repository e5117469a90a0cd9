"""One like or dislike as an edit of the profile that can be undone and redone.

The edit remembers how the item stood in both of its lists before (liked, unwanted),
so undoing a dislike of an artist the person had liked makes them liked again.
"""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass, field

from agent.profile import Profile
from retrieval.normalize import normalize_title

_LISTS = {"track": ("liked_tracks", "unwanted_tracks"), "artist": ("liked_artists", "unwanted_artists")}


@dataclass(frozen=True)
class ProfileEdit:
    feeling: str  # "like" or "dislike"
    kind: str  # "track" (item: a URI) or "artist" (item: the catalog's spelling)
    item: str
    before: tuple[str | None, ...] = field(default=(None, None))  # the item's entries in (liked, unwanted)

    def key(self, value: str) -> str:
        return normalize_title(value) if self.kind == "artist" else value

    def recorded(self, profile: Profile) -> ProfileEdit:
        """This edit, with how the item stands in `profile` before it is applied."""
        wanted = self.key(self.item)
        before = tuple(next((v for v in getattr(profile, name) if self.key(v) == wanted), None)
                       for name in _LISTS[self.kind])
        return ProfileEdit(self.feeling, self.kind, self.item, before)

    def apply(self, profile: Profile) -> None:
        method: Callable[[str], None] = getattr(profile, f"{self.feeling}_{self.kind}")
        method(self.item)

    def revert(self, profile: Profile) -> None:
        wanted = self.key(self.item)
        for name, entry in zip(_LISTS[self.kind], self.before):
            items: list[str] = getattr(profile, name)
            items[:] = [v for v in items if self.key(v) != wanted]
            if entry is not None:
                items.append(entry)
