"""`agent serve` against hostile requests and stored files: a body nested thousands deep is
a 422 naming the body, malformed JSON names the body rather than a character offset,
search words are literal, and a profile file that had to be set aside is said in the
response of every route that read it."""

from __future__ import annotations

import pytest

from conftest import stop_process
from demo_home import built_demo_home
from serve_client import start_server

pytestmark = pytest.mark.slow

DEEP = 5_000


@pytest.fixture(scope="module")
def server(tmp_path_factory):
    running = start_server(built_demo_home(), tmp_path_factory.mktemp("serve-hostile") / "server.log")
    yield running
    stop_process(running.process, timeout=10)


@pytest.mark.parametrize("body", [
    b"[" * DEEP + b"]" * DEEP,
    b'{"title": "road trip", "seeds": ' + b"[" * DEEP + b"]" * DEEP + b"}",
    b'{"title": ' + b'{"a": ' * DEEP + b"1" + b"}" * DEEP + b"}",
])
def test_a_body_nested_thousands_deep_is_a_422_naming_the_body(server, body):
    for path in ("/v1/playlists", "/v1/compare", "/v1/profiles/deep/like"):
        status, answer = server.call("POST", path, raw=body)
        assert status == 422, (path, answer)
        assert answer["error"]["message"] == "body: is nested deeper than 200 levels"


def test_malformed_json_names_the_body_not_a_character_offset(server):
    status, answer = server.call("POST", "/v1/playlists", raw=b'{"title": "road trip",,}')
    assert status == 422 and answer["error"]["type"] == "invalid_request"
    assert answer["error"]["message"].startswith("body: ") and "at character" in answer["error"]["message"]
    assert answer["error"]["details"][0]["field"] == "body"


@pytest.mark.parametrize("query", ["%", "_", "%25"])
def test_search_takes_wildcards_literally(server, query):
    status, found = server.call("GET", f"/v1/search?q={query}&limit=5")
    assert status == 200
    literal = "%" if query == "%25" else query
    assert all(literal in t["track_name"] + " " + t["artist_name"] for t in found["tracks"])
    assert all(literal in a["artist_name"] for a in found["artists"])


def test_a_profile_set_aside_is_a_warning_in_every_response_that_read_it(server):
    profiles = built_demo_home() / "profiles"
    profiles.mkdir(exist_ok=True)
    deep = '{"liked_artists": ' + "[" * DEEP + "]" * DEEP + "}"

    (profiles / "broken-a.json").write_text(deep)
    status, playlist = server.call("POST", "/v1/playlists", {"title": "road trip", "n": 3, "profile": "broken-a"})
    assert status == 200 and any("kept aside" in w for w in playlist["warnings"])

    (profiles / "broken-b.json").write_text("{not json")
    status, changed = server.call("POST", "/v1/profiles/broken-b/like", {"artists": ["Queen"]})
    assert status == 200 and changed["liked_artists"] == ["Queen"]
    assert any("kept aside" in w for w in changed["warnings"])

    (profiles / "broken-c.json").write_text(deep)
    status, shown = server.call("GET", "/v1/profiles/broken-c")
    assert status == 200 and any("nested deeper" in w for w in shown["warnings"])
    for name in ("broken-a", "broken-b", "broken-c"):
        assert len(list(profiles.glob(f"{name}.json.unreadable-*"))) == 1
