"""Tests for the embedded demo catalog and its deterministic builder."""

from __future__ import annotations

import collections
import gzip
import hashlib
import json
import os
import re
import subprocess
import sys
from pathlib import Path

import pytest

REPO_ROOT = Path(__file__).resolve().parents[2]
if str(REPO_ROOT) not in sys.path:
    sys.path.insert(0, str(REPO_ROOT))

from tools import build_demo as bd  # noqa: E402

HEX16 = re.compile(r"^[0-9a-f]{16}$")


@pytest.fixture(scope="module")
def result() -> bd.DemoBuild:
    return bd.build()


@pytest.fixture(scope="module")
def playlists(result):
    return result.catalog["playlists"]


def _base_title(name: str) -> str:
    for suffix in bd.VERSION_SUFFIXES:
        if name.endswith(suffix):
            return name[: -len(suffix)]
    return name


def _is_emoji(ch: str) -> bool:
    cp = ord(ch)
    return 0x1F000 <= cp <= 0x1FAFF or 0x2600 <= cp <= 0x27BF


# --------------------------------------------------------------------------- #
# shipped file and determinism
# --------------------------------------------------------------------------- #
def test_shipped_file_equals_fresh_build(result):
    assert bd.OUTPUT_PATH.is_file(), "run `python tools/build_demo.py` to create the demo catalog"
    shipped = bd.OUTPUT_PATH.read_bytes()
    fresh = bd.catalog_bytes(result.catalog)
    # Same payload; with the same zlib the compressed bytes are identical too,
    # but another zlib build may legitimately compress differently.
    assert gzip.decompress(shipped) == gzip.decompress(fresh) == bd.catalog_json_bytes(result.catalog)
    assert bd.check(bd.OUTPUT_PATH) is None


def test_gzip_output_is_byte_stable(result):
    data = bd.catalog_bytes(result.catalog)
    assert data == bd.catalog_bytes(bd.build_catalog())
    assert data[:2] == b"\x1f\x8b"
    assert data[4:8] == b"\x00\x00\x00\x00", "gzip mtime must be 0"
    assert not data[3] & 0x08, "gzip header must not carry a file name"


def test_build_is_independent_of_hash_seed(result):
    expected = hashlib.sha256(bd.catalog_json_bytes(result.catalog)).hexdigest()
    code = (
        "import hashlib; from tools import build_demo as bd; "
        "print(hashlib.sha256(bd.catalog_json_bytes()).hexdigest())"
    )
    for hash_seed in ("1", "4242"):
        env = dict(os.environ, PYTHONHASHSEED=hash_seed)
        out = subprocess.run(
            [sys.executable, "-c", code], cwd=REPO_ROOT, env=env, capture_output=True, text=True, check=True
        )
        assert out.stdout.strip() == expected, f"output changed with PYTHONHASHSEED={hash_seed}"


def test_cli_check_detects_stale_file(tmp_path, capsys):
    good = tmp_path / "good.json.gz"
    good.write_bytes(bd.OUTPUT_PATH.read_bytes())
    assert bd.main(["--check", "--output", str(good)]) == 0

    catalog = json.loads(gzip.decompress(good.read_bytes()))
    catalog["playlists"][0]["name"] += "x"
    stale = tmp_path / "stale.json.gz"
    stale.write_bytes(bd.catalog_bytes(catalog))
    assert bd.main(["--check", "--output", str(stale)]) == 1
    assert bd.main(["--check", "--output", str(tmp_path / "missing.json.gz")]) == 1
    assert "stale" in capsys.readouterr().err


# --------------------------------------------------------------------------- #
# catalog content
# --------------------------------------------------------------------------- #
def test_info_and_playlist_count(result, playlists):
    assert len(playlists) >= 2000
    assert [p["pid"] for p in playlists] == list(range(len(playlists)))
    info = result.catalog["info"]
    assert info["slice"] == f"0-{len(playlists) - 1}"
    assert "DEMO" in info["description"] and "not Spotify" in info["description"]


