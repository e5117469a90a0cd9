"""A whole challenge answered on the MPD sample: 10,000 playlists made from the sample's own
playlists in the challenge's ten categories (each sample playlist used about twice, under
new pids), answered by `agent challenge` as a user runs it, with no LLM.

    agent ingest /work/shared/data/mpd_sample --data-dir DIR
    python benchmarks/bench_challenge.py --data-dir DIR --mpd /work/shared/data/mpd_sample

Prints the wall time, the peak RSS of the largest answering process (with --workers, each
worker holds about that much) and whether the submission follows the rules. On a shared
machine the 1-minute load average before and after says how much the wall time is inflated;
the CPU seconds the command and its workers used do not depend on it. The sample playlists are also in the catalog, so the answers are not a quality
figure (`agent evaluate --categories challenge` is): this measures time and memory.
"""

from __future__ import annotations

import argparse
import itertools
import json
import os
import resource
import subprocess
import sys
import tempfile
import time
from pathlib import Path

ROOT = Path(__file__).resolve().parents[1]
sys.path.insert(0, str(ROOT))

from agent.challenge.scoring import read_truth, rule_problems  # noqa: E402
from agent.challenge.submission import read_submission  # noqa: E402
from agent.evaluation.challenge import make_challenge  # noqa: E402
from agent.evaluation.queries import Query  # noqa: E402
from retrieval.mpd.parse import iter_files  # noqa: E402

NEW_PIDS = 10_000_000  # challenge pids start here, so none is a catalog playlist


def sample_queries(mpd: Path, count: int) -> list[Query]:
    playlists = [p for parsed in iter_files([mpd]) for p in parsed.playlists if p.name and p.tracks]
    cycled = itertools.islice(itertools.cycle(playlists), count)
    return [Query(NEW_PIDS + i, p.name, [(t.track_uri, t.track_name, t.artist_name) for t in p.tracks])
            for i, p in enumerate(cycled)]


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--data-dir", type=Path, required=True, help="a data dir holding the ingested sample")
    parser.add_argument("--mpd", type=Path, required=True, help="the MPD slices to make the challenge from")
    parser.add_argument("--playlists", type=int, default=10_000)
    parser.add_argument("--workers", type=int, default=2, help="agent challenge --workers (2: the target's 2 cores)")
    args = parser.parse_args()
    folder = Path(tempfile.mkdtemp(prefix="bench-challenge-"))
    challenge, truth = make_challenge(sample_queries(args.mpd, args.playlists), seed=0)
    (folder / "challenge_set.json").write_text(json.dumps({"version": "bench", "playlists": challenge}))
    (folder / "truth.json").write_text(json.dumps({"playlists": truth}))
    load_before = os.getloadavg()[0]
    started = time.perf_counter()
    subprocess.run(["agent", "challenge", folder / "challenge_set.json", "-o", folder / "submission.csv.gz",
                    "--team", "bench", "--email", "bench@example.org", "--data-dir", args.data_dir,
                    "--workers", str(args.workers)],
                   check=True, env=os.environ | {"PYTHONPATH": str(ROOT)})
    seconds = time.perf_counter() - started
    used = resource.getrusage(resource.RUSAGE_CHILDREN)
    problems = rule_problems(read_submission(folder / "submission.csv.gz"), read_truth(folder / "truth.json"))
    print(json.dumps({
        "playlists": len(challenge), "seconds": round(seconds, 1),
        "ms_per_playlist": round(1000 * seconds / len(challenge), 1),
        # CPU time of the command and its workers: what the run costs whatever else the machine runs.
        "cpu_seconds": round(used.ru_utime + used.ru_stime, 1),
        "peak_rss_mib": round(used.ru_maxrss / 1024),
        "rule_problems": len(problems), "first_problem": problems[0] if problems else None,
        "workers": args.workers, "cpus": os.cpu_count(),
        "load_average_1min": [round(load_before, 1), round(os.getloadavg()[0], 1)], "files": str(folder),
    }, indent=2))


if __name__ == "__main__":
    main()
