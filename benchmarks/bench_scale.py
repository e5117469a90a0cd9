"""Cost at MPD scale: ingestion, index build, on-disk size and warm query latency on
synthetic corpora of 10k, 100k and 1M playlists (benchmarks/synth_mpd.py), with the
title index in an embedded Chroma and in a `chroma run` server on localhost.

    python benchmarks/bench_scale.py --sizes 10000,100000,1000000 [--chroma both|embedded|server]
        [--work DIR] [--queries 200] [--seed 0] [--fields full|sample] [--torch-threads default,1] [--cleanup]

For each size: generate (or reuse) the corpus, ingest it into a fresh data dir, build the
index, measure queries. Every phase runs in a child process, so its peak RSS
(`os.wait4`'s ru_maxrss) is the phase's own; the Chroma server's peak is its VmHWM.
Targets (issue: 2 cores, 1M playlists): ingestion >= 5,000 playlists/s with peak memory
under 2 GiB, index build under 20 minutes, warm p50 <= 50 ms for 500 tracks.

Index and query phases run once per --torch-threads variant ("default" is torch's own
choice, i.e. the project as shipped; "1" pins one intra-op thread), one row per size x
Chroma mode x variant. Results merge into benchmarks/results/scale.json by size (a size
measured again replaces its rows), so sizes can be run separately; a Markdown table of everything in that file is printed. Figures, not
assertions: the machines are shared and noisy, so the load average is recorded around
every phase.
"""

from __future__ import annotations

import argparse
import json
import os
import platform
import random
import shutil
import signal
import socket
import statistics
import subprocess
import sys
import time
import urllib.request
from pathlib import Path

ROOT = Path(__file__).resolve().parents[1]
HERE = Path(__file__).resolve().parent
sys.path.insert(0, str(ROOT))
sys.path.insert(0, str(HERE))

import scale_build  # noqa: E402
import synth_mpd  # noqa: E402
from bench_foundation import NOVEL_TITLES, percentile  # noqa: E402

RESULTS = ROOT / "benchmarks" / "results" / "scale.json"
GIB = 1 << 30
TARGETS = {
    "ingest_playlists_per_s": 5000,
    "ingest_peak_bytes": 2 * GIB,
    "index_build_s": 20 * 60,
    "query500_p50_ms": 50,
}
SERVER_STARTUP_S = 120


# --------------------------------------------------------------------------- #
# Phases: each runs in its own child process (`--phase NAME`)
# --------------------------------------------------------------------------- #

def _slice_files(corpus: Path, size: int) -> list[Path]:
    from retrieval.mpd.parse import find_files

    files = [p for p in find_files([corpus]) if p.name.startswith("mpd.slice.")]
    wanted = size // synth_mpd.SLICE
    if len(files) < wanted:
        raise SystemExit(f"{corpus} holds {len(files)} slices, {wanted} needed")
    return files[:wanted]


def phase_generate(args: dict) -> dict:
    summary = synth_mpd.generate(Path(args["sample"]), args["playlists"], Path(args["corpus"]),
                                 args["seed"], args["fields"], quiet=False)
    summary.pop("checkpoints")
    return summary


def phase_ingest(args: dict) -> dict:
    from retrieval.catalog import Catalog
    from retrieval.mpd.ingest import ingest_paths

    files = _slice_files(Path(args["corpus"]), args["size"])
    catalog = Catalog(Path(args["catalog"]))
    summary = ingest_paths(catalog, files)
    catalog.close()  # checkpoints the WAL into the file
    stats = summary.catalog
    return {
        "files": summary.files, "playlists": summary.playlists, "track_rows": summary.track_rows,
        "seconds": summary.seconds, "playlists_per_s": summary.playlists_per_second,
        "track_rows_per_s": summary.track_rows / summary.seconds,
        "catalog_tracks": stats.tracks, "catalog_distinct_titles": stats.distinct_titles,
        "catalog_playlist_tracks": stats.playlist_tracks,
    }


