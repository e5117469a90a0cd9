"""The records that travel between stages, defined once.

What `agent generate --format json` prints is `GeneratedPlaylist.model_dump()`; the
JSONL of `--titles-file` is one such object per line (a `TitleFailure` for a title that
failed). `SCHEMA_VERSION` changes only when a field is removed or changes meaning.
"""

from __future__ import annotations

from pydantic import BaseModel, ConfigDict, Field, PrivateAttr, computed_field

from retrieval.ranking.explain import RankerEvidence, explain_all

SCHEMA_VERSION = 1
SPOTIFY_TRACK_PREFIX = "spotify:track:"


class Track(BaseModel):
    """A catalog track, named with the MPD's field names."""

    model_config = ConfigDict(frozen=True)

    track_uri: str
    track_name: str
    artist_name: str

    @property
    def link(self) -> str | None:
        """An open.spotify.com link for Spotify URIs; None for other schemes (demo, local)."""
        if self.track_uri and self.track_uri.startswith(SPOTIFY_TRACK_PREFIX):
            return "https://open.spotify.com/track/" + self.track_uri[len(SPOTIFY_TRACK_PREFIX):]
        return None


class Playlist(BaseModel):
    """A known playlist: a title (absent in some challenge-set entries) and its tracks in order."""

    pid: int
    name: str | None
    tracks: list[Track]


class Neighbour(BaseModel):
    """A known playlist whose title is close to the asked-for title."""

    model_config = ConfigDict(frozen=True)  # shared by every answer to the same title

    pid: int
    name: str
    similarity: float = Field(description="cosine similarity of the two titles' embeddings")


class Candidate(Track):
    """A track proposed for a playlist, with why: its score and the playlists that voted for it.

    A song an LLM named that the catalog lacks is kept, marked: `in_catalog` False
    and `track_uri` None, so a miss is shown rather than hidden.
    """

    track_uri: str | None
    rank: int
    score: float
    voters: list[int] = Field(default_factory=list, description="pids of the neighbours containing it")
    merged_uris: list[str] = Field(
        default_factory=list, description="other versions of the same song merged into this one"
    )
    in_catalog: bool = Field(default=True, description="False for a song an LLM named that the catalog lacks")
    signals: dict[str, float] | None = Field(
        default=None, description="each signal's weighted part of the score: votes, entity, cooccurrence, artists, seeds, "
                                  "seed_artists, tags (crowd tags, may be negative), popularity (the tail, scored 0)"
    )


class LLMInfo(BaseModel):
    """How an LLM took part in a playlist (modes rerank and llm)."""

    backend: str = Field(description="the registry name: local, openai")
    model: str
    prompt: str = Field(description="the prompt template's name (prompts/<name>.txt)")
    shots: int | None = None
    fuse: str | None = None
    candidates: int | None = Field(default=None, description="rerank: retrieved candidates shown to the LLM")
    attempts: int = 0
    fallback: bool = Field(default=False, description="the LLM failed; the retrieval order was used")
    seconds: float = 0.0
    diagnostics: dict[str, float | None] = Field(
        default_factory=dict, description="rerank: repairs and copy/kendall scores; llm: match counts"
    )


class Provenance(BaseModel):
    """What made a playlist besides its title, so a result can be reproduced and compared."""

    version: str = Field(description="the package version that made it")
    catalog: str = Field(description="the catalog's fingerprint: playlists, highest pid and content version")
    settings: dict[str, str | int | float | bool | None] = Field(
        default_factory=dict, description="n, k, voting, mode and the other knobs the request used"
    )
    steering: list[str] = Field(default_factory=list, description='words steered toward, or away with "-"')
    profile: str | None = Field(default=None, description="the preference profile applied, when it held anything")
    excluded_artists: list[str] = Field(default_factory=list, description="artists left out: asked for and the profile's")
    excluded_tracks: int = Field(default=0, description="tracks the profile (or a chat) leaves out")
    liked_tracks: int = Field(default=0, description="liked tracks whose playlists joined the vote")

    def settings_line(self) -> str:
        """One line for file headers: version, catalog and settings."""
        settings = " ".join(f"{key}={value}" for key, value in self.settings.items())
        return f"playlist-agent {self.version} · catalog {self.catalog} · {settings}"


class GeneratedPlaylist(BaseModel):
    """A playlist made for a title, and how it was made."""

    schema_version: int = SCHEMA_VERSION
    title: str
    normalized_title: str
    mode: str = "retrieval"
    encoder: str
    k: int
    voting: str
    tracks: list[Candidate]
    neighbours: list[Neighbour] = Field(default_factory=list)
    warnings: list[str] = Field(default_factory=list)
    seconds: float = 0.0
    seeds: list[Track] = Field(default_factory=list, description="the seed tracks the playlist continues")
    entities: list[str] = Field(
        default_factory=list, description="artists and albums the title names, e.g. \"artist Drake\""
    )
    llm: LLMInfo | None = None
    match_rate: float | None = Field(
        default=None, description="mode llm: share of the songs the LLM named that were found in the catalog"
    )
    made_with: Provenance | None = Field(
        default=None, description="version, catalog fingerprint, settings, steering, profile and exclusions"
    )

    # What the learned ranker's feature contributions say of the tracks it placed; not part of
    # the record, and worked out only when the explanations are read.
    _ranker: RankerEvidence | None = PrivateAttr(default=None)

    def explained_by(self, ranker: RankerEvidence | None) -> GeneratedPlaylist:
        self._ranker = ranker
        return self

    @computed_field(description="why each track is there, in words, in the order of `tracks`")
    @property
    def explanations(self) -> list[str]:
        return explain_all(self.tracks, self.neighbours, self._ranker)


class TitleFailure(BaseModel):
    """What a batch writes, in place of a playlist, for a title that failed: the batch goes on."""

    title: str
    error: str = Field(description="one line: what went wrong for this title")
    schema_version: int = SCHEMA_VERSION
