"""Deterministic builder of the embedded demo catalog.

The demo catalog lets ``agent generate`` answer before the user has loaded any
real data.  It is written in the Spotify Million Playlist Dataset (MPD) *slice*
format, but every playlist in it is synthetic: the song titles and artists are
real (taken from the hand-written lists in ``songs/*.tsv``), the playlists,
titles, follower counts and URIs are generated here.  URIs use the ``demo:``
scheme and are derived from the song text, never made to look like Spotify ids.

Inputs (all in this directory):

* ``THEMES.md``   -- the theme keys, whitespace-separated after a ``label:``;
* ``themes.json`` -- per theme: title variants, weight, emoji, year suffix flag,
  plus the list of theme pairs that are blended;
* ``songs/*.tsv`` -- ``THEME<TAB>SONG<TAB>ARTIST`` lines, ``#`` lines are
  comments, read in sorted file-name order.

Output: ``mpd.slice.demo.json.gz``.  The build only uses ``random.Random`` with
a fixed seed and iterates over sorted containers, and the gzip header carries
no file name and ``mtime=0``, so the bytes are the same on every run.

Usage::

    python -m agent.demo.build_demo           # write the file, print a summary
    python -m agent.demo.build_demo --check   # exit 1 if the shipped file is stale
"""

from __future__ import annotations

import argparse
import bisect
import datetime as _dt
import difflib
import gzip
import hashlib
import io
import json
import math
import random
import re
import sys
from dataclasses import dataclass, field
from pathlib import Path
from typing import Sequence

DEMO_DIR = Path(__file__).resolve().parent
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


@dataclass(frozen=True)
class Blend:
    themes: tuple[str, str]
    weight: int
    titles: tuple[str, ...]


def load_theme_keys(path: Path | str | None = None) -> list[str]:
    """Theme keys listed in THEMES.md (``label: key key ...`` lines), in order."""
    path = Path(path if path is not None else THEMES_MD)
    keys: list[str] = []
    for lineno, raw in enumerate(path.read_text(encoding="utf-8").splitlines(), 1):
        line = raw.strip()
        if not line or line.startswith("#") or ":" not in line:
            continue
        for key in line.split(":", 1)[1].split():
            if not _THEME_KEY_RE.match(key):
                raise DemoBuildError(f"{path}:{lineno}: invalid theme key {key!r}")
            if key in keys:
                raise DemoBuildError(f"{path}:{lineno}: duplicate theme key {key!r}")
            keys.append(key)
    if not keys:
        raise DemoBuildError(f"{path}: no theme keys found")
    return keys


def load_theme_config(
    path: Path | str | None = None, theme_keys: Sequence[str] | None = None
) -> tuple[dict[str, ThemeConfig], list[Blend]]:
    """Read and validate themes.json against the theme keys."""
    path = Path(path if path is not None else THEMES_JSON)
    try:
        data = json.loads(path.read_text(encoding="utf-8"))
    except json.JSONDecodeError as exc:
        raise DemoBuildError(f"{path}:{exc.lineno}: invalid JSON: {exc.msg}") from exc
    if theme_keys is None:
        theme_keys = load_theme_keys()
    raw_themes = data.get("themes")
    if not isinstance(raw_themes, dict):
        raise DemoBuildError(f"{path}: missing 'themes' object")
    errors: list[str] = []
    for key in sorted(set(raw_themes) - set(theme_keys)):
        errors.append(f"{path}: theme {key!r} is not listed in THEMES.md")
    for key in theme_keys:
        if key not in raw_themes:
            errors.append(f"{path}: theme {key!r} from THEMES.md has no entry")
    configs: dict[str, ThemeConfig] = {}
    for key in theme_keys:
        entry = raw_themes.get(key)
        if not isinstance(entry, dict):
            continue
        titles = entry.get("titles")
        if (
            not isinstance(titles, list)
            or not 6 <= len(titles) <= 15
            or not all(isinstance(t, str) and t.strip() for t in titles)
        ):
            errors.append(f"{path}: theme {key!r} needs 6-15 non-empty titles")
            continue
        weight = entry.get("weight", 1)
        if not isinstance(weight, int) or weight < 1:
            errors.append(f"{path}: theme {key!r} weight must be a positive integer")
            continue
        emoji = entry.get("emoji", [])
        if not isinstance(emoji, list) or not all(isinstance(e, str) and e for e in emoji):
            errors.append(f"{path}: theme {key!r} emoji must be a list of strings")
            continue
        configs[key] = ThemeConfig(
            key=key,
            weight=weight,
            titles=tuple(titles),
            emoji=tuple(emoji),
            year_suffix=bool(entry.get("year_suffix", False)),
        )
    blends: list[Blend] = []
    for i, entry in enumerate(data.get("blends", [])):
        pair = entry.get("themes") if isinstance(entry, dict) else None
        titles = entry.get("titles") if isinstance(entry, dict) else None
        weight = entry.get("weight", 1) if isinstance(entry, dict) else None
        if (
            not isinstance(pair, list)
            or len(pair) != 2
            or pair[0] == pair[1]
            or any(p not in theme_keys for p in pair)
        ):
            errors.append(f"{path}: blends[{i}]: 'themes' must name two different known themes, got {pair!r}")
            continue
        if not isinstance(titles, list) or not titles or not all(isinstance(t, str) and t.strip() for t in titles):
            errors.append(f"{path}: blends[{i}]: needs a non-empty list of titles")
            continue
        if not isinstance(weight, int) or weight < 1:
            errors.append(f"{path}: blends[{i}]: weight must be a positive integer")
            continue
        blends.append(Blend(themes=(pair[0], pair[1]), weight=weight, titles=tuple(titles)))
    if errors:
        raise DemoBuildError("invalid theme configuration:\n  " + "\n  ".join(errors))
    return configs, blends


