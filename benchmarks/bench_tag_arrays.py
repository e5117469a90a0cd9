"""The crowd-tag vectors as a float16 array against the previous release's Chroma
collection, on the MPD sample: the same requests must give the same top 10.

    python benchmarks/bench_tag_arrays.py [--mpd ../shared/data/mpd_sample] [--previous df9e3e7] [--work DIR]

The previous `retrieval/index/tags.py` is taken from git (`--previous`, a commit before the
array) and imported beside the current one; both build their vectors from the same
catalog and title index. Two fixed sets of requests, each compared by its top 10:

- steered playlists: `generate_steered` for 32 titles x 12 words (toward, strength 0.5);
- crowd-tag neighbours: every track ranked by its cosine with each word's centred vector.

Also each build's time and the largest difference of one vector component. Figures,
not assertions; the machine is shared, so its load is printed beside the times.
"""

from __future__ import annotations

import argparse
import importlib.util
import os
import subprocess
import sys
import tempfile
import time
from pathlib import Path

import numpy as np

ROOT = Path(__file__).resolve().parents[1]
sys.path.insert(0, str(ROOT))
sys.path.insert(0, str(ROOT / "benchmarks"))

from bench_steering import TITLES, WORDS, prepare  # noqa: E402
from retrieval.generator import GenerationOptions  # noqa: E402
from retrieval.ranking.steering import Steering, generate_steered  # noqa: E402
from retrieval.index.tags import build_tag_index  # noqa: E402


def previous_tags_module(revision: str):
    source = subprocess.run(["git", "-C", str(ROOT), "show", f"{revision}:retrieval/index/tags.py"],
                            check=True, capture_output=True, text=True).stdout
    path = Path(tempfile.mkdtemp()) / "tags_previous.py"
    path.write_text(source)
    spec = importlib.util.spec_from_file_location("tags_previous", path)
    module = importlib.util.module_from_spec(spec)
    sys.modules[spec.name] = module  # its dataclass looks itself up there
    spec.loader.exec_module(module)
    return module


def steered_top10(retriever, tags) -> list[list[str]]:
    options = GenerationOptions(n=10)
    return [[t.track_uri for t in generate_steered(retriever, tags, title, options, Steering.parse([word], 0.5)).tracks]
            for title in TITLES for word in WORDS]


def neighbour_top10(retriever, tags, uris: list[str]) -> tuple[list[list[str]], np.ndarray]:
    found = tags.vectors(uris)
    matrix = np.stack([found.get(uri, np.zeros(len(tags.mean), np.float32)) for uri in uris])
    words = tags.word_vectors(retriever.encoder, WORDS)
    # Ties broken by uri, the same way for both.
    return [[uris[i] for i in np.lexsort((uris, -(matrix @ word)))[:10]] for word in words], matrix


def timed_build(build):
    load, started = os.getloadavg()[0], time.perf_counter()
    tags = build()
    return tags, time.perf_counter() - started, load


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument("--mpd", type=Path, default=ROOT.parent / "shared" / "data" / "mpd_sample")
    parser.add_argument("--previous", default="df9e3e7", help="a commit whose tags.py keeps the vectors in Chroma")
    parser.add_argument("--work", type=Path, default=Path(tempfile.gettempdir()) / "bench-tag-arrays")
    args = parser.parse_args()
    args.work.mkdir(parents=True, exist_ok=True)
    catalog, retriever, location = prepare(args.mpd, args.work)
    uris = sorted(row[0] for row in catalog.track_rows(range(1, catalog.stats().tracks + 1)).values())

    previous = previous_tags_module(args.previous)
    old, old_s, old_load = timed_build(lambda: previous.build_tag_index(catalog, retriever.index, location))
    old_steered = steered_top10(retriever, old)
    old_neighbours, old_matrix = neighbour_top10(retriever, old, uris)

    new, new_s, new_load = timed_build(lambda: build_tag_index(catalog, retriever.index, location))
    new_steered = steered_top10(retriever, new)
    new_neighbours, new_matrix = neighbour_top10(retriever, new, uris)

    same_steered = sum(a == b for a, b in zip(old_steered, new_steered))
    same_neighbours = sum(a == b for a, b in zip(old_neighbours, new_neighbours))
    overlap = np.mean([len(set(a) & set(b)) / 10 for a, b in zip(old_steered, new_steered)])
    print(f"{catalog.stats().playlists:,} playlists, {len(uris):,} tracks")
    print(f"build: Chroma collection {old_s:.1f} s (load {old_load:.1f}); float16 array {new_s:.1f} s (load {new_load:.1f})")
    print(f"largest component difference: {np.abs(old_matrix - new_matrix).max():.5f}")
    print(f"steered playlists: {same_steered}/{len(old_steered)} top-10 lists identical "
          f"({100 * same_steered / len(old_steered):.1f}%), mean overlap {100 * overlap:.1f}%")
    print(f"crowd-tag neighbours: {same_neighbours}/{len(old_neighbours)} top-10 lists identical")
    catalog.close()


if __name__ == "__main__":
    main()
