"""FT-G's positive pairs, mined from a real SQLite catalog of the hand-made corpus.

What a user relies on: a pair's playlists really share tracks; a playlist is never its
own positive, nor paired with a playlist of the same normalised title (identical input
on both sides teaches nothing); validation anchors are paired with training playlists
only; and a catalog without overlapping playlists is refused in one clear line.
"""

from __future__ import annotations

import numpy as np
import pytest

from conftest import build_corpus, make_playlist, write_slice_file
from retrieval.catalog import Catalog
from retrieval.mpd.ingest import ingest_paths
from training.contrastive import mine_pairs
from training.finetune import Examples
from training.options import TrainingError, TrainOptions
from training.pairs import overlapping_pairs, track_sets

# Same tracks as pid 1 ("xmas songs") and the same normalised title: the closest
# possible partner by content, and one the miner must refuse.
TWIN = make_playlist(13, "XMAS SONGS", ["xmas01", "xmas02", "xmas04", "xmas06"])


@pytest.fixture(scope="module")
def catalog(tmp_path_factory):
    folder = tmp_path_factory.mktemp("pairs")
    catalog = Catalog(folder / "catalog.sqlite")
    ingest_paths(catalog, [write_slice_file(folder / "mpd", [*build_corpus().playlists, TWIN])])
    yield catalog
    catalog.close()


@pytest.fixture(scope="module")
def titles(catalog) -> dict[int, str]:
    normalised = catalog.normalized_titles()
    return {pid: normalised[title_id] for pid, title_id in catalog.titled_playlists_with_tracks()}


def uris_of(pid: int) -> set[str]:
    playlists = [*build_corpus().playlists, TWIN]
    return {t["track_uri"] for t in next(p for p in playlists if p["pid"] == pid)["tracks"]}


def test_pairs_share_tracks_and_never_pair_a_playlist_with_itself_or_its_own_title(catalog, titles):
    tracks = track_sets(catalog, titles)
    pairs = overlapping_pairs(tracks, tracks, titles, min_shared=2)
    assert pairs, "themed playlists overlap, so pairs exist"
    for pair in pairs:
        shared = uris_of(pair.anchor) & uris_of(pair.positive)
        assert pair.shared == len(shared) >= 2
        assert pair.jaccard == pytest.approx(len(shared) / len(uris_of(pair.anchor) | uris_of(pair.positive)))
        assert pair.anchor != pair.positive
        assert titles[pair.anchor] != titles[pair.positive]
    assert titles[1] == titles[13] == "xmas songs"
    assert {1, 13} not in [{p.anchor, p.positive} for p in pairs]
    assert any(1 in (p.anchor, p.positive) for p in pairs), "pid 1 still gets a partner of another title"
    corpus = build_corpus()
    theme = {pid: name for name, pids in corpus.pids.items() for pid in pids} | {13: "xmas"}
    assert all(theme[p.anchor] == theme[p.positive] for p in pairs), "the themes share no tracks"


def test_each_anchor_gets_its_most_overlapping_partner(catalog, titles):
    tracks = track_sets(catalog, titles)
    pairs = overlapping_pairs(tracks, tracks, titles, min_shared=1)
    for pair in pairs:
        best = max(len(uris_of(pair.anchor) & uris_of(other)) / len(uris_of(pair.anchor) | uris_of(other))
                   for other in titles if titles[other] != titles[pair.anchor])
        assert pair.jaccard == pytest.approx(best)
    # Found from both sides, a pair is kept once.
    assert len({frozenset((p.anchor, p.positive)) for p in pairs}) == len(pairs)


def test_a_higher_threshold_keeps_only_stronger_overlaps(catalog, titles):
    tracks = track_sets(catalog, titles)
    loose = overlapping_pairs(tracks, tracks, titles, min_shared=1)
    strict = overlapping_pairs(tracks, tracks, titles, min_shared=3, min_jaccard=0.5)
    assert strict and len(strict) < len(loose)
    assert all(p.shared >= 3 and p.jaccard >= 0.5 for p in strict)


def test_validation_anchors_are_paired_with_training_playlists_only(catalog, titles):
    train, validation = {0, 1, 2, 5, 6, 9, 10, 13}, {3, 7, 11}
    examples = [Examples([titles[p] for p in sorted(part)], np.zeros(len(part), np.int64), tuple(sorted(part)))
                for part in (train, validation)]
    train_pairs, validation_pairs = mine_pairs(catalog, *examples, TrainOptions())
    train_titles = {titles[p] for p in train}
    assert all(a in train_titles and b in train_titles for a, b in train_pairs)
    assert {a for a, _ in validation_pairs} == {titles[p] for p in validation}
    assert all(b in train_titles for _, b in validation_pairs)


def test_playlists_without_shared_tracks_are_refused_in_one_line(tmp_path):
    lonely = [make_playlist(pid, title, [key]) for pid, (title, key) in
              enumerate([("gym", "gym01"), ("chill", "chill01"), ("xmas", "xmas01"), ("run", "gym02")])]
    catalog = Catalog(tmp_path / "catalog.sqlite")
    ingest_paths(catalog, [write_slice_file(tmp_path / "mpd", lonely)])
    examples = Examples(["gym", "chill", "xmas"], np.zeros(3, np.int64), (0, 1, 2))
    validation = Examples(["run"], np.zeros(1, np.int64), (3,))
    with pytest.raises(TrainingError, match="ft-g found 0 training and 0 validation title pairs") as error:
        mine_pairs(catalog, examples, validation, TrainOptions())
    assert "\n" not in str(error.value) and "--variants ft-c,ft-t" in str(error.value)
    catalog.close()
