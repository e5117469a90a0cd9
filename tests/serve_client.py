"""Starting `agent serve` as a real process on a free localhost port, and calling it."""

from __future__ import annotations

import json
import socket
import subprocess
import sys
import time
import urllib.error
import urllib.request
from dataclasses import dataclass
from pathlib import Path

from demo_home import subprocess_env


def free_port() -> int:
    with socket.socket() as probe:
        probe.bind(("127.0.0.1", 0))
        return probe.getsockname()[1]


@dataclass
class Server:
    process: subprocess.Popen
    url: str
    log: Path | None = None

    def call(self, method: str, path: str, body=None, raw: bytes | None = None, timeout: float = 300):
        """(status, parsed JSON or text) of one request."""
        data = raw if raw is not None else (json.dumps(body).encode() if body is not None else None)
        request = urllib.request.Request(self.url + path, data=data, method=method,
                                         headers={"Content-Type": "application/json"} if data else {})
        try:
            with urllib.request.urlopen(request, timeout=timeout) as response:
                status, text = response.status, response.read().decode()
        except urllib.error.HTTPError as error:
            status, text = error.code, error.read().decode()
        try:
            return status, json.loads(text)
        except ValueError:
            return status, text


def start_server(home: Path, log: Path, timeout: float = 240, options: tuple[str, ...] = (),
                 prefix: tuple[str, ...] = ()) -> Server:
    """`prefix`: a command that runs the server (it must exec it, so the process is the server's)."""
    port = free_port()
    with open(log, "w") as out:
        process = subprocess.Popen(
            [*prefix, sys.executable, "-c", "from agent.cli import main; main()", "serve", "--port", str(port), *options],
            stdout=out, stderr=subprocess.STDOUT, env=subprocess_env(home),
        )
    server = Server(process, f"http://127.0.0.1:{port}", log)
    deadline = time.monotonic() + timeout
    while time.monotonic() < deadline:
        if process.poll() is not None:
            raise RuntimeError(f"agent serve exited with {process.returncode}:\n{log.read_text()}")
        try:
            if server.call("GET", "/healthz", timeout=2)[0] == 200:
                return server
        except OSError:
            pass
        time.sleep(0.3)
    process.kill()
    raise RuntimeError(f"agent serve did not answer within {timeout} s:\n{log.read_text()}")
