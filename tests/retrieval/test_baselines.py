"""The popularity baseline: tracks in most playlists, counted without the held-out ones."""

from __future__ import annotations

from collections import Counter

from conftest import build_corpus, write_slice_file
from retrieval.ranking.baselines import PopularTracks
from retrieval.catalog import Catalog
from retrieval.mpd.ingest import ingest_paths
from retrieval.ranking.sources import SignalSources


def test_popular_tracks_count_playlists_and_leave_the_held_out_ones_out(tmp_path):
    catalog = Catalog(tmp_path / "catalog.sqlite")
    ingest_paths(catalog, [write_slice_file(tmp_path / "mpd", build_corpus().playlists)])
    pids = catalog.pids()
    held_out = frozenset(pids[: len(pids) // 3])
    counts = Counter()
    for pid in pids:
        if pid not in held_out:
            counts.update({track.track_uri for track in catalog.playlist(pid).tracks})
    found = PopularTracks(SignalSources(catalog), held_out, depth=10).recommend("anything", 10)
    assert [score for _, score in found] == sorted((float(c) for c in counts.values()), reverse=True)[:10]
    assert all(counts[uri] == score for (uri, _, _), score in found)
    catalog.close()
