"""Where retrieval-only requests run: one thread in the serving process, or a pool of
`--workers N` processes that each take the next waiting request.

Retrieval holds the GIL for most of a request, so one thread per process runs it
(threads would only take turns) and processes add cores. The processes share one
queue of requests rather than each keeping the connections it accepted: with
keep-alive, connections split unevenly between processes that accept them (five of
eight to one of two was usual), and the busier one queued while the other idled.

The serving process's event loop talks to each process over a socket of its own:
it sends a request to an idle process and reads the answer when the socket is
readable. No thread stands between them: a process pool's two queue threads cost the
serving process a quarter of its CPU (1.15 ms a request against 0.9 measured), and
handing each request between threads waited for the GIL besides.

Requests waiting together go to a process together, up to `MOST_AT_ONCE` and an even
share of the waiting per idle process: it encodes their titles in one batch (for a short
title the encoder's cost is reading its weights, so four cost little more than one),
then answers them one by one, each sent back as soon as it is made.

A request's answer comes back as its status and JSON body, made where it ran, so only
bytes cross between processes and errors are answered as the API's error handlers
answer them.
"""

from __future__ import annotations

import asyncio
import multiprocessing
import pickle
import signal
import socket
import struct
from collections import deque
from concurrent.futures import Future, ThreadPoolExecutor
from dataclasses import dataclass, field
from typing import TYPE_CHECKING, Protocol

from agent.server.errors import error_body
from agent.playlist import RequestDraft
from agent.server.playlists import PlaylistService

if TYPE_CHECKING:
    from multiprocessing.process import BaseProcess


class ServeSettings(Protocol):
    """What a retrieval process is started from (`app.ServeSettings`): picklable, and
    able to load the playlist service in the new process."""

    def load_service(self) -> PlaylistService: ...

Answer = tuple[int, bytes]  # HTTP status, JSON body
# A message between processes: its body's length and a status (an answer's HTTP status;
# 0 for requests, a pickled list of `RequestDraft`s), then the body.
_HEADER = struct.Struct("!IH")
MOST_AT_ONCE = 4  # requests handed to one process together


class WorkerDied(RuntimeError):
    """A retrieval process died (killed, out of memory) while it held a request."""


def answer(service: PlaylistService, request: RequestDraft) -> Answer:
    """A retrieval-only request's status and JSON body, an error's included."""
    try:
        return 200, service.playlist(request).model_dump_json().encode()
    except Exception as error:  # noqa: BLE001 - every error becomes the API's JSON error
        return error_body(error)


class RetrievalRunner:
    """Runs retrieval-only requests one at a time on a thread of this process."""

    def __init__(self, service: PlaylistService):
        self._service = service
        self._executor = ThreadPoolExecutor(max_workers=1, thread_name_prefix="retrieval")

    def start(self) -> None:
        """Nothing to start: the service is loaded already."""

    def submit(self, request: RequestDraft) -> Future[Answer] | asyncio.Future[Answer]:
        return self._executor.submit(answer, self._service, request)

    def shutdown(self) -> None:
        self._executor.shutdown(wait=False, cancel_futures=True)


