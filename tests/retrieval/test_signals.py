"""The retrieval signals: each one alone on data small enough that the answer is known,
then through generation on the hand-made corpus (real MiniLM, Chroma and SQLite)."""

from __future__ import annotations

from dataclasses import replace

import numpy as np
import pytest

from conftest import CHILL_TRACKS, build_corpus, uri, write_slice_file
from retrieval.catalog import Catalog
from retrieval.ranking.fusion import (
    DEFAULT_WEIGHTS, PLAIN_WEIGHTS, FusionWeights, TunedWeights, contributions, fused_totals, seed_weight,
)
from retrieval.generator import RESEMBLANCE_FLOOR, GenerationError, GenerationOptions, Retriever
from retrieval.index.titles import ChromaLocation, build_index
from retrieval.mpd.ingest import ingest_paths
from retrieval.signals.artists import artist_playlist_scores, artist_track_scores, seed_artist_scores
from retrieval.signals.cooccurrence import cooccurrence_scores, seed_neighbour_scores
from retrieval.signals.entity import entity_scores
from retrieval.signals.names import fold_name
from retrieval.signals.neighbours import sharpened
from retrieval.signals.scores import TrackScores
from retrieval.graph.arrays import PlaylistGraph
from retrieval.ranking.sources import _RowTracks

CORPUS = build_corpus()

# --------------------------------------------------------------------------- #
# Each signal on its own
# --------------------------------------------------------------------------- #


def test_sharpening_widens_the_gap_between_near_and_far_neighbours():
    plain = dict(sharpened([(1, 0.9), (2, 0.3)], 1.0))
    sharp = dict(sharpened([(1, 0.9), (2, 0.3)], 3.0))
    assert plain == {1: 0.9, 2: 0.3}
    assert sharp[1] / sharp[2] > plain[1] / plain[2] * 8
    assert dict(sharpened([(3, -0.2)], 2.0)) == {3: 0.0}  # an opposite title never votes


def test_a_track_beside_the_anchor_outscores_one_that_never_meets_it():
    tracks_of = {10: [1, 2], 11: [1, 2, 3], 12: [4, 5]}
    scores = cooccurrence_scores({1: 1.0}, {1: [10, 11]}, tracks_of, lambda t: 1, 0.0)
    assert scores[2] == 1.0 and scores[3] == 0.5
    assert 4 not in scores and 5 not in scores


def test_cooccurrence_read_from_the_playlist_graph_in_one_gather_equals_playlist_by_playlist():
    pairs = [(10, 1), (10, 2), (11, 1), (11, 2), (11, 3), (12, 4), (12, 5), (13, 3), (13, 6), (13, 2)]
    graph = PlaylistGraph.build(pairs)
    rows = {1: graph.rows([10, 11]), 3: graph.rows([11, 13]), 7: np.empty(0, np.int64)}  # 7: in no playlist
    by_row = {row: graph.tracks_of_row(row).tolist() for row in range(len(graph.pids))}
    anchors = {1: 1.0, 3: 0.3, 7: 0.5}
    gathered = cooccurrence_scores(anchors, rows, _RowTracks(graph), graph.plays_of, 0.3)
    one_by_one = cooccurrence_scores(anchors, rows, by_row, graph.plays_of, 0.3)
    assert gathered.to_dict() == one_by_one.to_dict() and gathered.ids.tolist() == [1, 2, 3, 6]


def test_popularity_damping_lowers_a_track_that_is_everywhere():
    tracks_of = {10: [1, 2, 9], 11: [1, 3, 9]}
    counts = {2: 1, 3: 1, 9: 50, 1: 2}
    plays = np.vectorize(counts.__getitem__)
    undamped = cooccurrence_scores({1: 1.0}, {1: [10, 11]}, tracks_of, plays, 0.0)
    damped = cooccurrence_scores({1: 1.0}, {1: [10, 11]}, tracks_of, plays, 0.5)
    assert undamped[9] > undamped[2]
    assert damped[9] < damped[2]


