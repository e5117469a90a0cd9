"""Tests for retrieval.metrics.ranking against values worked out by hand.

Track ids are opaque strings to the metrics, so short letters stand in for
"spotify:track:..." URIs. Discounts used below:
    1/log2(2) = 1,  1/log2(3) = 0.63093,  1/log2(4) = 0.5,  1/log2(5) = 0.43068
    IDCG(2) = 1.63093,  IDCG(3) = 2.13093,  IDCG(4) = 2.56161
"""

from __future__ import annotations

import pytest

from retrieval.metrics.ranking import (
    challenge_ndcg,
    evaluate_list,
    hit_at,
    mrr_at,
    ndcg_at,
    paper_ndcg_at,
    precision_at,
    r_precision,
    recall_at,
    songs_clicks,
    track_key,
)

CUTOFF_METRICS = [precision_at, recall_at, mrr_at, ndcg_at, paper_ndcg_at, hit_at]


# --------------------------------------------------------------------------- #
# Precision, recall, MRR, hit
# --------------------------------------------------------------------------- #


def test_basic_top_n_metrics():
    recommended = ["a", "x", "b", "y"]
    relevant = {"a", "b", "c"}
    # hits a@1, b@3 -> 2 hits in 4 slots
    assert precision_at(recommended, relevant, 4) == pytest.approx(0.5)  # 2/4
    assert recall_at(recommended, relevant, 4) == pytest.approx(2 / 3)  # 2/|{a,b,c}|
    assert mrr_at(recommended, relevant, 4) == pytest.approx(1.0)  # first hit at rank 1
    assert hit_at(recommended, relevant, 4) == 1.0
    # only a@1 inside the first 2
    assert precision_at(recommended, relevant, 2) == pytest.approx(0.5)  # 1/2
    assert recall_at(recommended, relevant, 2) == pytest.approx(1 / 3)  # 1/3


def test_mrr_uses_first_hit_and_respects_cutoff():
    assert mrr_at(["x", "y", "a", "b"], {"a", "b"}, 4) == pytest.approx(1 / 3)  # first hit a@3
    # a@3 lies beyond n=2: no hit at all
    assert mrr_at(["x", "y", "a"], {"a"}, 2) == 0.0
    assert hit_at(["x", "y", "a"], {"a"}, 2) == 0.0
    assert hit_at(["x", "y", "a"], {"a"}, 3) == 1.0


def test_fewer_recommendations_than_n():
    recommended = ["a", "b"]
    relevant = {"a", "b", "c"}
    # denominator stays n = 10 although only 2 tracks were given
    assert precision_at(recommended, relevant, 10) == pytest.approx(0.2)  # 2/10
    assert recall_at(recommended, relevant, 10) == pytest.approx(2 / 3)  # 2/3
    # DCG = 1 + 0.63093 = 1.63093; IDCG over min(3, 10) = 3 slots = 2.13093
    assert ndcg_at(recommended, relevant, 10) == pytest.approx(0.7653606)  # 1.63093/2.13093
    assert precision_at([], relevant, 5) == 0.0  # no recommendation at all is a valid, empty list


def test_repeated_recommendation_is_not_a_second_hit():
    relevant = {"a", "b"}
    # a@1, a@2 (repeat: occupies rank 2, earns nothing), b@3
    assert precision_at(["a", "a", "b"], relevant, 3) == pytest.approx(2 / 3)  # 2 distinct hits / 3
    assert recall_at(["a", "a", "b"], relevant, 3) == pytest.approx(1.0)  # 2/2
    # DCG = 1/log2(2) + 1/log2(4) = 1.5 (rank 2 gives nothing); IDCG(2) = 1.63093
    assert ndcg_at(["a", "a", "b"], relevant, 3) == pytest.approx(0.9197208)  # 1.5/1.63093
    # three copies of one relevant track are one hit, not three
    assert precision_at(["a", "a", "a"], relevant, 3) == pytest.approx(1 / 3)  # 1/3
    assert recall_at(["a", "a", "a"], relevant, 3) == pytest.approx(0.5)  # 1/2


def test_duplicates_in_ground_truth_are_dropped():
    relevant = ["a", "a", "b"]  # |G| = |{a, b}| = 2
    assert recall_at(["a"], relevant, 1) == pytest.approx(0.5)  # 1/2, not 2/3 or 1/3
    # DCG = 1 (b@1); IDCG over min(2, 5) = 2 slots = 1.63093
    assert ndcg_at(["b"], relevant, 5) == pytest.approx(0.6131472)  # 1/1.63093
    assert recall_at(["a", "b"], relevant, 2) == pytest.approx(1.0)  # 2/2