def test_every_theme_is_used(result, playlists):
    keys = bd.load_theme_keys()
    assert len(keys) >= 40
    used = {t for themes in result.playlist_themes for t in themes}
    assert used == set(keys)
    # and each theme's own songs really show up in the playlists about it
    uris_by_theme = collections.defaultdict(set)
    for p, themes in zip(playlists, result.playlist_themes):
        for t in p["tracks"]:
            uris_by_theme[themes[0]].add(bd.track_uri(_base_title(t["track_name"]), t["artist_name"]))
    for key in keys:
        theme_uris = {bd.track_uri(result.table.songs[i].title, result.table.songs[i].artist)
                      for i in result.table.theme_songs[key]}
        assert len(theme_uris & uris_by_theme[key]) >= bd.MIN_SONGS_PER_THEME, key


def test_blends_and_theme_skew(result):
    themes = result.playlist_themes
    blended = sum(1 for t in themes if len(t) == 2)
    assert 0.10 <= blended / len(themes) <= 0.20
    main = collections.Counter(t[0] for t in themes)
    assert main["christmas"] > main["blues"]
    assert main["pop"] > main["jazz"]


def test_distinct_songs(playlists):
    songs = {
        (_base_title(t["track_name"]).casefold(), t["artist_name"].casefold())
        for p in playlists
        for t in p["tracks"]
    }
    assert len(songs) >= 1500


def test_uris_are_demo_ids(playlists):
    for p in playlists:
        for t in p["tracks"]:
            assert t["track_uri"].startswith("demo:track:")
            assert HEX16.match(t["track_uri"][len("demo:track:"):])
            assert t["artist_uri"].startswith("demo:artist:")
            assert t["track_uri"] == bd.track_uri(t["track_name"], t["artist_name"])
            assert t["artist_uri"] == bd.artist_uri(t["artist_name"])
            assert "spotify" not in t["track_uri"]


def test_playlist_structure(playlists):
    required = {"pos", "artist_name", "track_uri", "artist_uri", "track_name"}
    for p in playlists:
        assert isinstance(p["pid"], int)
        assert isinstance(p["name"], str) and p["name"].strip()
        assert p["collaborative"] == "false"
        assert bd.MIN_TRACKS <= len(p["tracks"]) <= bd.MAX_TRACKS
        assert p["num_tracks"] == len(p["tracks"])
        assert p["num_artists"] == len({t["artist_uri"] for t in p["tracks"]})
        assert p["num_followers"] >= 1 and p["num_edits"] >= 1
        assert bd.MODIFIED_MIN <= p["modified_at"] <= bd.MODIFIED_MAX
        for pos, t in enumerate(p["tracks"]):
            assert required <= set(t)
            assert t["pos"] == pos
            assert t["track_name"].strip() and t["artist_name"].strip()


def test_no_repeated_track_in_a_playlist(playlists):
    for p in playlists:
        uris = [t["track_uri"] for t in p["tracks"]]
        assert len(uris) == len(set(uris)), p["pid"]


def test_track_lengths_are_skewed_to_the_middle(playlists):
    sizes = [len(p["tracks"]) for p in playlists]
    middle = sum(1 for n in sizes if 20 <= n <= 40)
    assert middle / len(sizes) > 0.6
    assert min(sizes) < 18 and max(sizes) > 45


