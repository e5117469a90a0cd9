"""Assembling the demo catalog: playlists drawn from the themes with the seeded choices."""

from __future__ import annotations

import bisect
import random
from dataclasses import dataclass, field
from pathlib import Path

from tools.demo_builder.settings import BLEND_PERCENT, DAY, INFO, MAX_TRACKS, MIN_TRACKS, MODIFIED_MAX, MODIFIED_MIN, NOISE_MAX, NOISE_PLAYLIST_PROB, NUM_PLAYLISTS, SEED, Song, VERSION_SONG_PROB, VERSION_SUFFIXES, VERSION_USE_PROB, artist_uri, track_uri
from tools.demo_builder.inputs import SongTable, load_songs, load_theme_config, load_theme_keys
from tools.demo_builder.sampling import _SIZES, _SIZE_CUM, _apportion, _edits, _followers, _make_title, _pick_variant, _popularity_weight, _weighted_sample

# --------------------------------------------------------------------------- #
# build
# --------------------------------------------------------------------------- #
@dataclass
class DemoBuild:
    catalog: dict
    playlist_themes: list[tuple[str, ...]]           # per pid: main theme (+ blended)
    table: SongTable
    versions: dict[int, Song]                        # song index -> version song
    theme_keys: list[str]
    used_songs: set[int] = field(default_factory=set)

    def summary(self) -> str:
        playlists = self.catalog["playlists"]
        uris = {t["track_uri"] for p in playlists for t in p["tracks"]}
        titles = {p["name"] for p in playlists}
        themes = {t for ts in self.playlist_themes for t in ts}
        version_uris = {track_uri(v.title, v.artist) for v in self.versions.values()} & uris
        return (
            f"{len(playlists)} playlists, {len(self.used_songs)} distinct songs "
            f"({len(uris)} track URIs incl. {len(version_uris)} versions), "
            f"{len(themes)} themes, {len(titles)} distinct titles"
        )


