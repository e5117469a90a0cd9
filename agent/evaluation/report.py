"""What an evaluation produces: per-configuration means, per-query scores, the machine."""

from __future__ import annotations

from pydantic import BaseModel, Field

from agent.evaluation.configs import DEPTH, LOWER_IS_BETTER


class ConfigResult(BaseModel):
    name: str
    kind: str
    voting: str | None = None
    k: int | None = None
    encoder: str | None = None
    mode: str = "retrieval"
    means: dict[str, float]
    seconds_per_query: float


class QueryResult(BaseModel):
    pid: int | None
    title: str
    relevant: int
    scores: dict[str, dict[str, float]] = Field(description="config name -> metric -> value")


class EvalReport(BaseModel):
    created_at: str
    catalog: str
    catalog_fingerprint: str
    encoder: str
    holdout: str
    match_by: str
    depth: int = DEPTH
    queries: int
    results: list[ConfigResult]
    per_query: list[QueryResult]
    machine: dict[str, str | int | None]

    def best(self, metric: str) -> str:
        pick = min if metric in LOWER_IS_BETTER else max
        return pick((r for r in self.results if metric in r.means), key=lambda r: r.means[metric]).name
