"""Damaged data dirs and odd option values for hostile_data.py: each damage is made on a
fresh copy of a data dir, then `agent generate`, `agent index` and `agent evaluate` run on it;
each option set runs on a fresh copy of the healthy one. What was stored (the catalog's
playlist count) must be the same after."""

from __future__ import annotations

import os
import shutil
import tempfile
from pathlib import Path

import numpy as np

from hostile_common import Outcome, check_promises, run, stored_playlists

ESC = "\x1b[2J\x1b]0;x\x07\u202eevil"
COMMANDS = {"generate": ["generate", "road trip", "-n", "5"], "index": ["index"],
            "evaluate": ["evaluate", "--limit", "5"]}


def only(home: Path, pattern: str) -> Path:
    """The one file or folder matching `pattern` (the graph and tag folders carry a fingerprint)."""
    found = sorted(home.glob(pattern))
    assert found, pattern
    return found[0]


def truncate(path: Path, keep: float = 0.5) -> None:
    path.write_bytes(path.read_bytes()[: int(path.stat().st_size * keep)])


def garbage(path: Path) -> None:
    path.write_bytes(os.urandom(max(64, min(path.stat().st_size, 4096))))


def replace_by_folder(path: Path) -> None:
    shutil.rmtree(path) if path.is_dir() else path.unlink()
    path.mkdir()


def replace_by_file(path: Path) -> None:
    shutil.rmtree(path)
    path.write_text("not a folder")


def another_programs_database(home: Path) -> None:
    shutil.copyfile(home / "chroma/chroma.sqlite3", home / "catalog.sqlite")


def read_only(home: Path) -> None:
    for folder, _, files in os.walk(home):
        for name in files:
            os.chmod(Path(folder) / name, 0o444)
        os.chmod(folder, 0o555)


