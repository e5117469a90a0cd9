"""Title voting and the filters applied to its ranking, on hand-made inputs whose
answers can be worked out by hand."""

from __future__ import annotations

import pytest

from retrieval.ranking.filters import Scored, cap_per_artist, exclude_artists
from retrieval.signals.neighbours import crowded, exact_weighted
from retrieval.signals.voting import vote


def ranking(votes) -> list[int]:
    return [v.track_id for v in votes]


# --------------------------------------------------------------------------- #
# vote
# --------------------------------------------------------------------------- #


def test_count_rule_scores_the_number_of_playlists_holding_a_track():
    neighbours = [(1, 0.9), (2, 0.5), (3, 0.4)]
    tracks_of = {1: [10, 11], 2: [11, 12], 3: [12, 11, 13]}
    votes = {v.track_id: v for v in vote(neighbours, tracks_of, "count")}
    assert {t: v.score for t, v in votes.items()} == {10: 1, 11: 3, 12: 2, 13: 1}
    assert votes[11].voters == [1, 2, 3]
    assert votes[12].voters == [2, 3]
    assert ranking(vote(neighbours, tracks_of, "count"))[:2] == [11, 12]


def test_similarity_rule_adds_the_voters_similarities():
    neighbours = [(1, 0.9), (2, 0.5), (3, 0.4)]
    tracks_of = {1: [10, 11], 2: [11, 12], 3: [12, 13]}
    scores = {v.track_id: v.score for v in vote(neighbours, tracks_of, "similarity")}
    assert scores == pytest.approx({10: 0.9, 11: 1.4, 12: 0.9, 13: 0.4})


def test_the_two_rules_rank_differently_when_one_close_title_faces_two_far_ones():
    # Track 10 is in the one playlist whose title is very close; track 20 in two far ones.
    neighbours = [(1, 0.95), (2, 0.3), (3, 0.3)]
    tracks_of = {1: [10], 2: [20], 3: [20]}
    assert ranking(vote(neighbours, tracks_of, "count")) == [20, 10]
    assert ranking(vote(neighbours, tracks_of, "similarity")) == [10, 20]


def test_count_is_the_default_rule():
    neighbours = [(1, 0.95), (2, 0.3), (3, 0.3)]
    tracks_of = {1: [10], 2: [20], 3: [20]}
    assert ranking(vote(neighbours, tracks_of)) == ranking(vote(neighbours, tracks_of, "count"))


def test_ties_go_to_the_most_similar_voter_then_to_the_earlier_position():
    # All tracks score 1. Track ids are deliberately in the opposite order.
    neighbours = [(1, 0.9), (2, 0.8), (3, 0.7)]
    tracks_of = {3: [1, 2], 2: [5, 3], 1: [9, 8]}
    assert ranking(vote(neighbours, tracks_of, "count")) == [9, 8, 5, 3, 1, 2]


def test_tie_break_uses_the_best_voter_of_each_track():
    # 7 and 8 both score 2; 8 is in the most similar playlist, so it goes first
    # although 7 comes first in the second playlist.
    neighbours = [(1, 0.9), (2, 0.8), (3, 0.7)]
    tracks_of = {1: [30, 8], 2: [7, 8], 3: [7]}
    assert ranking(vote(neighbours, tracks_of, "count"))[:3] == [8, 7, 30]


def test_equal_similarity_sums_are_ties_whatever_the_rounding_of_floats():
    # 0.7 + 0.1 and 0.5 + 0.3 are both 0.8, though floats make the first 0.7999999999999999.
    # Equal scores are ties, and a tie goes to the track with the most similar voter.
    neighbours = [(1, 0.7), (2, 0.5), (3, 0.3), (4, 0.1)]
    tracks_of = {1: [10], 2: [20], 3: [20], 4: [10]}
    votes = vote(neighbours, tracks_of, "similarity")
    assert ranking(votes) == [10, 20]
    assert votes[0].score == pytest.approx(votes[1].score)


def test_ranking_is_reproducible():
    neighbours = [(pid, 0.5) for pid in range(6)]
    tracks_of = {pid: [(pid * 7 + i) % 11 for i in range(5)] for pid in range(6)}
    first = [(v.track_id, v.score, v.voters) for v in vote(neighbours, tracks_of)]
    for _ in range(3):
        assert [(v.track_id, v.score, v.voters) for v in vote(neighbours, tracks_of)] == first


def test_a_track_repeated_inside_one_playlist_is_counted_once():
    neighbours = [(1, 0.9), (2, 0.8)]
    tracks_of = {1: [10, 10, 10, 11], 2: [11]}
    for rule, expected in [("count", {10: 1, 11: 2}), ("similarity", {10: 0.9, 11: 1.7})]:
        votes = {v.track_id: v for v in vote(neighbours, tracks_of, rule)}
        assert {t: v.score for t, v in votes.items()} == pytest.approx(expected)
        assert votes[10].voters == [1]
    assert ranking(vote(neighbours, tracks_of, "count")) == [11, 10]


