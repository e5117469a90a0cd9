"""Hostile inputs against `agent challenge` (answer, --resume, score) and
`agent generate --titles-file`: each case runs the real command on a fresh copy of a
demo data dir and checks the product's promises (no traceback, exit 0/1, a one-line
error, nothing raw printed to a terminal, nothing stored lost).

    nice -n 19 python benchmarks/hostile_challenge.py [--base DIR] [--only WORD]

--base: a data dir whose demo catalog is already built (copied, not changed); without
it the demo catalog is built first (about 20 s). Prints the failing cases; exits 1 if
any. A few minutes on two cores.
"""

from __future__ import annotations

import csv
import gzip
import io
import json
import os
import signal
import subprocess
import tempfile
import time
import zlib
from pathlib import Path

from hostile_common import AGENT, Outcome, check_promises, environment, report, run, sweep_options

URIS = ["demo:track:9e8c0423f2add74a", "demo:track:ce35413e64c6bc85", "demo:track:1caf5f187182780f",
        "demo:track:5886019d3ab15ef3", "demo:track:03dbc0abb992d482"]
ESC = "\x1b[31mRED\x1b[0m\x07\u202eevil"


def track(pos, uri=URIS[0], **extra):
    return {"pos": pos, "track_uri": uri, "track_name": "Cruise", "artist_name": "Florida Georgia Line",
            **extra}


def playlist(pid=1, name="road trip", tracks=(), **extra):
    tracks = list(tracks)
    return {"pid": pid, "name": name, "num_samples": len(tracks), "num_holdouts": 10,
            "num_tracks": len(tracks) + 10, "tracks": tracks, **extra}


def challenge(*playlists) -> str:
    return json.dumps({"date": "2018-01-16", "version": "v1", "playlists": list(playlists)})


def deep(levels: int) -> str:
    return '{"playlists": [' + "[" * levels + "]" * levels + "]}"


def gzip_bomb(path: Path, gib: float = 2.0) -> None:
    """A valid gzip of `gib` GiB of spaces inside a JSON object: about 2 MB on disk."""
    squeeze = zlib.compressobj(9, zlib.DEFLATED, 31)
    block = b" " * (1 << 20)
    with path.open("wb") as out:
        out.write(squeeze.compress(b'{"playlists": []'))
        for _ in range(int(gib * 1024)):
            out.write(squeeze.compress(block))
        out.write(squeeze.compress(b"}") + squeeze.flush())


