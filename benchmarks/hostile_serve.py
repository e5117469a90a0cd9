"""Hostile requests against `agent serve`: bodies, query strings, paths, headers and
broken HTTP. Every answer must come in time, be JSON for /v1/ routes, and be 4xx for
bad input (never 500); the server must live through all of it, log no traceback and
print nothing raw to its terminal.

    nice -n 19 python benchmarks/hostile_serve.py [--base DIR]

--base: a data dir whose demo catalog is already built (copied, not changed). Prints
the failing cases; exits 1 if any. Seconds once the server is up.
"""

from __future__ import annotations

import json
import re
import socket
import subprocess
import time
from pathlib import Path

from hostile_common import AGENT, RAW_CONTROL, Outcome, environment, report, sweep_options

URI = "demo:track:9e8c0423f2add74a"
SEED = {"track_uri": URI, "track_name": "Cruise", "artist_name": "Florida Georgia Line"}
ESC = "\x1b[31mRED\x1b[0m\x07\u202eevil"


def start(home: Path) -> tuple[subprocess.Popen, int, Path]:
    log = home / "serve.log"
    proc = subprocess.Popen(["nice", "-n", "19", *AGENT, "serve", "--port", "0", "--body-timeout", "2",
                             "--header-timeout", "2"], env=environment(home), stdout=log.open("wb"),
                            stderr=subprocess.STDOUT)
    for _ in range(600):
        found = re.search(r"127\.0\.0\.1:(\d+)", log.read_text(errors="replace"))
        if found:
            return proc, int(found.group(1)), log
        time.sleep(0.1)
    raise SystemExit(f"server did not start: {log.read_text()}")


def exchange(port: int, raw: bytes, timeout: float = 30) -> tuple[int | None, bytes]:
    """Send raw bytes, read the answer until the server closes or the time is up."""
    with socket.create_connection(("127.0.0.1", port), timeout=timeout) as sock:
        try:
            sock.sendall(raw)
        except OSError:
            pass  # the server may close early on a huge body; its answer is still readable
        chunks, deadline = [], time.monotonic() + timeout
        while time.monotonic() < deadline:
            try:
                chunk = sock.recv(65536)
            except (socket.timeout, ConnectionResetError):
                break
            if not chunk:
                break
            chunks.append(chunk)
    answer = b"".join(chunks)
    status = re.match(rb"HTTP/1\.[01] (\d{3})", answer)
    return (int(status.group(1)) if status else None), answer


def request(method: str, target: str, body: bytes = b"", headers: dict | None = None,
            host: str = "127.0.0.1") -> bytes:
    lines = [f"{method} {target} HTTP/1.1", f"Host: {host}", "Connection: close"]
    headers = {"Content-Type": "application/json", "Content-Length": str(len(body))} | (headers or {})
    lines += [f"{k}: {v}" for k, v in headers.items() if v is not None]
    return ("\r\n".join(lines) + "\r\n\r\n").encode("utf-8", "surrogateescape") + body


def post(route: str, document) -> bytes:
    body = document if isinstance(document, bytes) else json.dumps(document).encode()
    return request("POST", route, body)


def playlists(**change) -> bytes:
    return post("/v1/playlists", {"title": "road trip", "n": 3} | change)


def bad(text: str) -> bytes:
    return post("/v1/playlists", text.encode())