def phase_index(args: dict) -> dict:
    from retrieval.catalog import Catalog
    from retrieval.encoding.encoder import Encoder
    from retrieval.index.titles import ChromaLocation, build_index

    threads = _set_torch_threads(args)
    started = time.perf_counter()
    encoder = Encoder()
    encoder_load_s = time.perf_counter() - started
    catalog = Catalog(Path(args["catalog"]))
    location = ChromaLocation(path=Path(args["chroma_path"]), url=args.get("url"))
    started = time.perf_counter()
    index = build_index(catalog, encoder, location)
    build_s = time.perf_counter() - started
    # What bounds the build: MiniLM alone on (up to) 4,096 of the same titles.
    titles = [title for _, title in catalog.titles_in_use()][:4096]
    started = time.perf_counter()
    encoder.encode(titles)
    encode_rate = len(titles) / (time.perf_counter() - started)
    catalog.close()
    return {
        "titles": index.info.titles, "build_s": build_s, "encoder_load_s": encoder_load_s,
        "titles_per_s": index.info.titles / build_s, "encode_only_titles_per_s": encode_rate,
        "encode_share_estimate": min(1.0, (index.info.titles / encode_rate) / build_s),
        "collection": index.info.collection, "torch_threads_in_effect": threads,
    }


def phase_signals(args: dict) -> dict:
    """The ranking's data built after an index: play counts, entity names, the playlist graph."""
    from retrieval.catalog import Catalog
    from retrieval.graph.store import graph_folder
    from retrieval.ranking.sources import prepare_signal_data

    catalog = Catalog(Path(args["catalog"]))
    graph, seconds = _timed(prepare_signal_data, catalog)
    folder = graph_folder(catalog)
    catalog.close()
    return {"build_s": seconds, "playlists": len(graph.pids), "tracks": int((graph.plays > 0).sum()),
            "graph_bytes": disk_bytes(folder)}


def phase_tags(args: dict) -> dict:
    """The crowd-tag track vectors (steering): a float16 array beside the catalog, from the title index."""
    from retrieval.catalog import Catalog
    from retrieval.index.titles import ChromaLocation, open_index
    from retrieval.index.tags import build_tag_index, tags_folder

    catalog = Catalog(Path(args["catalog"]))
    location = ChromaLocation(path=Path(args["chroma_path"]), url=args.get("url"))
    before = disk_bytes(Path(args["chroma_path"]))
    tags, seconds = _timed(build_tag_index, catalog, open_index(catalog, location), location)
    folder = tags_folder(catalog)
    catalog.close()
    return {"build_s": seconds, "tracks": tags.info.tracks, "chroma_bytes_before": before,
            "chroma_bytes_after": disk_bytes(Path(args["chroma_path"])), "vectors_bytes": disk_bytes(folder)}


def phase_names(args: dict) -> dict:
    """"Indexing song and artist names", the step `agent ingest` runs after storing the files."""
    from retrieval.catalog import Catalog
    from retrieval.resolve import prepare_name_lookups

    catalog = Catalog(Path(args["catalog"]))
    _, seconds = _timed(prepare_name_lookups, catalog)
    catalog.close()
    return {"build_s": seconds}


def _set_torch_threads(args: dict) -> int:
    """Apply the variant's torch intra-op thread count ("default": leave torch's choice)."""
    import torch

    if args.get("torch_threads", "default") != "default":
        torch.set_num_threads(int(args["torch_threads"]))
    return torch.get_num_threads()


def _timed(function, *args):
    started = time.perf_counter()
    result = function(*args)
    return result, time.perf_counter() - started