def test_a_playlist_sharing_two_seeds_outweighs_two_sharing_one():
    playlists_of = {1: [10, 11, 12], 2: [10]}
    tracks_of = {10: [1, 2, 7], 11: [1, 8], 12: [1, 8]}
    scores = seed_neighbour_scores([1, 2], playlists_of, tracks_of, lambda t: 1, 0.0, 2.0)
    assert scores[7] > scores[8]
    assert 1 not in scores and 2 not in scores  # seeds are never proposed


def test_tracks_beside_the_seeds_in_a_playlist_holding_several_count_more():
    # Playlist 10 holds both seeds at its start: 3 sits beside them, 9 far down.
    playlists_of = {1: [10], 2: [10]}
    tracks_of = {10: [1, 2, 3, 4, 5, 6, 7, 8, 9]}
    near = seed_neighbour_scores([1, 2], playlists_of, tracks_of, lambda t: 1, 0.0, 2.0, 1.0, 5.0)
    flat = seed_neighbour_scores([1, 2], playlists_of, tracks_of, lambda t: 1, 0.0, 2.0)
    assert near[3] > near[6] > near[9]
    assert flat[3] == flat[9]


def test_seeds_that_few_playlists_hold_are_trusted_less():
    seeds = [1, 2, 3, 4, 5]
    one_playlist = seed_neighbour_scores(seeds, {1: [10]}, {10: [1, 6]}, lambda t: 1, 0.0, 2.0, 0.0, 5.0, 3.0)
    many = {seed: list(range(10, 40)) for seed in seeds}
    thirty = seed_neighbour_scores(seeds, many, {pid: [1, 6] for pid in range(10, 40)}, lambda t: 1, 0.0, 2.0,
                                   0.0, 5.0, 3.0)
    lone_seed = seed_neighbour_scores([1], {1: [10]}, {10: [1, 6]}, lambda t: 1, 0.0, 2.0, 0.0, 5.0, 3.0)
    assert one_playlist[6] < 0.1 < 0.9 < thirty[6] <= 1.0
    assert lone_seed[6] == 1.0


def test_position_does_not_matter_beside_a_lone_seed():
    tracks_of = {10: [1, 3, 4, 5, 6, 7, 8, 9]}
    scores = seed_neighbour_scores([1, 2], {1: [10]}, tracks_of, lambda t: 1, 0.0, 2.0, 1.0, 5.0)
    assert scores[3] == scores[9]


@pytest.mark.parametrize("title, name", [
    ("beyonce", "Beyoncé"), ("The Beatles", "Beatles"), ("simon and garfunkel", "Simon & Garfunkel"),
    ("MICHAEL BUBLÉ!!", "michael buble"),
])
def test_names_fold_to_the_same_key(title, name):
    assert fold_name(title) == fold_name(name)


def test_an_entitys_most_played_track_scores_one_and_rarer_ones_less():
    assert entity_scores([(7, 100), (8, 25), (9, 0)], 0.5) == {7: 1.0, 8: 0.5, 9: 0.0}
    assert entity_scores([], 0.5) == {}


def test_fusion_sums_the_weighted_parts_and_skips_switched_off_signals():
    signals = {"votes": {1: 1.0}, "entity": {1: 0.5, 2: 1.0}, "cooccurrence": {3: 1.0}}
    weights = {"votes": 1.0, "entity": 2.0, "cooccurrence": 0.0}
    signals = {name: TrackScores.from_dict(scores) for name, scores in signals.items()}
    assert fused_totals(signals, weights).to_dict() == {1: 2.0, 2: 2.0}
    assert contributions(signals, weights, np.array([1, 2])) == [{"votes": 1.0, "entity": 1.0}, {"entity": 2.0}]


def test_an_artists_played_tracks_score_by_the_artists_share_and_their_plays():
    tracks = {"a": np.array([1, 2, 3]), "b": np.array([7])}
    plays = {1: 16, 2: 1, 3: 0, 7: 5}
    scores = artist_track_scores({"a": 0.5, "b": 1.0}, tracks.get, lambda ids: np.array([plays[i] for i in ids]), 0.5)
    assert scores.to_dict() == {1: 0.5, 2: 0.125, 7: 1.0}  # 0.5 * (1/16) ** 0.5; track 3 is in no playlist


