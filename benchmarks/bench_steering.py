"""Steering by words on an MPD sample: the tag-vector build, and the trade-off between
moving a playlist toward a word and keeping the playlist it was.

    python benchmarks/bench_steering.py [--mpd ../shared/data/mpd_sample] [--work DIR] [-n 20]
        [--strengths 0,0.2,0.35,0.5,0.65,0.8,1] [--example "rainy sunday=party"]

For every title x word x strength: `moved`, the share of the steered playlist's tracks
whose tag vector is nearer the word (cosine, centred vectors) than the unsteered
playlist's median track; `kept`, the share of the unsteered playlist still in it; and
`gain`, the mean similarity to the word, steered minus unsteered. At strength 0 `moved`
is the unsteered playlist's own share above its median (just under 0.5). Prints
Markdown tables and before/after examples, writes benchmarks/results/steering.json and
steering.png. Figures, not assertions: the machines are shared and noisy.
"""

from __future__ import annotations

import argparse
import json
import resource
import statistics
import sys
import time
import tracemalloc
from pathlib import Path

import numpy as np

ROOT = Path(__file__).resolve().parents[1]
sys.path.insert(0, str(ROOT))
sys.path.insert(0, str(ROOT / "benchmarks"))

from bench_foundation import percentile  # noqa: E402
from retrieval.catalog import Catalog  # noqa: E402
from retrieval.encoding.encoder import Encoder  # noqa: E402
from retrieval.generator import GenerationOptions, Retriever  # noqa: E402
from retrieval.index.titles import ChromaLocation, active_index_info, build_index, open_index  # noqa: E402
from retrieval.mpd.ingest import ingest_paths  # noqa: E402
from retrieval.ranking.steering import POOL_FACTOR, Steering, generate_steered, steer_candidates  # noqa: E402
from retrieval.index.tags import active_tags_info, build_tag_index, open_tag_index  # noqa: E402

RESULTS = ROOT / "benchmarks" / "results"
TITLES = [
    "rainy sunday", "road trip", "workout", "chill", "party", "throwback", "country", "sleep",
    "love songs", "summer", "beach vibes", "study", "late night drive", "sad", "gym", "christmas",
    "wedding", "running", "oldies", "rap", "rock", "feels", "sunday brunch", "pregame",
    "halloween", "jams", "car", "happy", "focus", "spring 2017", "good vibes", "cleaning",
]
WORDS = ["party", "sad", "90s", "rock", "chill", "country", "christmas", "workout", "rap", "love",
         "acoustic", "summer"]
EXAMPLES = ["rainy sunday=party", "rainy sunday=sad", "road trip=90s", "workout=rock"]


def prepare(mpd: Path, work: Path) -> tuple[Catalog, Retriever, ChromaLocation]:
    """The sample's catalog and title index, made once in `work` and reused."""
    catalog = Catalog(work / "catalog.sqlite")
    location = ChromaLocation(path=work / "chroma")
    if catalog.is_empty():
        ingest_paths(catalog, [mpd])
    encoder = Encoder()
    index = open_index(catalog, location) if active_index_info(catalog) else build_index(catalog, encoder, location)
    return catalog, Retriever(catalog, index, encoder), location


def measure_build(catalog: Catalog, retriever: Retriever, location: ChromaLocation):
    tracemalloc.start()
    started = time.perf_counter()
    tags = build_tag_index(catalog, retriever.index, location)
    seconds = time.perf_counter() - started
    peak = tracemalloc.get_traced_memory()[1]
    tracemalloc.stop()
    build = {"tracks": tags.info.tracks, "titles": retriever.index.info.titles, "seconds": round(seconds, 2),
             "python_peak_mib": round(peak / 2**20, 1),
             "process_peak_rss_mib": round(resource.getrusage(resource.RUSAGE_SELF).ru_maxrss / 1024, 1)}
    return tags, build


def trade_off(retriever: Retriever, tags, n: int, strengths: list[float]) -> list[dict]:
    """One row per (title, word, strength)."""
    words = tags.word_vectors(retriever.encoder, WORDS)
    rows = []
    for title in TITLES:
        plain = retriever.generate(title, GenerationOptions(n=n)).tracks
        pool = retriever.generate(title, GenerationOptions(n=n * POOL_FACTOR)).tracks
        vectors = tags.vectors([t.track_uri for t in pool + plain])
        for w, word in enumerate(WORDS):
            def similarity(tracks):
                return np.array([float(vectors[t.track_uri] @ words[w]) for t in tracks if t.track_uri in vectors])

            before = similarity(plain)
            for strength in strengths:
                steered = plain if strength == 0 else steer_candidates(
                    pool, tags, words[w:w + 1], Steering((word,), (True,), strength), n)
                after = similarity(steered)
                rows.append({
                    "title": title, "word": word, "strength": strength,
                    "moved": float(np.mean(after > np.median(before))),
                    "kept": len({t.track_uri for t in steered} & {t.track_uri for t in plain}) / max(1, len(plain)),
                    "gain": float(after.mean() - before.mean()),
                })
    return rows


def summary(rows: list[dict], strengths: list[float]) -> list[dict]:
    table = []
    for strength in strengths:
        chosen = [r for r in rows if r["strength"] == strength]
        table.append({"strength": strength, **{
            key: round(statistics.mean(r[key] for r in chosen), 3) for key in ("moved", "kept", "gain")
        }})
    return table


