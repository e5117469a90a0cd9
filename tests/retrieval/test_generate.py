"""Generation end to end on the hand-made corpus: the real MiniLM, an embedded Chroma
in a temporary folder, and the SQLite catalog."""

from __future__ import annotations

import json
from pathlib import Path

import pytest
from pydantic import ValidationError

from conftest import build_corpus, uri, write_slice_file
from retrieval.catalog import Catalog
from retrieval.encoding.encoder import DEFAULT_ENCODER_NAME, describe_model, model_fingerprint
from retrieval.ranking.fusion import PLAIN_WEIGHTS
from retrieval.generator import GenerationError, GenerationOptions, Retriever
from retrieval.index.titles import (
    COLLECTION_PREFIX,
    KEEP_PREVIOUS,
    ChromaLocation,
    active_index_info,
    build_index,
    open_index,
)
from retrieval.mpd.ingest import ingest_paths
from retrieval.normalize import normalize_title

CORPUS = build_corpus()
XMAS_PIDS, XMAS_URIS = CORPUS.pids["xmas"], CORPUS.uris["xmas"]


def ingested_catalog(folder: Path) -> Catalog:
    catalog = Catalog(folder / "catalog.sqlite")
    ingest_paths(catalog, [write_slice_file(folder / "mpd", CORPUS.playlists)])
    return catalog


@pytest.fixture(scope="module")
def built(tmp_path_factory, encoder):
    folder = tmp_path_factory.mktemp("generate")
    catalog = ingested_catalog(folder)
    location = ChromaLocation(path=folder / "chroma")
    index = build_index(catalog, encoder, location)
    yield catalog, index, location
    catalog.close()


@pytest.fixture(scope="module")
def retriever(built, encoder) -> Retriever:
    catalog, index, _ = built
    return Retriever(catalog, index, encoder)


def uris(playlist) -> list[str]:
    return [t.track_uri for t in playlist.tracks]


# --------------------------------------------------------------------------- #
# What a user gets
# --------------------------------------------------------------------------- #


@pytest.mark.parametrize("voting", ["count", "similarity"])
def test_christmas_title_gets_christmas_tracks_from_christmas_playlists(retriever, voting):
    result = retriever.generate("xmas songs", GenerationOptions(n=5, k=4, voting=voting, fusion=PLAIN_WEIGHTS))
    assert len(result.tracks) == 5
    assert set(uris(result)) <= XMAS_URIS
    assert len(result.neighbours) == 4
    assert {n.pid for n in result.neighbours} <= XMAS_PIDS
    # Mariah Carey is in every christmas playlist.
    assert result.tracks[0].track_uri == uri("xmas01")
    assert [t.rank for t in result.tracks] == [1, 2, 3, 4, 5]
    scores = [t.score for t in result.tracks]
    assert scores == sorted(scores, reverse=True)
    similarities = [n.similarity for n in result.neighbours]
    assert similarities == sorted(similarities, reverse=True)
    assert result.voting == voting and result.k == 4


@pytest.mark.parametrize(
    "title, theme",
    [("workout", "workout"), ("gym music", "workout"), ("chill", "chill"), ("chill out", "chill"),
     ("christmas", "xmas")],
)
def test_each_theme_is_found_by_its_titles(retriever, title, theme):
    result = retriever.generate(title, GenerationOptions(n=4, k=3))
    assert {n.pid for n in result.neighbours} <= CORPUS.pids[theme]
    assert set(uris(result)) <= CORPUS.uris[theme]


def test_votes_and_voters_are_reported(retriever):
    result = retriever.generate("xmas songs", GenerationOptions(n=10, k=4, voting="count", fusion=PLAIN_WEIGHTS))
    neighbour_pids = [n.pid for n in result.neighbours]
    for track in result.tracks:
        assert set(track.voters) <= set(neighbour_pids)
        # With count voting, a track's score is the number of playlists voting for it.
        assert track.score == len(track.voters)
        for pid in track.voters:
            playlist_uris = {t["track_uri"] for t in CORPUS.by_pid(pid)["tracks"]}
            assert playlist_uris & ({track.track_uri} | set(track.merged_uris))


def test_a_title_equal_to_a_known_one_up_to_case_and_punctuation_matches_it_exactly(retriever):
    # "Xmas Songs!!" is the title of pids 1 and 2 once normalised.
    result = retriever.generate("Xmas Songs!!", GenerationOptions(n=3, k=2))
    assert [n.pid for n in result.neighbours] == [1, 2]
    assert result.neighbours[0].similarity == pytest.approx(1.0, abs=1e-3)
    assert result.normalized_title == "xmas songs"


