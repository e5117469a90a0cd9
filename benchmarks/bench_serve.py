"""Load on `agent serve` over localhost: retrieval-only requests at a fixed concurrency,
alone and while an LLM rerank request is always in flight.

    python benchmarks/bench_serve.py [--home DIR | --mpd ../shared/data/mpd_sample]
        [--requests 1000] [--concurrency 8] [--workers 1] [--idle 200] [--slow 20] [--no-llm]

`--home` is a data dir with the catalog ingested (`AGENT_HOME=DIR agent ingest ...`);
without it the MPD sample is ingested into a temporary one. Each client thread keeps one
HTTP connection open. Rows: the 20 `TITLES` in turn; as many distinct titles as
requests (word pairs, so a server cannot answer from a cache of repeated titles); and
distinct titles again with `--idle` connections that send nothing and `--slow` ones
that trickle their headers held open beside them (each reopened when the server drops
it); and the repeated titles while an LLM rerank request is always in flight (the model
loaded by one request before). Prints
p50/p95/p99 latency, throughput, errors (targets: p95 <= 50 ms, 0 errors) and the CPU
time per request of the server's processes and of this client, which stay comparable
when other work shares the machine, as Markdown; and how long the server's threads
waited for a core per request, while other programs, the client or the server's own
other threads held them.
The client runs on the same machine as the server.
"""

from __future__ import annotations

import argparse
import http.client
import json
import os
import socket
import statistics
import subprocess
import sys
import tempfile
import threading
import time
from concurrent.futures import ThreadPoolExecutor
from pathlib import Path

ROOT = Path(__file__).resolve().parents[1]
AGENT = [sys.executable, "-c", "from agent.cli import main; main()"]
TITLES = [
    "road trip", "rainy sunday coding", "Housewarming Party", "christmas", "gym", "sad girl hours",
    "throwback thursday", "beach vibes", "study focus", "wedding dance floor", "halloween 🎃", "케이팝",
    "late night drive", "sunday brunch", "pregame", "summer 17", "country", "chill", "workout", "party",
]
MOODS = (
    "sunny", "rainy", "lazy", "late", "early", "happy", "sad", "angry", "calm", "wild", "quiet", "loud", "slow",
    "fast", "dreamy", "dark", "bright", "cozy", "epic", "chill", "sweaty", "sleepy", "moody", "golden", "cold",
    "warm", "retro", "indie", "acoustic", "electric", "summer", "winter", "autumn", "spring", "midnight",
    "morning", "weekend", "friday", "sunday", "holiday",
)
THINGS = (
    "drive", "run", "party", "study", "workout", "dinner", "coffee", "beach", "roadtrip", "cleaning", "cooking",
    "reading", "coding", "gaming", "walk", "train ride", "flight", "bbq", "wedding", "breakup", "love songs",
    "dance", "throwbacks", "jams", "vibes", "bangers", "tunes", "mix", "hits", "feels",
)
DISTINCT_TITLES = [f"{mood} {thing}" for thing in THINGS for mood in MOODS]  # 1,200 titles


def percentile(values: list[float], share: float) -> float:
    ordered = sorted(values)
    return ordered[min(len(ordered) - 1, int(round(share * (len(ordered) - 1))))]


def start_server(home: Path, workers: int) -> tuple[subprocess.Popen, int]:
    with socket.socket() as probe:
        probe.bind(("127.0.0.1", 0))
        port = probe.getsockname()[1]
    env = {**os.environ, "AGENT_HOME": str(home), "PYTHONPATH": str(ROOT), "HF_HUB_OFFLINE": "1"}
    server = subprocess.Popen([*AGENT, "serve", "--port", str(port), *(["--workers", str(workers)] if workers > 1 else [])], env=env, stderr=subprocess.DEVNULL)
    deadline = time.monotonic() + 300
    while time.monotonic() < deadline:
        try:
            status, _ = post(http.client.HTTPConnection("127.0.0.1", port, timeout=5), "GET", "/healthz")
            if status == 200:
                return server, port
        except OSError:
            time.sleep(0.3)
    server.kill()
    raise SystemExit("agent serve did not start")


