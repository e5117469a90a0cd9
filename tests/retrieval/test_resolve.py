"""Songs and artists named in plain words, resolved on the shipped demo catalog's real names,
and the profile commands that store what they name (or nothing, when a name is bad)."""

from __future__ import annotations

import json

import pytest

from agent.profile import load_profile
from agent.titles_file import TitlesEntry as PlaylistRequest, read_titles_file
from agent.workspace import demo_catalog_file
from retrieval.catalog import Catalog
from retrieval.generator import GenerationError
from retrieval.mpd.ingest import ingest_paths
from retrieval.records import Track
from retrieval.resolve import AmbiguousName, NameNotFound, NameResolver, resolve_seeds
from tests.conftest import build_corpus, failed_cleanly, make_playlist, ok, run_agent, uri, write_slice_file

CRUISE = "demo:track:9e8c0423f2add74a"
BUBLE_CHRISTMAS = "demo:track:41385477cbdd734f"


@pytest.fixture(scope="module")
def demo(tmp_path_factory):
    catalog = Catalog(tmp_path_factory.mktemp("demo-names") / "catalog.sqlite")
    ingest_paths(catalog, [demo_catalog_file()])
    yield NameResolver(catalog)
    catalog.close()


@pytest.mark.parametrize("name", [
    "Cruise", "cruise by florida georgia line", "Florida Georgia Line - Cruise",
    "Cruise - Florida Georgia Line", "CRUISE by Florida Georgia Line feat. Nelly", CRUISE,
])
def test_every_way_of_naming_a_song_finds_it(demo, name):
    found = demo.track(name)
    assert found.track.track_uri == CRUISE
    assert found.describe() == "“Cruise” by Florida Georgia Line"


def test_accents_case_and_punctuation_are_folded(demo):
    found = demo.track("its beginning to look a lot like christmas by MICHAEL BUBLE")
    assert found.track.track_uri == BUBLE_CHRISTMAS
    assert demo.artist("michael buble").name == "Michael Bublé"
    assert demo.artist("BEYONCE").name == "Beyoncé"
    assert demo.artist("sigur ros").name == "Sigur Rós"


def test_feat_parts_and_version_suffixes_are_ignored(demo):
    assert demo.track("Crazy in Love (feat. Jay-Z) by Beyoncé ft. Jay-Z").track.track_name == "Crazy in Love"
    # The catalog holds "Bodak Yellow" (25 playlists) and "Bodak Yellow - 2011 Remaster" (14):
    # either name finds the song, shown by its most-played version, its plays summed.
    for name in ("Bodak Yellow - 2011 Remaster", "bodak yellow (remastered 2011) by cardi b"):
        found = demo.track(name)
        assert (found.track.track_name, found.plays) == ("Bodak Yellow", 25 + 14)


def test_by_inside_a_title_still_reads_as_the_title(demo):
    assert demo.track("Stand by Me").track.artist_name == "Ben E. King"
    assert demo.track("stand by me by ben e king").track.artist_name == "Ben E. King"


def test_versions_of_one_song_are_one_match_and_add_their_plays(demo):
    # Jeff Buckley's "Hallelujah" is there plain and as "- 2011 Remaster": one song.
    found = demo.track("Hallelujah by Jeff Buckley")
    assert found.track.track_name == "Hallelujah" and found.plays == 36 + 10


def test_a_name_of_several_songs_lists_them_most_played_first(demo):
    with pytest.raises(AmbiguousName) as raised:
        demo.track("hallelujah")
    assert [c.split(" (")[0] for c in raised.value.candidates] == [
        "“Hallelujah” by Jeff Buckley", "“Hallelujah” by Leonard Cohen",
    ]
    assert "matches 2 songs" in str(raised.value)


def test_the_most_played_is_taken_only_when_allowed_and_said_so(demo):
    found = demo.track("hallelujah", most_played=True)
    assert found.track.artist_name == "Jeff Buckley"
    assert "took the most played" in found.note


def test_an_artist_with_and_without_the_is_ambiguous(demo):
    with pytest.raises(AmbiguousName) as raised:
        demo.artist("goo goo dolls")
    assert {c.split(" (")[0] for c in raised.value.candidates} == {"The Goo Goo Dolls", "Goo Goo Dolls"}


