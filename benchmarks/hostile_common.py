"""Shared parts of the hostile-input sweeps (hostile_challenge.py, hostile_generate.py,
hostile_serve.py): the command line, a fresh data dir with the demo catalog, running a
command, and the promises every answer is checked against."""

from __future__ import annotations

import argparse
import os
import re
import shutil
import subprocess
import sys
import tempfile
import time
from dataclasses import dataclass, field
from pathlib import Path

ROOT = Path(__file__).resolve().parents[1]
AGENT = [sys.executable, "-m", "agent.cli"] if not shutil.which("agent") else ["agent"]
# C0 (but tab, newline), DEL, C1, and the bidi overrides a terminal would obey.
RAW_CONTROL = re.compile("[\x00-\x08\x0b\x0c\x0e-\x1f\x7f\x80-\x9f\u202a-\u202e\u2066-\u2069]|\r(?!\n)")


@dataclass
class Outcome:
    name: str
    rc: int | None
    out: str
    err: str
    seconds: float
    problems: list[str] = field(default_factory=list)


def environment(home: Path) -> dict[str, str]:
    env = dict(os.environ, AGENT_HOME=str(home), HF_HUB_OFFLINE="1", PYTHONPATH=str(ROOT))
    env.pop("AGENT_DEBUG", None)
    return env


def sweep_options(description: str, *extra: tuple[str, dict]) -> tuple[argparse.Namespace, Path]:
    """A sweep's options (`--base`, then each (flag, settings) of `extra`) and its data dir."""
    parser = argparse.ArgumentParser(description=description.split("\n\n")[0])
    parser.add_argument("--base", type=Path, help="a data dir with the demo catalog built")
    for flag, settings in extra:
        parser.add_argument(flag, **settings)
    options = parser.parse_args()
    return options, demo_home(options.base)


def demo_home(base: Path | None) -> Path:
    """A data dir with the demo catalog built: copied from `base` when given (fast),
    else built by a first `agent generate`."""
    home = Path(tempfile.mkdtemp(prefix="hostile-home-"))
    if base:
        shutil.copytree(base, home, dirs_exist_ok=True)
    else:
        subprocess.run([*AGENT, "generate", "road trip", "-n", "1"], env=environment(home),
                       capture_output=True, check=True)
    return home


def run(name: str, args: list[str], home: Path, cwd: Path, timeout: float = 90,
        stdin: bytes | None = None) -> Outcome:
    start = time.monotonic()
    try:
        done = subprocess.run(["nice", "-n", "19", *AGENT, *args], env=environment(home), cwd=cwd,
                              input=stdin, capture_output=True, timeout=timeout)
        rc, out, err = done.returncode, done.stdout, done.stderr
    except subprocess.TimeoutExpired as hung:
        rc, out, err = None, hung.stdout or b"", hung.stderr or b""
    text = lambda raw: raw.decode("utf-8", "replace")  # noqa: E731
    return Outcome(name, rc, text(out), text(err), time.monotonic() - start)


def check_promises(outcome: Outcome, allowed: set[int]) -> Outcome:
    """The product's promises for any command: no traceback, an expected exit code,
    one line for a user error, nothing raw that a terminal would obey."""
    both = outcome.out + outcome.err
    if outcome.rc is None:
        outcome.problems.append("hang (timed out)")
    elif outcome.rc not in allowed:
        outcome.problems.append(f"exit {outcome.rc}, expected {sorted(allowed)}")
    if "Traceback" in both:
        outcome.problems.append("traceback shown")
    raw = RAW_CONTROL.findall(both)
    if raw:
        outcome.problems.append(f"raw control characters printed: {sorted(set(raw))!r}")
    if outcome.rc == 1:
        lines = [line for line in outcome.err.splitlines() if line.strip() and not is_chrome(line)]
        if len(lines) != 1:
            outcome.problems.append(f"error is {len(lines)} lines, not one: {lines[:3]!r}")
    return outcome


def is_chrome(line: str) -> bool:
    """Progress bars, click's usage hint and the score's list of broken rules (documented,
    up to five, above its one-line error) are not the error message."""
    return "━" in line or line.startswith(("Usage: ", "Try '", "Rule broken: "))


def report(outcomes: list[Outcome], title: str) -> int:
    failed = [o for o in outcomes if o.problems]
    print(f"\n## {title}: {len(outcomes)} cases, {len(failed)} failing")
    for o in failed:
        first = (o.err.strip().splitlines() or [""])[-1][:160]
        print(f"- {o.name} (exit {o.rc}, {o.seconds:.1f} s): {'; '.join(o.problems)}")
        if first:
            print(f"    last stderr line: {first!r}")
    return len(failed)


def stored_playlists(path: Path) -> dict[int, list[int]] | None:
    """Each stored playlist's track ids, read from a copy of the catalog (and its write-ahead
    log): opening one migrates it, and the sweep must not change what it checks. None when
    the file is not a readable catalog."""
    from retrieval.catalog import Catalog
    from retrieval.errors import IndexUnavailableError

    if not path.is_file():
        return None
    with tempfile.TemporaryDirectory() as scratch:
        for suffix in ("", "-wal"):
            if Path(f"{path}{suffix}").is_file():
                shutil.copyfile(f"{path}{suffix}", Path(scratch, f"c.sqlite{suffix}"))
        try:
            with Catalog(Path(scratch, "c.sqlite")) as catalog:
                return catalog.track_ids_of(catalog.pids())
        except IndexUnavailableError:
            return None
