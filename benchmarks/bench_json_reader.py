"""What the bounded JSON reader costs over plain orjson, on real MPD files.

    python benchmarks/bench_json_reader.py ../shared/data/mpd_sample/mpd.slice.0-999.json [--rounds 15]

Each round parses the file's bytes with `orjson.loads`, with `read_json(max_depth=None)`
(the size check, the same parse) and with `read_json` (then the nesting check),
alternating so that machine load hits all alike;
prints the best and median of each, and of the nesting check alone on the parsed value. A 30 MB input is made
by naming two slices: their playlists are joined into one document. Figures, not assertions.
"""

from __future__ import annotations

import argparse
import statistics
import sys
import time
from pathlib import Path

import orjson

sys.path.insert(0, str(Path(__file__).resolve().parents[1]))

from retrieval.json_reader import read_json, within_depth  # noqa: E402


def seconds(parse, data) -> float:
    started = time.perf_counter()
    parse(data)
    return time.perf_counter() - started


def main() -> None:
    parser = argparse.ArgumentParser()
    parser.add_argument("files", nargs="+", type=Path)
    parser.add_argument("--rounds", type=int, default=15)
    args = parser.parse_args()
    documents = [orjson.loads(path.read_bytes()) for path in args.files]
    joined = {**documents[0], "playlists": [p for d in documents for p in d["playlists"]]}
    data = orjson.dumps(joined)
    readers = {
        "orjson.loads": orjson.loads,
        "read_json, max_depth=None": lambda text: read_json(text, what="the file", max_depth=None),
        "read_json, max_depth=200": lambda text: read_json(text, what="the file"),
    }
    times: dict[str, list[float]] = {name: [] for name in readers}
    for _ in range(args.rounds):
        for name, reader in readers.items():
            times[name].append(seconds(reader, data))
    print(f"{len(data) / 1e6:.1f} MB, {len(joined['playlists']):,} playlists, {args.rounds} rounds")
    for name, taken in times.items():
        print(f"{name:26} best {min(taken) * 1e3:7.1f} ms   median {statistics.median(taken) * 1e3:7.1f} ms")
    plain = times["orjson.loads"]
    value = orjson.loads(data)
    check = [seconds(within_depth, value) for _ in range(args.rounds)]
    print(f"{'nesting check alone':26} best {min(check) * 1e3:7.1f} ms   median {statistics.median(check) * 1e3:7.1f} ms"
          f"   ({min(check) / min(plain):.0%} of the best parse)")


if __name__ == "__main__":
    main()
