"""Build time and size of the playlist graph's title and artist arrays at full-MPD sizes,
on synthetic inputs (no corpus needed): 2.26M song keys of 295,000 artists and 1M
playlists under 25,000 titles.

    python benchmarks/bench_graph_arrays.py [--tracks 2261276] [--artists 295000]
        [--playlists 1000000] [--titles 25022]

Prints seconds and MiB; figures, not assertions.
"""

from __future__ import annotations

import argparse
import random
import sys
import time
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parents[1]))

from retrieval.graph.arrays import _artist_index, _song_and_artist_numbers, _title_arrays  # noqa: E402


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--tracks", type=int, default=2_261_276)
    parser.add_argument("--artists", type=int, default=295_000)
    parser.add_argument("--playlists", type=int, default=1_000_000)
    parser.add_argument("--titles", type=int, default=25_022)
    args = parser.parse_args()
    rng = random.Random(0)
    keys = sorted((f"song {rng.randrange(args.tracks)}|artist {rng.randrange(args.artists)}", track)
                  for track in range(args.tracks))
    started = time.perf_counter()
    _, artists = _song_and_artist_numbers(keys, args.tracks)
    numbered = time.perf_counter()
    index = _artist_index(artists)
    indexed = time.perf_counter()
    titles = sorted((rng.randrange(args.titles), pid) for pid in range(args.playlists))
    title_started = time.perf_counter()
    title_arrays = _title_arrays(titles)
    done = time.perf_counter()
    mib = lambda arrays: sum(a.nbytes for a in arrays.values()) / 2**20  # noqa: E731
    print(f"| song and artist numbers, {args.tracks:,} keys | {numbered - started:.1f} s |")
    print(f"| artist index | {indexed - numbered:.2f} s | {mib(index):.0f} MiB |")
    print(f"| title -> playlists, {args.playlists:,} playlists | {done - title_started:.2f} s | {mib(title_arrays):.0f} MiB |")


if __name__ == "__main__":
    main()