def test_a_playlist_holding_two_seed_artists_outweighs_one_holding_one():
    rows = {"a": np.array([10, 11]), "b": np.array([10])}
    tracks = {10: np.array([5]), 11: np.array([6])}
    scores = artist_playlist_scores(["a", "b"], rows.get, tracks.get, 2.0)
    assert scores.to_dict() == {5: 4.0, 6: 1.0}


def test_seed_artist_scores_leave_the_seeds_out_and_lie_in_zero_to_one():
    own = TrackScores.from_dict({1: 1.0, 2: 0.5})
    voted = TrackScores.from_dict({2: 4.0, 3: 2.0})
    combined = seed_artist_scores(own, voted, 0.5, seeds=[1]).to_dict()
    assert combined == {2: 1.0, 3: 0.25}  # 2: 0.5 + 0.5 * 1 (votes scaled to 1); 3: 0.5 * 0.5; seed 1 gone


def test_more_seeds_weigh_more_with_diminishing_returns():
    weights = [seed_weight(DEFAULT_WEIGHTS, n) for n in range(6)]
    assert weights[0] == 0 and weights == sorted(weights)
    assert weights[2] - weights[1] > weights[5] - weights[4]


def test_switching_a_signal_off_changes_only_that_signal():
    assert DEFAULT_WEIGHTS.without("entity").entity == 0
    assert DEFAULT_WEIGHTS.without("entity").cooccurrence == DEFAULT_WEIGHTS.cooccurrence
    assert DEFAULT_WEIGHTS.without("sharpness").sharpness == 1.0
    assert DEFAULT_WEIGHTS.without("tail").tail is False
    with pytest.raises(ValueError, match="unknown signal"):
        DEFAULT_WEIGHTS.without("magic")


def test_tuned_weights_survive_a_round_trip_and_a_broken_file_reads_as_none(tmp_path):
    tuned = TunedWeights(FusionWeights(entity=5.0), "titles-x", {"ndcg@10": 0.2}, {"ndcg@10": 0.1}, "a split")
    tuned.save(tmp_path / "w.json")
    assert TunedWeights.load(tmp_path / "w.json") == tuned
    (tmp_path / "bad.json").write_text("{not json")
    assert TunedWeights.load(tmp_path / "bad.json") is None
    assert TunedWeights.load(tmp_path / "missing.json") is None


# --------------------------------------------------------------------------- #
# Through generation
# --------------------------------------------------------------------------- #


@pytest.fixture(scope="module")
def retriever(tmp_path_factory, encoder):
    folder = tmp_path_factory.mktemp("signals")
    catalog = Catalog(folder / "catalog.sqlite")
    ingest_paths(catalog, [write_slice_file(folder / "mpd", CORPUS.playlists)])
    index = build_index(catalog, encoder, ChromaLocation(path=folder / "chroma"))
    yield Retriever(catalog, index, encoder)
    catalog.close()


def uris(playlist) -> list[str]:
    return [t.track_uri for t in playlist.tracks]


def test_a_title_naming_an_artist_brings_that_artist_and_says_so(retriever):
    result = retriever.generate("the bon iver", GenerationOptions(n=3))
    assert result.entities == ["artist Bon Iver"]
    assert result.tracks[0].artist_name == "Bon Iver"
    assert result.tracks[0].signals["entity"] > 0
    plain = retriever.generate("the bon iver", GenerationOptions(n=3, fusion=DEFAULT_WEIGHTS.without("entity")))
    assert plain.entities == []
    assert all("entity" not in (t.signals or {}) for t in plain.tracks)


@pytest.mark.parametrize("title", ["xmas songs", "workout", "chill out", "Bon Iver"])
def test_the_first_n_tracks_do_not_depend_on_n(retriever, title):
    longest = retriever.generate(title, GenerationOptions(n=30))
    for n in (1, 3, 8, 15):
        shorter = retriever.generate(title, GenerationOptions(n=n))
        assert [(t.track_uri, t.score, t.merged_uris) for t in shorter.tracks] == \
            [(t.track_uri, t.score, t.merged_uris) for t in longest.tracks[:n]]


