"""The demo builder's fixed settings, its error, the ``demo:`` identifiers and input records."""

from __future__ import annotations

import hashlib
import json
import re
from dataclasses import dataclass
from pathlib import Path

# The inputs and the built catalog live in the package, which ships the catalog.
DEMO_DIR = Path(__file__).resolve().parents[2] / "agent" / "demo"
SONGS_DIR = DEMO_DIR / "songs"
THEMES_MD = DEMO_DIR / "THEMES.md"
THEMES_JSON = DEMO_DIR / "themes.json"
OUTPUT_PATH = DEMO_DIR / "mpd.slice.demo.json.gz"

SEED = 2017
NUM_PLAYLISTS = 2400
BLEND_PERCENT = 15            # share of playlists that blend two related themes
MIN_TRACKS = 12
MAX_TRACKS = 60
MIN_SONGS_PER_THEME = 10
NOISE_PLAYLIST_PROB = 0.40    # playlists that get 1-3 off-theme tracks
NOISE_MAX = 3
VERSION_SONG_PROB = 0.04      # songs that also exist as a second version
VERSION_USE_PROB = 0.30       # playlists picking such a song use the version
VERSION_SUFFIXES = (" - Remastered", " - Live", " - Radio Edit", " - 2011 Remaster")
POP_SCALE = 10**9             # popularity weight ~ POP_SCALE / (rank + POP_OFFSET) ** 1.5
POP_OFFSET = 10
# 2010-01-01T00:00:00Z .. 2017-09-30T23:59:59Z
MODIFIED_MIN = 1262304000
MODIFIED_MAX = 1506815999
DAY = 86400

INFO = {
    "generated_on": "2017-10-01 00:00:00.000000",
    "slice": f"0-{NUM_PLAYLISTS - 1}",
    "version": "demo-1",
    "description": "Synthetic DEMO catalog of real song titles; not Spotify data",
}

TRACK_URI_PREFIX = "demo:track:"
ARTIST_URI_PREFIX = "demo:artist:"

_THEME_KEY_RE = re.compile(r"^[a-z0-9_]+$")
_HEADER_FIELDS = ("theme", "song", "artist")


class DemoBuildError(ValueError):
    """Raised for invalid builder inputs; the message names file and line."""


# --------------------------------------------------------------------------- #
# identifiers
# --------------------------------------------------------------------------- #
def _hex16(text: str) -> str:
    return hashlib.sha1(text.casefold().encode("utf-8")).hexdigest()[:16]


def track_uri(title: str, artist: str) -> str:
    """``demo:track:`` + 16 hex chars of sha1("title|artist" casefolded)."""
    return TRACK_URI_PREFIX + _hex16(f"{title}|{artist}")


def artist_uri(artist: str) -> str:
    """``demo:artist:`` + 16 hex chars of sha1(artist casefolded)."""
    return ARTIST_URI_PREFIX + _hex16(artist)


# --------------------------------------------------------------------------- #
# inputs
# --------------------------------------------------------------------------- #
@dataclass(frozen=True)
class Song:
    title: str
    artist: str

    @property
    def key(self) -> tuple[str, str]:
        return (self.title.casefold(), self.artist.casefold())


@dataclass(frozen=True)
class ThemeConfig:
    key: str
    weight: int
    titles: tuple[str, ...]
    emoji: tuple[str, ...]
    year_suffix: bool
