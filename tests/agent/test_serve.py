"""`agent serve` as a real process on localhost, over the demo catalog: the same records
as the CLI, clear 4xx errors, profiles that lose no change under concurrent requests,
and retrieval that never waits for the LLM."""

from __future__ import annotations

import json
import threading
import time
from concurrent.futures import ThreadPoolExecutor

import pytest

from conftest import ok, run_agent, stop_process
from demo_home import built_demo_home
from serve_client import start_server

pytestmark = pytest.mark.slow


@pytest.fixture(scope="module")
def server(tmp_path_factory):
    running = start_server(built_demo_home(), tmp_path_factory.mktemp("serve") / "server.log")
    yield running
    stop_process(running.process, timeout=10)


def _without_timing(record: dict) -> dict:
    return {key: value for key, value in record.items() if key != "seconds"}


def test_a_playlist_is_the_record_generate_prints(server, monkeypatch):
    status, served = server.call("POST", "/v1/playlists", {"title": "road trip", "n": 7, "profile": None})
    assert status == 200
    monkeypatch.setenv("AGENT_HOME", str(built_demo_home()))
    printed = json.loads(ok(run_agent("generate", "--title", "road trip", "-n", "7", "--format", "json",
                                      "--profile", "nobody-yet")).output)
    assert _without_timing(served) == _without_timing(printed)
    assert served["schema_version"] == 1 and len(served["tracks"]) == 7


def test_filters_seeds_and_modes_are_applied(server):
    status, plain = server.call("POST", "/v1/playlists", {"title": "road trip", "n": 10, "profile": None})
    top_artist = plain["tracks"][0]["artist_name"]
    status, filtered = server.call("POST", "/v1/playlists", {
        "title": "road trip", "n": 10, "profile": None, "voting": "count",
        "filters": {"exclude_artists": [top_artist], "max_per_artist": 1},
    })
    assert status == 200 and filtered["voting"] == "count"
    artists = [t["artist_name"] for t in filtered["tracks"]]
    assert top_artist not in artists and len(set(artists)) == len(artists)

    seed = plain["tracks"][0]["track_uri"]
    status, seeded = server.call("POST", "/v1/playlists", {"title": "road trip", "seeds": [seed], "profile": None})
    assert status == 200 and seeded["tracks"] != plain["tracks"]  # the seed's playlists voted too


def test_seeds_named_in_words_and_steering_words_are_served(server):
    _, plain = server.call("POST", "/v1/playlists", {"title": "road trip", "n": 10, "profile": None})
    first = plain["tracks"][0]
    status, seeded = server.call("POST", "/v1/playlists", {
        "seeds": [f"{first['track_name']} by {first['artist_name']}"], "n": 10, "profile": None})
    assert status == 200 and [s["track_uri"] for s in seeded["seeds"]] == [first["track_uri"]]
    assert first["track_uri"] not in [t["track_uri"] for t in seeded["tracks"]]
    status, steered = server.call("POST", "/v1/playlists", {
        "title": "road trip", "n": 10, "profile": None, "steering": ["christmas"], "steer_strength": 1})
    assert status == 200 and steered["tracks"] != plain["tracks"]


def test_unknown_seeds_are_skipped_and_said_and_seed_tracks_match_by_name(server):
    _, plain = server.call("POST", "/v1/playlists", {"title": "road trip", "n": 3, "profile": None})
    first = plain["tracks"][0]
    another_release = {"track_uri": "spotify:track:elsewhere", "track_name": first["track_name"],
                       "artist_name": first["artist_name"], "album_name": "Greatest Hits"}
    status, seeded = server.call("POST", "/v1/playlists", {
        "title": "road trip", "seeds": ["spotify:track:nope", another_release], "n": 3, "profile": None})
    assert status == 200 and [s["track_uri"] for s in seeded["seeds"]] == [first["track_uri"]]
    assert "1 seed track(s) not in the catalog, skipped: spotify:track:nope" in seeded["warnings"]
    assert any("took" in w and "by its name" in w for w in seeded["warnings"])

    status, popular = server.call("POST", "/v1/playlists", {"seeds": ["spotify:track:nope"], "n": 3, "profile": None})
    assert status == 200 and len(popular["tracks"]) == 3
    assert any("most played" in w for w in popular["warnings"])
    assert popular["made_with"]["settings"]["seeds"] == 0 and popular["made_with"]["version"]

    status, answer = server.call("POST", "/v1/playlists", {"title": "x", "seeds": ["spotify:track:a"] * 1001})
    assert status == 422 and answer["error"]["message"].startswith("seeds: List should have at most 1000 items")


