"""Reading the builder's inputs: THEMES.md, themes.json and songs/*.tsv, checked line by line."""

from __future__ import annotations

import difflib
import json
from dataclasses import dataclass, field
from pathlib import Path
from typing import Sequence

from tools.demo_builder.settings import DemoBuildError, MIN_SONGS_PER_THEME, SONGS_DIR, Song, THEMES_JSON, THEMES_MD, ThemeConfig, _HEADER_FIELDS, _THEME_KEY_RE

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
