"""LLM reranking of retrieved candidates: the model returns candidate numbers, never songs.

The answer's schema allows only the numbers 1..count, so nothing in a title can make
the model add a track that retrieval did not find. What the schema cannot forbid
(repeats; out-of-range numbers from servers that ignore it; too few numbers) is
repaired: repeats and strays dropped, unplaced candidates appended in retrieval order.
An answer with no usable number is rejected, retried once, then retrieval's order is
kept with a warning. Fuse `rrf` blends the LLM's order with retrieval's (reciprocal
rank fusion), so a weak model can only move candidates, not bury the best ones.
"""

from __future__ import annotations

import random
import time
from collections.abc import Sequence
from dataclasses import dataclass, field
from typing import Any

from pydantic import BaseModel, ConfigDict

from agent.llm import ChatBackend
from agent.llm.prompts import load_prompt
from agent.llm.structured import ask, attempts_text
from agent.playlist.options import FUSES, check_choice, check_positive
from retrieval.ranking.diagnostics import copy_score, duplicate_share, kendall_tau, out_of_candidates_share, wrong_count
from retrieval.records import Candidate, LLMInfo

PROMPT = "rerank"
RRF_K = 60  # the constant of Cormack et al. (2009): damps the weight of the very top ranks


class RerankAnswer(BaseModel):
    """What the model must answer: candidate numbers (1-based), best first."""

    model_config = ConfigDict(extra="forbid")

    ranking: list[int]


def ranking_schema(count: int, wanted: int) -> dict[str, Any]:
    """JSON schema of an answer: exactly `wanted` numbers, each one of 1..count."""
    return {
        "title": "rerank",
        "type": "object",
        "properties": {
            "ranking": {
                "type": "array",
                "items": {"type": "integer", "enum": list(range(1, count + 1))},
                "minItems": wanted,
                "maxItems": wanted,
            }
        },
        "required": ["ranking"],
        "additionalProperties": False,
    }


@dataclass(frozen=True)
class Repaired:
    """A complete order of the candidates (0-based), the model's valid picks first."""

    order: list[int]
    picked: list[int]
    duplicates: int
    out_of_range: int
    filled: int

    @property
    def repairs(self) -> list[str]:
        found = []
        if self.duplicates:
            found.append(f"repeated {self.duplicates} number(s)")
        if self.out_of_range:
            found.append(f"gave {self.out_of_range} number(s) that are not candidates")
        return found


def repair_ranking(numbers: Sequence[object], count: int) -> Repaired:
    """Keep the first occurrence of each valid number 1..count; append the rest in order.

    >>> repair_ranking([3, 3, 9, 1], 4).order
    [2, 0, 1, 3]
    """
    picked: list[int] = []
    seen: set[int] = set()
    duplicates = out_of_range = 0
    for number in numbers:
        # bool is an int subclass; a JSON true is not a candidate number.
        if isinstance(number, bool) or not isinstance(number, int) or not 1 <= number <= count:
            out_of_range += 1
        elif number - 1 in seen:
            duplicates += 1
        else:
            seen.add(number - 1)
            picked.append(number - 1)
    rest = [index for index in range(count) if index not in seen]
    return Repaired(picked + rest, picked, duplicates, out_of_range, len(rest))


def reciprocal_rank_fusion(rankings: Sequence[Sequence[int]], k: int = RRF_K) -> list[int]:
    """Items ordered by the sum of 1/(k + rank) over the rankings; ties keep the first ranking's order."""
    scores: dict[int, float] = {}
    for ranking in rankings:
        for rank, item in enumerate(ranking, 1):
            scores[item] = scores.get(item, 0.0) + 1.0 / (k + rank)
    first = {item: position for position, item in enumerate(rankings[0])} if rankings else {}
    # Rounded so sums equal but for float noise are the ties they are.
    return sorted(scores, key=lambda item: (-round(scores[item], 12), first.get(item, len(first)), item))


@dataclass
class Reranked:
    candidates: list[Candidate]
    info: LLMInfo
    warnings: list[str] = field(default_factory=list)


def candidate_lines(candidates: Sequence[Candidate]) -> str:
    return "\n".join(f'{number}. "{c.track_name}" by {c.artist_name}' for number, c in enumerate(candidates, 1))


