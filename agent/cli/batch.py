"""A titles file: one record per title, each written the moment it is made.

Nothing waits for the end: every record (a playlist, or a `TitleFailure` saying why a
title failed) is written and flushed at once, to stdout or to the -o file, so an error,
a kill or Ctrl-C keeps every answer made so far as whole JSONL lines. A failed title
does not stop the batch; the exit code says whether any failed (1; 2 when one failed
on a bug). On a terminal a bar on stderr shows how far it is and for how long.
"""

from __future__ import annotations

import os
import signal
import sys
import threading
from collections.abc import Callable, Iterator
from contextlib import contextmanager
from dataclasses import dataclass
from pathlib import Path
from typing import TextIO

import click

from agent.cli.common import DEBUG_ENV, INTERNAL_ERROR_EXIT, as_cli_error, stderr, stop_interrupted
from agent.errors import USER_ERRORS, OutputError
from agent.files import open_user_file
from agent.cli.progress import records_bar
from agent.render import as_jsonl
from agent.safe_text import json_safe, safe_text
from retrieval.echo import clip
from retrieval.records import GeneratedPlaylist, TitleFailure



def show_warnings(playlist: GeneratedPlaylist) -> None:
    for warning in playlist.warnings:
        stderr().print(f"[yellow]Warning ({safe_text(clip(playlist.title))}):[/yellow] {safe_text(warning)}",
                       highlight=False)


class RecordSink:
    """Where the records go: the -o file (emptied first) or stdout; one flushed line each."""

    def __init__(self, output: Path | None):
        self.name = str(output) if output else "standard output"
        self.write_line: Callable[[str], None] = self._write
        self._file: TextIO = open_user_file(output) if output else sys.stdout
        self._owned = output is not None

    def _write(self, line: str) -> None:
        try:
            self._file.write(line + "\n")
            self._file.flush()
        except OSError as error:
            raise OutputError(f"cannot write {self.name}: {error.strerror or error}") from None

    def close(self) -> None:
        if self._owned:
            try:
                self._file.close()
            except OSError as error:
                raise OutputError(f"cannot write {self.name}: {error.strerror or error}") from None


@contextmanager
def interrupts_deferred() -> Iterator[None]:
    """Ctrl-C waits until the block is over, so a record is never written without being
    counted (the count the interruption message gives matches the file)."""
    if threading.current_thread() is not threading.main_thread():
        yield
        return
    pending = []
    previous = signal.signal(signal.SIGINT, lambda signum, frame: pending.append(signum))
    try:
        yield
    finally:
        signal.signal(signal.SIGINT, previous)
        if pending:
            raise KeyboardInterrupt


@dataclass
class BatchTally:
    written: int = 0
    failed: int = 0
    bugs: int = 0


def run_batch(titles: list, make: Callable[..., GeneratedPlaylist], output: Path | None,
              label: Callable[..., str] = str) -> None:
    """Make and write a playlist for each title; ends with the exit code the batch earned."""
    sink = RecordSink(output)
    tally = BatchTally()
    try:
        if stderr().is_terminal:
            _with_bar(titles, make, sink, tally, label)
        else:
            for title in titles:
                _one(title, make, sink, tally, label)
    except KeyboardInterrupt:
        stop_interrupted(f"Interrupted: {tally.written} of {len(titles)} records were written to "
                         f"{safe_text(sink.name)} and are kept.")
    finally:
        sink.close()
    _finish(tally, len(titles), output)


def _with_bar(titles: list, make, sink: RecordSink, tally: BatchTally, label: Callable[..., str]) -> None:
    with records_bar() as bar:
        if sink.name == "standard output" and sys.stdout.isatty():
            # The records share the bar's terminal: written above it, as plain text.
            sink.write_line = lambda line: bar.console.out(line, highlight=False)
        task = bar.add_task("Playlists", total=len(titles))
        for title in titles:
            _one(title, make, sink, tally, label)
            bar.advance(task)


def _one(title, make: Callable[..., GeneratedPlaylist], sink: RecordSink, tally: BatchTally,
         label: Callable[..., str] = str) -> None:
    try:
        playlist = make(title)
    except Exception as error:
        if not isinstance(error, USER_ERRORS):
            if os.environ.get(DEBUG_ENV):
                raise
            tally.bugs += 1
        tally.failed += 1
        record = json_safe(TitleFailure(title=label(title), error=as_cli_error(error).message).model_dump_json())
    else:
        show_warnings(playlist)
        record = as_jsonl(playlist)
    with interrupts_deferred():
        sink.write_line(record)
        tally.written += 1


def _finish(tally: BatchTally, total: int, output: Path | None) -> None:
    if output:
        stderr().print(f"Wrote {tally.written} record(s) to {safe_text(output)}", highlight=False)
    if not tally.failed:
        return
    stderr().print(f"{tally.failed} of {total} titles failed; their records say why", highlight=False)
    raise click.exceptions.Exit(INTERNAL_ERROR_EXIT if tally.bugs else 1)