def tree_cpu_seconds(pid: int) -> tuple[float, float]:
    """CPU seconds (user + system) used so far by a process and its descendants, and the
    seconds their threads spent ready to run but waiting for a core (Linux /proc; NaN
    elsewhere): the cost of a request whatever else the machine is running, and how
    much of its latency went to waiting for the cores."""
    parents, used = {}, {}
    for entry in Path("/proc").iterdir() if Path("/proc/self/stat").exists() else ():
        if not entry.name.isdigit():
            continue
        try:
            fields = (entry / "stat").read_text().rsplit(")", 1)[1].split()
        except (OSError, IndexError):
            continue
        parents[int(entry.name)] = int(fields[1])
        used[int(entry.name)] = (int(fields[11]) + int(fields[12])) / os.sysconf("SC_CLK_TCK")
    if pid not in used:
        return float("nan"), float("nan")

    def descends(child: int) -> bool:
        while child > 1:
            if child == pid:
                return True
            child = parents.get(child, 0)
        return False

    tree = [child for child in used if descends(child)]
    return sum(used[child] for child in tree), sum(_waited_seconds(child) for child in tree)


def _waited_seconds(pid: int) -> float:
    """Seconds a process's threads have waited in the run queue (schedstat's second field)."""
    waited = 0
    for task in Path(f"/proc/{pid}/task").glob("*/schedstat"):
        try:
            waited += int(task.read_text().split()[1])
        except (OSError, IndexError, ValueError):
            continue
    return waited / 1e9


def post(connection: http.client.HTTPConnection, method: str, path: str, body: dict | None = None) -> tuple[int, bytes]:
    connection.request(method, path, body=json.dumps(body) if body else None,
                       headers={"Content-Type": "application/json"} if body else {})
    response = connection.getresponse()
    return response.status, response.read()


def load(server: subprocess.Popen, port: int, requests: int, concurrency: int, titles: list[str] = TITLES) -> dict:
    local = threading.local()
    latencies: list[float] = []
    errors = 0

    def one(i: int) -> None:
        nonlocal errors
        if not hasattr(local, "connection"):
            local.connection = http.client.HTTPConnection("127.0.0.1", port, timeout=60)
        started = time.perf_counter()
        try:
            status, _ = post(local.connection, "POST", "/v1/playlists",
                             {"title": titles[i % len(titles)], "n": 10, "profile": None})
        except OSError:
            status, local.connection = 0, http.client.HTTPConnection("127.0.0.1", port, timeout=60)
        latencies.append(time.perf_counter() - started)
        if status != 200:
            errors += 1

    started, (server_cpu, waited), client_cpu = time.perf_counter(), tree_cpu_seconds(server.pid), time.process_time()
    with ThreadPoolExecutor(concurrency) as pool:
        list(pool.map(one, range(requests)))
    seconds = time.perf_counter() - started
    (server_cpu_after, waited_after), client_cpu = tree_cpu_seconds(server.pid), time.process_time() - client_cpu
    server_cpu, waited = server_cpu_after - server_cpu, waited_after - waited
    ms = [x * 1000 for x in latencies]
    return {"requests": requests, "errors": errors, "p50": percentile(ms, 0.5), "p95": percentile(ms, 0.95),
            "p99": percentile(ms, 0.99), "mean": statistics.mean(ms), "per_s": requests / seconds,
            "server_cpu": server_cpu * 1000 / requests, "client_cpu": client_cpu * 1000 / requests,
            "waited": waited * 1000 / requests}


class LLMInFlight:
    """Keeps one rerank request running at all times until stopped; records how long each took."""

    def __init__(self, port: int):
        self.port, self.durations, self.statuses = port, [], []
        self._stop = threading.Event()
        self._thread = threading.Thread(target=self._run, daemon=True)

    def _run(self) -> None:
        while not self._stop.is_set():
            started = time.perf_counter()
            status, _ = self._rerank()
            self.durations.append(time.perf_counter() - started)
            self.statuses.append(status)

    def __enter__(self) -> LLMInFlight:
        # The first request loads the model (seconds, more under load): done before the
        # row, so the row measures retrieval beside a generating LLM, not a loading one.
        # One connection, so with several server processes the same one answers them all.
        self._connection = http.client.HTTPConnection("127.0.0.1", self.port, timeout=900)
        self._rerank()
        self._thread.start()
        time.sleep(1.0)  # let the first LLM request reach the model
        return self

    def _rerank(self) -> tuple[int, bytes]:
        return post(self._connection, "POST", "/v1/playlists", {"title": "road trip", "mode": "rerank", "n": 10})

    def __exit__(self, *exc) -> None:
        self._stop.set()
        self._thread.join(timeout=900)


