"""The chat's tools and operations, on the hand-made corpus with the real MiniLM
(and, where a model is needed, the bundled SmolLM2-135M through llama.cpp).

The corpus makes right answers known: christmas titles hold only christmas songs, and
no artist is in two themes.
"""

from __future__ import annotations

import csv
import json
import re

import pytest

from agent.chat.actions import ChatError, Playlister
from agent.chat.session import ChatSession
from agent.chat.tools import make_tools
from agent.profile import Profile, load_profile
from retrieval.catalog import Catalog
from retrieval.generator import Retriever
from retrieval.index.titles import ChromaLocation, build_index
from retrieval.mpd.ingest import ingest_paths
from retrieval.records import GeneratedPlaylist
from tests.conftest import ALL_TRACKS, build_corpus, uri, write_slice_file

_LINE = re.compile(r"^(?:\d+\. )?“(?P<name>.+)” by (?P<artist>.+)$")


@pytest.fixture(scope="module")
def retriever(tmp_path_factory, encoder):
    home = tmp_path_factory.mktemp("chat-corpus")
    catalog = Catalog(home / "catalog.sqlite")
    ingest_paths(catalog, [write_slice_file(home, build_corpus().playlists)])
    yield Retriever(catalog, build_index(catalog, encoder, ChromaLocation(path=home / "chroma")), encoder)
    catalog.close()


@pytest.fixture
def playlister(retriever, tmp_path):
    return Playlister(retriever, ChatSession("chat-test", Profile()), tmp_path)


@pytest.fixture
def tools(playlister):
    return {tool.name: tool for tool in make_tools(playlister)}


def named_tracks(text: str) -> list[tuple[str, str]]:
    """(song, artist) of every track line in a tool's answer."""
    return [(m["name"], m["artist"]) for line in text.splitlines() if (m := _LINE.match(line.strip()))]


def assert_in_catalog(playlister: Playlister, text: str) -> None:
    catalog_songs = set(ALL_TRACKS.values())
    named = named_tracks(text)
    assert named, f"no track lines in: {text!r}"
    assert set(named) <= catalog_songs, set(named) - catalog_songs
    for track in playlister.session.tracks:
        assert playlister.search.track_by_uri(track.track_uri) is not None


def test_tools_have_schemas_and_descriptions(tools):
    assert set(tools) == {"find_similar_playlists", "generate_playlist", "rerank", "refine", "explain_track",
                          "lookup_track", "add_track", "set_preference", "save_playlist"}
    for tool in tools.values():
        assert len(tool.description) > 30 and tool.args_schema is not None
    assert tools["generate_playlist"].args["mode"]["enum"] == ["retrieval", "rerank", "llm"]


def test_every_track_a_tool_returns_is_in_the_catalog(playlister, tools):
    made = tools["generate_playlist"].invoke({"title": "christmas songs", "n": 6})
    assert_in_catalog(playlister, made)
    assert {t.track_uri for t in playlister.session.tracks} <= build_corpus().uris["xmas"]

    found = tools["lookup_track"].invoke({"text": "eye of the tiger by survivor"})
    assert named_tracks(found) == [("Eye of the Tiger", "Survivor")]
    assert tools["lookup_track"].invoke({"text": "Zzyzx Road by The Nonexistents"}) == (
        "“Zzyzx Road by The Nonexistents” is not in the catalog")

    before = list(playlister.session.tracks)
    refused = tools["add_track"].invoke({"song": "Zzyzx Road by The Nonexistents"})
    assert refused.startswith("error:") and "not in the catalog" in refused
    assert playlister.session.tracks == before

    added = tools["add_track"].invoke({"song": "Holocene by Bon Iver"})
    assert_in_catalog(playlister, added)
    assert playlister.session.tracks[-1].track_name == "Holocene"


def test_refine_leaves_artists_out_and_undo_brings_them_back(playlister, tools):
    tools["generate_playlist"].invoke({"title": "xmas songs", "n": 8})
    assert "Wham!" in {t.artist_name for t in playlister.session.tracks}
    answer = tools["refine"].invoke({"exclude_artists": ["wham", "Nobody Real"], "exclude_tracks": [1]})
    assert_in_catalog(playlister, answer)
    assert "no artist named “Nobody Real” in the catalog" in answer
    artists = {t.artist_name for t in playlister.session.tracks}
    assert "Wham!" not in artists
    playlister.undo()
    assert "Wham!" in {t.artist_name for t in playlister.session.tracks}
    playlister.redo()
    assert "Wham!" not in {t.artist_name for t in playlister.session.tracks}
    # Regenerating rebuilds the current recipe: the exclusion holds.
    playlister.regenerate()
    assert "Wham!" not in {t.artist_name for t in playlister.session.tracks}
    assert len(playlister.session.history.versions) == 3


