"""The playlist graph: the arrays the signals read instead of SQLite, checked against
the catalog they were built from, and kept in step with it on disk."""

from __future__ import annotations

import numpy as np
import pytest

from conftest import build_corpus, make_playlist, write_slice_file
from retrieval.catalog import Catalog
from retrieval.mpd.ingest import ingest_paths
from retrieval.graph.arrays import PlaylistGraph
from retrieval.graph.store import graph_folder, open_graph


def test_each_playlist_holds_its_distinct_tracks_in_playlist_order():
    graph = PlaylistGraph.build([(5, 30), (5, 10), (5, 30), (5, 20), (9, 10), (12, 20)])
    assert graph.tracks_of(5).tolist() == [30, 10, 20]  # the repeated 30 counted once, first place kept
    assert graph.tracks_of(9).tolist() == [10]
    assert graph.tracks_of(7).tolist() == []  # not a playlist with tracks


def test_many_playlists_lie_end_to_end_as_each_one_alone():
    graph = PlaylistGraph.build([(5, 30), (5, 10), (5, 30), (5, 20), (9, 10), (12, 20), (12, 40)])
    tracks, lengths = graph.tracks_of_pids([12, 7, 5, 12])  # 7 holds no tracks
    assert tracks.tolist() == [20, 40, 30, 10, 20, 20, 40] and lengths.tolist() == [2, 0, 3, 2]
    tracks, lengths = graph.tracks_of_rows(graph.rows([9, 5]))
    assert tracks.tolist() == [10, 30, 10, 20] and lengths.tolist() == [1, 3]
    assert [len(part) for part in graph.tracks_of_rows(np.empty(0, np.int64))] == [0, 0]


def test_tracks_know_their_playlists_lowest_pid_first_and_their_plays():
    graph = PlaylistGraph.build([(5, 30), (5, 10), (9, 10), (12, 10), (12, 20)])
    assert graph.pids[graph.rows_holding(10)].tolist() == [5, 9, 12]
    assert graph.plays_of(np.array([10, 20, 30, 99])).tolist() == [3, 1, 1, 0]
    assert graph.plays_of(np.array([30, 10, -1])).tolist() == [1, 3, 0] and graph.plays_of(np.array([30, 10])).tolist() == [1, 3]
    assert graph.popular.tolist() == [10, 20, 30]  # most played, then lowest id
    assert graph.held_out_plays([12])[[10, 20, 30]].tolist() == [1, 1, 0]


def test_tracks_know_their_primary_artist_and_each_artist_its_tracks():
    keys = [("hello|adele", 4), ("hotline bling|drake", 2), ("one dance|drake", 1), ("one dance|drake", 3)]
    graph = PlaylistGraph.build([(5, 1), (5, 2), (6, 3), (6, 4)], song_keys=keys)
    drake, adele = graph.artists_of(np.array([1, 4])).tolist()
    assert drake != adele
    assert graph.artists_of(np.array([2, 3, 99])).tolist() == [drake, drake, -1]  # 99: a track it never saw
    assert graph.tracks_by_artist(drake).tolist() == [1, 2, 3]
    assert graph.tracks_by_artist(adele).tolist() == [4]
    assert graph.tracks_by_artist(-1).tolist() == [] and graph.tracks_by_artist(7).tolist() == []


def test_a_graph_built_in_chunks_equals_one_built_whole(monkeypatch):
    entries = [(pid, (pid * 7 + i * 3) % 23) for pid in range(40) for i in range(9)]
    whole = PlaylistGraph.build(entries)
    monkeypatch.setattr("retrieval.graph.arrays._CHUNK", 10)
    chunked = PlaylistGraph.build(entries)
    for pid in range(40):
        assert chunked.tracks_of(pid).tolist() == whole.tracks_of(pid).tolist()
    assert chunked.plays.tolist() == whole.plays.tolist()


def test_the_graph_matches_the_catalog_and_is_rebuilt_when_the_playlists_change(tmp_path):
    catalog = Catalog(tmp_path / "catalog.sqlite")
    ingest_paths(catalog, [write_slice_file(tmp_path / "mpd", build_corpus().playlists)])
    graph = open_graph(catalog, "first")
    for pid in catalog.pids():
        assert graph.tracks_of(pid).tolist() == list(dict.fromkeys(catalog.track_ids_of([pid])[pid]))
    assert [p.name.split("-")[0] for p in graph_folder(catalog).iterdir()] == ["first"]

    added = make_playlist(10_000, "extra", ["xmas01", "xmas02"])
    ingest_paths(catalog, [write_slice_file(tmp_path / "more", [added], name="mpd.slice.10000-10999.json")])
    again = open_graph(catalog, "second")
    assert len(again.tracks_of(10_000)) == 2
    assert [p.name.split("-")[0] for p in graph_folder(catalog).iterdir()] == ["second"]  # the old one is gone
    catalog.close()


def test_a_graph_on_disk_is_reused_not_rebuilt(tmp_path, monkeypatch):
    catalog = Catalog(tmp_path / "catalog.sqlite")
    ingest_paths(catalog, [write_slice_file(tmp_path / "mpd", build_corpus().playlists)])
    first = open_graph(catalog, "fp")
    monkeypatch.setattr(PlaylistGraph, "build", classmethod(lambda cls, entries: (_ for _ in ()).throw(AssertionError)))
    second = open_graph(catalog, "fp")
    assert second.plays.tolist() == first.plays.tolist()
    catalog.close()