ANSWER_CASES = {
    # name: (challenge file name, its content, exit codes allowed)
    "valid": ("c.json", challenge(playlist(1), playlist(2, tracks=[track(0)])), {0}),
    "empty file": ("c.json", "", {1}),
    "truncated JSON": ("c.json", challenge(playlist(1))[:-7], {1}),
    "garbage": ("c.json", "this is not json", {1}),
    "top level list": ("c.json", "[]", {1}),
    "top level null": ("c.json", "null", {1}),
    "top level number": ("c.json", "7", {1}),
    "playlists null": ("c.json", '{"playlists": null}', {1}),
    "playlists object": ("c.json", '{"playlists": {"pid": 1}}', {1}),
    "no playlists key": ("c.json", '{"date": "x"}', {1}),
    "playlist is a number": ("c.json", '{"playlists": [1]}', {1}),
    "playlist is null": ("c.json", '{"playlists": [null]}', {1}),
    "pid missing": ("c.json", challenge({"name": "x", "tracks": [], "num_samples": 0}), {1}),
    "pid string": ("c.json", challenge(playlist("7")), {1}),
    "pid float": ("c.json", challenge(playlist(7.5)), {1}),
    "pid 7.0": ("c.json", challenge(playlist(7.0)), {0, 1}),
    "pid bool": ("c.json", challenge(playlist(True)), {1}),
    "pid null": ("c.json", challenge(playlist(None)), {1}),
    "pid huge": ("c.json", challenge(playlist(10**40)), {0, 1}),
    "pid negative": ("c.json", challenge(playlist(-5)), {0, 1}),
    "pid NaN": ("c.json", challenge(playlist(1)).replace('"pid": 1', '"pid": NaN'), {1}),
    "pid Infinity": ("c.json", challenge(playlist(1)).replace('"pid": 1', '"pid": Infinity'), {1}),
    "duplicate pids": ("c.json", challenge(playlist(1), playlist(1)), {1}),
    "tracks object": ("c.json", challenge(playlist(1) | {"tracks": {"a": 1}, "num_samples": 1}), {1}),
    "tracks string": ("c.json", challenge(playlist(1) | {"tracks": "abc", "num_samples": 3}), {1}),
    "tracks null": ("c.json", challenge(playlist(1) | {"tracks": None}), {0, 1}),
    "track is a string": ("c.json", challenge(playlist(1, tracks=[URIS[0]])), {1}),
    "track_uri null": ("c.json", challenge(playlist(1, tracks=[track(0, None)])), {1}),
    "track_uri number": ("c.json", challenge(playlist(1, tracks=[track(0, 12345)])), {1}),
    "track_uri list": ("c.json", challenge(playlist(1, tracks=[track(0, [URIS[0]])])), {1}),
    "track_uri 1 MB": ("c.json", challenge(playlist(1, tracks=[track(0, "spotify:track:" + "x" * 10**6)])),
                       {0, 1}),
    "track_uri newline": ("c.json", challenge(playlist(1, tracks=[track(0, URIS[0] + "\nspotify:track:x")])),
                          {0, 1}),
    "track_uri ANSI": ("c.json", challenge(playlist(1, tracks=[track(0, ESC)])), {0, 1}),
    "name control chars": ("c.json", challenge(playlist(1, name=ESC + "\x00\x01")), {0}),
    "name RTL+zero-width": ("c.json", challenge(playlist(1, name="\u202eroad\u200b trip\u2066")), {0}),
    "name number": ("c.json", challenge(playlist(1, name=42)), {1}),
    "name list": ("c.json", challenge(playlist(1, name=["a"])), {1}),
    "name 1 MB": ("c.json", challenge(playlist(1, name="road trip " * 100_000)), {0, 1}),
    "name empty, no tracks": ("c.json", challenge(playlist(1, name="")), {0}),
    "no name, unknown seeds": ("c.json", challenge({k: v for k, v in playlist(
        1, tracks=[track(0, "spotify:track:nope")]).items() if k != "name"}), {0}),
    "track_name ANSI unknown uri": ("c.json", challenge(playlist(1, tracks=[
        track(0, "spotify:track:nope", track_name=ESC, artist_name=ESC)])), {0}),
    "num_samples lies": ("c.json", challenge(playlist(1, tracks=[track(0)]) | {"num_samples": 5}), {1}),
    "num_samples string": ("c.json", challenge(playlist(1) | {"num_samples": "0"}), {1}),
    "num_samples negative": ("c.json", challenge(playlist(1) | {"num_samples": -1}), {1}),
    "pos repeated": ("c.json", challenge(playlist(1, tracks=[track(0), track(0, URIS[1])])), {1}),
    "pos negative": ("c.json", challenge(playlist(1, tracks=[track(-1)])), {0, 1}),
    "pos huge": ("c.json", challenge(playlist(1, tracks=[track(10**30)])), {0, 1}),
    "pos string": ("c.json", challenge(playlist(1, tracks=[track("0")])), {1}),
    "pos float": ("c.json", challenge(playlist(1, tracks=[track(0.5)])), {1}),
    "pos bool": ("c.json", challenge(playlist(1, tracks=[track(True)])), {1}),
    "pos missing": ("c.json", challenge(playlist(1, tracks=[{"track_uri": URIS[0]}])), {0, 1}),
    "1001 seeds": ("c.json", challenge(playlist(1, tracks=[track(i, f"spotify:track:{i}")
                                                          for i in range(1001)])), {1}),
    "nested 100000 deep": ("c.json", deep(100_000), {1}),
    "nested 1000 deep in extra field": ("c.json", challenge(playlist(1) | {"x": "@"}).replace(
        '"@"', "[" * 1000 + "]" * 1000), {0, 1}),
    "non-UTF-8 bytes": ("c.json", challenge(playlist(1, name="ROADTRIP")).encode().replace(
        b"ROADTRIP", b"road \xff\xfe trip"), {1}),
    "BOM": ("c.json", "\ufeff" + challenge(playlist(1)), {0, 1}),
    "UTF-16": ("c.json", challenge(playlist(1)).encode("utf-16"), {0, 1}),
    "not gzip .gz": ("c.json.gz", challenge(playlist(1)), {1}),
    "truncated gzip": ("c.json.gz", gzip.compress(challenge(playlist(1)).encode())[:30], {1}),
    "gzip of garbage": ("c.json.gz", gzip.compress(b"\x00\x01garbage"), {1}),
}