def test_find_similar_playlists_ranks_by_title_similarity(tools):
    answer = tools["find_similar_playlists"].invoke({"title": "gym workout", "k": 4})
    pids = [int(p) for p in re.findall(r"pid (\d+)", answer)]
    similarities = [float(s) for s in re.findall(r"similarity ([\d.]+)", answer)]
    assert set(pids) <= build_corpus().pids["workout"] and len(pids) == 4
    assert similarities == sorted(similarities, reverse=True)


def test_explain_track_lists_voters_with_similarities(playlister, tools):
    tools["generate_playlist"].invoke({"title": "christmas", "n": 5})
    top = playlister.session.tracks[0]
    explanation = playlister.explain("1")
    assert {v.pid for v in explanation.voters} == set(top.voters) and len(top.voters) >= 3
    neighbours = {n.pid: n.similarity for n in playlister.session.current.playlist.neighbours}
    assert all(v.similarity == neighbours[v.pid] for v in explanation.voters)
    text = tools["explain_track"].invoke({"track": "1"})
    assert f"“{top.track_name}” by {top.artist_name}" in text
    assert "pid 0 “Christmas” similarity 1.000" in text  # the exact title, most similar, listed first
    assert tools["explain_track"].invoke({"track": "99"}).startswith("error: there is no track 99")


def test_save_playlist_writes_json_csv_and_m3u(playlister, tools, tmp_path):
    tools["generate_playlist"].invoke({"title": "chill", "n": 4})
    tracks = playlister.session.tracks
    assert "saved 4 tracks" in tools["save_playlist"].invoke({"path": str(tmp_path / "p.json")})
    saved = GeneratedPlaylist.model_validate_json((tmp_path / "p.json").read_text())
    assert [t.track_uri for t in saved.tracks] == [t.track_uri for t in tracks]

    tools["save_playlist"].invoke({"path": str(tmp_path / "p.csv")})
    with (tmp_path / "p.csv").open(encoding="utf-8") as saved_csv:  # after the "# version, catalog" line
        rows = list(csv.DictReader(line for line in saved_csv if not line.startswith("#")))
    assert [r["track_name"] for r in rows] == [t.track_name for t in tracks]

    tools["save_playlist"].invoke({"path": str(tmp_path / "p.m3u")})
    lines = (tmp_path / "p.m3u").read_text(encoding="utf-8").splitlines()
    assert lines[0] == "#EXTM3U" and f"#EXTINF:-1,{tracks[0].artist_name} - {tracks[0].track_name}" in lines

    # A model may not overwrite a file nor write where there is no folder; the person's /save may overwrite.
    assert tools["save_playlist"].invoke({"path": str(tmp_path / "p.json")}).startswith("error:")
    assert "does not exist" in tools["save_playlist"].invoke({"path": str(tmp_path / "no" / "p.json")})
    assert playlister.save(tmp_path / "p.json") == tmp_path / "p.json"


def test_preferences_are_saved_at_once_and_obeyed(playlister, tools, tmp_path):
    tools["generate_playlist"].invoke({"title": "workout", "n": 7})
    assert "Eminem" in {t.artist_name for t in playlister.session.tracks}
    answer = tools["set_preference"].invoke({"feeling": "dislike", "target": "eminem"})
    assert "Eminem" not in {t.artist_name for t in playlister.session.tracks}
    assert_in_catalog(playlister, answer)
    stored, _ = load_profile(tmp_path, "chat-test")
    assert stored.unwanted_artists == ["Eminem"]

    playlister.like("Eminem")  # liking takes the artist off the unwanted list
    stored, _ = load_profile(tmp_path, "chat-test")
    assert stored.unwanted_artists == [] and stored.liked_artists == ["Eminem"]

    first = playlister.session.tracks[0]
    playlister.dislike("1")
    assert first.track_uri not in {t.track_uri for t in playlister.session.tracks}
    assert load_profile(tmp_path, "chat-test")[0].unwanted_tracks == [first.track_uri]
    # A name the catalog lacks is refused rather than remembered when a model chose it.
    with pytest.raises(ChatError, match="no artist or song named “Zzyzx Nonexistents” in the catalog"):
        playlister.dislike("Zzyzx Nonexistents", strict=True)
    assert load_profile(tmp_path, "chat-test")[0].unwanted_artists == []


def test_more_and_less_change_the_count_or_the_theme(playlister):
    playlister.generate("chill", n=4)
    assert len(playlister.more().version.playlist.tracks) == 4 + 5  # /more adds five
    assert len(playlister.less("3").version.playlist.tracks) == 6
    shifted = playlister.more("christmas").version
    assert shifted.recipe.query == "chill christmas"
    with pytest.raises(ChatError, match="no playlist yet"):
        Playlister(playlister.retriever, ChatSession("x", Profile()), playlister.home).more()