def build(
    songs_dir: Path | str | None = None,
    themes_json: Path | str | None = None,
    themes_md: Path | str | None = None,
    seed: int = SEED,
    num_playlists: int = NUM_PLAYLISTS,
) -> DemoBuild:
    """Build the catalog and the bookkeeping behind it (themes per playlist)."""
    theme_keys = load_theme_keys(themes_md)
    configs, blends = load_theme_config(themes_json, theme_keys)
    table = load_songs(songs_dir, theme_keys)
    songs = table.songs
    rng = random.Random(seed)

    # Global popularity: Zipf-like weight over a seeded permutation of songs.
    order = list(range(len(songs)))
    rng.shuffle(order)
    weight = [0] * len(songs)
    for rank, i in enumerate(order):
        weight[i] = _popularity_weight(rank)
    cum_weight: list[int] = []
    acc = 0
    for w in weight:
        acc += w
        cum_weight.append(acc)

    # Second versions ("- Remastered" ...) for a few songs.
    existing = {s.key for s in songs}
    versions: dict[int, Song] = {}
    for i, song in enumerate(songs):
        if rng.random() < VERSION_SONG_PROB:
            suffix = rng.choice(VERSION_SUFFIXES)
            version = Song(title=song.title + suffix, artist=song.artist)
            if version.key not in existing:
                versions[i] = version
                existing.add(version.key)
    if not versions:                       # tiny inputs: still give one version
        versions[0] = Song(title=songs[0].title + VERSION_SUFFIXES[0], artist=songs[0].artist)

    # Which playlist is about what: fixed counts, shuffled.
    n_blend = num_playlists * BLEND_PERCENT // 100 if blends else 0
    single_counts = _apportion(num_playlists - n_blend, [configs[k].weight for k in theme_keys])
    slots: list[tuple[str, ...] | int] = []
    for key, count in zip(theme_keys, single_counts):
        slots.extend([(key,)] * count)
    if n_blend:
        for bi, count in enumerate(_apportion(n_blend, [b.weight for b in blends])):
            slots.extend([bi] * count)
    rng.shuffle(slots)

    playlists: list[dict] = []
    playlist_themes: list[tuple[str, ...]] = []
    used: set[int] = set()
    for pid, slot in enumerate(slots):
        if isinstance(slot, int):
            blend = blends[slot]
            themes = blend.themes
            base = rng.choice(blend.titles)
        else:
            blend = None
            themes = slot
            base = _pick_variant(rng, configs[themes[0]].titles)
        main = configs[themes[0]]
        modified_at = max(rng.randint(MODIFIED_MIN, MODIFIED_MAX), rng.randint(MODIFIED_MIN, MODIFIED_MAX))
        modified_at -= modified_at % DAY
        name = _make_title(rng, base, main, modified_at)
        target = rng.choices(_SIZES, cum_weights=_SIZE_CUM)[0]

        on_theme = sorted({i for t in themes for i in table.theme_songs[t]})
        picks: list[int] = []
        if blend is None:
            pool = table.theme_songs[themes[0]]
            cap = max(MIN_TRACKS, len(pool) * 3 // 4)
            picks = _weighted_sample(rng, pool, weight, min(target, cap))
        else:
            pool_a = table.theme_songs[themes[0]]
            want_a = target * rng.randint(35, 65) // 100
            picks = _weighted_sample(rng, pool_a, weight, min(want_a, len(pool_a) * 3 // 4))
            taken = set(picks)
            pool_b = [i for i in table.theme_songs[themes[1]] if i not in taken]
            picks += _weighted_sample(rng, pool_b, weight, min(target - len(picks), len(pool_b) * 3 // 4))
        if len(picks) < MIN_TRACKS:         # small themes: top up from the themes' pool
            taken = set(picks)
            rest = [i for i in on_theme if i not in taken]
            picks += _weighted_sample(rng, rest, weight, MIN_TRACKS - len(picks))
        rng.shuffle(picks)

        # Off-theme noise tracks at random positions.
        on_theme_set = set(on_theme)
        if rng.random() < NOISE_PLAYLIST_PROB:
            k = min(rng.randint(1, NOISE_MAX), MAX_TRACKS - len(picks))
            present = set(picks)
            for _ in range(k):
                for _attempt in range(100):
                    i = bisect.bisect_right(cum_weight, rng.randrange(cum_weight[-1]))
                    if i not in present and i not in on_theme_set:
                        break
                else:
                    continue
                present.add(i)
                picks.insert(rng.randint(0, len(picks)), i)
        if len(picks) < MIN_TRACKS:         # tiny inputs only: fill from anywhere
            present = set(picks)
            rest = [i for i in range(len(songs)) if i not in present]
            picks += _weighted_sample(rng, rest, weight, MIN_TRACKS - len(picks))

        tracks = []
        for pos, i in enumerate(picks):
            song = songs[i]
            if i in versions and rng.random() < VERSION_USE_PROB:
                song = versions[i]
            tracks.append(
                {
                    "pos": pos,
                    "artist_name": song.artist,
                    "track_uri": track_uri(song.title, song.artist),
                    "artist_uri": artist_uri(song.artist),
                    "track_name": song.title,
                }
            )
        used.update(picks)
        num_artists = len({t["artist_uri"] for t in tracks})
        playlists.append(
            {
                "name": name,
                "collaborative": "false",
                "pid": pid,
                "modified_at": modified_at,
                "num_tracks": len(tracks),
                "num_followers": _followers(rng),
                "num_edits": _edits(rng, len(tracks)),
                "num_artists": num_artists,
                "tracks": tracks,
            }
        )
        playlist_themes.append(tuple(themes))

    info = dict(INFO)
    info["slice"] = f"0-{len(playlists) - 1}"
    catalog = {"info": info, "playlists": playlists}
    return DemoBuild(
        catalog=catalog,
        playlist_themes=playlist_themes,
        table=table,
        versions=versions,
        theme_keys=theme_keys,
        used_songs=used,
    )


def build_catalog(**kwargs) -> dict:
    """The demo catalog as an MPD slice dict (see build() for arguments)."""
    return build(**kwargs).catalog
