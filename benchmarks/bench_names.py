"""Speed of resolving songs and artists named in plain words, on any catalog file.

    python benchmarks/bench_names.py --catalog ../shared/data/...catalog.sqlite [--lookups 50]

Times the one-off steps (the song-key table, the track -> playlists index the play
counts use, the artist-key index) and then warm lookups (p50/p95) of names drawn
from the catalog itself, written the ways users write them. Figures, not assertions.
"""

from __future__ import annotations

import argparse
import json
import random
import statistics
import sys
import time
from pathlib import Path

ROOT = Path(__file__).resolve().parents[1]
sys.path.insert(0, str(ROOT))
sys.path.insert(0, str(ROOT / "benchmarks"))

from bench_foundation import percentile  # noqa: E402
from retrieval.catalog import Catalog  # noqa: E402
from retrieval.resolve import AmbiguousName, NameNotFound, NameResolver  # noqa: E402


def timed(function, *args):
    started = time.perf_counter()
    result = function(*args)
    return result, time.perf_counter() - started


def lookups(function, names: list[str]) -> dict:
    seconds, outcomes = [], {"found": 0, "ambiguous": 0, "not_found": 0}
    for name in names:
        started = time.perf_counter()
        try:
            function(name)
            outcomes["found"] += 1
        except AmbiguousName:
            outcomes["ambiguous"] += 1
        except NameNotFound:
            outcomes["not_found"] += 1
        seconds.append(time.perf_counter() - started)
    return {**outcomes, "p50_ms": round(1000 * percentile(seconds, 0.5), 2),
            "p95_ms": round(1000 * percentile(seconds, 0.95), 2), "mean_ms": round(1000 * statistics.mean(seconds), 2)}


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--catalog", type=Path, required=True)
    parser.add_argument("--lookups", type=int, default=50)
    parser.add_argument("--seed", type=int, default=0)
    args = parser.parse_args()
    catalog = Catalog(args.catalog)
    stats = catalog.stats()
    resolver, first_init = timed(NameResolver, catalog)
    _, warm_init = timed(NameResolver, catalog)
    _, play_index = timed(catalog.play_counts, [1])
    _, artist_index = timed(catalog.artists_with_keys, ["x"])
    rng = random.Random(args.seed)
    tracks = list(catalog.tracks_by_id(rng.sample(range(1, stats.tracks + 1), args.lookups)).values())
    forms = [
        ("song by artist", [f"{t.track_name.lower()} by {t.artist_name.lower()}" for t in tracks]),
        ("artist - song", [f"{t.artist_name} - {t.track_name}" for t in tracks]),
        ("song alone", [t.track_name for t in tracks]),
    ]
    result = {
        "playlists": stats.playlists, "tracks": stats.tracks,
        "song_keys_first_s": round(first_init, 2), "resolver_warm_init_s": round(warm_init, 3),
        "play_count_index_first_s": round(play_index, 2),
        "artist_key_index_first_s": round(artist_index, 2), 
        **{form: lookups(resolver.track, names) for form, names in forms},
        "artist": lookups(resolver.artist, [t.artist_name.upper() for t in tracks]),
    }
    print(json.dumps(result, indent=2))
    catalog.close()


if __name__ == "__main__":
    main()
