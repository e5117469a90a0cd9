"""The discovery control and the collaborative signal in the fused ranking."""

from __future__ import annotations

import numpy as np
import pytest
from dataclasses import replace

from retrieval.ranking.discovery import DISCOVERY_EXPONENT, discovered
from retrieval.ranking.fusion import DEFAULT_WEIGHTS
from retrieval.generator import GenerationError, GenerationOptions
from retrieval.signals.scores import TrackScores
from tests.retrieval.test_signals import CORPUS, retriever, uris  # noqa: F401  (the module's retriever fixture)


def test_discovery_divides_by_popularity_and_records_the_change():
    plays = np.array([0, 100, 1])
    signals, multipliers = {}, {}
    changed = discovered(np.array([1, 2]), np.array([4.0, 4.0]), plays, 1.0, signals, multipliers)
    assert changed.tolist() == pytest.approx([4.0 / 100 ** DISCOVERY_EXPONENT, 4.0])
    assert signals["discovery"].to_dict() == pytest.approx({1: changed[0] - 4.0, 2: 0.0})
    assert discovered(np.array([1]), np.array([4.0]), plays, 0.0, {}, {}).tolist() == [4.0]


@pytest.mark.parametrize("value", [-0.1, 1.5])
def test_discovery_outside_zero_to_one_is_refused(value):
    with pytest.raises(GenerationError, match="discovery must be between 0 and 1"):
        GenerationOptions(discovery=value).check()


def test_more_discovery_never_brings_more_played_songs_first(retriever):
    plays = retriever.sources.graph.plays

    def mean_plays(discovery: float) -> float:
        playlist = retriever.generate("xmas songs", GenerationOptions(n=5, discovery=discovery))
        ids = retriever.catalog.track_ids_for_uris(uris(playlist))
        return float(np.mean(plays[list(ids.values())]))

    assert mean_plays(1.0) <= mean_plays(0.5) <= mean_plays(0.0)
    shown = retriever.generate("xmas songs", GenerationOptions(n=5, discovery=1.0)).tracks
    for track in shown:  # --explain still adds up: the change is a signal of its own
        assert sum(track.signals.values()) == pytest.approx(track.score, abs=1e-5)  # both shown rounded


def test_als_scores_join_a_seeded_ranking_and_a_missing_model_is_warned_about(retriever):
    xmas = sorted(CORPUS.uris["xmas"])
    weights = replace(DEFAULT_WEIGHTS, collaborative=1.0)
    hidden = frozenset({12})  # evaluation's case: a model fitted without the hidden playlist
    fitted = retriever.generate("", GenerationOptions(n=5, seed_uris=tuple(xmas[:2]), fusion=weights,
                                                      exclude_pids=hidden))
    assert any("als" in track.signals for track in fitted.tracks)
    assert set(uris(fitted)) <= CORPUS.uris["xmas"]
    unsaved = retriever.generate("", GenerationOptions(n=5, seed_uris=tuple(xmas[:2]), fusion=weights))
    assert all("als" not in track.signals for track in unsaved.tracks)
    assert any("no ALS model" in warning for warning in unsaved.warnings)
