"""How well the chat understands ordinary messages without a large model (issue 12).

    python benchmarks/bench_chat_parse.py [--sets dev holdout fresh unseen blind blind2 dev2] [--errors] [--catalog]

Reads five labelled sets from tests/data/: utterances.jsonl (dev, 311 messages: the
rules and examples were tuned on it), then three sets each written, in a new style,
after the previous round of fixes: utterances_holdout.jsonl (142), utterances_fresh.jsonl
(70) and utterances_unseen.jsonl (64); and utterances_blind.jsonl (159), written in five
voices the others lack (a terse power user, a chatty non-native speaker, a typo-heavy phone
typist, a polite and verbose writer, music slang) by another author before reading the
rules (15 of its messages were then reworded because they matched an example phrasing or
another set; the figure below is the unchanged reader on the reworded set). Only a set's
FIRST run measures generalisation; its misses were fixed afterwards, so later runs of it
are regression figures:

    first run      actions  slots    (2 cores, busy machine)
    holdout (142)  98.6 %   93.7 %
    fresh (70)     90.0 %   84.3 %
    unseen (64)    100 %    95.3 %
    pooled (276)   96.7 %   91.7 %
    blind (159)    86.2 %   79.9 %

Now (every set is a regression figure): dev 99.0/99.0 %, holdout, fresh and unseen
100/100 %, blind 98.7/98.7 %; median 0.2 ms a message, p95 21-33 ms (a message no rule
is sure of costs one MiniLM reading, median 18-27 ms).

The first four sets share one author, and the blind set's author knew the project: the
blind first run (86 % / 80 %) is the best guess of what strangers' messages score, below
the targets; its misses were fixed by general rules, never by matching a message.

Parses every message with the real MiniLM and reports, per set: action
accuracy, slot accuracy (all expected slots equal, names compared case-insensitively),
a confusion matrix, and the warm median and p95 time to parse one message. Also the
accuracy each confidence threshold would give (messages under it read as `clarify`),
which is how `CONFIDENCE_THRESHOLD` was chosen. Targets: action >= 95 %, slots >= 90 %,
median <= 100 ms. Writes benchmarks/results/chat_parse.json.
"""

from __future__ import annotations

import argparse
import json
import os
import platform
import statistics
import sys
import time
from collections import Counter
from pathlib import Path

ROOT = Path(__file__).resolve().parents[1]
sys.path.insert(0, str(ROOT))
os.environ.setdefault("HF_HUB_OFFLINE", "1")

from agent.chat.understand import ACTIONS, CONFIDENCE_THRESHOLD, Understander  # noqa: E402
from agent.chat.understand.evaluation import load_utterances, slots_match  # noqa: E402
from retrieval.encoding.encoder import Encoder, limit_threads_for_queries  # noqa: E402

SETS = {"dev": ROOT / "tests/data/utterances.jsonl", "holdout": ROOT / "tests/data/utterances_holdout.jsonl",
        "fresh": ROOT / "tests/data/utterances_fresh.jsonl", "unseen": ROOT / "tests/data/utterances_unseen.jsonl",
        "blind": ROOT / "tests/data/utterances_blind.jsonl", "blind2": ROOT / "tests/data/utterances_blind2.jsonl",
        "dev2": ROOT / "tests/data/utterances_dev2.jsonl"}
# Reading one of these as anything but smalltalk, clarify, help or show changes the user's work.
NO_CHANGE = ("smalltalk", "clarify")
CHANGES = ("new", "steer", "length", "remove", "add", "dislike", "like", "similar", "undo", "redo", "save", "mode",
           "quit")


