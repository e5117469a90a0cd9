"""What an evaluation compares: named configurations (retrieval with a voting rule and
k, an encoder, an LLM mode) and the baselines every report carries."""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass

from agent.playlist import ModeOptions
from retrieval.ranking.fusion import ABLATABLE
from retrieval.generator import DEFAULT_K

DEPTH = 500  # the challenge's request size; every cutoff is scored from one list
LLM_SONGS = 10  # songs asked of an LLM in mode llm
CUTOFFS = (10, 66, 500)
HEADLINE = ("precision@10", "recall@10", "mrr@10", "ndcg@10", "hit@10", "r_precision")
LOWER_IS_BETTER = {"clicks"}
MATCH_BY = ("uri", "song")


@dataclass(frozen=True)
class EvalConfig:
    """One column of the comparison."""

    kind: str  # "retrieval", "popular" or "exact"
    voting: str = "count"
    k: int = 50
    encoder: str | None = None  # a title encoder by name (pt, ft-c...); None: the retriever's own
    mode: str = "retrieval"  # with kind "retrieval": retrieval, rerank or llm (agent.playlist)
    shots: int = 0
    fuse: str = "none"
    shuffles: int = 1
    # "plain": title votes alone (the paper's method and the voting rules); "fused": the
    # default signals (tuned weights when stored); "-entity" etc.: fused with one signal off.
    signals: str = "plain"

    @property
    def name(self) -> str:
        if self.kind == "retrieval":
            if self.signals != "plain":
                return f"fused k={self.k}" + (f" {self.signals}" if self.signals != "fused" else "")
            if self.mode == "llm":
                return f"llm {self.shots}-shot"
            prefix = f"{self.encoder} " if self.encoder else ""
            prefix += "rerank+rrf " if self.mode == "rerank" and self.fuse == "rrf" else ""
            prefix += "rerank " if self.mode == "rerank" and self.fuse != "rrf" else ""
            suffix = f" S={self.shuffles}" if self.mode == "rerank" and self.shuffles > 1 else ""
            return f"{prefix}{self.voting} k={self.k}{suffix}"
        return {"popular": "popular", "exact": "exact title"}[self.kind]

    @property
    def mode_options(self) -> ModeOptions:
        return ModeOptions(mode=self.mode, shots=self.shots, fuse=self.fuse, shuffles=self.shuffles)


def configurations(
    votings: Sequence[str],
    ks: Sequence[int],
    encoders: Sequence[str] = (),
    modes: Sequence[str] = ("retrieval",),
    shots: Sequence[int] = (0,),
    fuses: Sequence[str] = ("none",),
    shuffles: Sequence[int] = (1,),
    fused: bool = False,
    ablate: bool = False,
) -> list[EvalConfig]:
    """The retrieval grid (per encoder, when several are compared), the fused default and
    its ablations, the LLM modes on the grid's first voting rule and k, and the baselines,
    which every report carries."""
    grid = []
    if "retrieval" in modes:
        grid = [EvalConfig("retrieval", v, k, e) for e in (encoders or [None]) for v in votings for k in ks]
        if fused or ablate:
            grid.append(EvalConfig("retrieval", "similarity", DEFAULT_K, signals="fused"))
        if ablate:
            grid += [EvalConfig("retrieval", "similarity", DEFAULT_K, signals=f"-{name}") for name in ABLATABLE]
    if "rerank" in modes:
        grid += [EvalConfig("retrieval", votings[0], ks[0], mode="rerank", fuse=fuse, shuffles=s)
                 for fuse in fuses for s in shuffles]
    if "llm" in modes:
        grid += [EvalConfig("retrieval", votings[0], ks[0], mode="llm", shots=n) for n in shots]
    return grid + [EvalConfig("popular"), EvalConfig("exact")]