@pytest.mark.parametrize("name", ["Cruise by Nobody Real", "Zzyzx Road Song", "demo:track:0000000000000000", "  "])
def test_unknown_songs_are_errors(demo, name):
    with pytest.raises(NameNotFound):
        demo.track(name)


def test_unknown_artists_are_errors(demo):
    with pytest.raises(NameNotFound):
        demo.artist("The Nonexistent Band")


def test_seeds_resolve_in_order_each_once(demo):
    seeds = resolve_seeds(demo, ["Mr. Brightside by The Killers", "cruise", CRUISE])
    assert [s.track_uri for s in seeds.tracks] == ["demo:track:a54bdea2eac6bd57", CRUISE]
    assert (seeds.notes, seeds.unknown) == ([], 0)
    with pytest.raises(NameNotFound):
        resolve_seeds(demo, ["cruise", "no such song at all"])


def test_words_in_any_order_name_a_song(demo):
    assert demo.track("brightside killers").track.track_uri == "demo:track:a54bdea2eac6bd57"
    assert demo.track("florida georgia line cruise").track.track_uri == CRUISE


def test_unknown_seed_uris_are_skipped_and_counted(demo):
    seeds = resolve_seeds(demo, ["spotify:track:notinthecatalog", CRUISE, "spotify:track:nortéto"])
    assert [s.track_uri for s in seeds.tracks] == [CRUISE] and seeds.unknown == 2
    assert seeds.notes == ["2 seed track(s) not in the catalog, skipped: spotify:track:notinthecatalog, "
                           "spotify:track:nortéto"]


def test_a_seed_track_is_matched_by_uri_then_by_its_names(demo):
    elsewhere = Track(track_uri="spotify:track:another-release", track_name="Cruise - Remix",
                      artist_name="Florida Georgia Line")
    nowhere = Track(track_uri="spotify:track:nowhere", track_name="Zzyzx Road Song", artist_name="Nobody")
    known = Track(track_uri=BUBLE_CHRISTMAS, track_name="", artist_name="")
    seeds = resolve_seeds(demo, [elsewhere, nowhere, known])
    assert [s.track_uri for s in seeds.tracks] == [CRUISE, BUBLE_CHRISTMAS] and seeds.unknown == 1
    assert seeds.notes[0] == "seed spotify:track:another-release is not in the catalog; took “Cruise” by " \
                             "Florida Georgia Line by its name"
    assert "skipped: spotify:track:nowhere" in seeds.notes[1]


# --------------------------------------------------------------------------- #
# JSONL titles files
# --------------------------------------------------------------------------- #


def test_jsonl_requests_are_read_with_defaults(tmp_path):
    path = tmp_path / "requests.jsonl"
    path.write_text('{"title": "road trip", "n": 5}\n\n{"seeds": ["Cruise", "spotify:track:x"]}\n')
    assert read_titles_file(path) == [
        PlaylistRequest(line=1, title="road trip", n=5),
        PlaylistRequest(line=3, seeds=("Cruise", "spotify:track:x")),
    ]


@pytest.mark.parametrize("line, problem", [
    ('{"title": "x"', "not valid JSON"),
    ('["road trip"]', "expected an object"),
    ('{"n": 5}', "give a title, seeds or both"),
    ('{"title": "x", "count": 5}', "unknown key"),
    ('{"title": "x", "n": 0}', "n must be"),
    ('{"title": "x", "n": true}', "n must be"),
    ('{"seeds": "Cruise"}', "seeds must be a list"),
    ('{"title": "  "}', "title must be"),
])
def test_a_bad_jsonl_line_is_named_with_its_number(tmp_path, line, problem):
    path = tmp_path / "requests.jsonl"
    path.write_text('{"title": "fine"}\n' + line + "\n")
    with pytest.raises(GenerationError) as raised:
        read_titles_file(path)
    assert f"{path}, line 2: " in str(raised.value) and problem in str(raised.value)


def test_plain_titles_files_still_hold_one_title_a_line(tmp_path):
    path = tmp_path / "titles.txt"
    path.write_text("road trip\n\n{not json}\n")
    assert [r.title for r in read_titles_file(path)] == ["road trip", "{not json}"]


# --------------------------------------------------------------------------- #
# agent profile like|dislike and --exclude-artist, on the hand-made corpus
# --------------------------------------------------------------------------- #


