"""Metrics as pure functions: ranking metrics and popularity (head share, tail-NDCG, coverage)."""
