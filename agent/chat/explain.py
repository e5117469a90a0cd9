"""Why a track is in the playlist: the similar playlists that voted for it, most similar first."""

from __future__ import annotations

from dataclasses import dataclass

from retrieval.catalog import Catalog
from retrieval.records import Candidate, GeneratedPlaylist

SHOWN_VOTERS = 10


@dataclass(frozen=True)
class Voter:
    pid: int
    name: str
    similarity: float | None  # None: a playlist holding a track the user liked


@dataclass(frozen=True)
class Explanation:
    track: Candidate
    voting: str
    mode: str
    voters: list[Voter]
    neighbours: int

    def summary(self) -> str:
        t = self.track
        if not self.voters:
            return (f"#{t.rank} “{t.track_name}” by {t.artist_name}: no playlist voted for it "
                    f"({'named by the LLM' if self.mode == 'llm' else 'added by name'}).")
        similar = [v for v in self.voters if v.similarity is not None]
        lines = [f"#{t.rank} “{t.track_name}” by {t.artist_name}: score {t.score:g} ({self.voting} voting); "
                 f"{len(similar)} of the {self.neighbours} most similar playlists hold it"]
        lines += [f"  pid {v.pid} “{v.name}” similarity {v.similarity:.3f}" for v in similar[:SHOWN_VOTERS]]
        if len(similar) > SHOWN_VOTERS:
            lines.append(f"  ... and {len(similar) - SHOWN_VOTERS} more")
        liked = len(self.voters) - len(similar)
        if liked:
            lines.append(f"  + {liked} playlist(s) holding a track you liked")
        if t.merged_uris:
            lines.append(f"  (other versions merged in: {len(t.merged_uris)})")
        return "\n".join(lines)


def explain(track: Candidate, playlist: GeneratedPlaylist, catalog: Catalog) -> Explanation:
    """The track's voters: the similar playlists first (most similar first), then those holding a liked track."""
    names = {n.pid: n for n in playlist.neighbours}
    voters = [Voter(pid, names[pid].name, names[pid].similarity) if pid in names else Voter(pid, "", None)
              for pid in track.voters]
    voters.sort(key=lambda v: -1.0 if v.similarity is None else -v.similarity)
    voters.sort(key=lambda v: v.similarity is None)
    # Liked-track voters are unnamed in the playlist record; the catalog has their titles.
    voters = [v if v.similarity is not None else Voter(v.pid, catalog.playlist_name(v.pid) or "", None)
              for v in voters]
    return Explanation(track, playlist.voting, playlist.mode, voters, len(playlist.neighbours))
