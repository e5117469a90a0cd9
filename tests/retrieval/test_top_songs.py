"""Sorting only the songs that can come first gives what ranking every candidate track
and folding every song gives: the same songs, in the same order, with the same scores,
whatever n is; and the folding itself, on songs worked out by hand."""

from __future__ import annotations

import numpy as np
import pytest

from retrieval.generator import GenerationOptions, Retriever
from retrieval.normalize import song_key
from retrieval.signals import scores as track_scores
from retrieval.signals.scores import TrackScores, is_among, summed, weighted_sum_with_first
from retrieval.ranking.top_songs import TopSongs
from retrieval.signals.voting import tally


def _full_ranking(tracks, scores, songs, places, merge):
    """The reference, step by step: every track ranked (score, then place, then id), every
    song's versions summed in that order, songs by their sums rounded to 9 decimals, ties
    in the order of their best versions."""
    ranked = sorted(range(len(tracks)), key=lambda i: (-scores[i], places[i], tracks[i]))
    versions: dict = {}
    for i in ranked:
        versions.setdefault(songs[i] if merge else ("alone", i), []).append(i)
    folded = []
    for members in versions.values():
        total = 0.0
        for i in members:
            total += scores[i]
        folded.append((total, members))
    folded.sort(key=lambda song: (-np.round(song[0], 9), ranked.index(song[1][0])))
    return [(total, [int(tracks[i]) for i in members]) for total, members in folded]


