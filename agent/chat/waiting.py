"""A spinner with the elapsed time while the chat waits (an LLM call, loading the models).

Rich draws one live display at a time, so a wait begun inside another (an LLM call
inside "working…") only renames the running spinner until it ends.
"""

from __future__ import annotations

import contextlib
from collections.abc import Callable, Iterator
from contextlib import AbstractContextManager

from rich.console import Console
from rich.progress import Progress, SpinnerColumn, TaskID, TextColumn, TimeElapsedColumn

Spin = Callable[[str], AbstractContextManager]


class Spinner:
    """`with spinner("asking the LLM…"):` shows a spinner, the text and the seconds so far."""

    def __init__(self, console: Console):
        self.console = console
        self._progress: Progress | None = None
        self._task: TaskID | None = None

    @contextlib.contextmanager
    def __call__(self, what: str) -> Iterator[None]:
        if self._progress is not None:
            yield from self._renamed(what)
            return
        progress = Progress(SpinnerColumn(), TextColumn("[dim]{task.description}"), TimeElapsedColumn(),
                            console=self.console, transient=True)
        with progress:
            self._progress, self._task = progress, progress.add_task(what, total=None)
            try:
                yield
            finally:
                self._progress = self._task = None

    def _renamed(self, what: str) -> Iterator[None]:
        before = self._progress.tasks[0].description
        self._progress.update(self._task, description=what)
        try:
            yield
        finally:
            if self._progress is not None:
                self._progress.update(self._task, description=before)


@contextlib.contextmanager
def no_spinner(what: str) -> Iterator[None]:
    """For callers without a terminal (tests, the tool agent's own calls): wait silently."""
    yield
