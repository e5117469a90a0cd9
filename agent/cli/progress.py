"""Rich progress bars for the long steps, written to stderr so stdout stays parseable."""

from __future__ import annotations

import contextlib
from collections.abc import Callable, Iterator

from rich.progress import BarColumn, MofNCompleteColumn, Progress, TextColumn, TimeElapsedColumn, TimeRemainingColumn

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