# --------------------------------------------------------------------------- #
# nDCG and the paper's variant
# --------------------------------------------------------------------------- #


def test_ndcg_perfect_list_is_one():
    # hits at 1, 2 = ideal for |G| = 2
    assert ndcg_at(["a", "b", "x"], {"a", "b"}, 3) == pytest.approx(1.0)


def test_ndcg_ideal_is_capped_at_n():
    # |G| = 4 but n = 2: IDCG over 2 slots, so hits at 1 and 2 are perfect
    assert ndcg_at(["a", "b"], {"a", "b", "c", "d"}, 2) == pytest.approx(1.0)


def test_ndcg_and_paper_ndcg_differ_with_one_hit_at_top():
    recommended = ["a", "x", "y", "z"]
    relevant = {"a", "b", "c", "d"}
    # DCG = 1; IDCG over min(4, 10) = 4 slots = 1 + 0.63093 + 0.5 + 0.43068 = 2.56161
    assert ndcg_at(recommended, relevant, 10) == pytest.approx(0.3903800)  # 1/2.56161
    # paper: IDCG over the 1 hit found = 1 -> 1/1
    assert paper_ndcg_at(recommended, relevant, 10) == pytest.approx(1.0)


def test_paper_ndcg_with_a_gap():
    recommended = ["a", "x", "b"]
    relevant = {"a", "b", "c", "d"}
    # DCG = 1 + 1/log2(4) = 1.5
    assert paper_ndcg_at(recommended, relevant, 3) == pytest.approx(0.9197208)  # 1.5/IDCG(2 hits)=1.5/1.63093
    assert ndcg_at(recommended, relevant, 3) == pytest.approx(0.7039181)  # 1.5/IDCG(min(4,3)=3)=1.5/2.13093


def test_paper_ndcg_without_hits_is_zero():
    assert paper_ndcg_at(["x", "y"], {"a"}, 2) == 0.0
    assert ndcg_at(["x", "y"], {"a"}, 2) == 0.0


# --------------------------------------------------------------------------- #
# Rejected input
# --------------------------------------------------------------------------- #


@pytest.mark.parametrize("metric", CUTOFF_METRICS)
@pytest.mark.parametrize("empty", [set(), [], ()])
def test_empty_truth_rejected(metric, empty):
    with pytest.raises(ValueError, match="ground truth is empty"):
        metric(["a"], empty, 10)


def test_empty_truth_rejected_by_list_level_metrics():
    with pytest.raises(ValueError, match="ground truth is empty"):
        r_precision(["a"], [])
    with pytest.raises(ValueError, match="ground truth is empty"):
        songs_clicks(["a"], [])
    with pytest.raises(ValueError, match="ground truth is empty"):
        evaluate_list(["a"], set())


@pytest.mark.parametrize("metric", CUTOFF_METRICS)
@pytest.mark.parametrize("n", [0, -1])
def test_non_positive_cutoff_rejected(metric, n):
    with pytest.raises(ValueError, match="cutoff"):
        metric(["a"], {"a"}, n)


def test_single_string_instead_of_collection_rejected():
    # "abc" would otherwise be read as the three tracks "a", "b", "c"
    with pytest.raises(TypeError):
        recall_at(["a"], "abc", 1)
    with pytest.raises(TypeError):
        precision_at("abc", {"a"}, 1)


# --------------------------------------------------------------------------- #
# R-precision (RecSys Challenge 2018)
# --------------------------------------------------------------------------- #

# G = {t1, t2, t3, t4}, by artists A, B, C, D; |G| = 4 so the window is R[1:4].
TRUTH = ["t1", "t2", "t3", "t4"]
ARTIST_OF = {
    "t1": "A", "t2": "B", "t3": "C", "t4": "D",
    "c1": "C", "c2": "C",  # other tracks by C, not in G
    "a2": "A",  # another track by A, not in G
    "e1": "E",  # an artist absent from G
}


def test_r_precision_track_hits_only():
    # window = t1, x, t2, y -> 2 track hits; t3@5 is outside the window
    assert r_precision(["t1", "x", "t2", "y", "t3"], TRUTH) == pytest.approx(0.5)  # 2/4


def test_r_precision_artist_matched_twice_counts_once():
    # window = t1, c1, c2, e1: track hits {t1} = 1
    # A(R \ G) = {C, E}; A(G) = {A, B, C, D}; intersection {C} -> 1 artist, not 2
    recommended = ["t1", "c1", "c2", "e1"]
    assert r_precision(recommended, TRUTH, ARTIST_OF) == pytest.approx(0.3125)  # (1 + 0.25*1)/4