@dataclass
class SongTable:
    songs: list[Song]                       # sorted by Song.key
    theme_songs: dict[str, list[int]]       # theme -> sorted song indices
    files: list[Path]
    rows: int                               # song lines read (before dedupe)


def load_songs(songs_dir: Path | str | None = None, theme_keys: Sequence[str] | None = None) -> SongTable:
    """Read every ``*.tsv`` under songs_dir in sorted order and validate it.

    All problems are collected and raised together as one DemoBuildError whose
    lines name the file and line number.
    """
    songs_dir = Path(songs_dir if songs_dir is not None else SONGS_DIR)
    if theme_keys is None:
        theme_keys = load_theme_keys()
    known = set(theme_keys)
    files = sorted(songs_dir.glob("*.tsv"))
    if not files:
        raise DemoBuildError(f"{songs_dir}: no song lists (*.tsv) found")
    errors: list[str] = []
    display: dict[tuple[str, str], Song] = {}           # first spelling wins
    artist_display: dict[str, str] = {}
    membership: dict[str, set[tuple[str, str]]] = {k: set() for k in theme_keys}
    rows = 0
    for path in files:
        try:
            text = path.read_text(encoding="utf-8-sig")
        except UnicodeDecodeError as exc:
            errors.append(f"{path}: not valid UTF-8 ({exc.reason} at byte {exc.start})")
            continue
        seen_data = False
        for lineno, raw in enumerate(text.splitlines(), 1):
            line = raw.rstrip("\r\n")
            if not line.strip() or line.lstrip().startswith("#"):
                continue
            where = f"{path}:{lineno}"
            fields = line.split("\t")
            if not seen_data and tuple(f.strip().casefold() for f in fields) == _HEADER_FIELDS:
                seen_data = True            # tolerate a THEME/SONG/ARTIST header
                continue
            seen_data = True
            if len(fields) != 3:
                errors.append(
                    f"{where}: expected 3 tab-separated fields THEME<TAB>SONG<TAB>ARTIST, "
                    f"got {len(fields)}: {line!r}"
                )
                continue
            theme, title, artist = (f.strip() for f in fields)
            empty = [name for name, value in zip(("THEME", "SONG", "ARTIST"), (theme, title, artist)) if not value]
            if empty:
                errors.append(f"{where}: empty {'/'.join(empty)} field: {line!r}")
                continue
            if theme not in known:
                close = difflib.get_close_matches(theme, sorted(known), n=1)
                hint = f" (did you mean {close[0]!r}?)" if close else ""
                errors.append(f"{where}: unknown theme key {theme!r}{hint}; keys are listed in THEMES.md")
                continue
            rows += 1
            artist = artist_display.setdefault(artist.casefold(), artist)
            song = Song(title=title, artist=artist)
            song = display.setdefault(song.key, song)
            membership[theme].add(song.key)
    for key in theme_keys:
        n = len(membership[key])
        if n < MIN_SONGS_PER_THEME:
            errors.append(
                f"{songs_dir}: theme {key!r} has {n} distinct songs, needs at least {MIN_SONGS_PER_THEME}"
            )
    if errors:
        shown = errors[:60]
        more = f"\n  ... and {len(errors) - len(shown)} more" if len(errors) > len(shown) else ""
        raise DemoBuildError("invalid song lists:\n  " + "\n  ".join(shown) + more)
    keys = sorted(display)
    songs = [display[k] for k in keys]
    index = {k: i for i, k in enumerate(keys)}
    theme_songs = {t: sorted(index[k] for k in membership[t]) for t in theme_keys}
    return SongTable(songs=songs, theme_songs=theme_songs, files=files, rows=rows)


