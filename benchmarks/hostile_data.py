"""Hostile MPD inputs for `agent ingest`, then damaged data dirs and odd option values for
`agent generate`, `index`, `tune` and `evaluate` (hostile_data_dirs.py). Each case runs the
real command on a fresh copy of a data dir and checks the product's promises (no traceback,
exit 0/1, a one-line error naming the file, nothing raw printed to a terminal, no hang) and
that the playlists stored before a bad ingest are all still there after it.

    nice -n 19 python benchmarks/hostile_data.py [--base DIR] [--only ingest|dirs [--case NAME-PREFIX]]

--base: a data dir whose demo catalog is already built (copied, not changed). Prints the
failing cases; exits 1 if any. About twenty minutes on two busy cores (ingest alone: three).
"""

from __future__ import annotations

import gzip
import json
import os
import shutil
import tempfile
from pathlib import Path

from hostile_common import Outcome, check_promises, report, run, stored_playlists, sweep_options

ESC = "\x1b[2J\x1b]0;pwned\x07\x9b31m\u202eevil\x00"


def track(i: int, **changes) -> dict:
    t = {"track_uri": f"spotify:track:h{i}", "track_name": f"Song {i}", "artist_name": f"Artist {i % 3}",
         "artist_uri": f"spotify:artist:a{i % 3}", "album_uri": f"spotify:album:b{i % 4}",
         "album_name": f"Album {i % 4}", "duration_ms": 200_000 + i, "pos": 0}
    return t | changes


def playlist(pid, name="road trip", tracks=None, **changes) -> dict:
    tracks = [track(i + pid % 7) for i in range(4)] if tracks is None else tracks
    for pos, t in enumerate(tracks):
        if isinstance(t, dict) and "pos" in t and t["pos"] == 0:
            t["pos"] = pos
    return {"pid": pid, "name": name, "num_tracks": len(tracks), "tracks": tracks} | changes


def slice_of(*playlists) -> dict:
    return {"info": {"slice": "0-999", "version": "v1"}, "playlists": list(playlists)}


def dumps(value) -> bytes:
    return json.dumps(value, ensure_ascii=False).encode()


GOOD = slice_of(playlist(1000), playlist(1001, "chill"))
STORED = slice_of(playlist(1, "gym"), playlist(2, "sleep"), playlist(3, "party"))


def one_track_change(**changes) -> bytes:
    return dumps(slice_of(playlist(1000, tracks=[track(1, **changes), track(2)])))


def playlist_change(**changes) -> bytes:
    return dumps(slice_of(playlist(1000) | changes))


def deep(levels: int) -> bytes:
    return b'{"playlists": ' + b"[" * levels + b"]" * levels + b"}"


# name: (files {relative path: bytes}, args (None: the files), exit codes allowed)
FIELD_CASES = {f"{field} is {label}": (one_track_change(**{field: value}), {0, 1})
               for field in ("track_uri", "track_name", "artist_name", "artist_uri", "album_uri",
                             "album_name", "duration_ms", "pos")
               for label, value in (("null", None), ("a list", [1]), ("an object", {"a": 1}),
                                    ("a float", 1.5), ("a bool", True), ("a huge int", 10**40))}
FIELD_CASES |= {f"playlist {field} is {label}": (playlist_change(**{field: value}), {0, 1})
                for field in ("pid", "name", "num_tracks", "tracks", "modified_at", "collaborative",
                              "description")
                for label, value in (("null", None), ("a string", "12x"), ("an object", {"a": 1}),
                                     ("negative", -5), ("huge", 2**64), ("a list", ["x"]))}

