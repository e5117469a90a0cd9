"""`agent serve` holds its ground: slow and idle connections and slow bodies are closed, a crowd of them
is refused, foreign Host names get 400, profiles stop growing, LLM requests answer
within their budget, and a bad address is one line and exit 1 before anything loads."""

from __future__ import annotations

import json
import signal
import socket
import subprocess
import sys
import threading
import time

import pytest

from conftest import stop_process
from demo_home import built_demo_home, subprocess_env
from faulty_openai_server import HANG, FaultyServer
from serve_client import free_port, start_server

pytestmark = pytest.mark.slow
LIMITS = ("--header-timeout", "2", "--body-timeout", "2", "--keep-alive", "2", "--max-connections", "20",
          "--allow-host", "proxy.example")


@pytest.fixture(scope="module")
def server(tmp_path_factory):
    running = start_server(built_demo_home(), tmp_path_factory.mktemp("serve") / "server.log", options=LIMITS)
    yield running
    stop_process(running.process, timeout=10)


def _connect(server) -> socket.socket:
    host, port = server.url.removeprefix("http://").split(":")
    return socket.create_connection((host, int(port)), timeout=30)


def _raw(server, request: bytes) -> bytes:
    """The whole answer to `request`, which must close the connection after it."""
    with _connect(server) as sock:
        sock.sendall(request)
        answer = b""
        while chunk := sock.recv(65536):
            answer += chunk
        return answer


def _seconds_until_closed(sock: socket.socket, trickle: bytes = b"") -> float:
    return _trickle_until_closed(sock, trickle)[0]


def _trickle_until_closed(sock: socket.socket, trickle: bytes = b"") -> tuple[float, bytes]:
    """Seconds until the server closes `sock`, sending `trickle` a byte every 0.3 s
    meanwhile, and what the server sent."""
    started = time.monotonic()
    answer = b""
    sock.setblocking(False)
    while time.monotonic() - started < 30:
        try:
            if not (chunk := sock.recv(4096)):
                break
            answer += chunk
        except BlockingIOError:
            pass
        except OSError:
            break
        try:
            if trickle:
                sock.send(trickle[:1])
                trickle = trickle[1:] or b"x"
        except OSError:
            break
        time.sleep(0.3)
    return time.monotonic() - started, answer


@pytest.mark.parametrize("request_bytes", [
    b"BREW /v1/playlists HTTP/1.1\r\nHost: 127.0.0.1\r\n\r\n",
    b"POST /v1/playlists HTTP/1.1\r\nHost: 127.0.0.1\r\nContent-Length: -1\r\n\r\n{}",
    b"GET /v1/search?q=\xff\xfe HTTP/1.1\r\nHost: 127.0.0.1\r\n\r\n",
])
def test_a_request_the_http_parser_rejects_gets_a_json_400(server, request_bytes):
    head, _, body = _raw(server, request_bytes).partition(b"\r\n\r\n")
    assert head.startswith(b"HTTP/1.1 400") and b"application/json" in head
    assert json.loads(body)["error"]["type"] == "invalid_request"


@pytest.mark.parametrize("host", [b"attacker.example", b"localhost.attacker.example", b"127.0.0.1.nip.io:80"])
def test_a_foreign_host_name_gets_400(server, host):
    answer = _raw(server, b"GET /healthz HTTP/1.1\r\nHost: " + host + b"\r\nConnection: close\r\n\r\n")
    assert answer.startswith(b"HTTP/1.1 400") and b"--allow-host" in answer


@pytest.mark.parametrize("host", [b"localhost:8000", b"127.0.0.1", b"[::1]:1234", b"proxy.example", b"LOCALHOST"])
def test_local_names_and_allowed_hosts_are_answered(server, host):
    answer = _raw(server, b"GET /healthz HTTP/1.1\r\nHost: " + host + b"\r\nConnection: close\r\n\r\n")
    assert answer.startswith(b"HTTP/1.1 200")


def test_a_client_trickling_its_headers_is_dropped(server):
    with _connect(server) as sock:
        sock.sendall(b"GET /healthz HTTP/1.1\r\nHost: localhost\r\n")
        assert _seconds_until_closed(sock, trickle=b"X-Slow: " + b"y" * 200) < 5  # header timeout 2 s


def test_a_client_trickling_its_body_gets_408_and_is_dropped(server):
    with _connect(server) as sock:
        sock.sendall(b"POST /v1/playlists HTTP/1.1\r\nHost: localhost\r\nContent-Type: application/json\r\n"
                     b"Content-Length: 1000\r\n\r\n")
        seconds, answer = _trickle_until_closed(sock, trickle=b'{"title": "' + b"a" * 985 + b'"}')
    assert seconds < 5  # body timeout 2 s; the whole body would take 300 s
    assert answer.startswith(b"HTTP/1.1 408") and b"the request body did not arrive in time" in answer
    assert server.call("GET", "/healthz")[0] == 200
    assert "Traceback" not in server.log.read_text()


def test_a_body_sent_in_parts_within_the_budget_is_answered(server):
    body = b'{"title": "road trip", "n": 3, "profile": null}'
    with _connect(server) as sock:
        sock.sendall(b"POST /v1/playlists HTTP/1.1\r\nHost: localhost\r\nContent-Type: application/json\r\n"
                     b"Connection: close\r\nContent-Length: " + str(len(body)).encode() + b"\r\n\r\n" + body[:10])
        time.sleep(1.2)  # within the body timeout of 2 s
        sock.sendall(body[10:])
        answer = b""
        while chunk := sock.recv(65536):
            answer += chunk
    assert answer.startswith(b"HTTP/1.1 200") and b'"tracks"' in answer


def test_a_connection_that_sends_nothing_is_closed(server):
    with _connect(server) as sock:
        assert _seconds_until_closed(sock) < 5


