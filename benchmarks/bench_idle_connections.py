"""How long a crowd of silent connections keeps `agent serve` from answering.

    (ulimit -n 1024; AGENT_HOME=DIR agent serve --port 8123 &)
    python benchmarks/bench_idle_connections.py 8123 [--connections 1100]

Opens the connections and sends nothing on them, then asks for a playlist every 0.2 s
until one is answered 200; prints the answers seen and how long that took.
"""

from __future__ import annotations

import argparse
import http.client
import json
import socket
import time


def ask(port: int) -> int | str:
    connection = http.client.HTTPConnection("127.0.0.1", port, timeout=10)
    try:
        connection.request("POST", "/v1/playlists", body=json.dumps({"title": "road trip", "profile": None}),
                           headers={"Content-Type": "application/json"})
        return connection.getresponse().status
    except OSError as error:
        return type(error).__name__
    finally:
        connection.close()


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("port", type=int)
    parser.add_argument("--connections", type=int, default=1100)
    args = parser.parse_args()
    silent = [socket.create_connection(("127.0.0.1", args.port), timeout=5) for _ in range(args.connections)]
    started, seen = time.monotonic(), set()
    while (status := ask(args.port)) != 200 and time.monotonic() - started < 60:
        seen.add(status)
        time.sleep(0.2)
    print(f"{args.connections:,} silent connections: answered {status} after {time.monotonic() - started:.1f} s "
          f"(before that: {sorted(map(str, seen)) or 'nothing'})")
    for sock in silent:
        sock.close()


if __name__ == "__main__":
    main()