def measure(understander: Understander, rows: list[dict], context=None) -> dict:
    results, times, model_times = [], [], []
    for row in rows:
        started = time.perf_counter()
        parsed = understander.parse(row["text"], context)
        times.append((time.perf_counter() - started) * 1000)
        started = time.perf_counter()  # what a message costs when no rule is sure and MiniLM must read it
        understander.classifier.read(row["text"])
        model_times.append((time.perf_counter() - started) * 1000)
        results.append((row, parsed))
    action_ok = [parsed.action == row["action"] for row, parsed in results]
    slot_ok = [ok and slots_match(row["slots"], parsed.slots) for ok, (row, parsed) in zip(action_ok, results)]
    confusion = Counter((row["action"], parsed.action) for row, parsed in results)
    ordered = sorted(times)
    return {
        "messages": len(rows),
        "action_accuracy": sum(action_ok) / len(rows),
        "slot_accuracy": sum(slot_ok) / len(rows),
        "median_ms": statistics.median(times),
        "p95_ms": ordered[int(0.95 * (len(ordered) - 1))],
        "model_median_ms": statistics.median(model_times),
        "model_p95_ms": sorted(model_times)[int(0.95 * (len(model_times) - 1))],
        "off_topic": sum(row["action"] in NO_CHANGE for row, _ in results),
        "off_topic_changed": [row["text"] for row, parsed in results
                              if row["action"] in NO_CHANGE and parsed.action in CHANGES],
        "confusion": {f"{expected}->{got}": count for (expected, got), count in sorted(confusion.items())},
        "errors": [{"text": row["text"], "expected": row["action"], "got": parsed.action,
                    "expected_slots": row["slots"], "slots": parsed.slots, "confidence": round(parsed.confidence, 3)}
                   for (row, parsed), ok in zip(results, slot_ok) if not ok],
        "thresholds": _threshold_sweep(results),
    }


def _threshold_sweep(results) -> dict[str, float]:
    """Action accuracy if every message under the threshold were read as `clarify`."""
    sweep = {}
    for threshold in (0.0, 0.2, 0.3, 0.35, 0.4, 0.5, 0.6, 0.7):
        right = sum((parsed.action if parsed.confidence >= threshold else "clarify") == row["action"]
                    for row, parsed in results)
        sweep[f"{threshold:.2f}"] = right / len(results)
    return sweep


def print_report(name: str, report: dict, show_errors: bool) -> None:
    print(f"\n## {name}: {report['messages']} messages")
    print(f"action accuracy {report['action_accuracy']:.1%} · slot accuracy {report['slot_accuracy']:.1%} · "
          f"median {report['median_ms']:.1f} ms · p95 {report['p95_ms']:.1f} ms · "
          f"MiniLM reading alone: median {report['model_median_ms']:.1f} ms, p95 {report['model_p95_ms']:.1f} ms")
    print(f"off-topic or unclear read as a change: {len(report['off_topic_changed'])} of {report['off_topic']}")
    print("accuracy by threshold: " + ", ".join(f"{t}: {a:.1%}" for t, a in report["thresholds"].items()))
    print_confusion(report["confusion"])
    if show_errors:
        for error in report["errors"]:
            print("  MISS", json.dumps(error, ensure_ascii=False))


def print_confusion(confusion: dict[str, int]) -> None:
    """Rows: expected action; columns: parsed action (only actions that occur)."""
    pairs = {tuple(key.split("->")): count for key, count in confusion.items()}
    present = [a for a in ACTIONS if any(a in pair for pair in pairs)]
    short = {a: a[:5] for a in present}
    print("| expected \\ parsed | " + " | ".join(short[a] for a in present) + " |")
    print("|---|" + "---:|" * len(present))
    for expected in present:
        cells = [str(pairs.get((expected, got), "")) for got in present]
        print(f"| {expected} | " + " | ".join(cells) + " |")


def _catalog_context():
    from agent.chat.context import ChatContext
    from agent.chat.search import CatalogSearch
    from agent.workspace import Workspace

    catalog, _ = Workspace.resolve().active_catalog()  # left open: the process ends with the benchmark
    print(f"names and steering words read with the catalog {catalog.path}")
    return ChatContext(None, CatalogSearch(catalog)).parse_context()


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument("--sets", nargs="+", choices=list(SETS), default=list(SETS))
    parser.add_argument("--errors", action="store_true", help="list every message read wrongly")
    parser.add_argument("--catalog", action="store_true",
                        help="read as `agent chat --parse` does with a catalog: names typed and steering typos mended "
                             "by the data dir's catalog ($AGENT_HOME)")
    args = parser.parse_args()
    encoder = Encoder()
    limit_threads_for_queries()
    understander = Understander(encoder)
    understander.parse("warm up")
    context = _catalog_context() if args.catalog else None
    reports = {name: measure(understander, load_utterances(SETS[name]), context) for name in args.sets}
    print(f"threshold {CONFIDENCE_THRESHOLD} · {platform.processor() or platform.machine()}, {os.cpu_count()} cores")
    for name, report in reports.items():
        print_report(name, report, args.errors)
    out = ROOT / "benchmarks/results/chat_parse.json"
    out.parent.mkdir(parents=True, exist_ok=True)
    out.write_text(json.dumps(reports, indent=1, ensure_ascii=False))


if __name__ == "__main__":
    main()
