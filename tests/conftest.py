"""Shared fixtures: MPD slice writing, a hand-made three-theme corpus, one real
MiniLM encoder for the whole session, and isolated data dirs.

The corpus is small enough that the right answers are known by construction:
christmas titles only hold christmas songs, workout titles workout songs and
chill titles chill songs, and no artist appears in two themes.
"""

from __future__ import annotations

import atexit
import gzip
import json
import os
import shutil
import signal
import tempfile
from collections.abc import Callable, Iterator
from dataclasses import dataclass, field
from pathlib import Path

import pytest

# --------------------------------------------------------------------------- #
# Keep every test away from the user's real data dir, Chroma server and the network.
# --------------------------------------------------------------------------- #

_ISOLATION_HOME = tempfile.mkdtemp(prefix="agent-tests-home-")
atexit.register(shutil.rmtree, _ISOLATION_HOME, ignore_errors=True)
for _name in ("AGENT_CHROMA_URL", "AGENT_DEBUG", "AGENT_DEVICE"):
    os.environ.pop(_name, None)
os.environ["AGENT_HOME"] = _ISOLATION_HOME
# One ONNX export of each encoder for the whole run, instead of one per test data dir.
os.environ["AGENT_ONNX_DIR"] = os.path.join(_ISOLATION_HOME, "onnx-shared")
os.environ["ANONYMIZED_TELEMETRY"] = "False"
os.environ["HF_HUB_OFFLINE"] = "1"
os.environ["TRANSFORMERS_OFFLINE"] = "1"
os.environ["HF_HUB_DISABLE_PROGRESS_BARS"] = "1"
os.environ["TOKENIZERS_PARALLELISM"] = "false"
# Tests press Ctrl-C on the programs they start, as a terminal does. A suite started in
# the background by a script inherits SIGINT ignored (the shell's rule for background
# jobs), and so would every program it starts, which would then never see the key: the
# suite takes SIGINT back, so its children start with the default, as from a terminal.
if signal.getsignal(signal.SIGINT) is signal.SIG_IGN:
    signal.signal(signal.SIGINT, signal.default_int_handler)


# --------------------------------------------------------------------------- #
# Writing MPD files
# --------------------------------------------------------------------------- #


def write_slice_file(directory: Path, playlists: list, name: str = "mpd.slice.0-999.json", info: dict | None = None) -> Path:
    """Write `playlists` as an MPD slice (`{"info": ..., "playlists": [...]}`) and return its path.

    A name ending in ``.gz`` is gzip-compressed, as the MPD ships some copies.
    """
    directory = Path(directory)
    directory.mkdir(parents=True, exist_ok=True)
    document = {
        "info": info or {"generated_on": "2017-12-03 08:41:42.057563", "slice": "0-999", "version": "v1"},
        "playlists": playlists,
    }
    data = json.dumps(document, ensure_ascii=False).encode("utf-8")
    path = directory / name
    if name.endswith(".gz"):
        data = gzip.compress(data)
    path.write_bytes(data)
    return path


@pytest.fixture
def write_slice() -> Callable[..., Path]:
    """`write_slice(tmp_path, playlists, name)` -> path of the written slice file."""
    return write_slice_file


# --------------------------------------------------------------------------- #
# The hand-made corpus
# --------------------------------------------------------------------------- #