def answer_cases(work: Path, home: Path) -> list[Outcome]:
    outcomes = []
    for name, (file_name, content, allowed) in ANSWER_CASES.items():
        case = Path(tempfile.mkdtemp(dir=work))
        source = case / file_name
        raw = content.encode() if isinstance(content, str) else content
        source.write_bytes(gzip.compress(raw) if file_name.endswith(".gz") and name == "valid" else raw)
        o = run(f"answer: {name}", ["challenge", "answer", str(source), "-o", str(case / "out.csv"),
                                    "--team", "T", "--email", "e@x"], home, case)
        check_promises(o, allowed)
        if o.rc == 0:
            o.problems += submission_problems(case / "out.csv")
        outcomes.append(o)
    return outcomes


def submission_problems(path: Path) -> list[str]:
    try:
        rows = list(csv.reader(io.StringIO(path.read_text(encoding="utf-8"))))
    except (OSError, UnicodeError, csv.Error) as error:
        return [f"submission unreadable: {error}"]
    bad = [i for i, row in enumerate(rows[1:], 2) if len(row) != 501 or len(set(row[1:])) != 500]
    head = rows[0][:1] if rows else []
    return ([] if head == ["team_info"] else ["no team_info line"]) + (
        [f"submission lines {bad[:3]} are not pid + 500 distinct"] if bad else [])


def answer_once(case: Path, home: Path, source: Path, output: Path, *extra: str, team="T",
                email="e@x", name="") -> Outcome:
    return run(name, ["challenge", "answer", str(source), "-o", str(output), "--team", team,
                      "--email", email, *extra], home, case)


def path_cases(work: Path, home: Path) -> list[Outcome]:
    outcomes = []

    def case(name, allowed, output=None, source=None, unchanged=(), team="T", email="e@x", extra=()):
        folder = Path(tempfile.mkdtemp(dir=work))
        good = folder / "c.json"
        good.write_text(challenge(playlist(1), playlist(2, name="summer")))
        source = Path(str(source).replace("{dir}", str(folder))) if source else good
        output = Path(str(output).replace("{dir}", str(folder))) if output else folder / "out.csv"
        before = {p: p.read_bytes() for p in (Path(str(u).replace("{dir}", str(folder))) for u in unchanged)}
        o = check_promises(answer_once(folder, home, source, output, *extra, team=team, email=email,
                                       name=f"paths: {name}"), allowed)
        o.problems += [f"{p.name} changed" for p, content in before.items() if p.read_bytes() != content]
        if o.rc == 0:
            o.problems += submission_problems(output)
            o.problems += team_line_problems(output, team, email)
        outcomes.append(o)

    case("input is a directory", {1}, source="{dir}")
    case("input missing, ANSI in name", {1}, source="{dir}/no\x1b[31mpe.json")
    case("output dir missing", {0, 1}, output="{dir}/missing/out.csv")
    case("output in read-only /sys", {1}, output="/sys/hostile-out.csv")
    case("output same as input", {1}, output="{dir}/c.json", unchanged=["{dir}/c.json"])
    case("output is a directory", {1}, output="{dir}")
    case("output /dev/full", {1}, output="/dev/full")
    case("output name with ANSI", {0, 1}, output="{dir}/o\x1b[2Jut.csv")
    case("team with comma and quotes", {1}, team='Team, "The" Best')  # refused: one CSV cell
    case("team with newline", {0, 1}, team="Team\nX,Y")
    case("email with ANSI", {0, 1}, email="e\x1b[31m@x")
    case("team empty", {0, 1}, team="")
    return outcomes