class RetrievalPool(RetrievalRunner):
    """`processes` processes, each loading its own service from `settings`, answering
    requests in turn as they become idle. Call `submit` and `shutdown` on the event loop."""

    def __init__(self, settings: ServeSettings, processes: int):
        self._settings, self._processes = settings, processes
        self._context = multiprocessing.get_context("spawn")  # no fork of a process with threads
        self._workers: list[_Worker] = []
        self._idle: deque[_Worker] = deque()
        self._waiting: deque[tuple[RequestDraft, asyncio.Future[Answer]]] = deque()
        self._loop: asyncio.AbstractEventLoop | None = None

    def start(self) -> None:
        """Starts every process and waits until each has loaded its service (the event
        loop is not watching them yet, so this may block). Later calls return at once."""
        if self._workers:
            return
        self._workers = [self._spawn() for _ in range(self._processes)]
        for worker in self._workers:
            worker.wait_loaded()
        self._idle.extend(self._workers)

    def submit(self, request: RequestDraft) -> asyncio.Future[Answer]:
        future = self._watch().create_future()
        self._waiting.append((request, future))
        self._dispatch()
        return future

    def shutdown(self) -> None:
        """Closes every channel: each process reads its end and exits."""
        for worker in self._workers:
            self._forget(worker)
        for worker in self._workers:
            worker.process.join(timeout=10)
            if worker.process.is_alive():
                worker.process.terminate()
        self._workers, self._idle = [], deque()

    def _watch(self) -> asyncio.AbstractEventLoop:
        """The running loop, watching every process's channel from the first request on."""
        if self._loop is None:
            self._loop = asyncio.get_running_loop()
            for worker in self._workers:
                self._loop.add_reader(worker.channel.fileno(), self._on_readable, worker)
        return self._loop

    def _spawn(self) -> _Worker:
        ours, theirs = socket.socketpair()
        process = self._context.Process(target=_serve, args=(self._settings, theirs), daemon=True,
                                        name="agent-retrieval")
        process.start()
        theirs.close()
        worker = _Worker(process, ours)
        if self._loop is not None:
            ours.setblocking(False)
            self._loop.add_reader(ours.fileno(), self._on_readable, worker)
        return worker

    def _dispatch(self) -> None:
        if not self._workers:  # every process died loading: none will answer
            for _, future in self._waiting:
                if not future.done():
                    future.set_exception(WorkerDied("no retrieval process is running; see the server's log"))
            self._waiting.clear()
        while self._idle and self._waiting:
            share = min(MOST_AT_ONCE, -(-len(self._waiting) // len(self._idle)))
            batch = []
            while self._waiting and len(batch) < share:
                request, future = self._waiting.popleft()
                if not future.done():  # else the client went away while it waited
                    batch.append((request, future))
            if not batch:
                continue
            worker = self._idle.popleft()
            worker.futures.extend(future for _, future in batch)
            message = pickle.dumps([request for request, _ in batch])
            try:
                worker.channel.sendall(_HEADER.pack(len(message), 0) + message)  # small: the buffer takes it whole
            except OSError:
                self._died(worker)

    def _on_readable(self, worker: _Worker) -> None:
        replies = worker.replies()
        if replies is None:
            self._died(worker)
            return
        for status, body in replies:
            if not worker.loaded:  # a replacement's first message: it has loaded
                worker.loaded = True
            elif worker.futures and not (future := worker.futures.popleft()).done():
                future.set_result((status, body))
            if not worker.futures:
                self._idle.append(worker)
        self._dispatch()

    def _died(self, worker: _Worker) -> None:
        """The requests it held fail (HTTP 500); a new process takes its place unless it
        died loading (a new one would too)."""
        self._forget(worker)
        worker.process.join(timeout=1)
        for future in worker.futures:
            if not future.done():
                future.set_exception(WorkerDied(f"a retrieval process died (exit code {worker.process.exitcode})"))
        worker.futures.clear()
        self._workers.remove(worker)
        if worker.loaded:
            self._workers.append(self._spawn())
        self._dispatch()

    def _forget(self, worker: _Worker) -> None:
        if self._loop is not None and worker.channel.fileno() >= 0:
            self._loop.remove_reader(worker.channel.fileno())
        if worker in self._idle:
            self._idle.remove(worker)
        worker.channel.close()


@dataclass(eq=False)
class _Worker:
    process: BaseProcess
    channel: socket.socket
    loaded: bool = False
    futures: deque[asyncio.Future[Answer]] = field(default_factory=deque)  # its requests' answers, in order
    inbox: bytearray = field(default_factory=bytearray)  # bytes read of answers not complete yet

    def wait_loaded(self) -> None:
        """Blocks until the process has loaded its service; then reads only when readable."""
        if _read_message(self.channel) is None:
            raise RuntimeError(f"a retrieval process failed to load (exit code {self.process.exitcode})")
        self.loaded = True
        self.channel.setblocking(False)

    def replies(self) -> list[Answer] | None:
        """The messages complete among the bytes readable now (a long answer arrives in
        parts: the event loop never waits for the rest); None once the process is gone."""
        while True:
            try:
                chunk = self.channel.recv(1 << 20)
            except BlockingIOError:
                break
            except OSError:
                return None
            if not chunk:
                return None
            self.inbox += chunk
        found = []
        while len(self.inbox) >= _HEADER.size:
            length, status = _HEADER.unpack_from(self.inbox)
            if len(self.inbox) < _HEADER.size + length:
                break
            found.append((status, bytes(self.inbox[_HEADER.size:_HEADER.size + length])))
            del self.inbox[:_HEADER.size + length]
        return found


def _serve(settings: ServeSettings, channel: socket.socket) -> None:
    """A pool process: loads the service, says so, then answers requests until the
    serving process closes its end."""
    signal.signal(signal.SIGINT, signal.SIG_IGN)  # Ctrl-C stops the serving process, which stops this one
    service = settings.load_service()
    with channel:
        try:
            channel.sendall(_HEADER.pack(0, 0))
            while (message := _read_message(channel)) is not None:
                requests = pickle.loads(message[1])
                _encode_titles(service, requests)
                for request in requests:
                    status, body = answer(service, request)
                    channel.sendall(_HEADER.pack(len(body), status) + body)
        except OSError:  # the serving process closed its end while this one answered: it is stopping
            pass


def _encode_titles(service: PlaylistService, requests: list[RequestDraft]) -> None:
    """The batch's titles encoded together; a failure here is left to each answer to report."""
    try:
        service.encode_titles(requests)
    except Exception:  # noqa: BLE001 - each request then meets the error itself and answers it
        pass


def _read_message(channel: socket.socket) -> Answer | None:
    """One message read whole from a blocking socket; None at its end."""
    header = _read_exactly(channel, _HEADER.size)
    if header is None:
        return None
    length, status = _HEADER.unpack(header)
    body = _read_exactly(channel, length)
    return None if body is None else (status, body)


def _read_exactly(channel: socket.socket, size: int) -> bytes | None:
    data = bytearray()
    while len(data) < size:
        chunk = channel.recv(size - len(data))
        if not chunk:
            return None
        data += chunk
    return bytes(data)