XMAS_TRACKS = {
    "xmas01": ("All I Want for Christmas Is You", "Mariah Carey"),
    "xmas02": ("Last Christmas", "Wham!"),
    "xmas03": ("Jingle Bell Rock", "Bobby Helms"),
    "xmas04": ("Feliz Navidad", "José Feliciano"),
    "xmas05": ("It's Beginning to Look a Lot Like Christmas", "Michael Bublé"),
    "xmas06": ("Santa Tell Me", "Ariana Grande"),
    "xmas07": ("Rockin' Around The Christmas Tree", "Brenda Lee"),
    "xmas08": ("Last Christmas - Remastered", "Wham!"),  # a version of xmas02
    "xmas09": ("Holly Jolly Christmas", "Michael Bublé"),
}
WORKOUT_TRACKS = {
    "gym01": ("Eye of the Tiger", "Survivor"),
    "gym02": ("Stronger", "Kanye West"),
    "gym03": ("'Till I Collapse", "Eminem"),
    "gym04": ("Lose Yourself", "Eminem"),
    "gym05": ("Remember the Name", "Fort Minor"),
    "gym06": ("Can't Hold Us", "Macklemore & Ryan Lewis"),
    "gym07": ("Power", "Kanye West"),
}
CHILL_TRACKS = {
    "chill01": ("Banana Pancakes", "Jack Johnson"),
    "chill02": ("Better Together", "Jack Johnson"),
    "chill03": ("Holocene", "Bon Iver"),
    "chill04": ("Skinny Love", "Bon Iver"),
    "chill05": ("Sunset Lover", "Petit Biscuit"),
    "chill06": ("Electric Feel", "MGMT"),
    "chill07": ("Skinny Love - Live", "Bon Iver"),  # a version of chill04
}
ALL_TRACKS = {**XMAS_TRACKS, **WORKOUT_TRACKS, **CHILL_TRACKS}

# (pid, title, track keys, all MPD fields?)
_PLAYLISTS = [
    (0, "Christmas", ["xmas01", "xmas02", "xmas03", "xmas05", "xmas07"], True),
    (1, "xmas songs", ["xmas01", "xmas02", "xmas04", "xmas06"], False),
    (2, "Xmas Songs!", ["xmas01", "xmas08", "xmas03", "xmas09"], True),  # same title as pid 1
    (3, "Christmas Music 🎄", ["xmas01", "xmas02", "xmas05", "xmas06", "xmas07"], False),
    (4, "크리스마스", ["xmas04", "xmas01", "xmas03"], False),
    (5, "Workout", ["gym01", "gym02", "gym03", "gym04", "gym05"], True),
    (6, "gym", ["gym02", "gym03", "gym06", "gym01"], False),
    (7, "Workout Mix", ["gym04", "gym02", "gym07", "gym03"], True),
    (8, "running", ["gym05", "gym01", "gym06", "gym07"], False),
    (9, "chill", ["chill01", "chill02", "chill03", "chill04"], True),
    (10, "Chill Vibes", ["chill05", "chill06", "chill01", "chill03"], False),
    (11, "relax", ["chill02", "chill04", "chill06"], True),
    (12, "chill 😌", ["chill07", "chill01", "chill05"], False),
]


def uri(key: str) -> str:
    return f"spotify:track:{key}"


def make_track(key: str, full: bool, pos: int = 0) -> dict:
    name, artist = ALL_TRACKS[key]
    track = {"track_uri": uri(key), "track_name": name, "artist_name": artist}
    if full:
        artist_slug = "".join(ch for ch in artist.lower() if ch.isalnum())
        track.update({
            "pos": pos,
            "artist_uri": f"spotify:artist:{artist_slug}",
            "album_uri": f"spotify:album:{key}",
            "album_name": f"{name} (Album)",
            "duration_ms": 180000 + pos * 1000,
        })
    return track


def make_playlist(pid: int, name: str | None, keys: list[str], full: bool = False) -> dict:
    playlist: dict = {"pid": pid}
    if name is not None:
        playlist["name"] = name
    playlist["tracks"] = [make_track(key, full, pos) for pos, key in enumerate(keys)]
    if full:
        playlist.update({
            "collaborative": "false",
            "modified_at": 1493424000 + pid,
            "num_tracks": len(keys),
            "num_albums": len(keys),
            "num_followers": pid + 1,
            "num_edits": 2,
            "duration_ms": sum(t["duration_ms"] for t in playlist["tracks"]),
            "num_artists": len({ALL_TRACKS[k][1] for k in keys}),
            "description": f"hand-made playlist {pid}",
        })
    return playlist


@dataclass
class Corpus:
    """The hand-made corpus and what is true of it by construction."""

    playlists: list[dict]
    pids: dict[str, set[int]]
    uris: dict[str, set[str]]
    # Pids 1 ("xmas songs") and 2 ("Xmas Songs!") share one normalised title.
    distinct_titles: int = 12
    track_names: dict[str, tuple[str, str]] = field(default_factory=dict)

    @property
    def distinct_tracks(self) -> int:
        return len({t["track_uri"] for p in self.playlists for t in p["tracks"]})

    @property
    def track_rows(self) -> int:
        return sum(len(p["tracks"]) for p in self.playlists)

    def by_pid(self, pid: int) -> dict:
        return next(p for p in self.playlists if p["pid"] == pid)