def team_line_problems(output: Path, team: str, email: str) -> list[str]:
    opener = gzip.open if output.name.endswith(".gz") else open
    with opener(output, "rt", encoding="utf-8", newline="") as file:
        first = next(csv.reader(file), [])
    return [] if first == ["team_info", team, email] else [f"team_info reads back as {first!r}"]


def resume_cases(work: Path, home: Path) -> list[Outcome]:
    outcomes = []
    sets = challenge(*(playlist(pid, name=title) for pid, title in
                       enumerate(["road trip", "summer", "workout", "chill"], 1)))

    def case(name, allowed, mangle, team="T", gz=False):
        folder = Path(tempfile.mkdtemp(dir=work))
        source, output = folder / "c.json", folder / ("out.csv.gz" if gz else "out.csv")
        source.write_text(sets)
        first = answer_once(folder, home, source, output, team=team)
        if first.rc != 0:
            outcomes.append(Outcome(f"resume: {name} (first run)", first.rc, first.out, first.err,
                                    first.seconds, ["first run failed"]))
            return
        mangle(output)
        before = output.read_bytes() if output.exists() else None
        o = check_promises(answer_once(folder, home, source, output, "--resume", team=team,
                                       name=f"resume: {name}"), allowed)
        if o.rc == 0:
            o.problems += submission_problems_any(output, pids=4)
        elif before is not None and output.read_bytes() != before:
            o.problems.append("refused, yet the output was changed")
        outcomes.append(o)

    def keep_lines(n, tail=b""):
        return lambda p: p.write_bytes(b"".join(p.read_bytes().splitlines(True)[:n]) + tail)

    case("nothing to do", {0}, lambda p: None)
    case("half last line", {0}, lambda p: p.write_bytes(p.read_bytes()[:-3000]))
    case("half line then a whole line", {0, 1}, lambda p: p.write_bytes(b"".join(
        (lambda lines: [lines[0], lines[1][:500], b"\n", lines[2]])(p.read_bytes().splitlines(True)))))
    case("garbage middle line", {0, 1}, lambda p: p.write_bytes(
        b"".join(p.read_bytes().splitlines(True)[:2]) + b"garbage,line\n" + b"".join(
            p.read_bytes().splitlines(True)[2:])))
    case("other team", {1}, lambda p: p.write_bytes(p.read_bytes().replace(b"team_info,T,", b"team_info,U,", 1)))
    case("output deleted", {0, 1}, lambda p: p.unlink())
    case("output 0 bytes", {0, 1}, lambda p: p.write_bytes(b""))
    case("output non-UTF-8", {0, 1}, keep_lines(2, b"3,\xff\xfe\n"))
    case("pid not in the set", {0, 1}, keep_lines(2, b"999," + b",".join(
        b"spotify:track:%d" % i for i in range(500)) + b"\n"))
    case("duplicate answered pid", {0, 1}, lambda p: p.write_bytes(
        p.read_bytes() + p.read_bytes().splitlines(True)[1]))
    case("NUL bytes", {0, 1}, keep_lines(2, b"\x00\x00\x00"))
    case("CRLF output", {0, 1}, lambda p: p.write_bytes(p.read_bytes().replace(b"\n", b"\r\n")))
    case("team with spaces round trip", {0}, keep_lines(3), team="The A Team")
    case("gz truncated", {0, 1}, lambda p: p.write_bytes(p.read_bytes()[:-40]), gz=True)
    case("gz replaced by plain text", {0, 1}, lambda p: p.write_bytes(b"team_info,T,e@x\n"), gz=True)
    return outcomes


