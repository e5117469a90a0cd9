"""The phases bench_scale.py adds after the index: what the same files cost to parse with
the standard library (the bar ingest is held to), the ALS fit, the learned ranker's
training, and the previous release's ingest of the same files with a comparison of the
two catalogs' contents (`Catalog.content_digests`; the older catalog is opened, and so
migrated, by this release's code).

Each phase function takes the JSON arguments bench_scale passes to its child process and
returns plain figures; bench_scale adds wall time, CPU, peak RSS and load.
"""

from __future__ import annotations

import json
import random
import subprocess
import sys
import time
from pathlib import Path

ROOT = Path(__file__).resolve().parents[1]

def phase_parse(args: dict, files: list[Path]) -> dict:
    """Read and `json.loads` every file the ingest phase reads, in one process."""
    started = time.perf_counter()
    playlists = 0
    for path in files:
        playlists += len(json.loads(path.read_bytes())["playlists"])
    seconds = time.perf_counter() - started
    return {"seconds": seconds, "playlists": playlists, "playlists_per_s": playlists / seconds}


def phase_als(args: dict) -> dict:
    """The ALS fit `agent index` runs after the signal tables (tracks in 2 playlists or more)."""
    from retrieval.catalog import Catalog
    from retrieval.collaborative.als import ALS
    from retrieval.collaborative.store import als_folder, fit_and_save_als
    from retrieval.ranking.sources import prepare_signal_data

    catalog = Catalog(Path(args["catalog"]))
    graph = prepare_signal_data(catalog)
    started = time.perf_counter()
    model: ALS = fit_and_save_als(graph.csr_arrays(), als_folder(catalog.path), catalog.signals_fingerprint())
    seconds = time.perf_counter() - started
    catalog.close()
    return {"build_s": seconds, "tracks": len(model.tracks), "factors": model.factors}


def phase_ranker(args: dict) -> dict:
    """`agent tune --ranker` on `ranker_playlists` sampled playlists, each hidden from its own queries."""
    from retrieval.catalog import Catalog
    from retrieval.encoding.encoder import Encoder
    from retrieval.generator import Retriever
    from retrieval.index.titles import ChromaLocation, open_index
    from retrieval.ranking.learned import ranker_folder
    from training.ranker import train_ranker

    catalog = Catalog(Path(args["catalog"]))
    index = open_index(catalog, ChromaLocation(path=Path(args["chroma_path"])))
    retriever = Retriever(catalog, index, Encoder(index.info.encoder_path))
    pids = random.Random(args.get("seed", 0)).sample(range(args["size"]), args["ranker_playlists"])
    figures = train_ranker(retriever, catalog, pids, frozenset(pids), ranker_folder(catalog.path))
    catalog.close()
    return {"build_s": figures["seconds"], "playlists": len(pids), **figures}


def previous_release(rev: str, work: Path) -> Path:
    """The tree of commit `rev`, unpacked once under `work` (`git archive`, nothing kept in this tree)."""
    tree = work / f"release-{rev}"
    if not (tree / "benchmarks" / "bench_scale.py").exists():
        tree.mkdir(parents=True, exist_ok=True)
        archive = subprocess.run(["git", "-C", str(ROOT), "archive", rev], check=True, capture_output=True).stdout
        subprocess.run(["tar", "-x", "-C", str(tree)], input=archive, check=True)
    return tree


def previous_ingest_command(tree: Path, args: dict) -> list[str]:
    """The previous release's own ingest phase, run from its tree (the caller adds --phase-out)."""
    return [sys.executable, str(tree / "benchmarks" / "bench_scale.py"), "--phase", "ingest",
            "--phase-args", json.dumps(args)]


def compare_contents(before: Path, after: Path) -> dict:
    """Whether two catalogs hold the same playlists, tracks and titles (ids aside)."""
    from retrieval.catalog import Catalog

    with Catalog(before) as old_catalog, Catalog(after) as new_catalog:
        old, new = old_catalog.content_digests(), new_catalog.content_digests()
    return {"identical": old == new, "before": old, "after": new,
            "differing_tables": sorted(name for name in new if old.get(name) != new[name])}
