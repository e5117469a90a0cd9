"""Whether a change leaves the answers as they were, bit for bit: dump the whole answers
(every field but the time taken) of the benchmark titles under many options, once from
each checkout, then compare the two dumps.

    (cd OLD_CHECKOUT && python benchmarks/same_answers.py dump DATA_DIR /tmp/old.json)
    (cd NEW_CHECKOUT && python benchmarks/same_answers.py dump DATA_DIR /tmp/new.json)
    python benchmarks/same_answers.py compare /tmp/old.json /tmp/new.json

Run each dump from its own checkout: `python` imports the current folder's package first.
The options cover title-only, n of 10 to 500, count voting, seeds, discovery, an artist
cap, unmerged versions, excluded playlists, excluded artists and tracks, and seeds alone.
"""

from __future__ import annotations

import argparse
import json
import sys
from pathlib import Path

ROOT = Path(__file__).resolve().parents[1]
sys.path.insert(0, str(ROOT))
sys.path.insert(0, str(ROOT / "benchmarks"))


def dump(home: Path, out: Path, distinct: int) -> None:
    from agent.server.app import ServeSettings
    from bench_serve import DISTINCT_TITLES, TITLES
    from retrieval.generator import GenerationOptions

    retriever = ServeSettings(str(home), None, str(home / "catalog.sqlite"), False, 8).load_service().retriever()
    answers = []

    def answer(title: str, **options) -> None:
        playlist = retriever.generate(title, GenerationOptions(**options)).model_dump()
        playlist.pop("seconds", None)
        answers.append([title, sorted(options), playlist])

    for i, title in enumerate(TITLES + DISTINCT_TITLES[:distinct]):
        first = retriever.generate(title, GenerationOptions(n=20))
        uris = [track.track_uri for track in first.tracks]
        answer(title, n=10)
        answer(title, n=500 if i % 5 == 0 else 60)
        if i % 3 == 0:
            answer(title, n=30, voting="count")
        if i % 3 == 1:
            answer(title, n=40, seed_uris=tuple(uris[2:5]))
        if i % 4 == 0:
            answer(title, n=20, discovery=0.5)
        if i % 4 == 1:
            answer(title, n=40, max_per_artist=1)
        if i % 4 == 2:
            answer(title, n=20, merge_versions=False)
        if i % 4 == 3:
            answer(title, n=100, exclude_pids=frozenset(n.pid for n in first.neighbours[:20]))
        if i % 5 == 1:
            answer(title, n=20, exclude_artists=(first.tracks[0].artist_name,), exclude_track_uris=frozenset(uris[1:3]))
        if i % 7 == 0:
            answer("", n=15, seed_uris=tuple(uris[:2]))
    out.write_text(json.dumps(answers, sort_keys=True))
    print(f"{len(answers)} answers written to {out}")


def compare(old: Path, new: Path) -> int:
    before, after = json.loads(old.read_text()), json.loads(new.read_text())
    if len(before) != len(after):
        print(f"{len(before)} answers against {len(after)}: not the same runs")
        return 1
    differ = [i for i, (a, b) in enumerate(zip(before, after)) if a != b]
    print(f"{len(before)} answers, {len(differ)} differ")
    for i in differ[:5]:
        title, options, playlist = before[i]
        print(f"  {title!r} {options}: {[key for key in playlist if playlist[key] != after[i][2].get(key)]}")
    return 1 if differ else 0


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    commands = parser.add_subparsers(dest="command", required=True)
    dumping = commands.add_parser("dump")
    dumping.add_argument("home", type=Path, help="a data dir with an ingested, indexed catalog")
    dumping.add_argument("out", type=Path)
    dumping.add_argument("--distinct", type=int, default=60, help="distinct benchmark titles beside the 20 usual ones")
    comparing = commands.add_parser("compare")
    comparing.add_argument("old", type=Path)
    comparing.add_argument("new", type=Path)
    args = parser.parse_args()
    if args.command == "dump":
        dump(args.home, args.out, args.distinct)
    else:
        sys.exit(compare(args.old, args.new))


if __name__ == "__main__":
    main()