def submission_problems_any(output: Path, pids: int) -> list[str]:
    opener = gzip.open if output.name.endswith(".gz") else open
    try:
        with opener(output, "rt", encoding="utf-8", newline="") as file:
            rows = list(csv.reader(file))
    except (OSError, UnicodeError, csv.Error, EOFError) as error:
        return [f"submission unreadable after resume: {error}"]
    answered = [row[0] for row in rows[1:]]
    bad = [i for i, row in enumerate(rows[1:], 2) if len(row) != 501 or len(set(row[1:])) != 500]
    problems = [f"{len(answered)} answers for {pids} pids ({sorted(set(answered))})"] if (
        len(answered) != pids or len(set(answered)) != pids) else []
    return problems + ([f"lines {bad[:3]} are not pid + 500 distinct"] if bad else [])


def interrupt_case(work: Path, home: Path, workers: int) -> Outcome:
    """Ctrl-C (SIGINT to the whole process group, as a terminal sends it) once some
    lines are written: the finished lines stay, and --resume answers the rest."""
    folder = Path(tempfile.mkdtemp(dir=work))
    source, output = folder / "c.json", folder / "out.csv"
    titles = ["road trip", "summer", "workout", "chill", "party", "rainy day"]
    source.write_text(challenge(*(playlist(pid, name=f"{titles[pid % 6]} {pid}", tracks=[
        track(i, URIS[(pid + i) % 5]) for i in range(1 + pid % 3)]) for pid in range(400))))
    args = ["nice", "-n", "19", *AGENT, "challenge", "answer", str(source), "-o", str(output),
            "--team", "T", "--email", "e@x", "--workers", str(workers)]
    start = time.monotonic()
    proc = subprocess.Popen(args, env=environment(home), cwd=folder, stdout=subprocess.PIPE,
                            stderr=subprocess.PIPE, start_new_session=True)
    while time.monotonic() - start < 120 and proc.poll() is None:
        if output.exists() and output.read_bytes().count(b"\n") > 20:
            break
        time.sleep(0.2)
    os.killpg(proc.pid, signal.SIGINT)
    try:
        out, err = proc.communicate(timeout=30)
        rc = proc.returncode
    except subprocess.TimeoutExpired:
        os.killpg(proc.pid, signal.SIGKILL)
        out, err = proc.communicate()
        rc = None
    o = Outcome(f"Ctrl-C mid-run, --workers {workers}", rc, out.decode(errors="replace"),
                err.decode(errors="replace"), time.monotonic() - start)
    check_promises(o, {1, 130})
    kept = output.read_bytes()
    if not kept.endswith(b"\n") or len(kept.splitlines()) < 2:
        o.problems.append(f"finished lines not kept whole ({len(kept.splitlines())} lines)")
    resumed = answer_once(folder, home, source, output, "--resume", "--workers", str(workers))
    if resumed.rc != 0 or not output.read_bytes().startswith(kept):
        o.problems.append(f"--resume after Ctrl-C: exit {resumed.rc}, kept lines intact: "
                          f"{output.read_bytes().startswith(kept)}")
    o.problems += submission_problems_any(output, pids=400)
    return o


def answer_line(pid: int, uris: list[str]) -> str:
    return ",".join([str(pid), *uris]) + "\n"


FIVE_HUNDRED = [f"spotify:track:t{i}" for i in range(500)]
TRUTH = {"playlists": [
    {"pid": 1, "category": "title only", "seeds": [], "held_out": FIVE_HUNDRED[:3]},
    {"pid": 2, "category": "title + first 1", "seeds": ["spotify:track:seed"], "held_out": [FIVE_HUNDRED[7]]}]}