def test_a_kept_alive_connection_is_closed_when_idle_and_its_next_request_must_be_quick(server):
    with _connect(server) as sock:
        sock.sendall(b"GET /healthz HTTP/1.1\r\nHost: localhost\r\n\r\n")
        assert sock.recv(4096).startswith(b"HTTP/1.1 200")
        assert _seconds_until_closed(sock, trickle=b"GET /healthz HTTP/1.1\r\nHost: localhost\r\n" * 5) < 5


def test_connections_past_the_cap_are_refused_with_503_and_the_server_recovers(server):
    held = [_connect(server) for _ in range(20)]
    try:
        time.sleep(0.3)
        answer = _raw(server, b"")  # answered at once, before any request
        assert answer.startswith(b"HTTP/1.1 503") and b"too many open connections" in answer
    finally:
        for sock in held:
            sock.close()
    time.sleep(0.3)
    assert server.call("GET", "/healthz")[0] == 200


def test_a_profile_stops_growing_at_its_limit_and_keeps_what_it_had(server):
    def dislike(start: int):
        return server.call("POST", "/v1/profiles/limits-full/dislike",
                           {"tracks": [f"spotify:track:{start + i:022d}" for i in range(100)]})

    for batch in range(10):
        assert dislike(batch * 100)[0] == 200
    status, answer = dislike(1000)
    assert status == 413 and "1,100 unwanted tracks" in answer["error"]["message"]
    _, profile = server.call("GET", "/v1/profiles/limits-full")
    assert len(profile["unwanted_tracks"]) == 1000


def test_llm_modes_take_at_most_50_tracks(server):
    status, answer = server.call("POST", "/v1/playlists", {"title": "road trip", "mode": "llm", "n": 500})
    assert status == 422 and "at most 50 tracks" in answer["error"]["message"]


def test_an_llm_past_its_budget_gives_way_to_retrieval(tmp_path):
    llm = FaultyServer()
    threading.Thread(target=llm.serve_forever, daemon=True).start()
    running = start_server(built_demo_home(), tmp_path / "server.log", options=(
        "--llm", "openai", "--base-url", llm.url("hang"), "--model", "m", "--llm-budget", "1"))
    try:
        started = time.monotonic()
        status, answer = running.call("POST", "/v1/playlists", {"title": "road trip", "mode": "rerank", "n": 5,
                                                                "profile": None})
        assert time.monotonic() - started < HANG - 1
        assert status == 200 and len(answer["tracks"]) == 5 and answer["mode"] == "retrieval"
        assert any("did not answer within 1 s" in w for w in answer["warnings"])
    finally:
        stop_process(running.process, timeout=10)
        llm.shutdown()


def _serve(*args: str) -> subprocess.CompletedProcess:
    return subprocess.run([sys.executable, "-c", "from agent.cli import main; main()", "serve", *args],
                          capture_output=True, text=True, timeout=120, env=subprocess_env(built_demo_home()))


def test_a_port_in_use_is_one_line_and_exit_1():
    with socket.socket() as taken:
        taken.bind(("127.0.0.1", 0))
        taken.listen()
        port = taken.getsockname()[1]
        result = _serve("--port", str(port))
    assert result.returncode == 1 and "Serving" not in result.stderr
    assert result.stderr.strip() == f"Error: cannot listen on 127.0.0.1:{port}: the address is in use by another program"


def test_a_host_that_does_not_resolve_is_one_line_and_exit_1():
    result = _serve("--host", "no-such-host.invalid", "--port", str(free_port()))
    assert result.returncode == 1 and len(result.stderr.strip().splitlines()) == 1
    assert "no-such-host.invalid" in result.stderr and "does not resolve" in result.stderr


def test_port_0_prints_the_port_bound(tmp_path):
    log = tmp_path / "server.log"
    with open(log, "w") as out:
        process = subprocess.Popen([sys.executable, "-c", "from agent.cli import main; main()", "serve", "--port", "0"],
                                   stdout=out, stderr=subprocess.STDOUT, env=subprocess_env(built_demo_home()))
    try:
        deadline = time.monotonic() + 240
        while "Serving" not in log.read_text() and time.monotonic() < deadline and process.poll() is None:
            time.sleep(0.3)
        url = log.read_text().split(" at ")[1].split()[0]
        port = int(url.rstrip("/").rsplit(":", 1)[1])
        assert port != 0
        with socket.create_connection(("127.0.0.1", port), timeout=10) as sock:
            sock.sendall(b"GET /healthz HTTP/1.1\r\nHost: localhost\r\n\r\n")
            assert sock.recv(4096).startswith(b"HTTP/1.1 200")
    finally:
        stop_process(process, timeout=10)


def test_ctrl_c_stops_the_server_with_exit_130_and_one_line(tmp_path):
    log = tmp_path / "server.log"
    with open(log, "w") as out:
        # SIGINT restored to its default: a test runner's child may inherit it ignored, as a shell's background job does.
        start = ("import signal; signal.signal(signal.SIGINT, signal.default_int_handler); "
                 "from agent.cli import main; main()")
        process = subprocess.Popen([sys.executable, "-c", start, "serve", "--port", "0"],
                                   stdout=out, stderr=subprocess.STDOUT, env=subprocess_env(built_demo_home()))
    try:
        deadline = time.monotonic() + 240
        while "Serving" not in log.read_text() and time.monotonic() < deadline and process.poll() is None:
            time.sleep(0.3)
        process.send_signal(signal.SIGINT)
        assert process.wait(timeout=60) == 130
    finally:
        stop_process(process, timeout=10)
    text = log.read_text()
    assert text.strip().splitlines()[-1] == "Interrupted." and "Traceback" not in text
