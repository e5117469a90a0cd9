"""The page at `/` in a real headless Chromium against a real `agent serve`: the address
holds the whole request (opening it reproduces the playlist, edits included; back
undoes), steering says how much it changed, discovery moves by keyboard and shows as applied, seeds are found as you type and can stand
alone, each track can be removed, replaced, moved or followed, the profile shows and can
be switched off, catalog text stays text, and the page fits a phone.

Screenshots land in the test's tmp dir; set AGENT_SCREENSHOTS=DIR to keep them there too."""

from __future__ import annotations

import json
import os
import shutil
from pathlib import Path
from urllib.parse import parse_qs, urlsplit

import pytest

from browser import Browser, chromium_path
from conftest import stop_process
from demo_home import built_demo_home
from serve_client import start_server

pytestmark = [
    pytest.mark.slow,
    pytest.mark.skipif(chromium_path() is None, reason="chromium is not installed (Debian: apt-get install chromium)"),
]
URIS = "[...document.querySelectorAll('.column[data-mode=\"retrieval\"] .track')].map(t => t.dataset.uri)"
STATUS = "document.getElementById('status').textContent"
SETTLED = "!document.getElementById('status').textContent.startsWith('Finding')"


@pytest.fixture(scope="module")
def server(tmp_path_factory):
    running = start_server(built_demo_home(), tmp_path_factory.mktemp("serve") / "server.log")
    yield running
    stop_process(running.process, timeout=10)


@pytest.fixture
def open_page(server):
    opened = []

    def open_at(address: str, width: int = 1280, height: int = 900) -> Browser:
        browser = Browser(server.url + address)
        opened.append(browser)
        browser.viewport(width, height)
        browser.wait_for("document.readyState === 'complete' && !!document.getElementById('ask')", 60)
        browser.wait_for(SETTLED + " && document.getElementById('status').textContent !== ''", 60)
        return browser

    yield open_at
    for browser in opened:
        browser.close()


def _uris(server, **body) -> list[str]:
    status, playlist = server.call("POST", "/v1/playlists", {"n": 10, "profile": None, **body})
    assert status == 200, playlist
    return [t["track_uri"] for t in playlist["tracks"]]


def _click(browser: Browser, position: int, label: str) -> None:
    browser.evaluate(f"document.querySelectorAll('.column[data-mode=\"retrieval\"] .track')[{position}]"
                     f".querySelector('button[aria-label^=\"{label}\"]').click()")


def _shows(uris: list[str]) -> str:
    """A condition: the page lists exactly `uris`, in order."""
    return f"JSON.stringify({URIS}) === {json.dumps(json.dumps(uris, separators=(',', ':')))}"


def _query(browser: Browser) -> dict[str, list[str]]:
    return parse_qs(urlsplit(browser.evaluate("location.href")).query)


def _keep(shot: Path) -> None:
    keep = os.environ.get("AGENT_SCREENSHOTS")
    if keep:
        Path(keep).mkdir(parents=True, exist_ok=True)
        shutil.copy(shot, Path(keep) / shot.name)


def test_an_address_shows_its_playlist_and_the_why_in_words(server, open_page, tmp_path):
    browser = open_page("/?title=road%20trip&profile=off")
    assert browser.evaluate(URIS) == _uris(server, title="road trip")
    why = browser.evaluate("document.querySelector('.track .why p').textContent")
    assert "playlists titled 'road trip' (similarity 1.00)" in why and "{" not in why
    assert browser.evaluate("document.getElementById('with-llm').checked") is False  # no model of the user's own
    assert "demo model" in browser.evaluate("document.getElementById('llm-label').textContent")
    assert browser.evaluate("document.querySelectorAll('.column').length") == 1
    _keep(browser.screenshot(tmp_path / "serve.png"))


def test_a_shared_address_reproduces_removals_and_moves(server, open_page):
    plain = _uris(server, title="road trip")
    moved = _uris(server, title="road trip", filters={"exclude_tracks": [plain[1]]})
    browser = open_page(f"/?title=road%20trip&profile=off&exclude={plain[1]}&move={moved[4]}@0")
    assert browser.evaluate(URIS) == [moved[4], *moved[:4], *moved[5:]]


def test_remove_then_undo_and_replace_in_place(server, open_page):
    browser = open_page("/?title=road%20trip&profile=off")
    before = browser.evaluate(URIS)
    _click(browser, 2, "remove")
    browser.wait_for(STATUS + ".startsWith('Removed')", 30)
    after = browser.evaluate(URIS)
    assert before[2] not in after and len(after) == 10 and after[:2] == before[:2] and after[2:9] == before[3:]
    assert _query(browser)["exclude"] == [before[2]]
    browser.evaluate("document.getElementById('undo').click()")
    browser.wait_for(_shows(before), 30)
    assert "exclude" not in _query(browser)

    _click(browser, 3, "replace")
    browser.wait_for(STATUS + ".startsWith('Replaced')", 30)
    replaced = browser.evaluate(URIS)
    assert replaced[3] not in before and replaced[:3] == before[:3] and replaced[4:] == before[4:]


def test_moving_a_track_up_and_down(open_page):
    browser = open_page("/?title=gym&profile=off")
    before = browser.evaluate(URIS)
    _click(browser, 4, "move")  # the first "move" button is "up"
    browser.wait_for(f"{URIS}[3] === {json.dumps(before[4])}", 30)
    assert browser.evaluate(URIS) == [*before[:3], before[4], before[3], *before[5:]]
    browser.evaluate("history.back()")
    browser.wait_for(_shows(before), 30)