GOOD = "team_info,T,e@x\n" + answer_line(1, FIVE_HUNDRED) + answer_line(2, FIVE_HUNDRED)


def truth_with(**change) -> str:
    first = TRUTH["playlists"][0] | change
    return json.dumps({"playlists": [first, TRUTH["playlists"][1]]})


SCORE_CASES = {
    # name: (submission name, submission, truth, exit codes allowed)
    "valid": ("s.csv", GOOD, json.dumps(TRUTH), {0}),
    "valid gz": ("s.csv.gz", gzip.compress(GOOD.encode()), json.dumps(TRUTH), {0}),
    "CRLF": ("s.csv", GOOD.replace("\n", "\r\n"), json.dumps(TRUTH), {0}),
    "BOM": ("s.csv", "\ufeff" + GOOD, json.dumps(TRUTH), {0, 1}),
    "499 tracks": ("s.csv", GOOD.replace(",spotify:track:t499\n2,", "\n2,", 1), json.dumps(TRUTH), {1}),
    "501 tracks": ("s.csv", GOOD.replace("\n2,", ",spotify:track:x\n2,", 1), json.dumps(TRUTH), {1}),
    "duplicates": ("s.csv", GOOD.replace("t499\n", "t0\n", 1), json.dumps(TRUTH), {1}),
    "seed inside": ("s.csv", GOOD.replace("2,spotify:track:t0,", "2,spotify:track:seed,"), json.dumps(TRUTH), {1}),
    "no team_info": ("s.csv", GOOD.split("\n", 1)[1], json.dumps(TRUTH), {1}),
    "team_info quoted commas": ("s.csv", GOOD.replace("team_info,T,", 'team_info,"A, ""B"" C",'),
                                json.dumps(TRUTH), {0, 1}),  # `answer` refuses such names
    "team_info ANSI": ("s.csv", GOOD.replace("team_info,T,", f"team_info,{ESC},"), json.dumps(TRUTH), {0, 1}),
    "pid answered twice": ("s.csv", GOOD + answer_line(1, FIVE_HUNDRED), json.dumps(TRUTH), {1}),
    "pid not in truth": ("s.csv", GOOD + answer_line(9, FIVE_HUNDRED), json.dumps(TRUTH), {0, 1}),
    "pid missing": ("s.csv", GOOD.rsplit("2,", 1)[0], json.dumps(TRUTH), {1}),
    "pid not a number": ("s.csv", GOOD.replace("\n2,", "\nabc,"), json.dumps(TRUTH), {1}),
    "pid huge": ("s.csv", GOOD.replace("\n2,", "\n" + "9" * 5000 + ","), json.dumps(TRUTH), {1}),
    "URI with ANSI, duplicated": ("s.csv", GOOD.replace(
        "spotify:track:t498,spotify:track:t499", f"{ESC},{ESC}"),
                                  json.dumps(TRUTH), {1}),
    "quoted field with newline": ("s.csv", GOOD.replace("t499\n2", 't499\n"2\nx"', 1), json.dumps(TRUTH),
                                  {1}),
    "10 MB line": ("s.csv", GOOD + "3," + ",".join(["spotify:track:" + "y" * 20000] * 500) + "\n",
                   json.dumps(TRUTH), {0, 1}),
    "non-UTF-8": ("s.csv", GOOD.encode().replace(b"t3,", b"t\xff\xfe,"), json.dumps(TRUTH), {1}),
    "NUL byte": ("s.csv", GOOD.replace("t3,", "t\x00,"), json.dumps(TRUTH), {0, 1}),
    "empty submission": ("s.csv", "", json.dumps(TRUTH), {1}),
    "not gzip .gz": ("s.csv.gz", GOOD, json.dumps(TRUTH), {1}),
    "truth empty": ("s.csv", GOOD, "", {1}),
    "truth garbage": ("s.csv", GOOD, "{nope", {1}),
    "truth list": ("s.csv", GOOD, "[]", {1}),
    "truth playlists null": ("s.csv", GOOD, '{"playlists": null}', {1}),
    "truth pid string": ("s.csv", GOOD, truth_with(pid="1"), {1}),
    "truth pid float": ("s.csv", GOOD, truth_with(pid=1.5), {1}),
    "truth pid bool": ("s.csv", GOOD, truth_with(pid=True), {1}),
    "truth duplicate pid": ("s.csv", GOOD, json.dumps({"playlists": [TRUTH["playlists"][0]] * 2}), {1}),
    "truth held_out empty": ("s.csv", GOOD, truth_with(held_out=[]), {1}),
    "truth held_out string": ("s.csv", GOOD, truth_with(held_out="spotify:track:t0"), {1}),
    "truth held_out numbers": ("s.csv", GOOD, truth_with(held_out=[1, 2]), {1}),
    "truth seeds null": ("s.csv", GOOD, truth_with(seeds=None), {0, 1}),
    "truth category number": ("s.csv", GOOD, truth_with(category=5), {0, 1}),
    "truth category ANSI": ("s.csv", GOOD, truth_with(category=ESC), {0, 1}),
    "truth nested 100000 deep": ("s.csv", GOOD, deep(100_000), {1}),
    "truth NaN pid": ("s.csv", GOOD, truth_with().replace('"pid": 1,', '"pid": NaN,'), {1}),
}


