"""The API docs at /docs render in headless Chromium with every other host unreachable:
Swagger UI comes from the server itself, not a CDN."""

from __future__ import annotations

from urllib.parse import urlsplit

import pytest

from browser import OFFLINE, Browser, chromium_path
from conftest import stop_process
from demo_home import built_demo_home
from serve_client import start_server

pytestmark = [
    pytest.mark.slow,
    pytest.mark.skipif(chromium_path() is None, reason="chromium is not installed (Debian: apt-get install chromium)"),
]
LOADED = ("[...document.querySelectorAll('script[src], link[href], img[src]')]"
          ".map(e => new URL(e.src || e.href, location.href).host)")


@pytest.fixture(scope="module")
def server(tmp_path_factory):
    running = start_server(built_demo_home(), tmp_path_factory.mktemp("serve") / "server.log")
    yield running
    stop_process(running.process, timeout=10)


def test_the_api_docs_render_offline(server):
    browser = Browser(server.url + "/docs", flags=OFFLINE)
    try:
        browser.wait_for("!!document.querySelector('.swagger-ui .info .title') && "
                         "document.querySelectorAll('.opblock').length > 0", 60)
        assert "playlist-agent" in browser.evaluate("document.querySelector('.swagger-ui .info .title').textContent")
        paths = browser.evaluate("[...document.querySelectorAll('.opblock-summary-path')].map(e => e.textContent)")
        assert "/v1/playlists" in "".join(paths)
        assert set(browser.evaluate(LOADED)) == {urlsplit(server.url).netloc}
    finally:
        browser.close()