def test_song_popularity_is_skewed(playlists):
    counts = collections.Counter(t["track_uri"] for p in playlists for t in p["tracks"])
    values = sorted(counts.values())
    median = values[len(values) // 2]
    assert values[-1] >= 5 * median
    assert sum(1 for v in values if v <= 5) >= 20


def test_titles_look_user_written(playlists):
    names = [p["name"] for p in playlists]
    assert any(any(_is_emoji(c) for c in n) for n in names)
    by_fold = collections.defaultdict(set)
    for n in names:
        by_fold[n.casefold()].add(n)
    assert any(len(v) > 1 for v in by_fold.values()), "expected titles differing only in case"
    assert len(set(names)) >= 300
    assert any(any(c.isalpha() and not c.isascii() for c in n) for n in names)  # e.g. 케이팝
    assert any(re.search(r"(?:\s'?1[0-7]|\s20[01]\d)$", n) for n in names)  # year suffixes


def test_version_tracks_exist(playlists):
    by_song = collections.defaultdict(set)
    version_names = []
    for p in playlists:
        for t in p["tracks"]:
            by_song[(_base_title(t["track_name"]).casefold(), t["artist_name"].casefold())].add(t["track_uri"])
            if t["track_name"] != _base_title(t["track_name"]):
                version_names.append(t["track_name"])
    assert version_names
    merged = [uris for uris in by_song.values() if len(uris) > 1]
    # a version and its original both occur, under different URIs
    assert len(merged) >= 10


# --------------------------------------------------------------------------- #
# input validation
# --------------------------------------------------------------------------- #
def _write(path: Path, lines: list[str]) -> Path:
    path.write_text("\n".join(lines) + "\n", encoding="utf-8")
    return path


def _songs(theme: str, n: int) -> list[str]:
    return [f"{theme}\t{theme} song {i}\tArtist {i}" for i in range(n)]


@pytest.mark.parametrize(
    "bad_line, message",
    [
        ("pop\tOnly two fields", "expected 3 tab-separated fields"),
        ("pop\tA\tB\tC", "expected 3 tab-separated fields"),
        ("popp\tSong\tArtist", "unknown theme key 'popp'"),
        ("pop\t\tArtist", "empty SONG field"),
        ("pop\tSong\t ", "empty ARTIST field"),
    ],
)
def test_bad_song_lines_name_file_and_line(tmp_path, bad_line, message):
    _write(tmp_path / "a.tsv", ["# comment"] + _songs("pop", 10) + _songs("rock", 10))
    _write(tmp_path / "b.tsv", ["# comment", "rock\tExtra\tSomeone", bad_line])
    with pytest.raises(bd.DemoBuildError) as err:
        bd.load_songs(tmp_path, theme_keys=["pop", "rock"])
    text = str(err.value)
    assert f"{tmp_path / 'b.tsv'}:3:" in text
    assert message in text


def test_theme_with_too_few_songs_is_an_error(tmp_path):
    _write(tmp_path / "a.tsv", _songs("pop", 10) + _songs("rock", 9))
    with pytest.raises(bd.DemoBuildError, match="'rock' has 9 distinct songs"):
        bd.load_songs(tmp_path, theme_keys=["pop", "rock"])
    _write(tmp_path / "a.tsv", _songs("pop", 10) + _songs("rock", 10))
    table = bd.load_songs(tmp_path, theme_keys=["pop", "rock"])
    assert len(table.theme_songs["rock"]) == 10


def test_small_build_keeps_invariants(tmp_path):
    songs = tmp_path / "songs"
    songs.mkdir()
    _write(songs / "x.tsv", _songs("pop", 12) + _songs("rock", 30) + ["pop\trock song 0\tArtist 0"])
    md = _write(tmp_path / "THEMES.md", ["# themes", "all: pop rock"])
    cfg = {
        "themes": {
            k: {"weight": 1, "titles": [k, k.upper(), k + " mix", k + "!", "my " + k, k + " songs"], "emoji": ["🎵"]}
            for k in ("pop", "rock")
        },
        "blends": [{"themes": ["pop", "rock"], "titles": ["pop rock"]}],
    }
    cfg_path = tmp_path / "themes.json"
    cfg_path.write_text(json.dumps(cfg), encoding="utf-8")
    a = bd.build(songs_dir=songs, themes_json=cfg_path, themes_md=md, num_playlists=60)
    b = bd.build(songs_dir=songs, themes_json=cfg_path, themes_md=md, num_playlists=60)
    assert bd.catalog_json_bytes(a.catalog) == bd.catalog_json_bytes(b.catalog)
    assert len(a.catalog["playlists"]) == 60
    assert {t for ts in a.playlist_themes for t in ts} == {"pop", "rock"}
    for p in a.catalog["playlists"]:
        uris = [t["track_uri"] for t in p["tracks"]]
        assert bd.MIN_TRACKS <= len(uris) <= bd.MAX_TRACKS
        assert len(uris) == len(set(uris))


def test_themes_json_must_cover_themes_md(tmp_path):
    md = _write(tmp_path / "THEMES.md", ["all: " + " ".join(bd.load_theme_keys()) + " polka"])
    with pytest.raises(bd.DemoBuildError, match="'polka' from THEMES.md has no entry"):
        bd.load_theme_config(bd.THEMES_JSON, bd.load_theme_keys(md))
    # the shipped configuration matches the shipped theme list
    configs, blends = bd.load_theme_config()
    assert list(configs) == bd.load_theme_keys()
    assert blends