def test_neighbours_without_tracks_and_no_neighbours_give_no_votes():
    assert vote([], {}) == []
    assert vote([(1, 0.9)], {1: []}) == []
    assert ranking(vote([(1, 0.9), (2, 0.8)], {2: [5]})) == [5]


@pytest.mark.parametrize("rule", ["popularity", "COUNT", ""])
def test_unknown_rule_is_rejected(rule):
    with pytest.raises(ValueError, match="voting rule"):
        vote([(1, 0.9)], {1: [10]}, rule)


# --------------------------------------------------------------------------- #
# filters
# --------------------------------------------------------------------------- #


_ids: dict[str, int] = {}


def cand(uri: str, name: str, artist: str, score: float, voters=()) -> Scored:
    track_id = _ids.setdefault(uri, len(_ids) + 1)
    return Scored(track_id, f"spotify:track:{uri}", name, artist, score, list(voters))


def test_cap_per_artist_keeps_the_best_ranked_tracks_of_each_artist():
    candidates = [
        cand("1", "A1", "Eminem", 5),
        cand("2", "B1", "Kanye West", 4),
        cand("3", "A2", "EMINEM", 3),  # same artist, other spelling
        cand("4", "A3", "Eminem", 2),
        cand("5", "B2", "Kanye West", 1),
    ]
    assert [c.track_uri[-1] for c in cap_per_artist(candidates, 1)] == ["1", "2"]
    assert [c.track_uri[-1] for c in cap_per_artist(candidates, 2)] == ["1", "2", "3", "5"]
    assert cap_per_artist(candidates, None) == candidates


@pytest.mark.parametrize("limit", [0, -1])
def test_cap_per_artist_rejects_limits_below_one(limit):
    with pytest.raises(ValueError, match="at least 1"):
        cap_per_artist([cand("1", "A", "B", 1)], limit)


def test_exclude_artists_is_case_insensitive():
    candidates = [
        cand("1", "Lose Yourself", "Eminem", 3),
        cand("2", "Stronger", "Kanye West", 2),
        cand("3", "Without Me", "EMINEM", 1),
    ]
    assert [c.track_uri[-1] for c in exclude_artists(candidates, ["eminem"])] == ["2"]
    assert [c.track_uri[-1] for c in exclude_artists(candidates, ["KANYE WEST", "nobody"])] == ["1", "3"]
    assert exclude_artists(candidates, []) == candidates


def test_filters_leave_their_input_unchanged():
    candidates = [
        cand("a", "Song", "Artist", 2, [1]),
        cand("b", "Song - Live", "Artist", 1, [2]),
        cand("c", "Other", "Artist", 1, [3]),
    ]
    before = [(c.track_uri, c.score, list(c.voters), list(c.merged_uris)) for c in candidates]
    cap_per_artist(candidates, 1)
    exclude_artists(candidates, ["artist"])
    assert [(c.track_uri, c.score, c.voters, c.merged_uris) for c in candidates] == before


def test_a_scored_track_becomes_a_candidate_with_its_rank_and_provenance():
    merged = Scored(1, "spotify:track:a", "Song", "Artist", 2 / 3, [1, 2], merged_uris=["spotify:track:b"])
    candidate = merged.to_candidate(rank=1)
    assert candidate.rank == 1
    assert candidate.track_uri == "spotify:track:a"
    assert candidate.score == pytest.approx(2 / 3, abs=1e-6)
    assert candidate.voters == [1, 2]
    assert candidate.merged_uris == ["spotify:track:b"]
    assert candidate.model_dump()["track_name"] == "Song"


def test_exclude_artist_also_removes_collaborations_it_leads():
    from retrieval.ranking.filters import Scored, exclude_artists

    tracks = [
        Scored(1, "u:1", "Love the Way You Lie", "Eminem & Rihanna", 3.0, [1]),
        Scored(2, "u:2", "Umbrella", "Rihanna", 2.0, [1]),
        Scored(3, "u:3", "Lose Yourself", "EMINEM", 1.0, [1]),
    ]
    kept = exclude_artists(tracks, ["eminem"])
    assert [t.track_id for t in kept] == [2]


def test_a_crowded_title_votes_like_a_power_of_its_playlists():
    """Four playlists of one title (one similarity) at crowding 0.5 weigh 4 ** 0.5 = 2 in all;
    a title held once keeps its weight; crowding 1 changes nothing."""
    neighbours = [(1, 0.8), (2, 0.8), (3, 0.8), (4, 0.8), (5, 1.0)]
    weights = [(pid, 1.0) for pid, _ in neighbours]
    assert crowded(neighbours, weights, 0.5) == [(1, 0.5), (2, 0.5), (3, 0.5), (4, 0.5), (5, 1.0)]
    assert crowded(neighbours, weights, 1.0) == weights


def test_an_exact_title_weight_raises_only_the_neighbours_with_the_very_title():
    neighbours = [(1, 1.0), (2, 0.995), (3, 0.98)]
    weights = [(1, 1.0), (2, 0.9), (3, 0.9)]
    assert exact_weighted(neighbours, weights, 3.0) == [(1, 4.0), (2, 3.6), (3, 0.9)]
    assert exact_weighted(neighbours, weights, 0.0) == weights
