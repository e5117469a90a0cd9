"""Hostile lines for `agent generate --titles-file FILE.jsonl`: each case runs the real
command on a copy of a demo data dir and checks the product's promises (no traceback,
exit 0/1, a one-line error naming the line, nothing raw printed to a terminal).

    nice -n 19 python benchmarks/hostile_generate.py [--base DIR]

--base: a data dir whose demo catalog is already built (copied, not changed). Prints the
failing cases; exits 1 if any. About a minute on two cores.
"""

from __future__ import annotations

import json
import tempfile
from pathlib import Path

from hostile_common import Outcome, check_promises, report, run, sweep_options

URI = "demo:track:9e8c0423f2add74a"
SEED = {"track_uri": URI, "track_name": "Cruise", "artist_name": "Florida Georgia Line"}
ESC = "\x1b[31mRED\x1b[0m\x07\u202eevil"


def lines(*objects) -> str:
    return "".join((o if isinstance(o, str) else json.dumps(o, ensure_ascii=False)) + "\n" for o in objects)


CASES = {
    # name: (file content, exit codes allowed, records expected on success)
    "valid": (lines({"title": "road trip"}, {"title": "summer", "seeds": [SEED]}, {"seeds": [SEED]}), {0}, 3),
    "seed as 'song by artist'": (lines({"title": "x", "seeds": ["Cruise by Florida Georgia Line"]}), {0}, 1),
    "seed name and artist only": (lines({"seeds": [{"track_name": "Cruise",
                                                    "artist_name": "Florida Georgia Line"}]}), {0, 1}, 1),
    "unknown URIs with a title": (lines({"title": "road trip", "seeds": [
        {"track_uri": "spotify:track:nope", "track_name": "Nope", "artist_name": "Nobody"}]}), {0}, 1),
    "unknown URIs only": (lines({"seeds": [{"track_uri": "spotify:track:nope"}]}), {0, 1}, 1),
    "unknown seed with ANSI": (lines({"title": "road trip", "seeds": [
        {"track_uri": "spotify:track:" + ESC, "track_name": ESC, "artist_name": ESC}]}), {0, 1}, 1),
    "1001 seeds": (lines({"title": "x", "seeds": [SEED] * 1001}), {0, 1}, 1),
    "5000 distinct unknown seeds": (lines({"title": "x", "seeds": [f"spotify:track:{i}" for i in range(5000)]}),
                                    {0, 1}, 1),
    "duplicate seeds": (lines({"title": "road trip", "seeds": [SEED, SEED, URI]}), {0}, 1),
    "seeds a string": (lines({"title": "x", "seeds": URI}), {0, 1}, 1),
    "seeds an object": (lines({"title": "x", "seeds": SEED}), {1}, 0),
    "seeds null": (lines({"title": "x", "seeds": None}), {0, 1}, 1),
    "seed a number": (lines({"title": "x", "seeds": [42]}), {1}, 0),
    "seed null": (lines({"title": "x", "seeds": [None]}), {1}, 0),
    "seed a list": (lines({"title": "x", "seeds": [[URI]]}), {1}, 0),
    "seed object empty": (lines({"title": "x", "seeds": [{}]}), {1}, 0),
    "seed track_uri number": (lines({"title": "x", "seeds": [{"track_uri": 5}]}), {1}, 0),
    "seed track_name list": (lines({"title": "x", "seeds": [{"track_name": ["a"], "artist_name": "b"}]}),
                             {1}, 0),
    "seed unknown key": (lines({"title": "x", "seeds": [SEED | {"evil": 1}]}), {0, 1}, 1),
    "seed 100 KB uri": (lines({"title": "x", "seeds": ["spotify:track:" + "z" * 100_000]}), {0, 1}, 1),
    "empty title, no seeds": (lines({"title": ""}), {1}, 0),
    "blank title, empty seeds": (lines({"title": "   ", "seeds": []}), {1}, 0),
    "no keys": (lines({}), {1}, 0),
    "title a number": (lines({"title": 5}), {1}, 0),
    "title null with seeds": (lines({"title": None, "seeds": [SEED]}), {0, 1}, 1),
    "title list": (lines({"title": ["a"]}), {1}, 0),
    "line a list": (lines(["road trip"]), {1}, 0),
    "line a number": (lines("7"), {1}, 0),
    "line a string": (lines('"road trip"'), {0, 1}, 1),
    "line null": (lines("null"), {1}, 0),
    "invalid JSON line": (lines({"title": "ok"}, "{title: nope"), {1}, 0),
    "plain text line": (lines("road trip"), {0, 1}, 1),
    "NaN n": (lines('{"title": "x", "n": NaN}'), {1}, 0),
    "n string": (lines({"title": "x", "n": "5"}), {1}, 0),
    "n zero": (lines({"title": "x", "n": 0}), {1}, 0),
    "n negative": (lines({"title": "x", "n": -3}), {1}, 0),
    "n huge": (lines({"title": "x", "n": 10**30}), {0, 1}, 1),
    "n float": (lines({"title": "x", "n": 2.5}), {1}, 0),
    "n bool": (lines({"title": "x", "n": True}), {1}, 0),
    "unknown key": (lines({"title": "x", "colour": "red"}), {0, 1}, 1),
    "title 1 MB": (lines({"title": "road trip " * 100_000}), {0, 1}, 1),
    "title emoji RTL zero-width": (lines({"title": "\u202e🚗 road\u200b trip\u2066\ufeff"}), {0}, 1),
    "title ANSI and controls": (lines({"title": ESC + "\x00\x08\x9b"}), {0, 1}, 1),
    "title only emoji": (lines({"title": "🔥🔥🔥"}), {0}, 1),
    "title only punctuation": (lines({"title": "!!! ???"}), {0, 1}, 1),
    "nested 100000 deep": (lines('{"title": "x", "seeds": ' + "[" * 100_000 + "]" * 100_000 + "}"), {1}, 0),
    "empty file": ("", {0, 1}, 0),
    "blank lines": ("\n\n" + lines({"title": "road trip"}) + "\n   \n", {0}, 1),
    "CRLF": (lines({"title": "road trip"}, {"title": "summer"}).replace("\n", "\r\n"), {0}, 2),
    "BOM": ("\ufeff" + lines({"title": "road trip"}), {0, 1}, 1),
    "non-UTF-8": (lines({"title": "ROAD"}).encode().replace(b"ROAD", b"r\xff\xfeoad"), {1}, 0),
    "NUL bytes between lines": (lines({"title": "road trip"}) + "\x00\x00\n", {1}, 0),
    "200 lines": (lines(*({"title": f"mix {i}"} for i in range(200))), {0}, 200),
}