def test_a_method_alone_is_served_and_one_it_cannot_serve_is_refused(server):
    _, plain = server.call("POST", "/v1/playlists", {"title": "road trip", "n": 3, "profile": None})
    seed = plain["tracks"][0]["track_uri"]
    status, alone = server.call("POST", "/v1/playlists", {"seeds": [seed], "n": 5, "profile": None,
                                                          "filters": {"method": "itemknn"}})
    assert status == 200 and alone["made_with"]["settings"]["method"] == "itemknn"
    assert seed not in [t["track_uri"] for t in alone["tracks"]] and all("itemknn" in t["signals"] for t in alone["tracks"])
    status, answer = server.call("POST", "/v1/playlists", {"seeds": [seed], "profile": None,
                                                           "filters": {"method": "itemknn", "ranker": True}})
    assert status == 422 and "do not apply to the method itemknn" in answer["error"]["message"]


@pytest.mark.parametrize(("body", "field", "words"), [
    ({"title": "x" * 201}, "title", "at most 200"),
    ({"title": "   "}, "title", "empty"),
    ({"title": "road trip", "n": 501}, "n", "less than or equal to 500"),
    ({"title": "road trip", "n": 0}, "n", "greater than or equal to 1"),
    ({"title": "road trip", "mode": "magic"}, "mode", "retrieval"),
    ({"title": "road trip", "steering": {"energy": 1}}, "steering", "valid list"),
    ({"title": "road trip", "steering": ["upbeat"], "steer_strength": 2}, "steer_strength", "less than or equal to 1"),
    ({"title": "road trip", "colour": "blue"}, "colour", "not permitted"),
    ({"n": 5}, "title", "empty"),
    ({"title": "road trip", "filters": {"method": "svd"}}, "filters.method", "itemknn"),
])
def test_bad_requests_get_a_clear_422(server, body, field, words):
    status, answer = server.call("POST", "/v1/playlists", body)
    assert status == 422
    assert answer["error"]["type"] == "invalid_request"
    assert answer["error"]["message"].startswith(f"{field}:") and words in answer["error"]["message"]


def test_user_errors_body_limits_and_unknown_paths(server):
    status, answer = server.call("POST", "/v1/playlists", {"title": "road trip", "seeds": ["Zzyzx Road by Nobody"]})
    assert status == 422 and answer["error"] == {
        "type": "user_error", "message": "no song in the catalog matches “Zzyzx Road by Nobody”"}
    status, answer = server.call("POST", "/v1/playlists", {"title": "road trip",
                                                           "filters": {"exclude_artists": ["The Nonexistents"]}})
    assert status == 422 and answer["error"] == {  # as in the CLI: never silently ignored
        "type": "user_error", "message": "no artist in the catalog matches “The Nonexistents”"}
    status, answer = server.call("POST", "/v1/playlists", raw=b'{"title": "' + b"x" * 70_000 + b'"}')
    assert status == 413 and "65,536 bytes" in answer["error"]["message"]
    status, answer = server.call("POST", "/v1/playlists", raw=b"{not json")
    assert status == 422 and answer["error"]["type"] == "invalid_request"
    status, answer = server.call("GET", "/v1/nothing-here")
    assert status == 404 and answer["error"]["type"] == "http_error"


def test_search_finds_songs_and_artists(server):
    status, found = server.call("GET", "/v1/search?q=beatles&limit=5")
    assert status == 200
    assert {"artist_name": "The Beatles", "tracks": found["artists"][0]["tracks"]} == found["artists"][0]
    assert found["tracks"] and all("beatles" in (t["track_name"] + t["artist_name"]).lower() for t in found["tracks"])
    assert server.call("GET", "/v1/search?q=")[0] == 422