G = "demo/catalog.sqlite.graph/*/"
DAMAGES = {
    # name: (data dir "user" (own catalog) or "demo", damage(home), extra commands)
    "catalog 0 bytes": ("user", lambda h: truncate(h / "catalog.sqlite", 0), ["ingest"]),
    "catalog truncated half": ("user", lambda h: truncate(h / "catalog.sqlite"), ["ingest"]),
    "catalog header only": ("user", lambda h: truncate(h / "catalog.sqlite", 0.01), []),
    "catalog garbage": ("user", lambda h: garbage(h / "catalog.sqlite"), ["ingest"]),
    "catalog a folder": ("user", lambda h: replace_by_folder(h / "catalog.sqlite"), []),
    "catalog another program's SQLite": ("user", another_programs_database, []),
    "demo catalog garbage": ("demo", lambda h: garbage(h / "demo/catalog.sqlite"), []),
    "data dir read-only": ("user", read_only, ["ingest"]),
    "chroma.sqlite3 garbage": ("demo", lambda h: garbage(h / "chroma/chroma.sqlite3"), []),
    "chroma.sqlite3 truncated": ("demo", lambda h: truncate(h / "chroma/chroma.sqlite3", 0.3), []),
    "chroma segment folder gone": ("demo", lambda h: shutil.rmtree(only(h, "chroma/*-*-*")), []),
    "chroma header.bin truncated": ("demo", lambda h: truncate(only(h, "chroma/*-*-*/header.bin"), 0.3), []),
    "chroma data_level0.bin garbage": ("demo", lambda h: garbage(only(h, "chroma/*-*-*/data_level0.bin")), []),
    "chroma exact folder gone": ("demo", lambda h: shutil.rmtree(h / "chroma/exact"), []),
    "chroma is a file": ("demo", lambda h: replace_by_file(h / "chroma"), []),
    "ALS item_factors truncated": ("demo", lambda h: truncate(h / "demo/catalog.sqlite.models/als/item_factors.npy"),
                                   ["seeded"]),
    "ALS manifest garbage": ("demo", lambda h: garbage(h / "demo/catalog.sqlite.models/als/manifest.json"),
                             ["seeded"]),
    "ALS tracks.npy wrong shape": ("demo", lambda h: np.save(h / "demo/catalog.sqlite.models/als/tracks.npy",
                                                             np.zeros(3)), ["seeded"]),
    "ranker model.txt garbage": ("demo", lambda h: garbage(h / "demo/catalog.sqlite.models/ranker/model.txt"),
                                 ["ranker"]),
    "ranker model.txt empty": ("demo", lambda h: truncate(h / "demo/catalog.sqlite.models/ranker/model.txt", 0),
                               ["ranker"]),
    "ranker manifest truncated": ("demo", lambda h: truncate(h / "demo/catalog.sqlite.models/ranker/manifest.json"),
                                  ["ranker"]),
    "models folder is a file": ("demo", lambda h: replace_by_file(h / "demo/catalog.sqlite.models"), ["ranker"]),
    "graph track_playlists.npy truncated": ("demo", lambda h: truncate(only(h, G + "track_playlists.npy")), []),
    "graph pids.npy garbage": ("demo", lambda h: garbage(only(h, G + "pids.npy")), []),
    "graph songs.npy wrong shape": ("demo", lambda h: np.save(only(h, G + "songs.npy"), np.zeros(2)), []),
    "graph offsets of another dtype": ("demo", lambda h: np.save(only(h, G + "playlist_offsets.npy"),
                                                                 np.array(["a", "b"])), []),
    "graph.json garbage": ("demo", lambda h: garbage(only(h, G + "graph.json")), []),
    "graph folder is a file": ("demo", lambda h: replace_by_file(only(h, "demo/catalog.sqlite.graph/*")), []),
    "tag vectors truncated": ("demo", lambda h: truncate(only(h, "demo/catalog.sqlite.tags/*/vectors.npy")), []),
    "tag tags.json garbage": ("demo", lambda h: garbage(only(h, "demo/catalog.sqlite.tags/*/tags.json")), []),
    "onnx tokenizer garbage": ("demo", lambda h: garbage(only(h, "onnx/*/tokenizer.json")), []),
    "onnx model truncated": ("demo", lambda h: truncate(only(h, "onnx/*/model.onnx")), []),
}
EXTRA = {"ingest": ["ingest", "stored.json", "--no-index"],
         "ranker": ["generate", "road trip", "-n", "5", "--ranker"],
         "seeded": ["generate", "--seed", "Cruise by Florida Georgia Line", "-n", "5"]}


def playlist_count(home: Path, only: str | None = None) -> int | None:
    """The playlists of the data dir's catalog (the user's, else the demo), or of `only`."""
    for path in (home / "catalog.sqlite", home / "demo/catalog.sqlite"):
        if path.is_file() and only in (None, path.name if path.parent == home else "demo"):
            held = stored_playlists(path)
            return None if held is None else len(held)
    return None


def fresh(source: Path, work: Path) -> Path:
    home = Path(tempfile.mkdtemp(dir=work, prefix="home-"))
    shutil.copytree(source, home, dirs_exist_ok=True, symlinks=True)
    return home


def with_ranker(demo: Path, work: Path) -> Path:
    """A copy of the demo data dir with a learned ranker trained (small, for speed)."""
    home = work / "demo-home"
    shutil.copytree(demo, home)
    done = run("setup ranker", ["tune", "--ranker", "--playlists", "60", "--folds", "2"], home, work, 600)
    assert done.rc == 0, done.err
    return home