def generate_cases(work: Path, home: Path) -> list[Outcome]:
    outcomes = []
    for name, (content, allowed, records) in CASES.items():
        case = Path(tempfile.mkdtemp(dir=work))
        (case / "t.jsonl").write_bytes(content.encode() if isinstance(content, str) else content)
        o = check_promises(run(f"titles-file: {name}", ["generate", "--titles-file", "t.jsonl", "-n", "3"],
                               home, case, timeout=180), allowed)
        if o.rc == 0:
            got = [line for line in o.out.splitlines() if line.strip()]
            if len(got) != records:
                o.problems.append(f"{len(got)} records, expected {records}")
        outcomes.append(o)
    case = Path(tempfile.mkdtemp(dir=work))
    (case / "t.jsonl").write_text(lines({"title": "road trip"}))
    for name, args in {"file is a directory": [".", ], "file missing": ["missing.jsonl"],
                       "output in a missing dir": ["t.jsonl", "-o", "no/such/dir/out.jsonl"],
                       "output /dev/full": ["t.jsonl", "-o", "/dev/full"],
                       "output is the input": ["t.jsonl", "-o", "t.jsonl"]}.items():
        before = (case / "t.jsonl").read_bytes()
        o = check_promises(run(f"titles-file: {name}", ["generate", "--titles-file", *args], home, case), {1})
        if (case / "t.jsonl").read_bytes() != before:
            o.problems.append("the titles file was changed")
        outcomes.append(o)
    return outcomes


def main() -> int:
    _, home = sweep_options(__doc__)
    work = Path(tempfile.mkdtemp(prefix="hostile-generate-"))
    failing = report(generate_cases(work, home), "generate --titles-file")
    print(f"\nfiles under {work}, data dir {home}")
    return 1 if failing else 0


if __name__ == "__main__":
    raise SystemExit(main())