def phase_query(args: dict) -> dict:
    from retrieval.catalog import Catalog
    from retrieval.encoding.encoder import Encoder
    from retrieval.generator import GenerationOptions, Retriever
    from retrieval.index.titles import ChromaLocation, open_index

    threads = _set_torch_threads(args)
    catalog = Catalog(Path(args["catalog"]))
    location = ChromaLocation(path=Path(args["chroma_path"]), url=args.get("url"))
    index = open_index(catalog, location)
    retriever = Retriever(catalog, index, Encoder(index.info.encoder_path))
    size, wanted = args["size"], args["queries"]
    rng = random.Random(args["seed"])
    pids = rng.sample(range(size), max(0, wanted - len(NOVEL_TITLES)) + 10)
    names = catalog.playlist_names(pids)
    picked = [names[pid] for pid in pids if names.get(pid)]
    warmup, titles = picked[:10], picked[10:] + NOVEL_TITLES
    for title in warmup:  # first calls pay for lazy init; these titles are not measured
        retriever.generate(title, GenerationOptions(n=500))
    seconds: dict[int, list[float]] = {10: [], 500: []}
    for i, title in enumerate(titles):  # alternate the order so neither n gets the other's warm pages
        for n in ((500, 10) if i % 2 == 0 else (10, 500)):
            _, took = _timed(retriever.generate, title, GenerationOptions(n=n))
            seconds[n].append(took)
    # Where the time of a 500-track query goes (a further, warm pass over a quarter of the titles).
    options = GenerationOptions(n=500)
    parts: dict[str, list[float]] = {"encode": [], "nearest": [], "playlists": [], "track_lists": [], "vote": []}
    for title in titles[::4]:
        encoded, took = _timed(retriever.encoder.encode, [title])
        parts["encode"].append(took)
        nearest, took = _timed(index.nearest, encoded.vectors[0], options.k)
        parts["nearest"].append(took)
        started = time.perf_counter()  # the generator's walk from titles to k playlists, via the catalog's API
        pids: list[int] = []
        for title_id, _ in nearest:
            pids += [pid for pid, _ in catalog.playlists_with_title(title_id, options.k - len(pids))]
            if len(pids) >= options.k:
                break
        parts["playlists"].append(time.perf_counter() - started)
        parts["track_lists"].append(_timed(catalog.track_ids_of, pids)[1])
        neighbours, _ = retriever.neighbours(title, options.k)
        parts["vote"].append(_timed(retriever._scored, neighbours, options, title, ())[1])
    catalog.close()
    result = {"queries": len(titles), "breakdown_queries": len(titles[::4]), "torch_threads_in_effect": threads}
    for n, values in seconds.items():
        result[f"query{n}"] = {"n": n, "p50_ms": 1000 * percentile(values, 0.5),
                               "p95_ms": 1000 * percentile(values, 0.95),
                               "mean_ms": 1000 * statistics.fmean(values)}
    # vote = the retriever's scoring of the neighbours' tracks: track lists (SQLite), counting, track rows (SQLite), filters, candidates.
    result["breakdown500_p50_ms"] = {name: 1000 * percentile(values, 0.5) for name, values in parts.items()}
    return result


def phase_parse(args: dict) -> dict:
    return scale_build.phase_parse(args, _slice_files(Path(args["corpus"]), args["size"]))


PHASES = {"generate": phase_generate, "ingest": phase_ingest, "names": phase_names, "index": phase_index,
          "signals": phase_signals, "tags": phase_tags, "query": phase_query, "parse": phase_parse,
          "als": scale_build.phase_als, "ranker": scale_build.phase_ranker}


# --------------------------------------------------------------------------- #
# The parent: child processes, the Chroma server, sizes, the table
# --------------------------------------------------------------------------- #

def _load() -> list[float]:
    return [round(x, 2) for x in os.getloadavg()]


def _child_env() -> dict:
    return {**os.environ, "HF_HUB_OFFLINE": "1", "TRANSFORMERS_OFFLINE": "1", "ANONYMIZED_TELEMETRY": "False",
            "PYTHONPATH": os.pathsep.join(filter(None, [str(ROOT), os.environ.get("PYTHONPATH", "")]))}


def run_phase(name: str, args: dict, work: Path, command: list[str] | None = None, env: dict | None = None) -> dict:
    """Run one phase in a child (this script's, or `command`); its result plus wall time, peak RSS and load averages."""
    out = work / f".phase-{name}-{os.getpid()}.json"
    out.unlink(missing_ok=True)
    print(f"  [{time.strftime('%H:%M:%S')}] {name} {json.dumps({k: v for k, v in args.items() if k in ('size', 'url')})} "
          f"load {_load()}", flush=True)
    load_start = _load()
    started = time.perf_counter()
    own = [sys.executable, str(Path(__file__).resolve()), "--phase", name, "--phase-args", json.dumps(args),
           "--phase-out", str(out)]
    process = subprocess.Popen(command + ["--phase-out", str(out)] if command else own, env=env or _child_env())
    _, status, usage = os.wait4(process.pid, 0)
    process.returncode = os.waitstatus_to_exitcode(status)
    wall = time.perf_counter() - started
    if process.returncode != 0:
        raise RuntimeError(f"phase {name} failed with exit status {process.returncode}")
    result = json.loads(out.read_text())
    out.unlink()
    result.update({
        "wall_s": wall, "peak_rss_bytes": usage.ru_maxrss * 1024,
        "cpu_s": usage.ru_utime + usage.ru_stime, "load_start": load_start, "load_end": _load(),
    })
    return result


