"""Title normalisation (how playlist titles are grouped and embedded) and song keys
(how versions of one song are recognised)."""

from __future__ import annotations

import pytest

from retrieval.normalize import normalize_title, song_key

# --------------------------------------------------------------------------- #
# normalize_title
# --------------------------------------------------------------------------- #


@pytest.mark.parametrize(
    "variants",
    [
        ["Chill", "chill", "CHILL", " chill ", "chill!!", "Chill.", "ＣＨＩＬＬ"],
        ["Summer Vibes", "  summer   vibes ", "summer\tvibes", "SUMMER\nVIBES", "summer-vibes", "Summer, Vibes!"],
        ["Don't Stop", "dont stop", "Don’t Stop", "DON`T STOP"],
        ["rock & roll", "rock&roll", "rock / roll", "ROCK + ROLL"],
    ],
)
def test_variants_of_one_title_share_one_form(variants):
    forms = {normalize_title(v) for v in variants}
    assert len(forms) == 1, forms


def test_form_is_lowercase_single_spaced_and_trimmed():
    assert normalize_title("  Summer   Vibes!! ") == "summer vibes"
    assert normalize_title("ROAD\tTRIP\n2017") == "road trip 2017"


def test_apostrophes_join_words_rather_than_split_them():
    # Users type both "don't" and "dont"; a split would give "don t".
    assert normalize_title("Don't Stop") == "dont stop"
    assert normalize_title("Rock’n’Roll") == "rocknroll"


def test_punctuation_separates_words():
    assert normalize_title("hip-hop/rap") == "hip hop rap"
    assert normalize_title("r&b") == "r b"


def test_emoji_are_kept():
    assert normalize_title("Xmas 🎄") == "xmas 🎄"
    assert normalize_title("🎄🎄") == "🎄🎄"
    # Skin tones and ZWJ sequences stay whole, not split into parts.
    assert normalize_title("👍🏽") == "👍🏽"
    assert normalize_title("👨\u200d👩\u200d👧") == "👨\u200d👩\u200d👧"


@pytest.mark.parametrize("title", ["케이팝 노래", "Живи", "मस्ती", "夏の歌", "café"])
def test_non_latin_scripts_and_accents_are_kept(title):
    assert normalize_title(title) == title.casefold()


def test_different_titles_stay_different():
    assert normalize_title("chill") != normalize_title("chill 😌")
    assert normalize_title("케이팝") != normalize_title("")
    assert normalize_title("rock 2017") != normalize_title("rock 2018")


@pytest.mark.parametrize("title", ["", "   ", "!!!", "...", "\t\n"])
def test_empty_or_punctuation_only_titles_normalise_to_empty(title):
    assert normalize_title(title) == ""


def test_normalising_twice_changes_nothing():
    for title in ["  Summer Vibes!! ", "Don't Stop", "Xmas 🎄", "케이팝 노래", "ＣＨＩＬＬ"]:
        once = normalize_title(title)
        assert normalize_title(once) == once


# --------------------------------------------------------------------------- #
# song_key
# --------------------------------------------------------------------------- #


@pytest.mark.parametrize(
    "version",
    [
        ("Hello - Remastered 2011", "Adele"),
        ("Hello - Live", "Adele"),
        ("Hello - Live at the Royal Albert Hall", "Adele"),
        ("Hello - Radio Edit", "Adele"),
        ("Hello - 2011", "Adele"),
        ("Hello (feat. Someone)", "Adele"),
        ("Hello feat. Someone", "Adele"),
        ("Hello [Live]", "Adele"),
        ("HELLO", "ADELE"),
        ("hello!", "adele"),
        ("Hello", "Adele & Someone"),
        ("Hello", "Adele, Someone"),
        ("Hello", "Adele feat. Someone"),
    ],
)
def test_versions_of_a_song_share_its_key(version):
    assert song_key(*version) == song_key("Hello", "Adele")


def test_remastered_and_live_versions_merge_with_each_other():
    assert song_key("Hey Jude - Remastered 2015", "The Beatles") == song_key("Hey Jude - Live", "The Beatles")


@pytest.mark.parametrize(
    "one, other",
    [
        (("Hello", "Adele"), ("Hello", "Lionel Richie")),  # same title, other artist
        (("Hello", "Adele"), ("Someone Like You", "Adele")),  # same artist, other song
        (("Part 1 - The Beginning", "Band"), ("Part 1", "Band")),  # a " - " part that is no version label
        (("Hello Again", "Adele"), ("Hello", "Adele")),
        (("Little Feat", "Band"), ("Little", "Band")),
    ],
)
def test_different_songs_get_different_keys(one, other):
    assert song_key(*one) != song_key(*other)


def test_key_of_a_punctuation_only_title_is_not_empty():
    # "?" by ? and "!" by ? are different songs; neither may collapse to an empty title.
    assert song_key("?", "Band") != song_key("!", "Band")
    assert song_key("?", "Band").split("|")[0]