def test_excluded_playlists_are_never_neighbours(retriever):
    result = retriever.generate("xmas songs", GenerationOptions(n=3, k=4, exclude_pids=frozenset({1})))
    pids = [n.pid for n in result.neighbours]
    assert 1 not in pids
    assert len(pids) == 4
    # Exclusion is per playlist: pid 2 carries the same title and still counts.
    assert 2 in pids
    assert set(uris(result)) <= XMAS_URIS


def test_excluding_every_playlist_of_a_title_looks_further(retriever):
    result = retriever.generate("xmas songs", GenerationOptions(n=3, k=2, exclude_pids=frozenset({1, 2})))
    pids = [n.pid for n in result.neighbours]
    assert len(pids) == 2 and not {1, 2} & set(pids)
    assert set(pids) <= XMAS_PIDS


def test_versions_of_a_song_are_merged_in_the_output(retriever):
    # "Last Christmas" (pids 0, 1, 3) and "Last Christmas - Remastered" (pid 2) are one song.
    merged = retriever.generate("xmas songs", GenerationOptions(n=20, k=4, voting="count", fusion=PLAIN_WEIGHTS))
    names = [t.track_name for t in merged.tracks]
    assert "Last Christmas - Remastered" not in names
    last = next(t for t in merged.tracks if t.track_name == "Last Christmas")
    assert last.merged_uris == [uri("xmas08")]
    assert sorted(last.voters) == [0, 1, 2, 3]
    assert last.score == 4
    assert len(set(uris(merged))) == len(merged.tracks)

    separate = retriever.generate(
        "xmas songs", GenerationOptions(n=20, k=4, voting="count", merge_versions=False, fusion=PLAIN_WEIGHTS))
    by_uri = {t.track_uri: t for t in separate.tracks}
    assert by_uri[uri("xmas02")].score == 3 and by_uri[uri("xmas08")].score == 1
    assert all(t.merged_uris == [] for t in separate.tracks)


def test_artist_filters_apply_to_generation(retriever):
    capped = retriever.generate("workout", GenerationOptions(n=10, k=4, max_per_artist=1))
    artists = [t.artist_name for t in capped.tracks]
    assert len(artists) == len(set(artists)) >= 3
    excluded = retriever.generate("workout", GenerationOptions(n=10, k=4, exclude_artists=("EMINEM",)))
    assert excluded.tracks and "Eminem" not in {t.artist_name for t in excluded.tracks}


def test_a_short_result_is_warned_about(retriever):
    short = retriever.generate("xmas songs", GenerationOptions(n=50, k=2))
    assert 0 < len(short.tracks) < 50
    assert short.warnings and any(f"only {len(short.tracks)} tracks" in w for w in short.warnings)
    enough = retriever.generate("xmas songs", GenerationOptions(n=3, k=4))
    assert enough.warnings == []


@pytest.mark.parametrize("title", ["", " ", "\t\n"])
def test_an_empty_title_is_refused(retriever, title):
    with pytest.raises(GenerationError, match="empty"):
        retriever.generate(title)


@pytest.mark.parametrize(
    "options", [dict(n=0), dict(k=0), dict(k=-3), dict(max_per_artist=0)], ids=["n=0", "k=0", "k<0", "max_per_artist=0"]
)
def test_impossible_options_are_refused(retriever, options):
    with pytest.raises(GenerationError):
        retriever.generate("xmas songs", GenerationOptions(**options))


def test_a_very_long_title_is_cut_with_a_warning(retriever):
    title = ("christmas songs " * 200)[:3000]
    assert len(title) == 3000
    for _ in range(2):  # the second ask is answered from the remembered neighbours, warning included
        result = retriever.generate(title, GenerationOptions(n=3, k=3))
        assert any("longer" in w and str(retriever.encoder.max_tokens) in w for w in result.warnings)
        assert set(uris(result)) <= XMAS_URIS and len(result.tracks) == 3


def test_a_short_title_gets_no_truncation_warning(retriever):
    result = retriever.generate("christmas songs", GenerationOptions(n=3, k=3))
    assert not any("token" in w for w in result.warnings)


def test_non_latin_title_finds_its_playlist(retriever):
    # Plain votes: one voter, so its playlist order decides.
    result = retriever.generate("크리스마스", GenerationOptions(n=3, k=1, fusion=PLAIN_WEIGHTS))
    assert [n.pid for n in result.neighbours] == [4]
    assert result.neighbours[0].similarity == pytest.approx(1.0, abs=1e-3)
    assert result.normalized_title == "크리스마스"
    assert uris(result) == [uri("xmas04"), uri("xmas01"), uri("xmas03")]


@pytest.mark.parametrize("title", ["🎄🎄", "😌", "クリスマス", "Рождество 🎄"])
def test_emoji_and_non_latin_titles_give_a_playlist(retriever, title):
    result = retriever.generate(title, GenerationOptions(n=3, k=3))
    assert len(result.tracks) == 3
    assert result.title == title
    assert result.normalized_title == title.casefold()
    assert json.loads(result.model_dump_json())["title"] == title