CONTENT_CASES = {
    "valid slice": (dumps(GOOD), {0}),
    "truncated JSON": (dumps(GOOD)[:150], {1}),
    "truncated mid-string": (dumps(GOOD)[:-40], {1}),
    "empty file": (b"", {0, 1}),
    "only whitespace": (b"  \n\t ", {1}),
    "JSON null": (b"null", {1}),
    "JSON list": (b"[1,2,3]", {1}),
    "JSON string": (b'"playlists"', {1}),
    "playlists null": (b'{"playlists": null}', {0, 1}),
    "playlists an object": (b'{"playlists": {"pid": 1}}', {1}),
    "playlists a string": (b'{"playlists": "abc"}', {1}),
    "playlist is a number": (b'{"playlists": [5]}', {1}),
    "no playlists key": (b'{"info": {}}', {0, 1}),
    "empty playlists list": (b'{"playlists": []}', {0, 1}),
    "playlist with no tracks": (dumps(slice_of(playlist(1000, tracks=[]))), {0, 1}),
    "playlist with no pid": (dumps({"playlists": [{"name": "x", "tracks": [track(1)]}]}), {1}),
    "playlist with no name": (dumps({"playlists": [{"pid": 1000, "tracks": [track(1)]}]}), {0, 1}),
    "track with no uri": (dumps(slice_of(playlist(1000, tracks=[{"track_name": "a"}]))), {0, 1}),
    "duplicate pid in one file": (dumps(slice_of(playlist(1000), playlist(1000, "other"))), {0, 1}),
    "pid already stored, other tracks": (dumps(slice_of(playlist(1, "gym", [track(50), track(51)]))), {0}),
    "pid 0": (playlist_change(pid=0), {0, 1}),
    "pid -1": (playlist_change(pid=-1), {0, 1}),
    "pid 2**63-1": (playlist_change(pid=2**63 - 1), {0, 1}),
    "pid 2**63": (playlist_change(pid=2**63), {1}),
    "pid 10**400": (b'{"playlists": [{"pid": 1' + b"0" * 400 + b', "name": "x", "tracks": []}]}', {1}),
    "pid a float 1e308": (b'{"playlists": [{"pid": 1e308, "name": "x", "tracks": []}]}', {1}),
    "NaN duration": (dumps(slice_of(playlist(1000))).replace(b"200006", b"NaN", 1), {1}),
    "name 1 MB": (playlist_change(name="a" * 1_000_000), {0, 1}),
    "track name 100 KB": (one_track_change(track_name="b" * 100_000), {0, 1}),
    "uri 10 KB": (one_track_change(track_uri="spotify:track:" + "c" * 10_000), {0, 1}),
    "name with ANSI and NUL": (playlist_change(name=ESC), {0, 1}),
    "artist with ANSI and NUL": (one_track_change(artist_name=ESC), {0, 1}),
    "uri with ANSI": (one_track_change(track_uri="spotify:track:" + ESC), {0, 1}),
    "pid a string with ANSI": (playlist_change(pid="1" + ESC), {1}),
    "name only bidi override": (playlist_change(name="\u202e\u2066"), {0, 1}),
    "name empty": (playlist_change(name=""), {0, 1}),
    "name emoji and RTL": (playlist_change(name="🔥 مزيكا 夏 🚗"), {0}),
    "lone surrogate escape": (b'{"playlists": [{"pid": 1000, "name": "\\ud800", "tracks": []}]}', {0, 1}),
    "non-UTF-8 bytes in name": (playlist_change(name="ZZZZ").replace(b"ZZZZ", b"\xff\xfe\xc3"), {1}),
    "Latin-1 file": (playlist_change(name="caf\u00e9").decode().encode("latin-1"), {1}),
    "UTF-16 file": (dumps(GOOD).decode().encode("utf-16"), {1}),
    "BOM then JSON": (b"\xef\xbb\xbf" + dumps(GOOD), {0, 1}),
    "NUL bytes file": (b"\x00" * 4096, {1}),
    "random binary": (bytes(range(256)) * 64, {1}),
    "nested 500 deep": (deep(500), {1}),
    "nested 100000 deep": (deep(100_000), {1}),
    "name nested 3000 deep": (b'{"playlists": [{"pid": 1, "name": ' + b"[" * 3000 + b"]" * 3000 + b"}]}", {1}),
    "trailing garbage": (dumps(GOOD) + b"}}garbage", {1}),
    "two JSON documents": (dumps(GOOD) + dumps(GOOD), {1}),
    "JSON lines instead": (b"\n".join(dumps(p) for p in GOOD["playlists"]), {1}),
    "10000 tracks in one playlist": (dumps(slice_of(playlist(1000, tracks=[track(i) for i in range(10_000)]))),
                                     {0, 1}),
    "one good then one bad playlist": (dumps(slice_of(playlist(1000), playlist(1002) | {"pid": "bad"})), {1}),
}