def _free_port() -> int:
    with socket.socket() as sock:
        sock.bind(("127.0.0.1", 0))
        return sock.getsockname()[1]


def _answers(port: int) -> bool:
    try:
        with urllib.request.urlopen(f"http://127.0.0.1:{port}/api/v2/heartbeat", timeout=2) as response:
            return response.status == 200
    except OSError:
        return False


class ChromaServer:
    """`chroma run --path DIR --port PORT` on 127.0.0.1, started and stopped by us."""

    def __init__(self, path: Path, log: Path):
        executable = Path(sys.executable).with_name("chroma")
        if not executable.exists():
            executable = shutil.which("chroma")
            if executable is None:
                raise RuntimeError("no `chroma` executable (chromadb's server) beside Python or on PATH")
        self.port = _free_port()
        self.url = f"http://127.0.0.1:{self.port}"
        self.log = open(log, "ab")
        started = time.perf_counter()
        self.process = subprocess.Popen(
            [str(executable), "run", "--path", str(path), "--host", "127.0.0.1", "--port", str(self.port)],
            stdout=self.log, stderr=subprocess.STDOUT, env=_child_env(),
        )
        deadline = time.monotonic() + SERVER_STARTUP_S
        while not _answers(self.port):
            if self.process.poll() is not None:
                raise RuntimeError(f"chroma run exited with {self.process.returncode}; see {log}")
            if time.monotonic() > deadline:
                self.stop()
                raise RuntimeError(f"chroma run did not answer within {SERVER_STARTUP_S} s; see {log}")
            time.sleep(0.2)
        self.startup_s = time.perf_counter() - started

    def memory(self) -> dict:
        """VmHWM (peak since start) and VmRSS of the server process, in bytes."""
        found = {}
        try:
            for line in Path(f"/proc/{self.process.pid}/status").read_text().splitlines():
                key, _, value = line.partition(":")
                if key in ("VmHWM", "VmRSS"):
                    found[key] = int(value.split()[0]) * 1024
        except OSError:
            pass
        return {"peak_rss_bytes": found.get("VmHWM"), "rss_bytes": found.get("VmRSS")}

    def stop(self) -> None:
        if self.process.poll() is None:
            self.process.send_signal(signal.SIGTERM)
            try:
                self.process.wait(timeout=30)
            except subprocess.TimeoutExpired:
                self.process.kill()
                self.process.wait()
        self.log.close()


def disk_bytes(path: Path) -> dict:
    """Allocated (du) and apparent bytes of a file, the files next to it with the same stem, or a folder."""
    if path.is_dir():
        files = [p for p in path.rglob("*") if p.is_file()]
    else:
        files = [p for p in path.parent.glob(path.name + "*") if p.is_file()]
    stats = [p.stat() for p in files]
    return {"allocated": sum(s.st_blocks * 512 for s in stats), "apparent": sum(s.st_size for s in stats)}


def ensure_corpus(args, corpus: Path, work: Path, largest: int) -> dict | None:
    """Generate the corpus unless one of at least `largest` playlists with the same settings is there."""
    summary_file = corpus / synth_mpd.SUMMARY_NAME
    if summary_file.exists():
        summary = json.loads(summary_file.read_text())
        if (summary.get("generator_version") == synth_mpd.GENERATOR_VERSION and summary["seed"] == args.seed
                and summary["fields"] == args.fields and summary["playlists"] >= largest):
            print(f"reusing the corpus in {corpus} ({summary['playlists']:,} playlists)", flush=True)
            return None
    generated = run_phase("generate", {"sample": str(args.sample), "playlists": largest, "corpus": str(corpus),
                                       "seed": args.seed, "fields": args.fields}, work)
    generated["playlists_per_s"] = generated["playlists"] / generated["seconds"]
    generated["corpus_bytes"] = disk_bytes(corpus)["apparent"]
    return generated


