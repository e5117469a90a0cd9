"""What the chat knows decides readings (issue 26): names typed by the playlist and the catalog,
steering typos mended against title words, questions answered from the playlist, file names
made from words, and a session kept and resumed. A real catalog (SQLite) and the real MiniLM."""

from __future__ import annotations

import json

import pytest

from agent.chat.answers import answer
from agent.chat.context import ChatContext
from agent.chat.persistence import file_name
from agent.chat.resume import keep, restore
from agent.chat.search import CatalogSearch
from agent.chat.session import ChatSession, Recipe, Turn, Version
from agent.chat.understand import Understander
from agent.chat.understand.evaluation import load_utterances
from agent.profile import Profile
from retrieval.records import Candidate, GeneratedPlaylist
from tests.agent.test_understand import BLIND2, DEV2
from tests.conftest import ALL_TRACKS, build_corpus, ok, uri, write_slice_file

CHANGES = {"new", "steer", "length", "remove", "add", "dislike", "like", "similar", "undo", "redo", "save", "mode",
           "quit"}
KEYS = ["gym02", "chill03", "gym07", "xmas01"]  # Stronger, Holocene, Power (Kanye West twice), All I Want...


@pytest.fixture(scope="module")
def home(tmp_path_factory):
    home = tmp_path_factory.mktemp("context-home")
    from retrieval.catalog import Catalog
    from retrieval.mpd.ingest import ingest_paths

    catalog = Catalog(home / "catalog.sqlite")
    ingest_paths(catalog, [write_slice_file(home, build_corpus().playlists)])
    catalog.close()
    return home


@pytest.fixture(scope="module")
def search(home):
    from retrieval.catalog import Catalog

    catalog = Catalog(home / "catalog.sqlite")
    yield CatalogSearch(catalog)
    catalog.close()


@pytest.fixture(scope="module")
def understander(encoder) -> Understander:
    return Understander(encoder)


def playlist_session(keys: list[str] = KEYS) -> ChatSession:
    tracks = [Candidate(track_uri=uri(k), track_name=ALL_TRACKS[k][0], artist_name=ALL_TRACKS[k][1], rank=rank, score=1.0)
              for rank, k in enumerate(keys, 1)]
    playlist = GeneratedPlaylist(title="gym", normalized_title="gym", encoder="test", k=10, voting="similarity",
                                 tracks=tracks)
    session = ChatSession(profile_name="test", profile=Profile())
    session.history.push(Version(Recipe(title="gym", n=len(tracks)), playlist, "generate “gym”"))
    return session


def test_a_song_of_the_playlist_is_a_song_and_a_catalog_artist_an_artist(understander, search):
    context = ChatContext(playlist_session(), search).parse_context()
    parsed = understander.parse("take out stronger", context)
    assert (parsed.action, parsed.slots) == ("remove", {"song": "stronger"})
    assert parsed.found == {"name": "stronger", "as": "song", "in": "playlist"}
    parsed = understander.parse("songs that sound like jack johnson", context)
    assert (parsed.action, parsed.slots) == ("similar", {"artist": "jack johnson"})
    assert parsed.found == {"name": "jack johnson", "as": "artist", "in": "catalog"}
    # Without what the chat knows, the words alone decide (and "found" is absent).
    assert understander.parse("take out stronger").slots == {"artist": "stronger"}
    assert "found" not in understander.parse("take out stronger").as_line()


def test_a_misspelled_steering_word_is_mended_to_a_title_word(understander, search):
    context = ChatContext(playlist_session(), search).parse_context()
    parsed = understander.parse("mak it mroe relx", context)
    assert (parsed.action, parsed.slots) == ("steer", {"words": [{"word": "relax", "sign": 1}]})
    assert understander.parse("more chill", context).slots == {"words": [{"word": "chill", "sign": 1}]}


def test_no_off_topic_message_reads_as_a_change(understander, search):
    context = ChatContext(playlist_session(), search).parse_context()
    for path in (DEV2, BLIND2):
        off_topic = [row["text"] for row in load_utterances(path) if row["action"] in {"smalltalk", "clarify"}]
        changes = [(text, parsed.action) for text in off_topic
                   if (parsed := understander.parse(text, context)).action in CHANGES]
        assert len(off_topic) >= 25 and not changes, (path.name, changes)


def test_questions_are_answered_from_the_playlist_and_the_catalog(search):
    session = playlist_session()
    assert answer({"question": "who", "positions": [2]}, session, search) == "#2 “Holocene” is by Bon Iver"
    assert answer({"question": "count", "artist": "kanye west"}, session, search) == \
        "2 of the 4 songs are by Kanye West: #1, #3"
    durations = search.catalog.durations_ms(uri(k) for k in KEYS)
    longest = max(KEYS, key=lambda k: durations.get(uri(k), -1))
    assert f"the longest is #{KEYS.index(longest) + 1} “{ALL_TRACKS[longest][0]}”" in \
        answer({"question": "longest"}, session, search)
    assert answer({"question": "count"}, session, search) == "the playlist has 4 songs"


@pytest.mark.parametrize("words, name", [("saturday dinner", "saturday-dinner.m3u"), ("mix.json", "mix.json"),
                                         ("Gym 2!", "gym-2.m3u"), ("  ", "playlist.m3u")])
def test_a_file_name_is_made_from_the_words(words, name):
    assert file_name(words) == name


def test_a_kept_session_resumes_with_its_versions_and_what_was_saved(tmp_path):
    session = playlist_session()
    session.saved = session.current
    second = playlist_session(["chill03"]).current
    session.history.push(second)
    session.turns.append(Turn(user="remove 1", understood="remove {'positions': [1]} (0.99)", reply="removed"))
    path = tmp_path / "chat-session.json"
    keep(path, session)
    resumed = ChatSession(profile_name="test", profile=Profile())
    restore(path, resumed)
    assert [t.track_name for t in resumed.tracks] == ["Holocene"] and resumed.unsaved
    assert resumed.history.undo().playlist.tracks == session.history.versions[0].playlist.tracks
    assert not resumed.unsaved  # the version before was the one saved
    assert [t.user for t in resumed.turns] == ["remove 1"]


def test_parse_mode_types_names_by_the_data_dirs_catalog(encoder, home, monkeypatch):
    monkeypatch.setattr("retrieval.encoding.encoder.Encoder", lambda *args, **kwargs: encoder)
    monkeypatch.setenv("AGENT_HOME", str(home))
    from click.testing import CliRunner

    from agent.cli import cli

    result = ok(CliRunner().invoke(cli, ["chat", "--parse"], input="remove holocene\nmore like bon iver\nthanks\n"))
    lines = [json.loads(line) for line in result.stdout.splitlines()]
    assert lines[0]["slots"] == {"song": "holocene"} and lines[0]["found"] == {"name": "holocene", "as": "song",
                                                                              "in": "catalog"}
    assert lines[1]["slots"] == {"artist": "bon iver"} and lines[1]["found"]["as"] == "artist"
    assert "found" not in lines[2]
