"""A tiny OpenAI-compatible server that answers in the broken way its URL names:
POST /<fault>[-<id>]/v1/chat/completions, with <fault> one of html, nochoices,
nullcontent, busy (429 with Retry-After: 1, then a valid answer), busydate (the same
with an HTTP date), busyforanhour and alwaysbusy (429 with Retry-After: 3600, always),
hang (a valid answer after HANG seconds), trickle (a valid answer sent a byte at a
time, TRICKLE seconds apart, for its first bytes); anything else is a valid answer. A valid
answer ranks the candidates the request's schema allows, last first, or, asked for songs
(the pure-LLM mode), names the server's `songs` in order. The optional -<id> keeps one
test's call count its own.
"""

from __future__ import annotations

import json
import threading
import time
from email.utils import formatdate
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer

HANG = 4.0  # seconds the hanging server sleeps: well past the tests' 1 s timeout
TRICKLE = 0.3  # seconds between bytes: under the 1 s timeout, so no single read times out
TRICKLED = 10  # bytes sent slowly (3 s) before the rest
DEEP = 5_000  # nesting levels: past any recursive parser's limit


class FaultyServer(ThreadingHTTPServer):
    """Answers POST /<fault>/v1/chat/completions in the way <fault> names; counts and times calls."""

    daemon_threads = True  # a hanging answer must not hold up the test run's end

    def __init__(self):
        super().__init__(("127.0.0.1", 0), FaultyHandler)
        self.calls: dict[str, list[float]] = {}
        self.songs: list[tuple[str, str]] = []  # (song, artist) named when asked for songs
        self.lock = threading.Lock()

    def url(self, fault: str) -> str:
        return f"http://127.0.0.1:{self.server_address[1]}/{fault}/v1"

    def record(self, fault: str) -> int:
        with self.lock:
            self.calls.setdefault(fault, []).append(time.monotonic())
            return len(self.calls[fault])

    def count(self, fault: str) -> int:
        with self.lock:
            return len(self.calls.get(fault, []))


class FaultyHandler(BaseHTTPRequestHandler):
    server: FaultyServer

    def do_POST(self) -> None:
        request = json.loads(self.rfile.read(int(self.headers["Content-Length"])))
        fault = self.path.split("/")[1]
        kind = fault.split("-")[0]
        call = self.server.record(fault)
        if kind == "html":
            self._send(200, "<html><body><h1>Sign in to continue</h1></body></html>", "text/html")
        elif kind == "nochoices":
            self._send_json(200, {"id": "x", "object": "chat.completion", "model": "m", "choices": []})
        elif kind == "nullcontent":
            self._send_json(200, _completion(None))
        elif kind == "deepbody":
            self._send(200, "[" * DEEP + "]" * DEEP, "application/json")
        elif kind == "deepcontent":
            self._send_json(200, _completion('{"ranking": ' + "[" * DEEP + "]" * DEEP + "}"))
        elif kind == "busy" and call == 1:
            self._send_json(429, {"error": {"message": "slow down"}}, {"Retry-After": "1"})
        elif kind == "busydate" and call == 1:
            self._send_json(429, {"error": {"message": "slow down"}}, {"Retry-After": _http_date_in(2)})
        elif kind in ("alwaysbusy", "busyforanhour"):
            self._send_json(429, {"error": {"message": "slow down"}}, {"Retry-After": "3600"})
        elif kind == "trickle":
            self._trickle(json.dumps(_completion(self._valid_answer(request))))
        elif kind == "hang":
            time.sleep(HANG)
            self._send_json(200, _completion(self._valid_answer(request)))
        else:
            self._send_json(200, _completion(self._valid_answer(request)))

    def _valid_answer(self, request: dict) -> str:
        if "songs" in _schema(request)["properties"]:
            return json.dumps({"songs": [{"song": song, "artist": artist} for song, artist in self.server.songs]})
        return _reversed_ranking(request)

    def _trickle(self, body: str) -> None:
        data = body.encode()
        try:
            self.send_response(200)
            self.send_header("Content-Type", "application/json")
            self.send_header("Content-Length", str(len(data)))
            self.end_headers()
            for index in range(TRICKLED):
                self.wfile.write(data[index:index + 1])
                self.wfile.flush()
                time.sleep(TRICKLE)
            self.wfile.write(data[TRICKLED:])
        except (BrokenPipeError, ConnectionResetError):
            pass

    def _send_json(self, status: int, payload: dict, headers: dict | None = None) -> None:
        self._send(status, json.dumps(payload), "application/json", headers)

    def _send(self, status: int, body: str, kind: str, headers: dict | None = None) -> None:
        data = body.encode()
        try:
            self.send_response(status)
            self.send_header("Content-Type", kind)
            self.send_header("Content-Length", str(len(data)))
            for name, value in (headers or {}).items():
                self.send_header(name, value)
            self.end_headers()
            self.wfile.write(data)
        except (BrokenPipeError, ConnectionResetError):  # the client gave up waiting, as it should
            pass

    def log_message(self, *args) -> None:
        pass


def _completion(content: str | None) -> dict:
    return {"id": "x", "object": "chat.completion", "created": 0, "model": "m",
            "choices": [{"index": 0, "finish_reason": "stop", "message": {"role": "assistant", "content": content}}]}


def _schema(request: dict) -> dict:
    form = request["response_format"]
    return form["json_schema"]["schema"] if form["type"] == "json_schema" else form["schema"]


def _reversed_ranking(request: dict) -> str:
    """A valid rerank answer: the candidate numbers the schema allows, last first."""
    ranking = _schema(request)["properties"]["ranking"]
    numbers = sorted(ranking["items"]["enum"], reverse=True)[: ranking["minItems"]]
    return json.dumps({"ranking": numbers})


def _http_date_in(seconds: float) -> str:
    return formatdate(time.time() + seconds, usegmt=True)