def score_cases(work: Path, home: Path) -> list[Outcome]:
    outcomes = []
    for name, (file_name, submission, truth, allowed) in SCORE_CASES.items():
        case = Path(tempfile.mkdtemp(dir=work))
        (case / file_name).write_bytes(submission.encode() if isinstance(submission, str) else submission)
        (case / "truth.json").write_text(truth)
        o = run(f"score: {name}", ["challenge", "score", file_name, "--truth", "truth.json"], home, case)
        outcomes.append(check_promises(o, allowed))
    case = Path(tempfile.mkdtemp(dir=work))
    (case / "truth.json").write_text(json.dumps(TRUTH))
    o = run("score: submission is a directory", ["challenge", "score", ".", "--truth", "truth.json"], home, case)
    outcomes.append(check_promises(o, {1}))
    return outcomes


def bomb_case(work: Path, home: Path) -> Outcome:
    import resource
    folder = Path(tempfile.mkdtemp(dir=work))
    gzip_bomb(folder / "c.json.gz")
    before = resource.getrusage(resource.RUSAGE_CHILDREN).ru_maxrss
    o = answer_once(folder, home, folder / "c.json.gz", folder / "out.csv", name="answer: gzip of 2 GiB")
    peak = resource.getrusage(resource.RUSAGE_CHILDREN).ru_maxrss
    check_promises(o, {1})
    if peak > max(before, 1_536 * 1024):  # KiB: reading stops at 1 GiB decompressed
        o.problems.append(f"peak RSS {peak // 1024} MiB")
    if o.seconds > 60:
        o.problems.append(f"took {o.seconds:.0f} s")
    return o


def main() -> int:
    options, home = sweep_options(__doc__, ("--only", {"default": "", "help": "run only the groups whose name "
                                                                         "holds this"}))
    work = Path(tempfile.mkdtemp(prefix="hostile-challenge-"))
    groups = {"answer": answer_cases, "paths": path_cases, "resume": resume_cases, "score": score_cases,
              "bomb": lambda w, h: [bomb_case(w, h)],
              "interrupt": lambda w, h: [interrupt_case(w, h, 1), interrupt_case(w, h, 2)]}
    failing = 0
    for group, cases in groups.items():
        if options.only in group:
            failing += report(cases(work, home), group)
    print(f"\nfiles under {work}, data dir {home}")
    return 1 if failing else 0


if __name__ == "__main__":
    raise SystemExit(main())
