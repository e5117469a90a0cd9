"""How many of a chat playlist's tracks one steer replaces, by steering strength (issue 26).

    AGENT_HOME=DATA_DIR python benchmarks/bench_chat_steer.py [--titles 30] [--n 10]

For the most common titles of the data dir's catalog, the chat's first playlist (n tracks) is
made, then steered once by each of a few words a person says ("more chill", "less rap",
"more 90s", ...), as the chat does (retrieval's steering, re-ranking a deeper pool by the
tracks' tag vectors). Prints, per strength, the mean number of the n tracks that a steer
replaced, and the share of steers that replaced fewer than 3 (a change a person hardly sees).
"""

from __future__ import annotations

import argparse
import os
import statistics
import sys
from collections import Counter
from pathlib import Path

ROOT = Path(__file__).resolve().parents[1]
sys.path.insert(0, str(ROOT))
os.environ.setdefault("HF_HUB_OFFLINE", "1")

from agent.workspace import Workspace, open_retriever  # noqa: E402
from retrieval.generator import GenerationOptions  # noqa: E402
from retrieval.ranking.steering import Steering, generate_steered  # noqa: E402
from retrieval.index.tags import open_tag_index  # noqa: E402

WORDS = ["chill", "jazzy", "90s", "upbeat", "-rap", "acoustic", "relaxed", "-sad"]
STRENGTHS = (0.5, 0.6, 0.7, 0.8, 0.9)


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument("--titles", type=int, default=30)
    parser.add_argument("--n", type=int, default=10)
    args = parser.parse_args()
    workspace = Workspace.resolve()
    catalog, is_demo = workspace.active_catalog()
    with catalog:
        retriever = open_retriever(catalog, workspace)
        tags = open_tag_index(catalog, retriever.index, workspace.chroma)
        titles = [t for t, _ in Counter(catalog.playlist_names().values()).most_common(args.titles)]
        options = GenerationOptions(n=args.n)
        replaced: dict[float, list[int]] = {s: [] for s in STRENGTHS}
        glued: list[int] = []  # the chat before issue 26: "more chill" appended "chill" to the title's query
        for title in titles:
            plain = {t.track_uri for t in retriever.generate(title, options).tracks}
            for word in WORDS:
                if not word.startswith("-"):
                    glued.append(sum(t.track_uri not in plain for t in retriever.generate(f"{title} {word}", options).tracks))
                for strength in STRENGTHS:
                    steered = generate_steered(retriever, tags, title, options, Steering.parse([word], strength))
                    replaced[strength].append(sum(t.track_uri not in plain for t in steered.tracks))
    print(f"{'demo' if is_demo else 'user'} catalog {catalog.path}: {len(titles)} titles x {len(WORDS)} words, n={args.n}")
    print(f"word added to the title's query: {statistics.mean(glued):.1f} of {args.n} replaced on average "
          f"(median {statistics.median(glued):.0f}); {sum(c < 3 for c in glued) / len(glued):.0%} replace fewer than 3")
    for strength, counts in replaced.items():
        hardly = sum(c < 3 for c in counts) / len(counts)
        print(f"strength {strength:.1f}: {statistics.mean(counts):.1f} of {args.n} replaced on average "
              f"(median {statistics.median(counts):.0f}); {hardly:.0%} of steers replace fewer than 3")


if __name__ == "__main__":
    main()