def test_steering_changes_the_playlist_and_says_how_much(server, open_page):
    browser = open_page("/?title=road%20trip&profile=off")
    browser.evaluate("document.querySelector('#steer-chips [data-word=\"christmas\"]').click()")
    browser.wait_for(SETTLED + " && " + STATUS + ".includes('Steering changed')", 30)
    steered = browser.evaluate(URIS)
    assert steered == _uris(server, title="road trip", steering=["christmas"])
    changed = len(set(steered) - set(_uris(server, title="road trip")))
    assert changed > 0 and f"Steering changed {changed} of 10 tracks" in browser.evaluate(STATUS)
    assert _query(browser)["steer"] == ["christmas"]
    browser.evaluate("document.querySelector('#steer-chips [data-word=\"christmas\"]').click()")  # now away from it
    browser.wait_for(SETTLED + " && " + STATUS + ".includes('Steering changed')", 30)
    assert _query(browser)["steer"] == ["-christmas"]


def _press(browser: Browser, key: str, code: int) -> None:
    """A real key press (through DevTools), as a keyboard user makes it."""
    for kind in ("rawKeyDown", "keyUp"):
        browser.send("Input.dispatchKeyEvent", type=kind, key=key, code=key, windowsVirtualKeyCode=code)


def test_discovery_by_keyboard_changes_the_playlist_and_lives_in_the_address(server, open_page):
    browser = open_page("/?title=road%20trip&profile=off")
    balanced = _uris(server, title="road trip", filters={"discovery": 0.3})
    assert balanced != _uris(server, title="road trip")
    browser.evaluate("document.getElementById('discovery').focus()")
    for _ in range(3):
        _press(browser, "ArrowRight", 39)
    browser.wait_for(SETTLED + " && " + _shows(balanced), 30)
    assert _query(browser)["discovery"] == ["0.3"]
    assert "Discovery 0.3: balanced." in browser.evaluate(STATUS)
    assert browser.evaluate("document.getElementById('discovery-value').textContent") == "0.3: balanced"

    shared = open_page(browser.evaluate("location.pathname + location.search"))
    assert shared.evaluate(URIS) == balanced
    assert shared.evaluate("document.getElementById('discovery').value") == "0.3"


def test_seeds_are_found_as_you_type_and_stand_alone(server, open_page):
    browser = open_page("/")
    browser.evaluate("(q => { q.focus(); q.value = 'mr blue'; q.dispatchEvent(new Event('input')); })"
                     "(document.getElementById('seed-query'))")
    browser.wait_for("document.querySelectorAll('#seed-results [role=option]').length > 0", 30)
    browser.evaluate("document.getElementById('seed-query').dispatchEvent("
                     "new KeyboardEvent('keydown', {key: 'Enter', bubbles: true}))")
    browser.wait_for(SETTLED + " && " + STATUS + ".startsWith('After 1 seed song')", 30)
    seed = _query(browser)["seed"][0]
    assert "title" not in _query(browser) and "Mr. Blue Sky" in browser.evaluate(
        "document.getElementById('seeds').textContent")
    assert browser.evaluate(URIS) == _uris(server, seeds=[seed])

    _click(browser, 0, "a new playlist after")  # "more like this"
    first = _uris(server, seeds=[seed])[0]
    browser.wait_for(f"(new URLSearchParams(location.search)).get('seed') === {json.dumps(first)}", 30)
    browser.wait_for(SETTLED, 30)
    assert browser.evaluate(URIS) == _uris(server, seeds=[first])


def test_the_profile_applies_shows_and_switches_off_for_one_request(server, open_page):
    browser = open_page("/?title=gym")
    browser.evaluate("(p => { p.value = 'browser'; p.dispatchEvent(new Event('change')); })"
                     "(document.getElementById('profile'))")
    disliked = browser.evaluate(URIS)[0]
    _click(browser, 0, "dislike")
    browser.wait_for("document.querySelector('.track').dataset.feedback === 'dislike'", 30)
    browser.wait_for("document.getElementById('profile-summary').textContent === 'applied: 1 disliked track'", 30)
    assert server.call("GET", "/v1/profiles/browser")[1]["unwanted_tracks"] == [disliked]
    browser.evaluate("document.getElementById('go').click()")
    browser.wait_for(SETTLED, 30)
    assert disliked not in browser.evaluate(URIS)
    browser.evaluate("document.getElementById('use-profile').click()")
    browser.wait_for(SETTLED + f" && {URIS}[0] === {json.dumps(disliked)}", 30)
    assert _query(browser)["profile"] == ["off"]


def test_catalog_and_user_text_is_never_markup(open_page):
    browser = open_page("/?title=" + "%3Cimg%20src%3Dx%20onerror%3D%22document.title%3D'owned'%22%3Eroad%20trip")
    assert browser.evaluate("document.querySelectorAll('main img').length") == 0
    assert "<img src=x" in browser.evaluate(STATUS)
    assert browser.evaluate("document.title") == "playlist-agent"


def test_the_page_fits_a_phone(open_page, tmp_path):
    browser = open_page("/?title=summer%20vibes%20%E2%98%80%EF%B8%8F&steer=upbeat", 390, 844)
    browser.viewport(390, 844, mobile=True)
    assert browser.evaluate("document.documentElement.scrollWidth") <= 390  # nothing wider than the screen
    column = browser.evaluate("document.querySelector('.column').getBoundingClientRect().width")
    assert 300 <= column <= 390
    _keep(browser.screenshot(tmp_path / "serve-phone.png"))