CASES = {
    # name: (raw request, statuses allowed)
    "valid": (playlists(), {200}),
    "seed objects": (playlists(seeds=[SEED]), {200}),
    "seed names only": (playlists(seeds=[{k: v for k, v in SEED.items() if k != "track_uri"}]), {200, 422}),
    "seed strings": (playlists(seeds=[URI, "Cruise by Florida Georgia Line"]), {200}),
    "unknown seed URIs": (playlists(seeds=[{"track_uri": "spotify:track:nope"}]), {200, 422}),
    "unknown seed ANSI": (playlists(seeds=[{"track_uri": ESC, "track_name": ESC, "artist_name": ESC}]),
                          {200, 422}),
    "seeds only, unknown": (post("/v1/playlists", {"seeds": ["spotify:track:nope"]}), {200, 422}),
    "1001 seeds": (playlists(seeds=[SEED] * 1001), {413, 422}),
    "seeds a string": (playlists(seeds=URI), {422}),
    "seeds an object": (playlists(seeds=SEED), {422}),
    "seed a number": (playlists(seeds=[5]), {422}),
    "seed null": (playlists(seeds=[None]), {422}),
    "seed nested list": (playlists(seeds=[[URI]]), {422}),
    "seed empty object": (playlists(seeds=[{}]), {422}),
    "seed uri number": (playlists(seeds=[{"track_uri": 5}]), {422}),
    "seed 60 KB uri": (playlists(seeds=["spotify:track:" + "z" * 60_000]), {200, 422}),
    "title number": (playlists(title=5), {422}),
    "title null no seeds": (playlists(title=None), {422}),
    "title empty": (playlists(title=""), {422}),
    "title 201 chars": (playlists(title="x" * 201), {422}),
    "title ANSI": (playlists(title=ESC), {200, 422}),
    "title emoji RTL zero-width": (playlists(title="\u202e🚗 road\u200b trip\u2066"), {200}),
    "title only emoji": (playlists(title="🔥🔥"), {200, 422}),
    "title NUL": (playlists(title="road\x00trip"), {200, 422}),
    "title lone surrogate": (bad('{"title": "road \\ud800 trip", "n": 3}'), {200, 422}),
    "n huge": (playlists(n=10**100), {422}),
    "n 1e308": (bad('{"title": "x", "n": 1e308}'), {422}),
    "n negative": (playlists(n=-1), {422}),
    "n zero": (playlists(n=0), {422}),
    "n string": (playlists(n="10"), {200, 422}),  # pydantic's lax mode reads "10" as 10
    "n float": (playlists(n=1.5), {422}),
    "n bool": (playlists(n=True), {200, 422}),  # and true as 1
    "n NaN": (bad('{"title": "x", "n": NaN}'), {422}),
    "n Infinity": (bad('{"title": "x", "n": Infinity}'), {422}),
    "n -Infinity": (bad('{"title": "x", "n": -Infinity}'), {422}),
    "k huge": (playlists(k=10**100), {422}),
    "k 10^9": (playlists(k=10**9), {200, 422}),
    "k negative": (playlists(k=-5), {422}),
    "k NaN": (bad('{"title": "x", "k": NaN}'), {422}),
    "steer_strength NaN": (bad('{"title": "x", "steer_strength": NaN}'), {422}),
    "steer_strength Infinity": (bad('{"title": "x", "steering": ["upbeat"], "steer_strength": Infinity}'),
                                {422}),
    "steering ANSI": (playlists(steering=[ESC]), {200, 422}),
    "steering 100 words": (playlists(steering=[f"w{i}" for i in range(100)]), {200, 422}),
    "filters wrong type": (playlists(filters="none"), {422}),
    "discovery NaN": (bad('{"title": "x", "filters": {"discovery": NaN}}'), {422}),
    "discovery 5": (playlists(filters={"discovery": 5}), {422}),
    "max_per_artist -1": (playlists(filters={"max_per_artist": -1}), {422}),
    "max_per_artist huge": (playlists(filters={"max_per_artist": 10**100}), {200, 422}),
    "exclude_artists 10000": (playlists(filters={"exclude_artists": ["x"] * 10000}), {413, 422}),
    "exclude_artists ANSI": (playlists(filters={"exclude_artists": [ESC]}), {200, 422}),
    "profile traversal": (playlists(profile="../../evil"), {200, 422}),
    "profile NUL": (playlists(profile="a\x00b"), {200, 422}),
    "profile number": (playlists(profile=5), {422}),
    "mode unknown": (playlists(mode="evil"), {422}),
    "voting unknown": (playlists(voting=None), {422}),
    "unknown field": (playlists(evil=1), {422}),
    "shots NaN": (bad('{"title": "x", "shots": NaN}'), {422}),
    "candidates huge": (playlists(candidates=10**100), {422}),
    "rerank_shuffles huge": (playlists(rerank_shuffles=10**9), {422}),
    "body list": (bad("[]"), {422}),
    "body string": (bad('"road trip"'), {422}),
    "body null": (bad("null"), {422}),
    "body number": (bad("7"), {422}),
    "body empty": (bad(""), {400, 422}),
    "body truncated": (bad('{"title": "x'), {400, 422}),
    "body invalid UTF-8": (post("/v1/playlists", b'{"title": "r\xff\xfe"}'), {400, 422}),
    "body UTF-16": (post("/v1/playlists", '{"title": "road trip"}'.encode("utf-16")), {200, 400, 422}),
    "body BOM": (post("/v1/playlists", b'\xef\xbb\xbf{"title": "road trip"}'), {200, 400, 422}),
    "nested 30000 deep": (bad("[" * 30_000 + "]" * 30_000), {400, 422}),
    "nested 30000 deep in seeds": (bad('{"title": "x", "seeds": ' + "[" * 30_000 + "]" * 30_000 + "}"),
                                   {400, 422}),
    "nested dict 10000 deep": (bad('{"a":' * 10_000 + "1" + "}" * 10_000), {400, 422}),
    "10 MB body": (post("/v1/playlists", b'{"title": "' + b"x" * 10_000_000 + b'"}'), {413}),
    "huge Content-Length, short body": (request("POST", "/v1/playlists", b"{}",
                                                {"Content-Length": str(10**12)}), {400, 408, 413}),
    "Content-Length lies (bigger)": (request("POST", "/v1/playlists", b"{}", {"Content-Length": "50"}),
                                     {400, 408}),
    "Content-Length negative": (request("POST", "/v1/playlists", b"{}", {"Content-Length": "-1"}), {400}),
    "Content-Length not a number": (request("POST", "/v1/playlists", b"{}", {"Content-Length": "ab"}), {400}),
    "chunked 10 MB": (request("POST", "/v1/playlists", b"".join(
        b"%x\r\n%s\r\n" % (1 << 16, b"x" * (1 << 16)) for _ in range(160)) + b"0\r\n\r\n",
        {"Content-Length": None, "Transfer-Encoding": "chunked"}), {400, 413}),
    "text/plain content type": (request("POST", "/v1/playlists", b'{"title": "road trip"}',
                                        {"Content-Type": "text/plain"}), {200, 415, 422}),
    "form content type": (request("POST", "/v1/playlists", b"title=road+trip",
                                  {"Content-Type": "application/x-www-form-urlencoded"}), {415, 422}),
    "compare bad body": (post("/v1/compare", {"title": 5}), {422}),
    "compare NaN": (bad('{"title": "x", "n": NaN}').replace(b"/v1/playlists", b"/v1/compare"), {422}),
    "export bad record": (post("/v1/export", {"playlist": {"tracks": 5}, "format": "m3u"}), {422}),
    "export bad format": (post("/v1/export", {"playlist": {}, "format": "exe"}), {422}),
    "export newline in name": (post("/v1/export", {"format": "m3u", "playlist": {
        "schema_version": 1, "title": "t\n#EXTM3U\nhttp://evil", "tracks": [{
            "track_uri": "x\nhttp://evil/", "track_name": "a\nhttp://evil/", "artist_name": ESC,
            "rank": 1}]}}), {200, 422}),
    "search ANSI": (request("GET", "/v1/search?q=%1b%5b31mred&limit=5"), {200, 422}),
    "search NUL": (request("GET", "/v1/search?q=a%00b"), {200, 422}),
    "search invalid UTF-8": (request("GET", "/v1/search?q=%ff%fe"), {200, 400, 422}),
    "search raw bytes": (request("GET", "/v1/search?q=\udcff\udcfe"), {200, 400, 422}),
    "search empty": (request("GET", "/v1/search?q="), {200, 422}),
    "search no q": (request("GET", "/v1/search"), {200, 422}),
    "search 10000 chars": (request("GET", "/v1/search?q=" + "a%20" * 2500), {200, 414, 422}),
    "search 100 KB URL": (request("GET", "/v1/search?q=" + "a" * 100_000), {200, 400, 414, 422, 431}),
    "search limit -1": (request("GET", "/v1/search?q=love&limit=-1"), {422}),
    "search limit huge": (request("GET", "/v1/search?q=love&limit=" + "9" * 50), {200, 422}),
    "search limit NaN": (request("GET", "/v1/search?q=love&limit=NaN"), {422}),
    "search limit abc": (request("GET", "/v1/search?q=love&limit=abc"), {422}),
    "search repeated q": (request("GET", "/v1/search?q=a&q=b&q=" + "%25" * 100), {200, 422}),
    "search SQL quote": (request("GET", "/v1/search?q=%27%22%25_%5C%3B--"), {200, 422}),
    "search wildcard only": (request("GET", "/v1/search?q=%25"), {200, 422}),
    "page hostile query": (request("GET", "/?q=%3Cscript%3E&%ff=%fe&title=%1b"), {200}),
    "page 100 KB query": (request("GET", "/?" + "a=b&" * 25_000), {200, 400, 414, 431}),
    "profile ../": (request("GET", "/v1/profiles/..%2F..%2Fevil"), {200, 400, 404, 422}),
    "profile raw ../": (request("GET", "/v1/profiles/../../../etc/passwd"), {400, 404, 422}),
    "profile like ../": (post("/v1/profiles/..%2Fevil/like", {"tracks": [URI]}), {400, 404, 422}),
    "profile like ..": (post("/v1/profiles/../like", {"tracks": [URI]}), {200, 400, 404, 405, 422}),  # profiles/...json
    "profile like %2e%2e": (post("/v1/profiles/%2e%2e/like", {"tracks": [URI]}), {200, 400, 404, 422}),
    "profile like backslash": (post("/v1/profiles/..%5C..%5Cevil/like", {"tracks": [URI]}), {400, 404, 422}),
    "profile like NUL": (post("/v1/profiles/a%00b/like", {"tracks": [URI]}), {400, 404, 422}),
    "profile like 10000 chars": (post("/v1/profiles/" + "p" * 10_000 + "/like", {"tracks": [URI]}),
                                 {400, 404, 414, 422}),
    "profile like ANSI": (post("/v1/profiles/%1b%5b31m/like", {"tracks": [URI]}), {400, 404, 422}),
    "profile like wrong body": (post("/v1/profiles/default/like", {"tracks": "x"}), {422}),
    "profile like 1000 tracks": (post("/v1/profiles/default/like", {"tracks": [URI] * 1000}), {413, 422}),
    "Host 100 KB": (request("GET", "/healthz", host="h" * 100_000), {400, 431}),
    "Host ANSI": (request("GET", "/healthz", host="\x1b[31mevil"), {400}),
    "Host evil": (request("GET", "/healthz", host="evil.example"), {400}),
    "1000 headers": (request("GET", "/healthz", headers={f"X-{i}": "y" for i in range(1000)}), {200, 400, 431}),
    "header 100 KB": (request("GET", "/healthz", headers={"X-Big": "y" * 100_000}), {200, 400, 431}),
    "path ANSI": (request("GET", "/\x1b[31mevil\x1b]0;title\x07"), {400, 404}),
    "path 100 KB": (request("GET", "/" + "a" * 100_000), {400, 404, 414, 431}),
    "unknown method": (request("BREW", "/v1/playlists"), {400, 404, 405, 501}),
    "TLS hello": (b"\x16\x03\x01\x02\x00\x01\x00\x01\xfc\x03\x03" + bytes(64), {None, 400}),
    "garbage line": (b"\x00\x01\x02\r\n\r\n", {None, 400}),
    "HTTP/1.0 no Host": (b"GET /healthz HTTP/1.0\r\n\r\n", {200, 400}),
    "HTTP/9": (b"GET /healthz HTTP/9.9\r\nHost: 127.0.0.1\r\n\r\n", {None, 400, 505}),
}