def build_corpus() -> Corpus:
    playlists = [make_playlist(pid, name, keys, full) for pid, name, keys, full in _PLAYLISTS]
    return Corpus(
        playlists=playlists,
        pids={"xmas": {0, 1, 2, 3, 4}, "workout": {5, 6, 7, 8}, "chill": {9, 10, 11, 12}},
        uris={
            "xmas": {uri(k) for k in XMAS_TRACKS},
            "workout": {uri(k) for k in WORKOUT_TRACKS},
            "chill": {uri(k) for k in CHILL_TRACKS},
        },
        track_names={uri(k): v for k, v in ALL_TRACKS.items()},
    )


@pytest.fixture
def corpus() -> Corpus:
    """A fresh copy of the corpus (tests may change it)."""
    return build_corpus()


@pytest.fixture
def corpus_slice(tmp_path, corpus) -> Path:
    return write_slice_file(tmp_path / "mpd", corpus.playlists)


# --------------------------------------------------------------------------- #
# The encoder (loaded once) and isolated workspaces
# --------------------------------------------------------------------------- #


@pytest.fixture(scope="session")
def encoder():
    """The real pre-trained MiniLM from the installed package, loaded once."""
    from retrieval.encoding.encoder import Encoder

    return Encoder()


@pytest.fixture(scope="module")
def reuse_encoder(encoder) -> Iterator[None]:
    """Let the CLI reuse the session's MiniLM instead of loading it at every command.

    Only requests for the default model are served from the session encoder; any
    other model folder is still loaded for real.
    """
    from retrieval.encoding.encoder import Encoder

    base = encoder.path.resolve()

    def cached(path=None, device=None):
        wanted = Path(path).resolve() if path is not None else base
        return encoder if wanted == base else Encoder(path, device)

    with pytest.MonkeyPatch.context() as patch:
        patch.setattr("agent.workspace.Encoder", cached)
        patch.setattr("retrieval.generator.Encoder", cached)
        yield


@pytest.fixture
def workspace_home(tmp_path, monkeypatch) -> Path:
    """An empty data dir that `agent` finds through $AGENT_HOME."""
    home = tmp_path / "agent-home"
    home.mkdir()
    monkeypatch.setenv("AGENT_HOME", str(home))
    monkeypatch.delenv("AGENT_CHROMA_URL", raising=False)
    return home


# --------------------------------------------------------------------------- #
# Driving the CLI in-process (click's CliRunner)
# --------------------------------------------------------------------------- #


def run_agent(*args, env: dict | None = None):
    """`agent ARGS...` through click's CliRunner; arguments are stringified."""
    from click.testing import CliRunner

    from agent.cli import cli

    return CliRunner().invoke(cli, [str(a) for a in args], env=env)


def ok(result):
    assert result.exit_code == 0, f"exit {result.exit_code}\n{result.output}\n{result.exception!r}"
    return result


def failed_cleanly(result, *fragments: str, exit_code: int | None = None) -> str:
    """A user error: non-zero exit (or exactly `exit_code`), an 'Error:' line naming the
    problem (each of `fragments`), no traceback."""
    if exit_code is None:
        assert result.exit_code != 0, result.output
    else:
        assert result.exit_code == exit_code, result.output
    assert isinstance(result.exception, SystemExit), repr(result.exception)
    assert "Traceback" not in result.output
    assert "Error:" in result.output, result.output
    for fragment in fragments:
        assert fragment in result.output, result.output
    return result.output


def stop_process(process, timeout: float) -> None:
    """Terminate a server started by a test; kill it if it does not stop in `timeout` s."""
    import subprocess

    process.terminate()
    try:
        process.wait(timeout=timeout)
    except subprocess.TimeoutExpired:
        process.kill()
        process.wait(timeout=timeout)
