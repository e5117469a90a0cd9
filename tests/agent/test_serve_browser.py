"""The page at `/` in a real headless Chromium against a real `agent serve`: a title goes
in, the three modes' tracks come out as the API made them, catalog text stays text, the
dislike button reaches the profile, and the page fits a phone.

Screenshots land in the test's tmp dir; set AGENT_SCREENSHOTS=DIR to keep them there too."""

from __future__ import annotations

import json
import os
import shutil
from pathlib import Path

import pytest

from browser import Browser, chromium_path
from conftest import stop_process
from demo_home import built_demo_home
from serve_client import start_server

pytestmark = [
    pytest.mark.slow,
    pytest.mark.skipif(chromium_path() is None, reason="chromium is not installed (Debian: apt-get install chromium)"),
]
TRACK_NAMES = "[...document.querySelectorAll('.column[data-mode=\"{mode}\"] .track .name')].map(n => n.firstChild.textContent)"


@pytest.fixture(scope="module")
def server(tmp_path_factory):
    running = start_server(built_demo_home(), tmp_path_factory.mktemp("serve") / "server.log")
    yield running
    stop_process(running.process, timeout=10)


@pytest.fixture
def browser(server):
    opened = Browser(server.url + "/")
    opened.wait_for("document.readyState === 'complete' && !!document.getElementById('ask')", 60)
    yield opened
    opened.close()


def _keep(shot: Path) -> None:
    keep = os.environ.get("AGENT_SCREENSHOTS")
    if keep:
        Path(keep).mkdir(parents=True, exist_ok=True)
        shutil.copy(shot, Path(keep) / shot.name)


def _submit(browser: Browser, title: str, with_llm: bool) -> None:
    browser.evaluate(f"document.getElementById('title').value = {json.dumps(title)}; "
                     f"document.getElementById('with-llm').checked = {json.dumps(with_llm)}; "
                     "document.getElementById('go').click()")


def test_a_title_shows_three_modes_side_by_side(server, browser, tmp_path):
    browser.viewport(1280, 900)
    _submit(browser, "road trip", with_llm=True)
    browser.wait_for("document.querySelectorAll('.column[data-mode=\"retrieval\"] .track').length === 10", 60)
    _, expected = server.call("POST", "/v1/playlists", {"title": "road trip", "n": 10})
    assert browser.evaluate(TRACK_NAMES.format(mode="retrieval")) == [t["track_name"] for t in expected["tracks"]]
    browser.wait_for("document.querySelectorAll('.column').length === 3 && "
                     "document.querySelectorAll('.column .waiting').length === 0", 600)
    assert browser.evaluate("document.getElementById('status').className") != "error", \
        browser.evaluate("document.getElementById('status').textContent")
    for mode in ("rerank", "llm"):
        assert len(browser.evaluate(TRACK_NAMES.format(mode=mode))) > 0
    assert browser.evaluate("document.querySelectorAll('.column .exports button').length") == 9
    why = browser.evaluate("(d => { d.open = true; return d.textContent; })"
                           "(document.querySelector('.column[data-mode=\"retrieval\"] details.why'))")
    assert f"Voted by {len(expected['tracks'][0]['voters'])} playlists" in why and "similarity" in why
    _keep(browser.screenshot(tmp_path / "serve.png"))


def test_catalog_and_user_text_is_never_markup(browser):
    browser.viewport(1280, 900)
    _submit(browser, "<img src=x onerror=\"document.title='owned'\">road trip", with_llm=False)
    browser.wait_for("document.querySelectorAll('.track').length === 10", 60)
    assert browser.evaluate("document.querySelectorAll('main img').length") == 0
    assert "<img src=x" in browser.evaluate("document.getElementById('status').textContent")
    assert browser.evaluate("document.title") == "playlist-agent"


def test_dislike_button_updates_the_profile(server, browser):
    browser.viewport(1280, 900)
    browser.evaluate("document.getElementById('profile').value = 'browser'")
    _submit(browser, "gym", with_llm=False)
    browser.wait_for("document.querySelectorAll('.track').length === 10", 60)
    uri = server.call("POST", "/v1/playlists", {"title": "gym", "profile": "browser"})[1]["tracks"][0]["track_uri"]
    browser.evaluate("document.querySelector('.track button[aria-label^=\"dislike\"]').click()")
    browser.wait_for("document.querySelector('.track').dataset.feedback === 'dislike'", 30)
    assert server.call("GET", "/v1/profiles/browser")[1]["unwanted_tracks"] == [uri]


def test_the_page_fits_a_phone(browser, tmp_path):
    browser.viewport(390, 844, mobile=True)
    _submit(browser, "summer vibes ☀️", with_llm=False)
    browser.wait_for("document.querySelectorAll('.track').length === 10", 60)
    assert browser.evaluate("document.documentElement.scrollWidth") <= 390  # nothing wider than the screen
    column = browser.evaluate("document.querySelector('.column').getBoundingClientRect().width")
    assert 300 <= column <= 390
    _keep(browser.screenshot(tmp_path / "serve-phone.png"))
