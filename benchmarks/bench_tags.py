"""Cost of the crowd-tag track vectors on a catalog whose title index is already built
(for instance a data dir left by benchmarks/bench_scale.py, or one made by `agent ingest`).

    python benchmarks/bench_tags.py --catalog DIR/catalog.sqlite --chroma DIR/chroma-embedded-threads-default

Builds the tag vectors once and prints their count, the seconds it took, the process's
peak RSS and the size of the vectors' folder beside the catalog. Figures, not assertions.
"""

from __future__ import annotations

import argparse
import json
import resource
import sys
import time
from pathlib import Path

ROOT = Path(__file__).resolve().parents[1]
sys.path.insert(0, str(ROOT))

from retrieval.catalog import Catalog  # noqa: E402
from retrieval.index.titles import ChromaLocation, open_index  # noqa: E402
from retrieval.index.tags import build_tag_index, tags_folder  # noqa: E402


def disk_bytes(path: Path) -> int:
    return sum(p.stat().st_size for p in path.rglob("*") if p.is_file())


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--catalog", type=Path, required=True)
    parser.add_argument("--chroma", type=Path, required=True, help="the embedded Chroma directory of its title index")
    args = parser.parse_args()
    catalog = Catalog(args.catalog)
    location = ChromaLocation(path=args.chroma)
    titles = open_index(catalog, location)
    before = disk_bytes(args.chroma)
    stats = catalog.stats()
    started = time.perf_counter()
    tags = build_tag_index(catalog, titles, location)
    seconds = time.perf_counter() - started
    result = {
        "playlists": stats.playlists, "tracks": stats.tracks, "playlist_tracks": stats.playlist_tracks,
        "titles": titles.info.titles, "tag_vectors": tags.info.tracks, "build_s": round(seconds, 1),
        "tracks_per_s": round(tags.info.tracks / seconds),
        "peak_rss_mib": round(resource.getrusage(resource.RUSAGE_SELF).ru_maxrss / 1024),
        "chroma_growth_mib": round((disk_bytes(args.chroma) - before) / 2**20),
        "vectors_mib": round(disk_bytes(tags_folder(catalog)) / 2**20),
    }
    print(json.dumps(result, indent=2))
    catalog.close()


if __name__ == "__main__":
    main()