def test_the_chat_names_songs_and_artists_as_the_resolver_reads_them(playlister, tmp_path):
    playlister.generate("chill", n=4)
    # Accents, "feat." parts and a remaster suffix fold away, in add, remove, like and dislike alike.
    added = playlister.add("its beginning to look a lot like christmas by michael buble")
    assert added.message.startswith("added “It's Beginning to Look a Lot Like Christmas” by Michael Bublé")
    playlister.add("Can't Hold Us (feat. Ray Dalton) by Macklemore")
    assert playlister.session.tracks[-1].track_uri == uri("gym06")
    playlister.add("Wham! - Last Christmas - 2011 Remaster")
    assert playlister.session.tracks[-1].track_uri == uri("xmas02")  # the version in most playlists
    assert playlister.add("last christmas - remastered by wham").message.endswith("is already in the playlist")
    playlister.remove_tracks(["last christmas - remastered"])
    assert uri("xmas02") not in {t.track_uri for t in playlister.session.tracks}
    playlister.like("michael buble")
    playlister.dislike("feliz navidad by jose feliciano")
    stored, _ = load_profile(tmp_path, "chat-test")
    assert stored.liked_artists == ["Michael Bublé"] and stored.unwanted_tracks == [uri("xmas04")]


def test_a_partial_name_is_suggested_never_acted_on(playlister, tmp_path):
    playlister.generate("chill", n=4)
    before = [t.track_uri for t in playlister.session.tracks]
    assert "Skinny Love" in {t.track_name for t in playlister.session.tracks}
    with pytest.raises(ChatError, match="not in the catalog, so it was not added; did you mean"):
        playlister.add("christmas")
    with pytest.raises(ChatError, match="no track named “skinny” in the playlist; did you mean .*Skinny Love"):
        playlister.remove_tracks(["skinny"])
    with pytest.raises(ChatError, match="no artist or song named “skinny” in the catalog"):
        playlister.like("skinny")
    assert [t.track_uri for t in playlister.session.tracks] == before
    assert load_profile(tmp_path, "chat-test")[0] == Profile()


@pytest.fixture(scope="module")
def two_songs_named_stronger(tmp_path_factory, encoder):
    """The corpus and one more playlist, where "Stronger" is a song by Kanye West and one by Kelly Clarkson."""
    home = tmp_path_factory.mktemp("chat-ambiguous")
    extra = {"pid": 13, "name": "pop", "tracks": [
        {"track_uri": "spotify:track:kelly01", "track_name": "Stronger (What Doesn't Kill You)", "artist_name": "Kelly Clarkson"},
        {"track_uri": "spotify:track:kelly02", "track_name": "Stronger", "artist_name": "Kelly Clarkson"}]}
    catalog = Catalog(home / "catalog.sqlite")
    ingest_paths(catalog, [write_slice_file(home, build_corpus().playlists + [extra])])
    yield Retriever(catalog, build_index(catalog, encoder, ChromaLocation(path=home / "chroma")), encoder)
    catalog.close()


def test_an_ambiguous_name_lists_the_songs_and_stores_nothing(two_songs_named_stronger, tmp_path):
    playlister = Playlister(two_songs_named_stronger, ChatSession("chat-test", Profile()), tmp_path)
    playlister.generate("chill", n=4)
    versions = len(playlister.session.history.versions)
    for act in (playlister.add, playlister.like, playlister.dislike, playlister.more_like):
        with pytest.raises(ChatError, match=r"“Stronger” matches 2 songs: .*Kanye West.*Kelly Clarkson|"
                                            r"“Stronger” matches 2 songs: .*Kelly Clarkson.*Kanye West"):
            act("Stronger")
    assert len(playlister.session.history.versions) == versions
    assert load_profile(tmp_path, "chat-test")[0] == Profile()
    # Named precisely, the same song is found.
    assert playlister.add("stronger by kanye west").message.startswith("added “Stronger” by Kanye West")


@pytest.fixture(scope="module")
def bundled_backend(tmp_path_factory):
    from agent.llm import open_backend

    return open_backend(tmp_path_factory.mktemp("llm-home"), llm="local")


def test_the_tool_agent_runs_catalog_tools_with_the_bundled_model(playlister, bundled_backend):
    from agent.chat.agent import GrammarToolModel, ToolAgent

    playlister.generate("christmas", n=5)
    agent = ToolAgent(GrammarToolModel(backend=bundled_backend), playlister, max_model_calls=1)
    reply = agent.ask("remove track 2 and add Feliz Navidad")
    calls = playlister.session.turn.calls
    # One grammar-decoded step: a call to a real tool (run, maybe failing politely) or a reply.
    assert len(calls) <= 1 and (calls or reply)
    assert all(call.name in {t.name for t in make_tools(playlister)} for call in calls)
    for track in playlister.session.tracks:
        assert (track.track_name, track.artist_name) in set(ALL_TRACKS.values())
    json.dumps(playlister.session.transcript())  # the transcript stays serialisable