def test_a_disliked_artist_leaves_every_later_playlist(server):
    _, before = server.call("POST", "/v1/playlists", {"title": "road trip", "profile": "dislikes"})
    gone = before["tracks"][0]["artist_name"]
    status, profile = server.call("POST", "/v1/profiles/dislikes/dislike", {"artists": [gone]})
    assert status == 200 and profile["unwanted_artists"] == [gone]
    _, after = server.call("POST", "/v1/playlists", {"title": "road trip", "profile": "dislikes"})
    assert gone not in [t["artist_name"] for t in after["tracks"]]
    assert server.call("GET", "/v1/profiles/dislikes")[1]["unwanted_artists"] == [gone]
    assert server.call("POST", "/v1/profiles/dislikes/like", {})[0] == 422
    assert server.call("POST", "/v1/profiles/bad%20name/like", {"artists": ["x"]})[0] == 422


def test_concurrent_requests_lose_no_profile_change_and_agree(server):
    uris = [f"demo:track:concurrent{i:02d}" for i in range(24)]
    with ThreadPoolExecutor(8) as pool:
        likes = list(pool.map(lambda uri: server.call("POST", "/v1/profiles/crowd/like", {"tracks": [uri]}), uris))
        playlists = list(pool.map(lambda _: server.call("POST", "/v1/playlists", {"title": "gym", "profile": None}),
                                  range(24)))
    assert all(status == 200 for status, _ in likes + playlists)
    assert sorted(server.call("GET", "/v1/profiles/crowd")[1]["liked_tracks"]) == uris
    assert len({json.dumps(p["tracks"]) for _, p in playlists}) == 1


def test_retrieval_is_served_while_the_llm_works(server):
    """A comparison runs the real bundled llama.cpp model; retrieval answers meanwhile."""
    finished: dict[str, float] = {}

    def compare():
        finished["status"], finished["answer"] = server.call("POST", "/v1/compare", {"title": "road trip", "n": 5})
        finished["compare"] = time.monotonic()

    worker = threading.Thread(target=compare)
    worker.start()
    time.sleep(0.5)
    latencies = []
    for _ in range(5):
        started = time.monotonic()
        assert server.call("POST", "/v1/playlists", {"title": "summer", "profile": None})[0] == 200
        latencies.append(time.monotonic() - started)
    retrieval_done = time.monotonic()
    worker.join(timeout=600)
    assert finished["status"] == 200, finished["answer"]
    assert retrieval_done < finished["compare"], f"retrieval waited for the LLM: {latencies}"
    answer = finished["answer"]
    assert [p["mode"] for p in answer["playlists"]] == ["retrieval", "rerank", "llm"]
    assert set(answer["also"]) == {"retrieval", "rerank", "llm"}
    assert all(len(answer["also"][p["mode"]]) == len(p["tracks"]) for p in answer["playlists"])


def test_export_writes_what_the_cli_writes(server, tmp_path, monkeypatch):
    _, playlist = server.call("POST", "/v1/playlists", {"title": "road trip", "n": 3, "profile": None})
    status, m3u = server.call("POST", "/v1/export", {"playlist": playlist, "format": "m3u"})
    assert status == 200 and m3u.startswith("#EXTM3U\n#PLAYLIST:road trip")
    assert m3u.count("#EXTINF") == 3
    status, csv = server.call("POST", "/v1/export", {"playlist": playlist, "format": "csv"})
    made_with = playlist["made_with"]
    assert csv.splitlines()[0].startswith(f"# playlist-agent {made_with['version']} · catalog {made_with['catalog']} · ")
    assert csv.splitlines()[1] == "rank,track_uri,track_name,artist_name,score" and len(csv.splitlines()) == 5
    assert server.call("POST", "/v1/export", {"playlist": {"title": 1}, "format": "csv"})[0] == 422


def test_page_docs_and_health(server):
    status, page = server.call("GET", "/")
    assert status == 200 and '<form id="ask"' in page
    assert server.call("GET", "/static/app.js")[0] == 200
    status, schema = server.call("GET", "/openapi.json")
    assert {"/v1/playlists", "/v1/compare", "/v1/search", "/healthz"} <= set(schema["paths"])
    assert server.call("GET", "/docs")[0] == 200
    status, health = server.call("GET", "/healthz")
    assert health == {"status": "ok", "catalog": "demo", "playlists": 2400, "encoder": "all-MiniLM-L6-v2",
                      "query_encoder": "onnx", "llm": {"configured": False, "model": "SmolLM2-135M (demo)"}}