def test_data_prepared_by_an_index_build_is_what_the_first_query_opens(tmp_path, monkeypatch):
    from retrieval.ranking.sources import SignalSources, prepare_signal_data

    catalog = Catalog(tmp_path / "catalog.sqlite")
    ingest_paths(catalog, [write_slice_file(tmp_path / "mpd", build_corpus().playlists)])
    prepared = prepare_signal_data(catalog)
    monkeypatch.setattr(PlaylistGraph, "build", classmethod(lambda cls, *a: (_ for _ in ()).throw(AssertionError)))
    sources = SignalSources(catalog)  # what a Retriever opens: nothing left to build
    assert sources.graph.plays.tolist() == prepared.plays.tolist()
    catalog.close()


def test_a_start_after_no_ingest_opens_the_graph_without_counting_the_catalog(tmp_path, monkeypatch):
    from retrieval.ranking.sources import prepare_signal_data

    catalog = Catalog(tmp_path / "catalog.sqlite")
    ingest_paths(catalog, [write_slice_file(tmp_path / "mpd", build_corpus().playlists)])
    prepared = prepare_signal_data(catalog)
    counted = []
    real_fingerprint = Catalog.fingerprint
    monkeypatch.setattr(Catalog, "fingerprint", lambda self: counted.append(1) or real_fingerprint(self))
    assert prepare_signal_data(catalog).plays.tolist() == prepared.plays.tolist()
    assert counted == []  # counting every playlist entry takes seconds on the full MPD

    added = make_playlist(10_000, "extra", ["xmas01", "xmas02"])
    ingest_paths(catalog, [write_slice_file(tmp_path / "more", [added], name="mpd.slice.10000-10999.json")])
    again = prepare_signal_data(catalog)  # an ingest since: counted, and rebuilt
    assert counted and len(again.tracks_of(10_000)) == 2
    catalog.close()


def test_titles_know_their_playlists_as_the_catalog_lists_them(tmp_path):
    catalog = Catalog(tmp_path / "catalog.sqlite")
    empty = make_playlist(20_000, "Xmas Songs!", [])  # a titled playlist without tracks is still a neighbour
    ingest_paths(catalog, [write_slice_file(tmp_path / "mpd", build_corpus().playlists + [empty])])
    graph = open_graph(catalog, "fp")
    last = catalog.connection_for_tests().execute("SELECT max(title_id) FROM playlists").fetchone()[0]
    for title_id in range(-1, last + 3):  # unknown ids on both sides too
        listed = [pid for pid, _ in catalog.playlists_with_title(title_id, limit=10**6)]
        assert graph.pids_with_title(title_id).tolist() == listed
    assert 20_000 in graph.pids_with_title(catalog.title_id_of_playlist(20_000)).tolist()
    catalog.close()


def test_a_graph_saved_before_title_arrays_existed_is_built_again(tmp_path):
    catalog = Catalog(tmp_path / "catalog.sqlite")
    ingest_paths(catalog, [write_slice_file(tmp_path / "mpd", build_corpus().playlists)])
    open_graph(catalog, "fp")
    folder = next(graph_folder(catalog).iterdir())
    for name in ("title_offsets.npy", "title_pids.npy"):
        (folder / name).unlink()  # as an earlier version wrote it
    xmas_title = catalog.title_id_of_playlist(1)
    assert open_graph(catalog, "fp").pids_with_title(xmas_title).tolist()[:1] == [1]
    catalog.close()


def test_each_tracks_playlists_are_every_row_holding_it_in_ascending_order():
    """The transposed entries (built by a counting sort, not an argsort) against a plain
    reading of the playlists: repeated tracks in a playlist, tracks no playlist holds below
    the highest id, playlists of one track."""
    rng = np.random.default_rng(3)
    entries = [(pid, int(track)) for pid in range(0, 300, 3) for track in rng.integers(0, 80, rng.integers(1, 12))]
    graph = PlaylistGraph.build(entries)
    held: dict[int, list[int]] = {}
    for pid, track in dict.fromkeys(entries):
        held.setdefault(track, []).append(pid)
    for track in range(int(graph.plays.size)):
        assert graph.pids[graph.rows_holding(track)].tolist() == held.get(track, [])
        assert graph.plays[track] == len(held.get(track, []))
    assert graph.popular.tolist() == sorted(held, key=lambda t: (-len(held[t]), t))


def _truncated(path):
    path.write_bytes(path.read_bytes()[: path.stat().st_size // 2])


@pytest.mark.parametrize("name,damage", [
    ("track_playlists", _truncated),
    ("pids", lambda path: path.write_bytes(b"\x93NUMPY" + bytes(range(200)))),
    ("songs", lambda path: np.save(path, np.zeros(2))),
    ("playlist_offsets", lambda path: np.save(path, np.array(["a", "b"]))),
])
def test_a_damaged_graph_on_disk_is_built_again_from_the_catalog(tmp_path, name, damage):
    catalog = Catalog(tmp_path / "catalog.sqlite")
    ingest_paths(catalog, [write_slice_file(tmp_path / "mpd", build_corpus().playlists)])
    first = open_graph(catalog, "fp")
    expected = {pid: first.tracks_of(pid).tolist() for pid in catalog.pids()}
    tracks = np.arange(len(first.plays))
    songs = first.songs_of(tracks).tolist()
    (folder,) = graph_folder(catalog).iterdir()
    del first  # its memory maps, before the file under them changes
    damage(folder / f"{name}.npy")
    again = open_graph(catalog, "fp")
    assert {pid: again.tracks_of(pid).tolist() for pid in catalog.pids()} == expected
    assert again.songs_of(tracks).tolist() == songs
    catalog.close()