def rerank(
    backend: ChatBackend,
    title: str,
    candidates: Sequence[Candidate],
    wanted: int,
    fuse: str = "none",
    shuffles: int = 1,
    seed: int = 0,
) -> Reranked:
    """`candidates` (retrieval order) reordered by the LLM; all of them, ranks renumbered.

    With `shuffles` S > 1, the candidates are shown S times, first in retrieval order,
    then in seeded shuffled orders, and the S rankings are combined by Borda count, so
    where a candidate sat in the prompt matters less (position-bias control).
    """
    check_choice("fuse", fuse, FUSES)
    check_positive("shuffles", shuffles)
    started = time.perf_counter()
    count = len(candidates)
    wanted = max(1, min(wanted, count))
    passes = [_one_pass(backend, title, candidates, wanted, _presentation(count, s, seed)) for s in range(shuffles)]
    done = [p for p in passes if p.order is not None]
    info = LLMInfo(backend=backend.name, model=backend.model, prompt=PROMPT, fuse=fuse, candidates=count,
                   attempts=sum(p.attempts for p in passes))
    warnings = [w for p in passes for w in p.warnings]
    if not done:
        info.fallback = True
        info.seconds = round(time.perf_counter() - started, 4)
        warnings.append(f"the LLM rerank failed after {attempts_text(info.attempts)} ({passes[-1].error}); kept the retrieval order")
        return Reranked(_renumbered(candidates, range(count)), info, warnings)
    if len(done) < len(passes):
        warnings.append(f"{len(passes) - len(done)} of {len(passes)} shuffled rerank passes failed; combined the rest")
    llm_order = done[0].order if len(done) == 1 else borda([p.order for p in done])
    order = llm_order if fuse == "none" else reciprocal_rank_fusion([list(range(count)), llm_order])
    info.diagnostics = _combined_diagnostics(done, llm_order, count, len(passes))
    info.seconds = round(time.perf_counter() - started, 4)
    return Reranked(_renumbered(candidates, order), info, warnings)


def _presentation(count: int, shuffle: int, seed: int) -> list[int]:
    """The order candidates are shown in: retrieval's first, then seeded shuffles."""
    order = list(range(count))
    if shuffle:
        random.Random(seed * 1000 + shuffle).shuffle(order)
    return order


@dataclass
class _Pass:
    order: list[int] | None  # candidate indices, best first; None when the pass failed
    attempts: int
    diagnostics: dict[str, float | None] = field(default_factory=dict)
    warnings: list[str] = field(default_factory=list)
    error: str = ""


def _one_pass(backend: ChatBackend, title: str, candidates: Sequence[Candidate], wanted: int,
              shown: list[int]) -> _Pass:
    count = len(candidates)
    messages = load_prompt(PROMPT).format_messages(
        title=title, count=count, k=wanted, candidates=candidate_lines([candidates[i] for i in shown])
    )

    def usable(answer: RerankAnswer) -> str | None:
        if not repair_ranking(answer.ranking, count).picked:
            return f"the model's ranking names no candidate number between 1 and {count}"
        return None

    asked = ask(backend, messages, ranking_schema(count, wanted), RerankAnswer, usable)
    if asked.failed:
        return _Pass(None, asked.attempts, error=str(asked.errors[-1]))
    repaired = repair_ranking(asked.answer.ranking, count)
    warnings = []
    if repaired.repairs:
        warnings.append(f"the LLM's ranking {' and '.join(repaired.repairs)}; those were dropped")
    if len(repaired.picked) < wanted:
        warnings.append(
            f"the LLM ranked {len(repaired.picked)} of the {wanted} candidates asked; the rest follow in retrieval order"
        )
    # Numbers refer to the order shown; map them back to retrieval's indices.
    picked = [shown[i] for i in repaired.picked]
    order = picked + [i for i in range(count) if i not in set(picked)]
    diagnostics = _diagnostics(asked.answer.ranking, repaired, count, wanted)
    return _Pass(order, asked.attempts, diagnostics, warnings)


def borda(rankings: Sequence[Sequence[int]]) -> list[int]:
    """Items by Borda count (len - position, summed over rankings); ties keep the first ranking's order."""
    points: dict[int, int] = {}
    for ranking in rankings:
        for position, item in enumerate(ranking):
            points[item] = points.get(item, 0) + len(ranking) - position
    first = {item: position for position, item in enumerate(rankings[0])}
    return sorted(points, key=lambda item: (-points[item], first.get(item, len(first))))


def _combined_diagnostics(done: Sequence[_Pass], llm_order: list[int], count: int, passes: int) -> dict[str, float | None]:
    """Per-pass diagnostics averaged (copy score against the order each pass was shown);
    Kendall tau of the combined order against retrieval's."""
    combined: dict[str, float | None] = {}
    for key in ("out_of_candidates_share", "duplicate_share", "wrong_count", "copy_score"):
        combined[key] = sum(p.diagnostics[key] for p in done) / len(done)
    tau = kendall_tau(llm_order, list(range(count)))
    combined["kendall_tau_vs_retrieval"] = None if tau != tau else round(tau, 6)
    combined["shuffles"] = float(passes)
    return combined


def _renumbered(candidates: Sequence[Candidate], order: Sequence[int]) -> list[Candidate]:
    # The score stays retrieval's vote count: the LLM gives an order, not a score.
    return [candidates[index].model_copy(update={"rank": rank}) for rank, index in enumerate(order, 1)]


def _diagnostics(raw: Sequence[int], repaired: Repaired, count: int, wanted: int) -> dict[str, float | None]:
    """How the model behaved, measured by retrieval.ranking.diagnostics (1-based numbers)."""
    offered = range(1, count + 1)
    picked = [index + 1 for index in repaired.picked]
    tau = kendall_tau(picked, list(offered))
    return {
        "out_of_candidates_share": out_of_candidates_share(raw, offered),
        "duplicate_share": duplicate_share(raw),
        "wrong_count": wrong_count(raw, wanted),
        # 1.0: the model echoed the order it was given.
        "copy_score": copy_score(picked, list(offered)),
        "kendall_tau_vs_retrieval": None if tau != tau else round(tau, 6),  # NaN with < 2 picks
    }