@pytest.fixture(scope="module")
def home(tmp_path_factory, reuse_encoder):
    """The hand-made corpus plus a second "Skinny Love" (by Birdy), so one song name is ambiguous."""
    cover = make_playlist(13, "covers", [])
    cover["tracks"] = [{"track_uri": "spotify:track:cover01", "track_name": "Skinny Love", "artist_name": "Birdy"}]
    data = tmp_path_factory.mktemp("names-home")
    ok(run_agent("ingest", write_slice_file(data / "mpd", build_corpus().playlists + [cover]), "--data-dir", data))
    return data


def stored(home, profile):
    return json.loads(load_profile(home, profile)[0].model_dump_json())


def test_dislike_by_name_stores_the_track_and_says_which(home):
    result = ok(run_agent("profile", "dislike", "--track", "last christmas by wham", "--artist", "michael buble",
                          "--profile", "named", "--data-dir", home))
    assert "Disliked “Last Christmas” by Wham!" in result.output
    assert "Disliked the artist Michael Bublé" in result.output
    profile = stored(home, "named")
    assert profile["unwanted_tracks"] == [uri("xmas02")] and profile["unwanted_artists"] == ["Michael Bublé"]


def test_an_ambiguous_name_lists_the_songs_and_stores_nothing(home):
    result = run_agent("profile", "like", "--track", "Skinny Love", "--profile", "amb", "--data-dir", home)
    output = failed_cleanly(result, "“Skinny Love” by Bon Iver", "“Skinny Love” by Birdy", exit_code=1)
    assert "Liked" not in output
    assert load_profile(home, "amb")[0].is_empty()


def test_one_unknown_name_stores_nothing_of_the_others(home):
    failed_cleanly(run_agent("profile", "dislike", "--track", "Holocene", "--track", "Cruise",
                             "--profile", "unknown", "--data-dir", home), "“Cruise”", exit_code=1)
    assert load_profile(home, "unknown")[0].is_empty()


def test_exclude_artist_takes_plain_words_and_rejects_unknown_artists(home):
    result = ok(run_agent("generate", "-t", "christmas", "-n", 9, "--format", "json",
                          "--exclude-artist", "michael buble", "--data-dir", home))
    record = json.loads(result.stdout)
    artists = {t["artist_name"] for t in record["tracks"]}
    assert artists and "Michael Bublé" not in artists
    assert record["made_with"]["excluded_artists"] == ["Michael Bublé"]  # the catalog's spelling, recorded
    table = ok(run_agent("generate", "christmas", "-n", 3, "--exclude-artist", "michael buble", "--data-dir", home))
    assert "leaves out Michael Bublé" in table.stdout
    failed_cleanly(run_agent("generate", "-t", "christmas", "--exclude-artist", "Nobody Real", "--data-dir", home),
                   "“Nobody Real”", exit_code=1)


# --------------------------------------------------------------------------- #
# A song most playlists mean
# --------------------------------------------------------------------------- #


def _versions_catalog(folder, covers: int) -> Catalog:
    """"Mr. Brightside" by The Killers in 8 playlists, and by Cover Band in `covers` of its own."""
    killers = {"track_uri": "spotify:track:killers", "track_name": "Mr. Brightside", "artist_name": "The Killers"}
    cover = {"track_uri": "spotify:track:cover", "track_name": "Mr. Brightside", "artist_name": "Cover Band"}
    playlists = [{"pid": pid, "name": "indie", "tracks": [killers]} for pid in range(8)]
    playlists += [{"pid": 100 + pid, "name": "covers", "tracks": [cover]} for pid in range(covers)]
    catalog = Catalog(folder / "catalog.sqlite")
    ingest_paths(catalog, [write_slice_file(folder, playlists)])
    return catalog


def test_a_version_with_most_of_the_plays_is_taken_and_said_so(tmp_path):
    with _versions_catalog(tmp_path, covers=2) as catalog:  # 8 of 10 plays: 80%
        found = NameResolver(catalog).track("Mr. Brightside")
    assert found.track.track_uri == "spotify:track:killers"
    assert found.note == "“Mr. Brightside” matches 2 songs; took “Mr. Brightside” by The Killers (8 playlists), " \
                         "80% of their plays"


def test_without_a_dominant_version_the_name_stays_ambiguous(tmp_path):
    with _versions_catalog(tmp_path, covers=3) as catalog:  # 8 of 11 plays: 73%
        with pytest.raises(AmbiguousName):
            NameResolver(catalog).track("Mr. Brightside")