def test_r_precision_hit_track_gives_no_artist_credit_for_itself():
    # window = t1, t2, x, y: track hits 2; R \ G = {x, y} have no known artist
    # A and B belong to hits only, so A(R \ G) is empty -> no 0.25 bonus
    assert r_precision(["t1", "t2", "x", "y"], TRUTH, ARTIST_OF) == pytest.approx(0.5)  # (2 + 0)/4


def test_r_precision_follows_published_formula_for_non_hit_by_hit_artist():
    # window = t1, a2, x, y: t1 is a hit; a2 (by A) is not in G, so A ∈ A(R \ G) ∩ A(G)
    assert r_precision(["t1", "a2", "x", "y"], TRUTH, ARTIST_OF) == pytest.approx(0.3125)  # (1 + 0.25)/4


def test_r_precision_without_artists_ignores_artist_matches():
    assert r_precision(["t1", "c1", "c2", "e1"], TRUTH) == pytest.approx(0.25)  # 1/4


def test_r_precision_artist_outside_window_does_not_count():
    # window = x, y, z, w; c1 (artist C) sits at rank 5
    assert r_precision(["x", "y", "z", "w", "c1"], TRUTH, ARTIST_OF) == 0.0


def test_r_precision_duplicates_and_short_lists():
    assert r_precision(["t1", "t1", "t1", "t1"], TRUTH) == pytest.approx(0.25)  # one distinct hit / 4
    assert r_precision(["t2"], TRUTH) == pytest.approx(0.25)  # 1/4, shorter than |G| is fine
    # relevant deduplicated: |G| = |{t1, t2}| = 2, window = R[1:2]
    assert r_precision(["t1", "t2"], ["t1", "t1", "t2"]) == pytest.approx(1.0)  # 2/2
    assert r_precision(["x", "t1", "t2"], ["t1", "t1", "t2"]) == pytest.approx(0.5)  # window x, t1 -> 1/2


# --------------------------------------------------------------------------- #
# Recommended Songs clicks
# --------------------------------------------------------------------------- #


def _list_with_first_hit_at(rank: int, length: int = 600) -> list[str]:
    return [f"filler{i}" for i in range(1, rank)] + ["hit"] + [f"after{i}" for i in range(length - rank)]


@pytest.mark.parametrize(
    ("rank", "clicks"),
    [
        (1, 0),  # floor((1 - 1)/10) = 0
        (10, 0),  # floor((10 - 1)/10) = floor(0.9) = 0
        (11, 1),  # floor((11 - 1)/10) = 1
        (25, 2),  # floor((25 - 1)/10) = floor(2.4) = 2
        (500, 49),  # floor(499/10) = 49, last rank looked at
        (501, 51),  # beyond the 500-track horizon: treated as no hit
    ],
)
def test_songs_clicks(rank, clicks):
    assert songs_clicks(_list_with_first_hit_at(rank), {"hit"}) == clicks


def test_songs_clicks_without_hit():
    assert songs_clicks(["x", "y"], {"hit"}) == 51
    assert songs_clicks(["x", "y"], {"hit"}, max_clicks=99) == 99


def test_songs_clicks_uses_first_of_several_hits():
    # hits at 12 and 3 -> first is rank 3 -> floor(2/10) = 0
    recommended = ["x", "y", "b"] + [f"f{i}" for i in range(8)] + ["a"]
    assert songs_clicks(recommended, {"a", "b"}) == 0


def test_challenge_ndcg_is_over_the_whole_500_list():
    # hits at ranks 2 and 4 of 3 relevant: DCG = 1/log2(3) + 1/log2(5) = 0.63093 + 0.43068 = 1.06161;
    # IDCG = 1 + 1/log2(3) + 1/log2(4) = 2.13093; NDCG = 0.49819
    recommended = ["x", "a", "y", "b"] + [f"f{i}" for i in range(496)]
    assert challenge_ndcg(recommended, {"a", "b", "c"}) == pytest.approx(0.49819, abs=1e-5)
    # rank 500 still counts (1/log2(501) = 0.11150, over IDCG 1.63093); rank 501 does not
    last = [f"f{i}" for i in range(499)] + ["a", "b"]
    assert challenge_ndcg(last, {"a", "b"}) == pytest.approx(0.06837, abs=1e-5)


# --------------------------------------------------------------------------- #
# evaluate_list
# --------------------------------------------------------------------------- #


