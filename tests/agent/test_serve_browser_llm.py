"""The page's LLM columns in a real headless Chromium against a real `agent serve`:
ticking "also ask the LLM" adds the LLM rerank and pure-LLM columns beside retrieval,
with the bundled SmolLM2-135M and with a model of the user's own; songs the LLM names
that the catalog lacks are counted under the column, never listed as tracks; the
address holds the choice."""

from __future__ import annotations

import re
import threading

import pytest

from browser import Browser, chromium_path
from conftest import stop_process
from demo_home import built_demo_home
from faulty_openai_server import FaultyServer
from serve_client import start_server

pytestmark = [
    pytest.mark.slow,
    pytest.mark.skipif(chromium_path() is None, reason="chromium is not installed (Debian: apt-get install chromium)"),
]
STATUS = "document.getElementById('status').textContent"
SETTLED = "!document.getElementById('status').textContent.startsWith('Finding')"
COMPARED = STATUS + ".startsWith('Shared songs')"
# Each column as a user reads it: heading, caption, the tracks listed, the missing-songs line and its list.
COLUMNS = """[...document.querySelectorAll('.column')].map(c => ({
  heading: c.querySelector('h2').textContent,
  caption: c.querySelector('.caption') ? c.querySelector('.caption').textContent : '',
  tracks: [...c.querySelectorAll('.track')].map(t =>
    t.querySelector('.name').firstChild.textContent + ' · ' + t.querySelector('.artist').textContent),
  uris: [...c.querySelectorAll('.track')].map(t => t.dataset.uri),
  missing: c.querySelector('.missing-note summary') ? c.querySelector('.missing-note summary').textContent : null,
  missing_songs: [...c.querySelectorAll('.missing-note li')].map(li => li.textContent),
}))"""
HEADINGS = ["Retrieval", "LLM rerank", "Pure LLM"]
MADE_UP = [("Zyzzyva Moonbeam Overture", "Quorbl Nonexistent"), ("Glass Harbour Nocturne", "The Unrecorded"),
           ("Velvet Static Parade", "Nobody Ever Band")]


def _open(url: str) -> Browser:
    browser = Browser(url)
    browser.viewport(1280, 900)
    browser.wait_for("document.readyState === 'complete' && !!document.getElementById('ask')", 60)
    browser.wait_for(SETTLED + " && " + STATUS + " !== ''", 60)
    return browser


def _tick_the_llm_box_and_ask(browser: Browser) -> None:
    browser.evaluate("document.getElementById('with-llm').click()")
    assert "llm=1" in browser.evaluate("location.search")
    browser.evaluate("document.getElementById('go').click()")


def _named(track: dict) -> str:
    return f"{track['track_name']} · {track['artist_name']}"


def test_the_bundled_model_adds_its_columns_with_tracks(tmp_path):
    server = start_server(built_demo_home(), tmp_path / "server.log")  # no model of the user's own: the demo one
    browser = None
    try:
        browser = _open(server.url + "/?title=road%20trip&profile=off")
        assert "bundled demo model" in browser.evaluate("document.getElementById('llm-label').textContent")
        assert [c["heading"] for c in browser.evaluate(COLUMNS)] == ["Retrieval"]
        _tick_the_llm_box_and_ask(browser)
        browser.wait_for("document.querySelectorAll('.column .waiting').length === 2", 60)
        assert "waiting for the LLM" in browser.evaluate("document.getElementById('results').textContent")
        browser.wait_for(COMPARED, 300)
        retrieval, rerank, llm = columns = browser.evaluate(COLUMNS)
        assert [c["heading"] for c in columns] == HEADINGS
        assert "SmolLM2-135M" in rerank["caption"] and "SmolLM2-135M" in llm["caption"]
        assert len(rerank["tracks"]) == 10 and len(set(rerank["uris"])) == 10 and all(rerank["uris"])  # catalog tracks
        assert len(retrieval["tracks"]) == 10
        # The tiny model names few catalog songs, if any: every one it named is listed or counted.
        missing = re.fullmatch(r"(\d+) of 10 named songs are not in the catalog", llm["missing"] or "0 of 10 named "
                               "songs are not in the catalog")
        assert missing and len(llm["tracks"]) + int(missing.group(1)) == 10
        assert len(llm["missing_songs"]) == int(missing.group(1))
    finally:
        if browser:
            browser.close()
        stop_process(server.process, timeout=10)


@pytest.fixture(scope="module")
def own_model_server(tmp_path_factory):
    """`agent serve` with an OpenAI-compatible server of the test's own as its LLM: it
    reranks last candidate first and names the songs the test gives it."""
    llm = FaultyServer()
    threading.Thread(target=llm.serve_forever, daemon=True).start()
    server = start_server(built_demo_home(), tmp_path_factory.mktemp("serve") / "server.log",
                          options=("--llm", "openai", "--base-url", llm.url("valid"), "--model", "fixed-answers"))
    yield server, llm
    stop_process(server.process, timeout=10)
    llm.shutdown()


def test_songs_the_llm_names_that_the_catalog_lacks_are_counted_not_listed(own_model_server):
    server, llm = own_model_server
    status, retrieved = server.call("POST", "/v1/playlists", {"title": "road trip", "n": 10, "profile": None})
    assert status == 200
    real = [(t["track_name"], t["artist_name"]) for t in retrieved["tracks"][2:9]]
    llm.songs = [real[0], MADE_UP[0], *real[1:4], MADE_UP[1], *real[4:], MADE_UP[2]]
    status, reranked = server.call("POST", "/v1/playlists", {"title": "road trip", "n": 10, "profile": None,
                                                             "mode": "rerank"})
    assert status == 200

    browser = _open(server.url + "/?title=road%20trip&profile=off")
    try:
        label = browser.evaluate("document.getElementById('llm-label').textContent")
        assert label.startswith("also ask the LLM (fixed-answers at")
        _tick_the_llm_box_and_ask(browser)
        browser.wait_for(COMPARED, 120)
        retrieval, rerank, pure = columns = browser.evaluate(COLUMNS)
        assert [c["heading"] for c in columns] == HEADINGS
        assert rerank["tracks"] == [_named(t) for t in reranked["tracks"]] != retrieval["tracks"]
        assert pure["tracks"] == [f"{song} · {artist}" for song, artist in real]
        assert pure["missing"] == "3 of 10 named songs are not in the catalog"
        assert pure["missing_songs"] == [f"{song} · {artist}" for song, artist in MADE_UP]
        assert rerank["missing"] is None and retrieval["missing"] is None
        shown = browser.evaluate("document.getElementById('results').textContent")
        assert all(shown.count(song) == 1 for song, _ in MADE_UP)  # in the count's list only
        address = browser.evaluate("location.href")
    finally:
        browser.close()

    reopened = _open(address)  # the address holds the choice: the LLM columns come back without a click
    try:
        assert reopened.evaluate("document.getElementById('with-llm').checked") is True
        reopened.wait_for(COMPARED, 120)
        assert reopened.evaluate(COLUMNS)[2]["missing"] == "3 of 10 named songs are not in the catalog"
    finally:
        reopened.close()