def test_the_popularity_tail_fills_any_request_after_the_scored_tracks(retriever):
    songs = len({(n, a) for n, a in CORPUS.track_names.values()}) - 2  # two tracks are versions
    result = retriever.generate("xmas songs", GenerationOptions(n=50, k=2))
    assert len(result.tracks) == songs
    tail = [t for t in result.tracks if t.signals == {"popularity": t.signals.get("popularity")}]
    assert tail and all(t.score == 0 for t in tail)
    assert result.tracks[-len(tail):] == tail  # the tail comes last
    popularity = [t.signals["popularity"] for t in tail]
    assert popularity == sorted(popularity, reverse=True)
    without = retriever.generate("xmas songs", GenerationOptions(n=50, k=2, fusion=PLAIN_WEIGHTS))
    assert len(without.tracks) < songs


def test_a_title_like_nothing_in_the_catalog_is_warned_about(retriever):
    far = retriever.generate("quantum chromodynamics lecture notes", GenerationOptions(n=3))
    assert far.neighbours[0].similarity < RESEMBLANCE_FLOOR
    assert any("nothing in the catalog resembles this title" in w for w in far.warnings)
    near = retriever.generate("xmas songs", GenerationOptions(n=3))
    assert not any("resembles" in w for w in near.warnings)


@pytest.mark.parametrize("title", ["!!!", "...", " ?! "])
def test_a_title_with_nothing_to_match_is_refused(retriever, title):
    with pytest.raises(GenerationError, match="no letters, digits or emoji"):
        retriever.generate(title)


def test_seeds_lead_the_playlist_and_never_appear_in_it(retriever):
    seeds = (uri("xmas02"), uri("xmas05"))
    result = retriever.generate("", GenerationOptions(n=6, seed_uris=seeds))
    assert [s.track_uri for s in result.seeds] == list(seeds)
    assert not set(uris(result)) & {*seeds, uri("xmas08")}  # nor another version of a seed
    assert result.tracks[0].track_uri in CORPUS.uris["xmas"]
    assert result.tracks[0].signals["seeds"] > 0


def test_chill_seeds_pull_a_workout_title_towards_chill(retriever):
    seeds = tuple(uri(k) for k in list(CHILL_TRACKS)[:3])
    alone = retriever.generate("workout", GenerationOptions(n=5))
    seeded = retriever.generate("workout", GenerationOptions(n=5, seed_uris=seeds))
    chill = CORPUS.uris["chill"]
    assert len(set(uris(seeded)) & chill) > len(set(uris(alone)) & chill)


def test_a_seeds_artist_brings_its_other_songs_that_no_playlist_holds_beside_the_seed(retriever):
    # Michael Bublé's "Holly Jolly Christmas" never shares a playlist with his other song.
    seeds = (uri("xmas05"),)
    seeded = retriever.generate("", GenerationOptions(n=8, seed_uris=seeds))
    alone = retriever.generate("", GenerationOptions(n=8, seed_uris=seeds, fusion=replace(DEFAULT_WEIGHTS, seed_artists=0.0)))
    assert next(t for t in seeded.tracks if t.track_uri == uri("xmas09")).signals["seed_artists"] > 0
    assert place(seeded, "xmas09") < place(alone, "xmas09")


def test_the_best_voted_artists_bring_their_other_played_tracks(retriever):
    ids = retriever.catalog.track_ids_for_uris([uri(k) for k in ("xmas01", "xmas05", "xmas09")])
    mariah, buble, buble_other = (ids[uri(k)] for k in ("xmas01", "xmas05", "xmas09"))
    votes = TrackScores.from_dict({buble: 2.0, mariah: 1.0})
    scores = retriever.sources.voted_artists(votes, frozenset()).to_dict()
    # Bublé holds 2/3 of the votes (share 1), Mariah Carey 1/3 (share 0.5); "Holly Jolly
    # Christmas" is in one playlist against his other song's two.
    assert scores == {buble: 1.0, buble_other: 0.5, mariah: 0.5}


def place(playlist, key: str) -> int:
    return uris(playlist).index(uri(key)) if uri(key) in uris(playlist) else len(playlist.tracks)


def test_an_unknown_seed_is_an_error_not_a_silent_drop(retriever):
    with pytest.raises(GenerationError, match="not in the catalog"):
        retriever.generate("xmas", GenerationOptions(seed_uris=("spotify:track:nope",)))