def test_a_title_asked_again_is_answered_for_each_asks_options(retriever):
    """Neighbours are remembered per title, k and excluded playlists: asking again with
    other options never gets an earlier ask's neighbours, and what a caller does with
    its list changes no later answer."""
    first, _ = retriever.neighbours("xmas songs", 4)
    pids = [n.pid for n in first]
    first.clear()
    again, _ = retriever.neighbours("Xmas Songs!!", 4)  # the same title once normalised
    assert [n.pid for n in again] == pids and 1 in pids
    assert [n.pid for n in retriever.neighbours("xmas songs", 2)[0]] == pids[:2]
    excluded, _ = retriever.neighbours("xmas songs", 4, frozenset({1}))
    assert len(excluded) == 4 and 1 not in [n.pid for n in excluded]
    with pytest.raises(ValidationError):
        again[0].similarity = 0.0  # shared by every answer to this title


def test_generation_is_deterministic(retriever):
    options = GenerationOptions(n=8, k=5, voting="similarity")
    first = retriever.generate("chill vibes", options)
    second = retriever.generate("chill vibes", options)
    assert first.model_dump(exclude={"seconds"}) == second.model_dump(exclude={"seconds"})


# --------------------------------------------------------------------------- #
# The index: rebuilds and the encoder it records
# --------------------------------------------------------------------------- #


def test_a_rebuild_is_built_aside_then_switched_and_old_readers_keep_working(tmp_path, encoder):
    catalog = ingested_catalog(tmp_path)
    location = ChromaLocation(path=tmp_path / "chroma")
    with catalog:
        first = build_index(catalog, encoder, location)
        assert active_index_info(catalog).collection == first.info.collection
        reader = open_index(catalog, location)  # a generator already running on the old index
        old_retriever = Retriever(catalog, reader, encoder)
        before = old_retriever.generate("xmas songs", GenerationOptions(n=5, k=4))

        seen_during_build = []
        second = build_index(
            catalog, encoder, location,
            on_progress=lambda done, total: seen_during_build.append(active_index_info(catalog).collection),
        )
        # While the new index was filled, the catalog still pointed at the old one.
        assert seen_during_build and set(seen_during_build) == {first.info.collection}
        assert second.info.collection != first.info.collection
        assert active_index_info(catalog).collection == second.info.collection
        assert open_index(catalog, location).info.collection == second.info.collection

        # The reader opened before the switch still answers, with the same result.
        after = old_retriever.generate("xmas songs", GenerationOptions(n=5, k=4))
        assert after.model_dump(exclude={"seconds"}) == before.model_dump(exclude={"seconds"})
        fresh = Retriever(catalog, open_index(catalog, location), encoder).generate("xmas songs", GenerationOptions(n=5, k=4))
        assert uris(fresh) == uris(before)

        # Superseded collections do not pile up once their readers are done.
        reader.close()
        build_index(catalog, encoder, location)
        names = {c.name if hasattr(c, "name") else c for c in location.client().list_collections()}
        titles = {name for name in names if name.startswith(COLLECTION_PREFIX)}
        assert len(titles) == KEEP_PREVIOUS + 1
        assert first.info.collection not in titles
        assert active_index_info(catalog).collection in titles


def test_a_build_that_is_not_activated_leaves_the_active_index(tmp_path, encoder):
    catalog = ingested_catalog(tmp_path)
    location = ChromaLocation(path=tmp_path / "chroma")
    with catalog:
        live = build_index(catalog, encoder, location)
        aside = build_index(catalog, encoder, location, activate=False, exclude_pids=frozenset({4}))
        assert active_index_info(catalog).collection == live.info.collection
        # Title "크리스마스" was carried only by the excluded pid 4.
        assert aside.info.titles == live.info.titles - 1


def test_an_empty_catalog_cannot_be_indexed(tmp_path, encoder):
    from retrieval.index.titles import IndexUnavailableError

    with Catalog(tmp_path / "catalog.sqlite") as catalog:
        with pytest.raises(IndexUnavailableError, match="agent ingest"):
            build_index(catalog, encoder, ChromaLocation(path=tmp_path / "chroma"))
        with pytest.raises(IndexUnavailableError, match="agent index"):
            open_index(catalog, ChromaLocation(path=tmp_path / "chroma"))