def corpus_counts(corpus: Path, size: int) -> dict:
    summary = json.loads((corpus / synth_mpd.SUMMARY_NAME).read_text())
    point = summary["checkpoints"][size // summary["slice_size"] - 1]
    assert point["playlists"] == size
    return point


PARTIAL = RESULTS.with_name("scale-partial.json")


def keep(row: dict) -> None:
    """The row so far, in a file of its own after every phase: a phase that fails later
    (or a killed run) leaves what was measured before it."""
    PARTIAL.parent.mkdir(parents=True, exist_ok=True)
    PARTIAL.write_text(json.dumps(row, indent=2))


def bench_size(args, size: int, corpus: Path, work: Path) -> list[dict]:
    print(f"\n== {size:,} playlists ==", flush=True)
    data = work / f"data-{size}"
    shutil.rmtree(data, ignore_errors=True)
    data.mkdir(parents=True)
    catalog = data / "catalog.sqlite"
    parse = run_phase("parse", {"corpus": str(corpus), "size": size}, work)
    ingest = run_phase("ingest", {"corpus": str(corpus), "size": size, "catalog": str(catalog)}, work)
    ingest["sqlite_bytes"] = disk_bytes(catalog)
    names = run_phase("names", {"catalog": str(catalog), "size": size}, work)
    base = {"size": size, "seed": args.seed, "fields": args.fields, "corpus": corpus_counts(corpus, size),
            "parse": parse, "ingest": ingest, "names": names, "measured_at": time.strftime("%Y-%m-%dT%H:%M:%S")}
    keep(base)
    if args.previous:
        base["previous"] = previous_ingest(args.previous, corpus, size, catalog, work)
    rows = []
    modes = ["embedded", "server"] if args.chroma == "both" else [args.chroma]
    for mode, threads in [(mode, threads) for mode in modes for threads in args.torch_threads]:
        # A Chroma dir (and server) of its own per variant: on-disk sizes hold one collection.
        chroma_path = data / f"chroma-{mode}-threads-{threads}"
        common = {"catalog": str(catalog), "chroma_path": str(chroma_path), "size": size, "torch_threads": threads}
        server = None
        row = {**base, "chroma": mode, "torch_threads": threads}
        try:
            if mode == "server":
                server = ChromaServer(chroma_path, data / f"chroma-server-threads-{threads}.log")
                common["url"] = server.url
                row["server"] = {"startup_s": server.startup_s, "after_start": server.memory()}
            row["index"] = run_phase("index", common, work)
            keep(row)
            row["signals"] = run_phase("signals", common, work)
            keep(row)
            if args.tags:
                row["tags"] = run_phase("tags", common, work)
                keep(row)
            row["als"] = run_phase("als", common, work)
            keep(row)
            if args.ranker_playlists and mode == "embedded":
                row["ranker"] = run_phase("ranker", {**common, "ranker_playlists": args.ranker_playlists,
                                                     "seed": args.seed}, work)
                keep(row)
            if server:
                row["server"]["after_index"] = server.memory()
            row["query"] = run_phase("query", {**common, "queries": args.queries, "seed": args.seed}, work)
            if server:
                row["server"]["after_query"] = server.memory()
        finally:
            if server:
                server.stop()
        row["chroma_bytes"] = disk_bytes(chroma_path)
        row["sqlite_bytes_after"] = disk_bytes(catalog)
        rows.append(row)
        print_table([row])
    if args.cleanup:
        shutil.rmtree(data, ignore_errors=True)
    return rows


def previous_ingest(rev: str, corpus: Path, size: int, catalog: Path, work: Path) -> dict:
    """The previous release's ingest of the same files into a catalog of its own, and whether
    the two catalogs hold the same contents."""
    tree = scale_build.previous_release(rev, work)
    before = catalog.with_name(f"catalog-{rev}.sqlite")
    for stale in before.parent.glob(before.name + "*"):
        stale.unlink()
    args = {"corpus": str(corpus), "size": size, "catalog": str(before)}
    env = {**_child_env(), "PYTHONPATH": str(tree)}
    result = run_phase(f"ingest-{rev}", args, work, scale_build.previous_ingest_command(tree, args), env)
    result["rev"] = rev
    result["contents"] = scale_build.compare_contents(before, catalog)
    print(f"  the previous release ({rev}) ingested in {result['wall_s']:.0f} s; contents identical: "
          f"{result['contents']['identical']} {result['contents']['differing_tables'] or ''}", flush=True)
    before.unlink()
    return result


def print_build_totals(rows: list[dict]) -> None:
    """Ingest plus every build phase, against json.loads of the same files and the 15-minute / 2 GiB targets."""
    phases = ("ingest", "names", "index", "signals", "tags", "als", "ranker")
    print("\nThe whole build, phase by phase (wall s / peak RSS; load at the start), against parsing the files:\n")
    print("| playlists | json.loads | " + " | ".join(phases) + " | ingest .. tags | + ALS | largest peak |")
    print("|---:|---:|" + "---:|" * (len(phases) + 3))
    for row in rows:
        if "parse" not in row:
            continue
        cells = [f"{row[p]['wall_s']:.0f} s / {_mib(row[p]['peak_rss_bytes'])} ({row[p]['load_start'][0]:.1f})"
                 if p in row else "-" for p in phases]
        core = sum(row[p]["wall_s"] for p in phases[:5] if p in row)
        ratio = row["ingest"]["wall_s"] / row["parse"]["wall_s"]
        print(f"| {row['size']:,} | {row['parse']['wall_s']:.0f} s (ingest x{ratio:.2f}) | " + " | ".join(cells)
              + f" | {core / 60:.1f} min | {(core + row.get('als', {}).get('wall_s', 0)) / 60:.1f} min "
              f"| {_mib(max(row[p]['peak_rss_bytes'] for p in phases if p in row))} |")
        if "previous" in row:
            prev = row["previous"]
            print(f"|  | previous release {prev['rev']}: ingest {prev['wall_s']:.0f} s / {_mib(prev['peak_rss_bytes'])} "
                  f"(load {prev['load_start'][0]:.1f}); catalog contents identical: {prev['contents']['identical']} |")


# --------------------------------------------------------------------------- #
# Reporting
# --------------------------------------------------------------------------- #

def _mib(value: float | None) -> str:
    if value is None:
        return "?"
    return f"{value / GIB:.2f} GiB" if value >= GIB else f"{value / (1 << 20):.0f} MiB"


def _verdict(value: float, target: float, higher_is_better: bool, fmt) -> str:
    met = value >= target if higher_is_better else value <= target
    if met:
        return f"met ({fmt(value)})"
    if higher_is_better:
        return f"**missed**: {fmt(value)}, {100 * (1 - value / target):.0f}% short"
    return f"**missed**: {fmt(value)}, {100 * (value / target - 1):.0f}% over"


def index_peak(row: dict) -> str:
    client = _mib(row["index"]["peak_rss_bytes"])
    if row["chroma"] == "server":
        return f"{client} + server {_mib(row['server']['after_index']['peak_rss_bytes'])}"
    return client


def _threads(row: dict) -> str:
    chosen = row.get("torch_threads", "default")
    in_effect = row["query"].get("torch_threads_in_effect")
    return f"{chosen} ({in_effect})" if chosen == "default" and in_effect else str(chosen)


def print_table(rows: list[dict]) -> None:
    print("\n| playlists | chroma | torch threads | titles (norm.) | tracks | ingest (per CPU-s) | ingest peak RSS "
          "| index build | index peak RSS | SQLite | Chroma dir | 10 tracks p50 / p95 | 500 tracks p50 / p95 |")
    print("|---:|---|---|---:|---:|---:|---:|---:|---:|---:|---:|---:|---:|")
    for row in rows:
        ingest, index, query = row["ingest"], row["index"], row["query"]
        print(
            f"| {row['size']:,} | {row['chroma']} | {_threads(row)} | {ingest['catalog_distinct_titles']:,} "
            f"| {ingest['catalog_tracks']:,} | {ingest['playlists_per_s']:,.0f} pl/s in {ingest['seconds']:.0f} s "
            f"({ingest['playlists'] / ingest['cpu_s']:,.0f}) | {_mib(ingest['peak_rss_bytes'])} "
            f"| {index['build_s']:.1f} s | {index_peak(row)} | {_mib(ingest['sqlite_bytes']['allocated'])} "
            f"| {_mib(row['chroma_bytes']['allocated'])} "
            f"| {query['query10']['p50_ms']:.1f} / {query['query10']['p95_ms']:.1f} ms "
            f"| {query['query500']['p50_ms']:.1f} / {query['query500']['p95_ms']:.1f} ms |"
        )


def print_ranking_data(rows: list[dict]) -> None:
    print("\nThe ranking's data and the tag vectors, built after the title index (wall time, the phase's peak RSS):\n")
    print("| playlists | chroma | signal tables + playlist graph | graph on disk | tag vectors | tag array + Chroma growth |")
    print("|---:|---|---:|---:|---:|---:|")
    for row in rows:
        signals, tags = row.get("signals"), row.get("tags")
        if not signals:
            continue
        tag_cells = (f"{tags['tracks']:,} tracks in {tags['build_s']:.0f} s, {_mib(tags['peak_rss_bytes'])} "
                     f"| {_mib(tags.get('vectors_bytes', {}).get('allocated', 0))} "
                     f"+{_mib(tags['chroma_bytes_after']['allocated'] - tags['chroma_bytes_before']['allocated'])}"
                     if tags else "not built | ")
        print(f"| {row['size']:,} | {row['chroma']} | {signals['build_s']:.0f} s, {_mib(signals['peak_rss_bytes'])} "
              f"| {_mib(signals['graph_bytes']['allocated'])} | {tag_cells} |")


def print_targets(rows: list[dict]) -> None:
    print("\nTargets (the issue sets them at 1M playlists on 2 cores; smaller sizes show the trend):\n")
    print("| playlists | chroma | torch threads | ingest >= 5,000 pl/s | ingest peak < 2 GiB | index build < 20 min | 500-track p50 <= 50 ms |")
    print("|---:|---|---|---|---|---|---|")
    for row in rows:
        print(
            f"| {row['size']:,} | {row['chroma']} | {_threads(row)} "
            f"| {_verdict(row['ingest']['playlists_per_s'], TARGETS['ingest_playlists_per_s'], True, lambda v: f'{v:,.0f}/s')} "
            f"| {_verdict(row['ingest']['peak_rss_bytes'], TARGETS['ingest_peak_bytes'], False, _mib)} "
            f"| {_verdict(row['index']['build_s'], TARGETS['index_build_s'], False, lambda v: f'{v:.0f} s')} "
            f"| {_verdict(row['query']['query500']['p50_ms'], TARGETS['query500_p50_ms'], False, lambda v: f'{v:.1f} ms')} |"
        )


def print_details(rows: list[dict]) -> None:
    print("\nWhere the time goes (500 tracks, p50 of each part, ms) and what bounds the index build:\n")
    print("| playlists | chroma | torch threads | encode title | nearest titles (Chroma) | title -> playlists (SQLite) "
          "| vote + filters (of it: track lists, SQLite) | index: encode-only titles/s | index: titles/s overall |")
    print("|---:|---|---|---:|---:|---:|---:|---:|---:|")
    for row in rows:
        b = row["query"]["breakdown500_p50_ms"]
        print(f"| {row['size']:,} | {row['chroma']} | {_threads(row)} | {b['encode']:.1f} | {b['nearest']:.1f} | {b['playlists']:.1f} "
              f"| {b['vote']:.1f} ({b['track_lists']:.1f}) | {row['index']['encode_only_titles_per_s']:,.0f} | {row['index']['titles_per_s']:,.0f} |")
    print("\nLoad average (1-min) at the start -> end of each phase, and its wall / CPU seconds (2 cores; shared machine):\n")
    phases = ("parse", "ingest", "names", "index", "signals", "tags", "als", "ranker", "query")
    print("| playlists | chroma | torch threads | " + " | ".join(phases) + " |")
    print("|---:|---|---|" + "---|" * len(phases))
    for row in rows:
        cells = [f"{row[p]['load_start'][0]:.1f} -> {row[p]['load_end'][0]:.1f} ({row[p]['wall_s']:.0f} s wall, "
                 f"{row[p]['cpu_s']:.0f} s CPU, peak {_mib(row[p]['peak_rss_bytes'])})" if p in row else "-"
                 for p in phases]
        print(f"| {row['size']:,} | {row['chroma']} | {_threads(row)} | " + " | ".join(cells) + " |")


def _row_order(row: dict) -> tuple:
    threads = row.get("torch_threads", "default")
    return row["size"], row["chroma"], (0, 0) if threads == "default" else (1, int(threads))


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument("--sizes", default="10000,100000,1000000", help="comma-separated multiples of 1,000")
    parser.add_argument("--chroma", choices=("both", "embedded", "server"), default="both")
    parser.add_argument("--work", type=Path, default=Path(os.environ.get("TMPDIR", "/tmp")) / "playlist-agent-bench-scale")
    parser.add_argument("--sample", type=Path, default=ROOT.parent / "shared" / "data" / "mpd_sample")
    parser.add_argument("--queries", type=int, default=200, help="titles per latency figure (16 of them novel)")
    parser.add_argument("--seed", type=int, default=0)
    parser.add_argument("--fields", choices=("full", "sample"), default="full", help="track fields in the corpus")
    parser.add_argument("--torch-threads", default="default,1",
                        help="comma-separated torch intra-op thread counts for the index and query phases, each a row; "
                             "'default' leaves torch's choice (the project as shipped)")
    parser.add_argument("--cleanup", action="store_true", help="delete each size's data dir once measured")
    parser.add_argument("--no-tags", dest="tags", action="store_false",
                        help="skip building the crowd-tag track vectors (a float16 array beside the catalog)")
    parser.add_argument("--fresh", action="store_true", help="replace scale.json instead of merging into it")
    parser.add_argument("--previous", metavar="REV", help="also ingest each size with the release at git REV "
                                                          "(from `git archive`) and compare the catalogs' contents")
    parser.add_argument("--ranker-playlists", type=int, default=300,
                        help="playlists the learned ranker is trained on (0: skip the phase)")
    parser.add_argument("--phase", help=argparse.SUPPRESS)
    parser.add_argument("--phase-args", help=argparse.SUPPRESS)
    parser.add_argument("--phase-out", help=argparse.SUPPRESS)
    args = parser.parse_args()

    if args.phase:
        os.environ.setdefault("HF_HUB_OFFLINE", "1")
        result = PHASES[args.phase](json.loads(args.phase_args))
        Path(args.phase_out).write_text(json.dumps(result))
        return

    args.torch_threads = [t.strip() for t in args.torch_threads.split(",") if t.strip()]
    if not args.torch_threads or any(t != "default" and not t.isdigit() for t in args.torch_threads):
        sys.exit("--torch-threads takes 'default' and/or thread counts, e.g. default,1")
    sizes = sorted({int(size.replace("_", "")) for size in args.sizes.split(",") if size.strip()})
    if not sizes or any(size <= 0 or size % synth_mpd.SLICE for size in sizes):
        sys.exit(f"--sizes must be positive multiples of {synth_mpd.SLICE:,}")
    if not args.sample.exists():
        sys.exit(f"no MPD sample at {args.sample}; pass --sample PATH")
    work = args.work.resolve()
    work.mkdir(parents=True, exist_ok=True)
    corpus = work / f"corpus-seed{args.seed}-{args.fields}"
    print(f"work dir {work}; load {_load()}", flush=True)

    results = {} if args.fresh or not RESULTS.exists() else json.loads(RESULTS.read_text())
    results["machine"] = {"cpus": os.cpu_count(), "python": platform.python_version(), "platform": platform.platform()}
    results["targets"] = TARGETS
    generated = ensure_corpus(args, corpus, work, sizes[-1])
    if generated:
        results.setdefault("generation", {})[str(generated["playlists"])] = generated
    rows = [r for r in results.get("rows", []) if r["size"] not in sizes]
    for size in sizes:
        new_rows = bench_size(args, size, corpus, work)
        rows = sorted(rows + new_rows, key=_row_order)
        results["rows"] = rows
        RESULTS.parent.mkdir(parents=True, exist_ok=True)
        RESULTS.write_text(json.dumps(results, indent=2))  # after every size: a long run keeps what it has

    print("\n## Results (all rows in scale.json)")
    print_table(rows)
    print_ranking_data(rows)
    print_targets(rows)
    print_build_totals(rows)
    print_details(rows)
    if results.get("generation"):
        print("\nCorpus generation:", "; ".join(
            f"{int(n):,} playlists in {g['seconds']:.0f} s ({g['playlists_per_s']:,.0f}/s, peak {_mib(g['peak_rss_bytes'])}, "
            f"{_mib(g['corpus_bytes'])} of JSON)" for n, g in sorted(results["generation"].items(), key=lambda kv: int(kv[0]))))
    by_size = {r["size"]: r["corpus"] for r in rows}
    print("Distinct titles / tracks per size (corpus):", "; ".join(
        f"{size:,}: {c['distinct_normalized_titles']:,} normalised ({c['distinct_raw_titles']:,} raw) titles, "
        f"{c['distinct_tracks']:,} tracks, {c['track_rows']:,} track rows" for size, c in sorted(by_size.items())))
    print(f"\n(written to {RESULTS.relative_to(ROOT)})")


if __name__ == "__main__":
    main()
