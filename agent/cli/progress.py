"""Rich progress bars for the long steps, written to stderr so stdout stays parseable."""

from __future__ import annotations

import contextlib
import threading
import time
from collections.abc import Callable, Iterator

from rich.progress import (BarColumn, MofNCompleteColumn, Progress, SpinnerColumn, TextColumn, TimeElapsedColumn,
                           TimeRemainingColumn)

from agent.cli.common import stderr
from agent.safe_text import safe_text


def _bar(redirect_stdout: bool = True) -> Progress:
    return Progress(
        TextColumn("[bold]{task.description}"), BarColumn(), MofNCompleteColumn(),
        TimeElapsedColumn(), TimeRemainingColumn(), console=stderr(), transient=False,
        redirect_stdout=redirect_stdout,
    )


def records_bar() -> Progress:
    """A bar for a command that streams records to stdout: stdout is left alone, so a
    pipe or file gets the records untouched (Rich would otherwise reprint them)."""
    return _bar(redirect_stdout=False)


@contextlib.contextmanager
def counting(description: str, total: int | None = None) -> Iterator[Callable[[int, int], None]]:
    """Yields `update(done, total)`, for callbacks that report absolute progress."""
    with _bar() as progress:
        task = progress.add_task(description, total=total)

        def update(done: int, of: int) -> None:
            progress.update(task, completed=done, total=of)

        yield update


PIPED_HEARTBEAT_S = 10.0  # without a terminal, a line this often says the wait goes on


@contextlib.contextmanager
def waiting(what: str) -> Iterator[None]:
    """A wait of unknown length: a spinner with the elapsed time on a terminal; through a
    pipe, plain lines on stderr (`what...`, one every few seconds, and the time it took),
    so a log or a piped run still shows signs of life."""
    console = stderr()
    if console.is_terminal:
        with Progress(SpinnerColumn(), TextColumn("{task.description}"), TimeElapsedColumn(),
                      console=console, transient=True) as progress:
            progress.add_task(safe_text(what), total=None)
            yield
        return
    started, done = time.monotonic(), threading.Event()

    def say(suffix: str = "") -> None:
        console.print(safe_text(f"{what}...{suffix}"), highlight=False, soft_wrap=True)

    def heartbeat() -> None:
        while not done.wait(PIPED_HEARTBEAT_S):
            say(f" {time.monotonic() - started:.1f} s")

    say()
    beat = threading.Thread(target=heartbeat, daemon=True)
    beat.start()
    try:
        yield
    finally:  # an error says so itself; only success reports the time
        done.set()
        beat.join()
    say(f" done in {time.monotonic() - started:.1f} s")


def preparing_ranking_data():
    """Progress for rebuilding the play counts, names and playlist graph the ranking reads,
    which happens on first use after the catalog changed without an index build."""
    return counting("Preparing the ranking data (once, after the catalog changed)")


class Bars:
    """A reporter (training's and the evaluation's): progress bars and notes on stderr,
    so stdout keeps the summary."""

    @contextlib.contextmanager
    def progress(self, description: str, total: int | None = None) -> Iterator[Callable[[int, int], None]]:
        with counting(description, total) as update:
            yield update

    def note(self, text: str) -> None:
        stderr().print(safe_text(text), highlight=False)