def write(folder: Path, files: dict[str, bytes]) -> None:
    for relative, content in files.items():
        path = folder / relative
        path.parent.mkdir(parents=True, exist_ok=True)
        path.write_bytes(content)


def special_cases(case: Path) -> dict[str, tuple[list[str], set[int]]]:
    """Cases that need the file system itself: (args, exit codes allowed)."""
    good = dumps(GOOD)
    write(case, {"gz/mpd.slice.0-999.json.gz": gzip.compress(good), "notgz/mpd.slice.0-1.json.gz": good,
                 "truncgz/mpd.slice.0-1.json.gz": gzip.compress(good)[:60],
                 "emptygz/x.json.gz": b"", "gzbinary/x.json.gz": gzip.compress(bytes(range(256)) * 100),
                 "folder/mpd.slice.0-999.json": good,
                 "folder/mpd.slice.1000-1999.json": dumps(slice_of(playlist(2000), playlist(2001))),
                 "dupes/a.json": good, "dupes/b.json": dumps(slice_of(playlist(1000, "other name"))),
                 "mixed/mpd.slice.0-1.json": good, "mixed/mpd.slice.2-3.json": b"{broken",
                 "other/readme.txt": b"not a slice", "unreadable.json": good,
                 "ansi\x1b[31mname.json": good, "nested/a/b/c/d/mpd.slice.5-6.json": dumps(slice_of(playlist(3000)))})
    (case / "emptydir").mkdir()
    (case / "dir.json").mkdir()
    os.mkfifo(case / "fifo.json")
    os.symlink("loop2.json", case / "loop1.json")
    os.symlink("loop1.json", case / "loop2.json")
    os.symlink(".", case / "selfloop")
    os.symlink("missing-target.json", case / "dangling.json")
    os.chmod(case / "unreadable.json", 0)
    return {
        "gzip slice": (["gz/mpd.slice.0-999.json.gz"], {0}),
        "gzip that is not gzip": (["notgz/mpd.slice.0-1.json.gz"], {1}),
        "truncated gzip": (["truncgz/mpd.slice.0-1.json.gz"], {1}),
        "empty .gz": (["emptygz/x.json.gz"], {1}),
        "gzip of binary": (["gzbinary/x.json.gz"], {1}),
        "folder of two slices": (["folder"], {0}),
        "duplicate pid across files": (["dupes"], {0, 1}),
        "folder with one broken slice": (["mixed"], {1}),
        "folder with one broken slice, --skip-bad": (["mixed", "--skip-bad"], {0, 1}),
        "folder with no slices": (["other"], {1}),
        "empty folder": (["emptydir"], {1}),
        "file named .json is a folder": (["dir.json"], {0, 1}),
        "FIFO": (["fifo.json"], {1}),
        "symlink loop": (["loop1.json"], {1}),
        "folder with a symlink to itself": (["selfloop"], {0, 1}),
        "dangling symlink": (["dangling.json"], {1}),
        "missing file": (["no-such-file.json"], {1}),
        # root reads a file whatever its mode: then it is simply stored
        "unreadable file": (["unreadable.json"], {0, 1} if os.geteuid() == 0 else {1}),
        "file name with ANSI": (["ansi\x1b[31mname.json"], {0}),
        "slice deep in folders": (["nested"], {0, 1}),
        "/dev/null": (["/dev/null"], {1}),
        "/dev/zero": (["/dev/zero"], {1}),
        "/proc/self/status": (["/proc/self/status"], {1}),
        "same file twice": (["folder/mpd.slice.0-999.json", "folder/mpd.slice.0-999.json"], {0, 1}),
        "good file then missing file": (["folder/mpd.slice.0-999.json", "nope.json"], {1}),
        "no index rebuild (index runs)": (["folder/mpd.slice.0-999.json", "--index"], {0, 1}),
    }