def latency(retriever: Retriever, tags, n: int, steering: Steering) -> dict:
    result = {}
    for label, run in (("plain", lambda t: retriever.generate(t, GenerationOptions(n=n))),
                       ("steered", lambda t: generate_steered(retriever, tags, t, GenerationOptions(n=n), steering))):
        for title in TITLES[:5]:
            run(title)  # warm-up
        seconds = []
        for title in TITLES:
            started = time.perf_counter()
            run(title)
            seconds.append(time.perf_counter() - started)
        result[label] = {"p50_ms": round(1000 * percentile(seconds, 0.5), 1),
                         "p95_ms": round(1000 * percentile(seconds, 0.95), 1)}
    return result


def examples(retriever: Retriever, tags, n: int, strength: float, pairs: list[str]) -> list[dict]:
    shown = []
    for pair in pairs:
        title, word = pair.split("=", 1)
        plain = retriever.generate(title, GenerationOptions(n=n)).tracks
        steered = generate_steered(retriever, tags, title, GenerationOptions(n=n), Steering.parse([word], strength))
        shown.append({"title": title, "word": word, "strength": strength,
                      "before": [f"{t.track_name} — {t.artist_name}" for t in plain],
                      "after": [f"{t.track_name} — {t.artist_name}" for t in steered.tracks]})
    return shown


def chart(table: list[dict], rows: list[dict], path: Path) -> None:
    import matplotlib

    matplotlib.use("Agg")
    import matplotlib.pyplot as plt

    fig, ax = plt.subplots(figsize=(7, 5))
    for word in WORDS:
        per = summary([r for r in rows if r["word"] == word], [t["strength"] for t in table])
        ax.plot([t["kept"] for t in per], [t["moved"] for t in per], color="0.8", linewidth=1)
    ax.plot([t["kept"] for t in table], [t["moved"] for t in table], "o-", color="C0", linewidth=2,
            label=f"mean over {len(TITLES)} titles x {len(WORDS)} words")
    for t in table:
        ax.annotate(f"{t['strength']:g}", (t["kept"], t["moved"]), textcoords="offset points", xytext=(5, 5))
    ax.set_xlabel("share of the unsteered playlist kept")
    ax.set_ylabel("share of tracks nearer the word than the unsteered median")
    ax.set_title("Steering trade-off (labels: --steer-strength; grey: one word each)")
    ax.invert_xaxis()
    ax.legend(loc="lower right")
    fig.tight_layout()
    fig.savefig(path, dpi=120)


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--mpd", type=Path, default=ROOT.parent / "shared" / "data" / "mpd_sample")
    parser.add_argument("--work", type=Path, default=Path("/tmp") / "playlist-agent-bench-steering")
    parser.add_argument("-n", type=int, default=20)
    parser.add_argument("--strengths", default="0,0.2,0.35,0.5,0.65,0.8,1")
    parser.add_argument("--example-strength", type=float, default=0.5)
    parser.add_argument("--example", action="append", help="TITLE=WORD (repeatable)")
    parser.add_argument("--reuse-tags", action="store_true", help="use the tag vectors of an earlier run in --work")
    args = parser.parse_args()
    strengths = [float(s) for s in args.strengths.split(",")]
    args.work.mkdir(parents=True, exist_ok=True)
    catalog, retriever, location = prepare(args.mpd, args.work)
    if args.reuse_tags and active_tags_info(catalog):
        tags = open_tag_index(catalog, retriever.index, location)
        build = {"tracks": tags.info.tracks, "seconds": tags.info.seconds, "reused": True}
    else:
        tags, build = measure_build(catalog, retriever, location)
    print(f"Tag vectors: {build}")
    rows = trade_off(retriever, tags, args.n, strengths)
    table = summary(rows, strengths)
    print(f"\n{len(TITLES)} titles x {len(WORDS)} words, n={args.n}, pool {args.n * POOL_FACTOR}\n")
    print("| strength | moved toward the word | kept | similarity gain |\n|---:|---:|---:|---:|")
    for t in table:
        print(f"| {t['strength']:g} | {t['moved']:.2f} | {t['kept']:.2f} | {t['gain']:+.3f} |")
    timing = latency(retriever, tags, args.n, Steering.parse(["party"], args.example_strength))
    print(f"\nWarm latency, n={args.n}: {timing}")
    shown = examples(retriever, tags, 10, args.example_strength, args.example or EXAMPLES)
    for example in shown:
        print(f"\n**{example['title']}** toward **{example['word']}** (strength {example['strength']:g})\n")
        print("| # | before | after |\n|---:|---|---|")
        for i, (before, after) in enumerate(zip(example["before"], example["after"]), 1):
            print(f"| {i} | {before} | {after} |")
    RESULTS.mkdir(parents=True, exist_ok=True)
    chart(table, rows, RESULTS / "steering.png")
    (RESULTS / "steering.json").write_text(json.dumps(
        {"build": build, "table": table, "latency": timing, "examples": shown, "titles": TITLES, "words": WORDS},
        indent=2, ensure_ascii=False))
    print(f"\nWrote {RESULTS / 'steering.json'} and {RESULTS / 'steering.png'}")
    catalog.close()


if __name__ == "__main__":
    main()