def test_evaluate_list_keys_and_values():
    recommended = ["a", "x", "b"]
    relevant = {"a", "b", "c", "d"}
    scores = evaluate_list(recommended, relevant, cutoffs=(2,))
    assert set(scores) == {
        "precision@2", "recall@2", "mrr@2", "ndcg@2", "paper_ndcg@2", "hit@2", "r_precision", "clicks",
    }
    assert scores["precision@2"] == pytest.approx(0.5)  # a@1 -> 1/2
    assert scores["recall@2"] == pytest.approx(0.25)  # 1/4
    assert scores["mrr@2"] == pytest.approx(1.0)
    assert scores["ndcg@2"] == pytest.approx(0.6131472)  # 1/IDCG(min(4,2)=2) = 1/1.63093
    assert scores["paper_ndcg@2"] == pytest.approx(1.0)  # 1/IDCG(1 hit)
    assert scores["hit@2"] == 1.0
    assert scores["r_precision"] == pytest.approx(0.5)  # window a, x, b (3 < |G|=4) -> 2/4
    assert scores["clicks"] == 0.0  # first hit at rank 1


def test_evaluate_list_with_artists_and_default_cutoffs():
    scores = evaluate_list(iter(["a", "x", "b"]), ["a", "b", "c", "d"], artist_of={"x": "C", "c": "C"})
    # x is not in G but shares artist C with c -> (2 + 0.25)/4
    assert scores["r_precision"] == pytest.approx(0.5625)
    for n in (10, 66, 500):
        # the one-shot iterator must still be seen whole at every cutoff
        assert scores[f"recall@{n}"] == pytest.approx(0.5)  # 2/4
        assert scores[f"precision@{n}"] == pytest.approx(2 / n)


# --------------------------------------------------------------------------- #
# track_key
# --------------------------------------------------------------------------- #


def test_track_key_drops_remaster_suffix_and_case():
    assert track_key("Hello - Remastered 2011", "Adele") == "hello|adele"
    assert track_key("Hello - Remastered 2011", "Adele") == track_key("hello", "ADELE")


@pytest.mark.parametrize(
    "title",
    [
        "Song - Live",
        "Song - Radio Edit",
        "Song [Live]",
        "Song - 2011 Remaster",
        "Song - Live - Remastered",
        "Song - 2004",
    ],
)
def test_track_key_drops_variant_labels(title):
    assert track_key(title, "Band") == "song|band"


def test_track_key_keeps_a_dash_part_that_is_not_a_variant():
    assert track_key("Part 1 - The Beginning", "Band") == "part 1 the beginning|band"


def test_track_key_drops_featuring():
    assert track_key("Song (feat. X)", "A") == "song|a"
    assert track_key("Song feat. X", "A") == "song|a"
    assert track_key("Song ft. X & Y", "A") == "song|a"


def test_track_key_case_and_punctuation():
    assert track_key("Don't Stop Me Now!", "Queen") == "dont stop me now|queen"
    assert track_key("DON’T   stop me, now", "queen") == "dont stop me now|queen"  # curly apostrophe


def test_track_key_strips_latin_accents_only():
    assert track_key("Café", "Beyoncé") == "cafe|beyonce"
    # kana voicing marks and Cyrillic й are letters, not accents
    assert track_key("ドライフラワー", "優里") == "ドライフラワー|優里"
    assert track_key("Кукушка", "Виктор Цой") == "кукушка|виктор цой"
    assert track_key("Мой", "X") == "мой|x"


def test_track_key_keeps_emoji():
    assert track_key("🔥🔥🔥", "Artist") == "🔥🔥🔥|artist"
    assert track_key("Love ❤️", "Artist") == "love ❤️|artist"


def test_track_key_uses_primary_artist():
    for artist in ["Calvin Harris & Dua Lipa", "Calvin Harris, Dua Lipa", "Calvin Harris feat. Dua Lipa",
                   "Calvin Harris and Dua Lipa"]:
        assert track_key("One Kiss", artist) == "one kiss|calvin harris"
    # "feat" inside a name is not a separator
    assert track_key("Dixie Chicken", "Little Feat") == "dixie chicken|little feat"


def test_track_key_edge_cases():
    assert track_key("(Untitled)", "Artist") == "untitled|artist"  # all-bracket title survives
    assert track_key("a|b", "c") == "a b|c"  # separator cannot leak from a title
    assert track_key("?", "Artist") == "?|artist"  # all-punctuation title stays non-empty
    assert track_key("Ｈｅｌｌｏ", "Adele") == "hello|adele"  # full-width letters