class IdleAndSlowClients:
    """Connections that never finish a request, kept up beside the load: `idle` sockets that
    send nothing and `slow` ones that trickle header bytes, each reopened when the server
    drops it; records how long the server took to drop each."""

    def __init__(self, port: int, idle: int, slow: int):
        self.port, self.idle, self.slow, self.dropped_after = port, idle, slow, []
        self._stop = threading.Event()
        self._threads = [threading.Thread(target=self._hold, args=(i < slow,), daemon=True) for i in range(idle + slow)]

    def _hold(self, trickles: bool) -> None:
        while not self._stop.is_set():
            opened = time.monotonic()
            try:
                with socket.create_connection(("127.0.0.1", self.port), timeout=0.5) as sock:
                    if trickles:
                        sock.sendall(b"GET /healthz HTTP/1.1\r\nHost: localhost\r\n")
                    while not self._stop.is_set():
                        if trickles:
                            sock.sendall(b"x")
                        try:
                            if sock.recv(4096) == b"":
                                break
                        except TimeoutError:
                            continue
                        while sock.recv(4096):  # an answer (408, 503): read to the close
                            pass
                        break
            except OSError:
                pass
            if not self._stop.is_set():
                self.dropped_after.append(time.monotonic() - opened)

    def __enter__(self) -> IdleAndSlowClients:
        for thread in self._threads:
            thread.start()
        time.sleep(1.0)
        return self

    def __exit__(self, *exc) -> None:
        self._stop.set()
        for thread in self._threads:
            thread.join(timeout=5)


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--home", type=Path)
    parser.add_argument("--mpd", type=Path, default=ROOT.parent / "shared" / "data" / "mpd_sample")
    parser.add_argument("--requests", type=int, default=1000)
    parser.add_argument("--concurrency", type=int, default=8)
    parser.add_argument("--workers", type=int, default=1, help="agent serve --workers")
    parser.add_argument("--idle", type=int, default=200, help="connections that send nothing, beside one row")
    parser.add_argument("--slow", type=int, default=20, help="connections that trickle their headers, beside it")
    parser.add_argument("--no-llm", action="store_true", help="leave out the row beside an LLM rerank")
    args = parser.parse_args()
    home = args.home
    if home is None:
        home = Path(tempfile.mkdtemp(prefix="bench-serve-"))
        subprocess.run([*AGENT, "ingest", str(args.mpd)], check=True, env={**os.environ, "AGENT_HOME": str(home),
                       "PYTHONPATH": str(ROOT), "HF_HUB_OFFLINE": "1"})
    if args.requests > len(DISTINCT_TITLES):
        parser.error(f"--requests is at most {len(DISTINCT_TITLES)}, the distinct titles there are")
    server, port = start_server(home, args.workers)
    try:
        load(server, port, 50, args.concurrency)  # warm-up: connections, caches, the first LLM-free paths
        rows = {"retrieval only": load(server, port, args.requests, args.concurrency),
                "retrieval only, every title distinct": load(server, port, args.requests, args.concurrency,
                                                             DISTINCT_TITLES[:args.requests])}
        with IdleAndSlowClients(port, args.idle, args.slow) as crowd:
            rows[f"every title distinct, {args.idle} idle and {args.slow} slow clients beside"] = load(
                server, port, args.requests, args.concurrency, DISTINCT_TITLES[::-1][:args.requests])
        llm = None
        if not args.no_llm:
            with LLMInFlight(port) as llm:
                rows["while an LLM rerank runs"] = load(server, port, args.requests, args.concurrency)
    finally:
        server.terminate()
        server.wait(timeout=30)
    print(f"{args.requests} retrieval requests per row, concurrency {args.concurrency}, "
          f"{args.workers} server worker process(es), localhost\n")
    print("| load | p50 ms | p95 ms | p99 ms | mean ms | req/s | errors | server CPU ms/req | client CPU ms/req "
          "| server waited for a core ms/req |\n|---|---:|---:|---:|---:|---:|---:|---:|---:|---:|")
    for name, row in rows.items():
        print(f"| {name} | {row['p50']:.1f} | {row['p95']:.1f} | {row['p99']:.1f} | {row['mean']:.1f} "
              f"| {row['per_s']:.0f} | {row['errors']} | {row['server_cpu']:.1f} | {row['client_cpu']:.1f} "
              f"| {row['waited']:.1f} |")
    drops = crowd.dropped_after or [float("nan")]
    print(f"\nIdle and slow connections dropped by the server meanwhile: {len(crowd.dropped_after)} "
          f"(median {statistics.median(drops):.1f} s after opening, longest {max(drops):.1f} s)")
    if llm is not None:
        print(f"LLM rerank requests during the last row: {len(llm.durations)} "
              f"(statuses {sorted(set(llm.statuses))}, {statistics.median(llm.durations):.1f} s median each)")


if __name__ == "__main__":
    main()