def check(name: str, status: int | None, answer: bytes, allowed: set, seconds: float) -> Outcome:
    head, _, body = answer.partition(b"\r\n\r\n")
    o = Outcome(f"serve: {name}", status, body[:300].decode(errors="replace"), "", seconds)
    if status not in allowed:
        o.problems.append(f"status {status}, expected {sorted(allowed, key=str)}")
    if status and status >= 400 and b"/v1/" in CASES[name][0][:200]:
        try:
            json.loads(body.decode())["error"]["type"]
        except (ValueError, KeyError, TypeError):
            o.problems.append("error answer is not JSON {'error': {'type'...}}")
    if b"Traceback" in answer:
        o.problems.append("traceback in the answer")
    return o


def serve_cases(home: Path) -> list[Outcome]:
    proc, port, log = start(home)
    outcomes = []
    try:
        for name, (raw, allowed) in CASES.items():
            began = time.monotonic()
            try:
                status, answer = exchange(port, raw)
            except OSError as error:
                status, answer = None, repr(error).encode()
            outcomes.append(check(name, status, answer, allowed, time.monotonic() - began))
            if proc.poll() is not None:
                outcomes[-1].problems.append(f"server died (exit {proc.returncode})")
                break
        outcomes.append(after(proc, port, log, home))
    finally:
        proc.terminate()
        proc.wait(timeout=30)
    return outcomes


def after(proc: subprocess.Popen, port: int, log: Path, home: Path) -> Outcome:
    """The server still answers, its log holds no traceback nor raw escape, and no
    profile was written outside the profiles' folder."""
    status, _ = exchange(port, request("GET", "/healthz"))
    text = log.read_text(errors="replace")
    o = Outcome("serve: afterwards", status, "", text[-300:], 0)
    if status != 200:
        o.problems.append(f"/healthz answers {status}")
    if "Traceback" in text:
        o.problems.append(f"server log holds {text.count('Traceback')} tracebacks")
    raw = RAW_CONTROL.findall(text)
    if raw:
        o.problems.append(f"server log prints raw control characters {sorted(set(raw))!r}")
    strays = [p for p in [*home.parent.glob("evil*"), *home.rglob("evil*")]]
    if strays:
        o.problems.append(f"files written outside the profiles: {strays}")
    return o


def main() -> int:
    _, home = sweep_options(__doc__)
    failing = report(serve_cases(home), "serve")
    print(f"\ndata dir {home}, server log {home / 'serve.log'}")
    return 1 if failing else 0


if __name__ == "__main__":
    raise SystemExit(main())
