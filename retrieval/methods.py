"""A playlist made by one method: the fused ranking (`Retriever.generate`), or one of the
field's methods alone (`retrieval.collaborative.peers`), so a researcher can see what each
gives for the same title and seeds.

A method alone answers as its evaluation peer does: item-kNN, playlist-kNN, ALS and EASE
from the seed tracks, title-kNN from the title (200 nearest playlists, similarity ** 3),
the hybrid from both. The user's filters still hold (unwanted tracks and artists, at most
so many per artist, one version of a song); a list the method cannot fill is filled with
the most played tracks, marked as the popularity tail.
"""

from __future__ import annotations

import time
from dataclasses import replace

import numpy as np

from retrieval.collaborative.base import top_tracks, topped_up
from retrieval.collaborative.peers import SEEDED_PEERS, TITLE_KNN_K, TITLE_KNN_WEIGHTS, Peer
from retrieval.generator import FUSED, GenerationOptions, Retriever
from retrieval.normalize import normalize_title
from retrieval.ranking.filters import Scored, cap_per_artist, exclude_artists
from retrieval.records import GeneratedPlaylist

EXTRA_DEPTH = 100  # tracks read past n, for the filters to drop


def generate_by_method(retriever: Retriever, title: str, options: GenerationOptions) -> GeneratedPlaylist:
    """The playlist `options.method` makes for `title` and `options.seed_uris`."""
    options.check()
    if options.method == FUSED:
        return retriever.generate(title, options)
    if options.method == "title-knn":
        return retriever.generate(title, replace(options, k=TITLE_KNN_K, fusion=TITLE_KNN_WEIGHTS, method=FUSED))
    return _peer_playlist(retriever, title, options)


def _peer_playlist(retriever: Retriever, title: str, options: GenerationOptions) -> GeneratedPlaylist:
    started = time.perf_counter()
    method, sources = options.method, retriever.sources
    peer = Peer(method, retriever, options.exclude_pids)
    seeds = peer.seed_ids(list(options.seed_uris))
    warnings = []
    if method in SEEDED_PEERS and not seeds:
        warnings.append(f"{method} continues from seed tracks; with none, these are the catalog's most played tracks")
    depth = options.n + EXTRA_DEPTH
    scores = peer.scores(title if normalize_title(title) else "", list(options.seed_uris), depth)
    if method in ("als", "hybrid") and seeds:
        warnings += sources.collaborative.warnings  # why no saved ALS model is used
    ids, by_method = _ranked_ids(sources, scores, seeds, options, depth)
    rows, plays = sources.track_rows(ids.tolist()), sources.plays_array(options.exclude_pids)
    popular = sources.most_played(options.exclude_pids)
    most = max(1, int(plays[popular[0]])) if len(popular) else 1
    scored = [Scored(track, *rows[track], float(scores[track]), [], signals={method: float(scores[track])})
              if track in by_method else
              Scored(track, *rows[track], 0.0, [], signals={"popularity": round(int(plays[track]) / most, 6)})
              for track in ids.tolist() if track in rows]
    shown = cap_per_artist(exclude_artists(scored, options.exclude_artists), options.max_per_artist)[:options.n]
    return GeneratedPlaylist(
        title=title, normalized_title=normalize_title(title), encoder=retriever.index.info.encoder_name,
        k=options.k, voting=options.voting, tracks=[s.to_candidate(rank) for rank, s in enumerate(shown, 1)],
        warnings=warnings, seconds=round(time.perf_counter() - started, 4),
        seeds=list(retriever.catalog.tracks_by_id(seeds).values()),
    )


def _ranked_ids(sources, scores: np.ndarray, seeds: list[int], options: GenerationOptions,
                depth: int) -> tuple[np.ndarray, set[int]]:
    """The method's best `depth` tracks, then the most played, without the seeds (nor,
    merging versions, another version of one) and unwanted tracks; and which the method chose."""
    banned = np.concatenate([np.array(seeds, np.int64), sources.track_ids(options.exclude_track_uris)])
    found = top_tracks(scores, depth, exclude=banned)
    ids = topped_up(found, sources.most_played(options.exclude_pids), banned, depth)
    if options.merge_versions:
        songs = sources.graph.songs_of(ids)
        ids = ids[np.sort(np.unique(songs, return_index=True)[1])]  # each song's best version
        ids = ids[~np.isin(sources.graph.songs_of(ids), sources.graph.songs_of(np.array(seeds, np.int64)))]
    return ids, set(found.tolist())