# --------------------------------------------------------------------------- #
# generation helpers
# --------------------------------------------------------------------------- #
def _apportion(total: int, weights: Sequence[int]) -> list[int]:
    """Integer shares of total proportional to weights (largest remainder,
    ties broken by position), every share at least 1 when total allows."""
    wsum = sum(weights)
    shares = [total * w // wsum for w in weights]
    remainders = sorted(range(len(weights)), key=lambda i: (-(total * weights[i] % wsum), i))
    for i in remainders[: total - sum(shares)]:
        shares[i] += 1
    return shares


def _popularity_weight(rank: int) -> int:
    """Zipf-like integer weight, exponent 1.5: SCALE / (rank + OFFSET) ** 1.5."""
    r = rank + POP_OFFSET
    return max(1, POP_SCALE // (r * math.isqrt(r)))


def _weighted_sample(rng: random.Random, candidates: Sequence[int], weights: Sequence[int], k: int) -> list[int]:
    """k distinct items of candidates, drawn one by one with integer weights."""
    pool = list(candidates)
    w = [weights[i] for i in pool]
    total = sum(w)
    out: list[int] = []
    for _ in range(min(k, len(pool))):
        r = rng.randrange(total)
        acc = 0
        for j, wj in enumerate(w):
            acc += wj
            if r < acc:
                break
        out.append(pool.pop(j))
        total -= w.pop(j)
    return out


# Playlist length distribution: 12..60, a triangle peaking around 28-32.
_SIZES = list(range(MIN_TRACKS, MAX_TRACKS + 1))
_SIZE_WEIGHTS = [n - MIN_TRACKS + 2 if n <= 30 else max(1, 20 - (n - 30) * 2 // 3) for n in _SIZES]
_SIZE_CUM = [sum(_SIZE_WEIGHTS[: i + 1]) for i in range(len(_SIZE_WEIGHTS))]

_PUNCTUATION = ("!", "!!", "!!!", ".", " :)", "...", "!!!!")


def _title_case(text: str) -> str:
    return " ".join(w[:1].upper() + w[1:] if w[:1].isalpha() else w for w in text.split(" "))


def _is_latin(text: str) -> bool:
    """Has letters and all of them are ASCII (so case/typo changes make sense)."""
    letters = [c for c in text if c.isalpha()]
    return bool(letters) and all(c.isascii() for c in letters)


def _has_symbol(text: str) -> bool:
    return any(ord(c) >= 0x2000 for c in text)


def _typo(rng: random.Random, text: str) -> str:
    pos = [i for i, c in enumerate(text) if c.isascii() and c.isalpha()]
    if len(pos) < 4:
        return text
    if rng.random() < 0.5:
        swaps = [i for i in pos[:-1] if i + 1 in pos and text[i] != text[i + 1]]
        if swaps:
            i = rng.choice(swaps)
            return text[:i] + text[i + 1] + text[i] + text[i + 2:]
    i = rng.choice(pos[1:])        # keep the first letter: people rarely miss it
    return text[:i] + text[i + 1:]


def _year_of(epoch: int) -> int:
    return (_dt.datetime(1970, 1, 1) + _dt.timedelta(seconds=epoch)).year


def _make_title(rng: random.Random, base: str, cfg: ThemeConfig, modified_at: int) -> str:
    """Perturb a title variant the way users write titles."""
    title = base
    if cfg.year_suffix and rng.random() < 0.08:
        year = _year_of(modified_at)
        style = rng.randrange(3)
        title += (f" {year % 100:02d}", f" {year}", f" '{year % 100:02d}")[style]
    if _is_latin(title):
        r = rng.random()
        if r < 0.18:
            title = title.lower()
        elif r < 0.24:
            title = title.upper()
        elif r < 0.34:
            title = _title_case(title)
        if rng.random() < 0.035:
            title = _typo(rng, title)
    r = rng.random()
    if r < 0.10 and cfg.emoji and not _has_symbol(title):
        e = rng.choice(cfg.emoji)
        title += rng.choice((" " + e, e, " " + e * 2, e * 3))
    elif 0.10 <= r < 0.15 and not _has_symbol(title):
        title += rng.choice(_PUNCTUATION)
    return title


def _pick_variant(rng: random.Random, titles: Sequence[str]) -> str:
    # earlier variants are the common spellings: weight 12 // (i + 1) + 1
    weights = [12 // (i + 1) + 1 for i in range(len(titles))]
    return titles[rng.choices(range(len(titles)), weights=weights)[0]]


def _followers(rng: random.Random) -> int:
    f = 1
    while rng.random() < 0.35:
        f += 1
    if rng.random() < 0.04:
        f += rng.randint(5, 400)
    return f


def _edits(rng: random.Random, num_tracks: int) -> int:
    e = rng.randint(1, max(2, num_tracks // 6))
    while rng.random() < 0.3:
        e += rng.randint(1, 6)
    return e


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


def catalog_json_bytes(catalog: dict | None = None) -> bytes:
    """The uncompressed JSON of the catalog (built when not given)."""
    if catalog is None:
        catalog = build_catalog()
    return json.dumps(catalog, ensure_ascii=False, separators=(",", ":")).encode("utf-8") + b"\n"


def gzip_bytes(payload: bytes) -> bytes:
    """gzip with no file name and mtime=0, so equal input gives equal bytes."""
    buf = io.BytesIO()
    with gzip.GzipFile(filename="", mode="wb", fileobj=buf, compresslevel=9, mtime=0) as gz:
        gz.write(payload)
    return buf.getvalue()


def catalog_bytes(catalog: dict | None = None) -> bytes:
    """The gzip-compressed catalog file content."""
    return gzip_bytes(catalog_json_bytes(catalog))


def check(path: Path | str | None = None, expected_json: bytes | None = None) -> str | None:
    """None when the file at path holds the current catalog, else why not.

    Compares the decompressed JSON, so a different zlib build (which may
    compress the same payload to other bytes) does not count as stale.
    """
    path = Path(path if path is not None else OUTPUT_PATH)
    if expected_json is None:
        expected_json = catalog_json_bytes()
    if not path.exists():
        return f"{path} does not exist"
    try:
        shipped = gzip.decompress(path.read_bytes())
    except (OSError, EOFError) as exc:
        return f"{path} is not a valid gzip file ({exc})"
    if shipped != expected_json:
        return f"{path} differs from a fresh build"
    return None


def main(argv: Sequence[str] | None = None) -> int:
    parser = argparse.ArgumentParser(
        prog="python -m agent.demo.build_demo",
        description="Build the synthetic demo catalog (MPD slice format) from songs/*.tsv.",
    )
    parser.add_argument("--check", action="store_true", help="rebuild in memory; exit 1 if the shipped file differs")
    parser.add_argument("--output", type=Path, default=None, help=f"catalog file (default: {OUTPUT_PATH})")
    parser.add_argument("--songs-dir", type=Path, default=None, help=f"song lists folder (default: {SONGS_DIR})")
    args = parser.parse_args(argv)
    if args.output is None:
        args.output = OUTPUT_PATH
    try:
        result = build(songs_dir=args.songs_dir)
    except DemoBuildError as exc:
        print(f"error: {exc}", file=sys.stderr)
        return 2
    payload = catalog_json_bytes(result.catalog)
    if args.check:
        problem = check(args.output, payload)
        if problem:
            print(f"demo catalog is stale: {problem}; run `python -m agent.demo.build_demo`", file=sys.stderr)
            return 1
        print(f"{args.output}: up to date ({result.summary()})")
        return 0
    data = gzip_bytes(payload)
    args.output.write_bytes(data)
    print(f"wrote {args.output} ({len(data)} bytes): {result.summary()}")
    return 0


if __name__ == "__main__":
    sys.exit(main())