def dir_cases(work: Path, user_home: Path, demo_home: Path, prefix: str = "") -> list[Outcome]:
    outcomes = []
    for name, (which, damage, extra) in DAMAGES.items():
        if not name.startswith(prefix):
            continue
        for command in [*COMMANDS, *extra]:
            home = fresh(user_home if which == "user" else demo_home, work)
            before = playlist_count(home, "catalog.sqlite" if which == "user" else "demo")
            damage(home)
            args = COMMANDS.get(command) or EXTRA[command]
            o = check_promises(run(f"{name} / {command}", args, home, work, timeout=180), {0, 1})
            os.system(f"chmod -R u+w {home}")
            after = playlist_count(home, "catalog.sqlite" if which == "user" else "demo")
            if before is not None and after not in (before, None) and command != "ingest":
                o.problems.append("the catalog's playlists changed")
            outcomes.append(o)
            shutil.rmtree(home, ignore_errors=True)
    return outcomes


def option_sets(work: Path) -> dict[str, list[str]]:
    (work / "queries-garbage.json").write_bytes(b"{\"playlists\": [1, 2")
    (work / "queries-empty.json").write_text('{"playlists": []}')
    (work / "a-file").write_text("x")
    ev = ["evaluate", "--limit", "5"]
    sets = {f"index --encoder {v!r}": ["index", "--encoder", v]
            for v in ("", "nope", "/etc/passwd", "/tmp", ESC, "ft-c", "../../etc", "a" * 5000)}
    sets |= {f"index --chroma-url {v!r}": ["index", "--chroma-url", v]
             for v in ("not a url", "http://127.0.0.1:1", "ftp://x", "")}
    sets |= {f"tune --share {v}": ["tune", "--share", v, "--limit", "10"]
             for v in ("-1", "0", "1", "1.5", "nan", "inf", "abc", "1e-9")}
    sets |= {f"tune --limit {v}": ["tune", "--limit", v] for v in ("0", "-5", str(10**30))}
    sets |= {f"tune --ranker {' '.join(v)}": ["tune", "--ranker", *v]
             for v in (["--folds", "1"], ["--folds", "1000", "--playlists", "5"], ["--playlists", "0"],
                       ["--folds", str(10**20)], ["--share", "nan", "--playlists", "20", "--folds", "2"])}
    sets |= {f"evaluate {' '.join(v)!r}": [*ev, *v] for v in (
        ["--share", "0"], ["--share", "1"], ["--share", "-0.1"], ["--share", "nan"], ["--seed", "-1"],
        ["--seed", str(2**70)], ["--k", "0"], ["--k", "-5"], ["--k", "a,b"], ["--k", ""], ["--k", "1000000000"],
        ["--k", "50,,"], ["--voting", "nope"], ["--voting", ""], ["--holdout", "x"], ["--match-by", "x"],
        ["--queries", "missing.json"], ["--queries", str(work)], ["--queries", str(work / "queries-garbage.json")],
        ["--queries", "/dev/zero"], ["--queries", str(work / "queries-empty.json")], ["--encoders", "nope"],
        ["--modes", "nope"], ["--modes", ""], ["--shots", "-1"], ["--shots", "x"], ["--fuse", "bad"],
        ["--rerank-shuffles", "0"], ["--seeds", "-1"], ["--seeds", "x"], ["--seeds", "1000000000"],
        ["--categories", "challenge", "--share", "0.001"], ["--ranker"], ["--baselines", "nope", "--seeds", "1"],
        ["--baselines", "als"], ["--output-dir", "/dev/null"], ["--output-dir", str(work / "a-file")],
        ["--output-dir", str(work / ESC)], ["--modes", "llm", "--model-path", "missing.gguf"],
        ["--limit", "0"], ["--limit", "-1"], ["--voting", ESC])}
    return sets


def option_cases(work: Path, demo_home: Path) -> list[Outcome]:
    outcomes = []
    for name, args in option_sets(work).items():
        home = fresh(demo_home, work)
        before = playlist_count(home)
        o = check_promises(run(name, args, home, work, timeout=180), {0, 1})
        if playlist_count(home) != before:
            o.problems.append("the catalog's playlists changed")
        outcomes.append(o)
        shutil.rmtree(home, ignore_errors=True)
    return outcomes
