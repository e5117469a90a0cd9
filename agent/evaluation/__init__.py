"""Scoring playlists against held-out ones: configurations, queries, the runner, reports, charts.

    configs = configurations(["count"], [50])
    report = run_evaluation(catalog, retriever, configs, held_out_queries(catalog, split), ...)
    print_report(console, report); headline_bars(report, path)
"""

from agent.evaluation.configs import CUTOFFS, DEPTH, HEADLINE, LLM_SONGS, LOWER_IS_BETTER, MATCH_BY, EvalConfig, configurations
from agent.evaluation.encoders import encoder_retrievers
from agent.evaluation.queries import Query, file_queries, held_out_queries
from agent.evaluation.report import ConfigResult, EvalReport, QueryResult
from agent.evaluation.runner import run_evaluation, score

__all__ = [
    "CUTOFFS", "DEPTH", "HEADLINE", "LLM_SONGS", "LOWER_IS_BETTER", "MATCH_BY", "ConfigResult", "EvalConfig",
    "EvalReport", "Query", "QueryResult", "configurations", "encoder_retrievers", "file_queries",
    "held_out_queries", "run_evaluation", "score",
]