def test_the_index_records_its_encoder(built, encoder, retriever):
    catalog, index, location = built
    assert index.info.encoder_name == encoder.name == DEFAULT_ENCODER_NAME
    assert Path(index.info.encoder_path) == encoder.path
    assert index.info.encoder_fingerprint == encoder.fingerprint == model_fingerprint(encoder.path)
    assert index.info.titles == CORPUS.distinct_titles
    # Recorded with the catalog, so a later process knows it too.
    assert active_index_info(catalog) == index.info
    assert retriever.generate("gym").encoder == DEFAULT_ENCODER_NAME


def test_retriever_loads_the_encoder_recorded_in_the_index(built, encoder, monkeypatch):
    catalog, index, _ = built
    loaded = []

    def spy(path=None, device=None):
        loaded.append(path)
        return encoder

    monkeypatch.setattr("retrieval.generator.Encoder", spy)
    retriever = Retriever(catalog, open_index(catalog, built[2]))
    assert loaded == [index.info.encoder_path]
    assert retriever.encoder is encoder


def test_a_fine_tuned_encoder_is_recorded_and_used(tmp_path, encoder, monkeypatch):
    # A "fine-tuned" model: the same weights plus the name training writes.
    tuned = tmp_path / "tuned-model"
    for file in encoder.path.rglob("*"):
        if file.is_file():
            target = tuned / file.relative_to(encoder.path)
            target.parent.mkdir(parents=True, exist_ok=True)
            target.symlink_to(file)
    (tuned / "playlist_agent.json").write_text(json.dumps({"name": "minilm-tuned-test"}))
    assert describe_model(tuned) == "minilm-tuned-test"
    assert model_fingerprint(tuned) != encoder.fingerprint

    class TunedEncoder:  # the session's weights, presented as the tuned folder
        path, name, fingerprint = tuned, describe_model(tuned), model_fingerprint(tuned)
        max_tokens = encoder.max_tokens

        def encode(self, texts, **kwargs):
            return encoder.encode(texts, **kwargs)

    catalog = ingested_catalog(tmp_path)
    location = ChromaLocation(path=tmp_path / "chroma")
    with catalog:
        build_index(catalog, TunedEncoder(), location)
        info = active_index_info(catalog)
        assert (info.encoder_name, Path(info.encoder_path), info.encoder_fingerprint) == (
            "minilm-tuned-test", tuned, model_fingerprint(tuned)
        )
        loaded = []
        monkeypatch.setattr("retrieval.generator.Encoder", lambda path=None, device=None: loaded.append(path) or TunedEncoder())
        result = Retriever(catalog, open_index(catalog, location)).generate("xmas songs", GenerationOptions(n=3, k=3))
        assert loaded == [str(tuned)]
        assert result.encoder == "minilm-tuned-test"
        assert set(uris(result)) <= XMAS_URIS


def test_retriever_without_an_encoder_loads_the_real_model_from_the_index(built):
    catalog, index, location = built
    retriever = Retriever(catalog, open_index(catalog, location))
    assert retriever.encoder.path == Path(index.info.encoder_path)
    assert retriever.encoder.fingerprint == index.info.encoder_fingerprint
    result = retriever.generate("xmas songs", GenerationOptions(n=3, k=4))
    assert set(uris(result)) <= XMAS_URIS


@pytest.mark.parametrize("title, k, excluded", [
    ("xmas songs", 3, frozenset()), ("xmas songs", 5, frozenset({1, 2})), ("workout", 8, frozenset({5, 7})),
])
def test_neighbours_are_the_playlists_the_catalog_lists_for_the_nearest_titles(built, retriever, title, k, excluded):
    """Read from the playlist graph's title arrays, they are what asking the catalog title
    by title gives: each title's lowest pids, none excluded, cut at k."""
    catalog, index, _ = built
    vector = retriever.encoder.encode([normalize_title(title)]).vectors[0]
    expected = []
    for title_id, similarity in index.nearest(vector, 10**6):
        listed = catalog.playlists_with_title(title_id, k - len(expected), excluded)
        expected += [(pid, name, round(similarity, 6)) for pid, name in listed]
        if len(expected) >= k:
            break
    neighbours, _ = retriever.neighbours(title, k, excluded)
    assert [(n.pid, n.name, n.similarity) for n in neighbours] == expected and len(expected) == k


def test_neighbour_names_stay_right_when_the_kept_names_overflow(built, encoder, monkeypatch):
    """Names are kept between queries up to a bound; past it they are read again, never mixed up."""
    catalog, index, _ = built
    monkeypatch.setattr("retrieval.generator.NAME_CACHE", 3)
    fresh = Retriever(catalog, index, encoder)
    for title in ("xmas songs", "workout", "road trip", "xmas songs", "party"):
        neighbours, _ = fresh.neighbours(title, 6)
        expected = catalog.playlist_names(n.pid for n in neighbours)
        assert [n.name for n in neighbours] == [expected[n.pid] for n in neighbours]
        fresh.forget_queries()