def stored(home: Path) -> dict[int, list[int]]:
    return stored_playlists(home / "catalog.sqlite") or {}


def check_kept(outcome: Outcome, before: dict, after: dict, files: int) -> None:
    """A rejected file stores nothing (files before it in the same run are kept, documented);
    any ingest keeps every other stored playlist."""
    changed = [pid for pid in before if after.get(pid) != before[pid]]
    if outcome.rc == 1 and files == 1 and after != before:
        outcome.problems.append(f"a rejected ingest changed the catalog ({len(before)} -> {len(after)} playlists)")
    elif outcome.rc == 1 and changed:
        outcome.problems.append(f"a rejected ingest changed stored playlists {changed[:5]}")
    elif outcome.rc == 0:
        lost = [pid for pid in before if pid not in after]
        if lost:
            outcome.problems.append(f"stored playlists lost: {lost[:5]}")


def ingest_case(name: str, args: list[str], allowed: set[int], user_home: Path, case: Path) -> Outcome:
    home = Path(tempfile.mkdtemp(dir=case.parent, prefix="home-"))
    shutil.copytree(user_home, home, dirs_exist_ok=True)
    before = stored(home)
    extra = [] if "--index" in args else ["--no-index"]
    o = check_promises(run(f"ingest: {name}", ["ingest", *[a for a in args if a != "--index"], *extra],
                           home, case, timeout=120), allowed)
    named = [Path(a).name for a in args if not a.startswith("-")]
    if o.rc == 1 and all(map(str.isprintable, named)) and not any(n in o.err for n in named):
        o.problems.append(f"the error names none of {named}")
    files = 2 if len(named) > 1 or any(Path(case, a).is_dir() for a in named) else 1
    after = stored_playlists(home / "catalog.sqlite")
    if after is None:
        o.problems.append("catalog unreadable after the ingest")
    else:
        check_kept(o, before, after, files)
    shutil.rmtree(home, ignore_errors=True)
    return o


def user_home(work: Path, demo: Path) -> Path:
    """A data dir with the demo's models plus a small catalog of the user's own (pids 1-3)."""
    home = work / "user-home"
    shutil.copytree(demo, home)
    (work / "stored.json").write_bytes(dumps(STORED))
    done = run("setup", ["ingest", str(work / "stored.json")], home, work, timeout=300)
    assert done.rc == 0, done.err
    return home


def ingest_cases(work: Path, home: Path) -> list[Outcome]:
    outcomes = []
    for name, (content, allowed) in (CONTENT_CASES | FIELD_CASES).items():
        case = Path(tempfile.mkdtemp(dir=work))
        write(case, {"mpd.slice.0-999.json": content})
        outcomes.append(ingest_case(name, ["mpd.slice.0-999.json"], allowed, home, case))
    case = Path(tempfile.mkdtemp(dir=work))
    for name, (args, allowed) in special_cases(case).items():
        outcomes.append(ingest_case(name, args, allowed, home, case))
    return outcomes


def main() -> int:
    options, demo = sweep_options(__doc__, ("--only", {"choices": ["ingest", "dirs"]}),
                                  ("--case", {"default": "", "help": "only the damages starting so"}))
    work = Path(tempfile.mkdtemp(prefix="hostile-data-"))
    home = user_home(work, demo)
    failing = 0
    if options.only in (None, "ingest"):
        failing += report(ingest_cases(work, home), "agent ingest")
    if options.only in (None, "dirs"):
        from hostile_data_dirs import dir_cases, option_cases, with_ranker
        demo_home = with_ranker(demo, work)
        failing += report(dir_cases(work, home, demo_home, options.case), "damaged data dirs")
        if not options.case:
            failing += report(option_cases(work, demo_home), "index/tune/evaluate options")
    print(f"\nfiles under {work}, data dir {home}")
    return 1 if failing else 0


if __name__ == "__main__":
    raise SystemExit(main())