def _candidates(seed: int):
    """Candidates with many exact and rounded ties, songs of up to four versions, and places."""
    rng = np.random.default_rng(seed)
    count = int(rng.integers(1, 400))
    tracks = rng.choice(np.arange(1, 5000), count, replace=False)
    scores = rng.choice([0.1, 0.2, 0.3, 0.7, 1.0, 1.0 + 1e-12, 2.5], count) * rng.choice([1.0, 3.0], count)
    songs = rng.integers(0, max(1, count // 2), count)  # about two versions a song
    places = rng.permutation(count).astype(np.int64)
    places[rng.random(count) < 0.3] = count  # tracks without votes share the last place
    return tracks, scores, songs, places


def _keys_of(tracks, places):
    position = {t: p for t, p in zip(tracks.tolist(), places.tolist())}
    return lambda ids: (np.array([position[t] for t in ids.tolist()], np.int64),)


@pytest.mark.parametrize("seed", range(40))
@pytest.mark.parametrize("merge", [True, False])
def test_the_first_songs_are_those_of_the_full_ranking_for_every_n(seed, merge):
    tracks, scores, songs, places = _candidates(seed)
    expected = _full_ranking(tracks, scores, songs, places, merge)
    shared = np.ones(len(tracks), bool) if merge else np.zeros(len(tracks), bool)
    for n in (1, 3, 10, 50, len(expected)):
        top = TopSongs(tracks, scores, shared, songs, _keys_of(tracks, places))
        assert len(top) == len(expected)
        first = top.first(n).tolist()
        assert [(float(top.scores[s]), top.versions(s).tolist()) for s in first] == expected[:n]


def test_songs_read_further_in_steps_continue_the_same_order():
    tracks, scores, songs, places = _candidates(7)
    expected = _full_ranking(tracks, scores, songs, places, True)
    top = TopSongs(tracks, scores, np.ones(len(tracks), bool), songs, _keys_of(tracks, places))
    for n in (2, 5, 17, len(expected)):  # as the ranking reads them: more when the filters drop some
        assert [(float(top.scores[s]), top.versions(s).tolist()) for s in top.first(n)] == expected[:n]


@pytest.mark.parametrize("seed", range(30))
@pytest.mark.parametrize("leaders", [1, 4, 30])
def test_ranking_the_leading_songs_first_changes_no_place(seed, leaders):
    """Songs that cannot reach the leaders are ranked only when read that far: every
    prefix, read at once or in steps, is the full ranking's, versions and sums included."""
    tracks, scores, songs, places = _candidates(seed)
    shared = np.random.default_rng(seed).random(len(tracks)) < 0.5  # some songs may have versions, some not
    songs = np.where(shared, songs, -tracks - 1)
    expected = _full_ranking(tracks, scores, songs, places, True)
    for steps in ((1, 3, 10, 50, len(expected)), (len(expected),), (leaders, leaders + 1, 2 * leaders + 3)):
        top = TopSongs(tracks, scores, shared, songs, _keys_of(tracks, places), leaders=leaders)
        for n in steps:
            assert [(float(top.scores[s]), top.versions(s).tolist()) for s in top.first(n)] == expected[:n]
    assert len(TopSongs(tracks, scores, shared, songs, _keys_of(tracks, places), leaders=leaders)) == len(expected)


def folded(candidates: list[tuple[str, str, float]], merge: bool = True) -> list[tuple[list[str], float]]:
    """(name, artist, score), ties in the order given -> each song's versions (names, best
    first) and score, songs in order."""
    keys = [song_key(name, artist) for name, artist, _ in candidates]
    tracks = np.arange(1, len(candidates) + 1)
    top = TopSongs(tracks, np.array([score for _, _, score in candidates]), np.full(len(tracks), merge),
                   np.array([keys.index(key) for key in keys]), lambda ids: (ids,))
    return [([candidates[t - 1][0] for t in top.versions(s).tolist()], float(top.scores[s]))
            for s in top.first(len(top)).tolist()]


def test_versions_fold_into_the_best_ranked_one_and_add_their_scores():
    merged = folded([("Hey Jude", "The Beatles", 3), ("Let It Be", "The Beatles", 2.5),
                     ("Hey Jude - Remastered 2015", "The Beatles", 1)])
    assert merged == [(["Hey Jude", "Hey Jude - Remastered 2015"], pytest.approx(4)), (["Let It Be"], 2.5)]


def test_merged_scores_can_lift_a_song_above_others():
    merged = folded([("Other Song", "Band", 3), ("Song", "Artist", 2), ("Song - Live", "Artist", 2),
                     ("Song (feat. Guest)", "Artist", 1)])
    assert merged == [(["Song", "Song - Live", "Song (feat. Guest)"], pytest.approx(5)), (["Other Song"], 3)]


def test_a_merged_song_that_ties_keeps_the_earlier_rank():
    # Merged, "Song" scores 0.2 + 0.1, which is 0.3 but for float noise: a tie with "First", ranked before it.
    merged = folded([("First", "Band", 0.3), ("Song - Live", "Artist", 0.2), ("Song", "Artist", 0.1)])
    assert [versions[0] for versions, _ in merged] == ["First", "Song - Live"]
    assert merged[1][1] == pytest.approx(0.3) and merged[1][1] != 0.3


def test_different_songs_keep_their_order_and_keep_versions_folds_nothing():
    songs = [("Hello", "Adele", 3), ("Hello", "Lionel Richie", 2), ("Someone Like You", "Adele", 1)]
    assert folded(songs) == [(["Hello"], 3), (["Hello"], 2), (["Someone Like You"], 1)]
    versions = [("Song", "Artist", 2), ("Song - Live", "Artist", 1)]
    assert folded(versions, merge=False) == [(["Song"], 2), (["Song - Live"], 1)]


def test_a_track_marked_without_versions_is_a_song_of_its_own():
    tracks, scores = np.array([5, 6, 7]), np.array([1.0, 3.0, 2.0])
    top = TopSongs(tracks, scores, np.zeros(3, bool), np.array([9, 9, 9]), lambda ids: (np.zeros(len(ids), np.int64),))
    assert [top.versions(s).tolist() for s in top.first(3)] == [[6], [7], [5]]


@pytest.mark.parametrize("seed", range(20))
def test_the_best_votes_and_their_tie_keys_follow_the_full_order_of_votes(seed):
    rng = np.random.default_rng(seed)
    voters = [(pid, float(rng.choice([0.5, 0.7, 0.9, 1.0]))) for pid in range(int(rng.integers(1, 30)))]
    segments = [rng.choice(np.arange(1, 300), int(rng.integers(0, 40)), replace=False) for _ in voters]
    votes = tally(voters, segments)
    summed_votes, first = weighted_sum_with_first(segments, [w for _, w in voters])
    values = np.round(summed_votes.values, 9)
    full = summed_votes.ids[np.lexsort((first, -values))]
    for count in (1, 5, len(full)):
        assert votes.best(count)[0].tolist() == full[:count].tolist()
    unvoted = np.array([1000, 1001])
    ids = np.concatenate((full, unvoted))
    keys = votes.tie_keys(ids)
    assert ids[np.lexsort((ids, *reversed(keys)))].tolist() == full.tolist() + unvoted.tolist()


@pytest.mark.parametrize("seed", range(20))
def test_sums_in_slots_are_bit_equal_to_sums_grouped_by_a_sort(seed, monkeypatch):
    rng = np.random.default_rng(seed)
    segments = [rng.choice(np.arange(1, 3000), int(rng.integers(0, 60)), replace=False) for _ in range(25)]
    weights = rng.random(25) * rng.choice([1e-6, 1.0, 1e6])
    parts = [(TrackScores(np.unique(s), rng.random(len(np.unique(s)))), float(w)) for s, w in zip(segments, weights)]
    in_slots = weighted_sum_with_first(segments, weights), summed(parts)
    monkeypatch.setattr(track_scores, "DENSE_SPAN", 0)  # every sum grouped by a sort
    by_sort = weighted_sum_with_first(segments, weights), summed(parts)
    (slot_sums, slot_first), slot_total = in_slots
    (sort_sums, sort_first), sort_total = by_sort
    assert slot_sums.ids.tolist() == sort_sums.ids.tolist() and slot_first.tolist() == sort_first.tolist()
    assert slot_sums.values.tobytes() == sort_sums.values.tobytes()
    assert slot_total.ids.tolist() == sort_total.ids.tolist()
    assert slot_total.values.tobytes() == sort_total.values.tobytes()


# --------------------------------------------------------------------------- #
# Through the generator, on the hand-made corpus
# --------------------------------------------------------------------------- #


@pytest.fixture(scope="module")
def retriever(tmp_path_factory, encoder) -> Retriever:
    from conftest import build_corpus, write_slice_file
    from retrieval.catalog import Catalog
    from retrieval.index.titles import ChromaLocation, build_index
    from retrieval.mpd.ingest import ingest_paths

    folder = tmp_path_factory.mktemp("top-songs")
    catalog = Catalog(folder / "catalog.sqlite")
    ingest_paths(catalog, [write_slice_file(folder / "mpd", build_corpus().playlists)])
    yield Retriever(catalog, build_index(catalog, encoder, ChromaLocation(path=folder / "chroma")), encoder)
    catalog.close()


OPTIONS = {
    "plain": {},
    "versions apart": {"merge_versions": False},
    "one per artist": {"max_per_artist": 1},
    "artists left out": {"exclude_artists": ("Bon Iver",), "max_per_artist": 2},
    "seeds": {"seed_uris": ("spotify:track:chill01",)},
    "unwanted and liked": {"exclude_track_uris": frozenset({"spotify:track:chill02"}),
                           "liked_track_uris": ("spotify:track:gym01",)},
}


def _shown(playlist) -> list[tuple]:
    return [(t.track_uri, t.score, t.voters, t.signals, t.merged_uris) for t in playlist.tracks]


@pytest.mark.parametrize("name", OPTIONS)
@pytest.mark.parametrize("title", ["chill", "christmas", "workout"])
def test_a_playlist_is_the_beginning_of_a_longer_one(retriever, title, name):
    longest = _shown(retriever.generate(title, GenerationOptions(n=40, **OPTIONS[name])))
    for n in (1, 2, 5, 12):
        assert _shown(retriever.generate(title, GenerationOptions(n=n, **OPTIONS[name]))) == longest[:n]


@pytest.mark.parametrize("seed", range(10))
def test_membership_in_slots_is_numpys_isin(seed):
    rng = np.random.default_rng(seed)
    values = rng.integers(0, 2000, int(rng.integers(0, 500)))
    wanted = rng.integers(0, int(rng.choice([50, 2000, 10**9])), int(rng.integers(0, 40)))
    assert is_among(values, wanted).tolist() == np.isin(values, wanted).tolist()
    assert is_among(values, wanted).tolist() == np.isin(values, wanted).tolist()  # slots left clean
