"""What every command shares: workspace options, consoles and the user-error boundary."""

from __future__ import annotations

import contextlib
import functools
import os
from collections.abc import Callable, Iterator

import click
from rich.console import Console

from agent.llm.base import LLMError
from agent.profile import ProfileError
from agent.workspace import CHROMA_URL_ENV, HOME_ENV, Workspace
from retrieval.encoder import EncoderError
from retrieval.generator import GenerationError
from retrieval.index import IndexUnavailableError
from retrieval.mpd import MPDFormatError
from retrieval.resolve import AmbiguousName, NameNotFound
from training.options import TrainingError

# Mistakes a user can fix; anything else is a bug and keeps its traceback.
USER_ERRORS: tuple[type[Exception], ...] = (
    MPDFormatError,
    GenerationError,
    IndexUnavailableError,
    EncoderError,
    FileNotFoundError,
    TrainingError,
    ProfileError,
    LLMError,
    NameNotFound,
    AmbiguousName,
)
DEBUG_ENV = "AGENT_DEBUG"


def stdout() -> Console:
    return Console(soft_wrap=True)


def stderr() -> Console:
    return Console(stderr=True)


@contextlib.contextmanager
def user_errors() -> Iterator[None]:
    """Turn a user's mistake into a one-line CLI error (exit 1); AGENT_DEBUG=1 keeps the traceback."""
    try:
        yield
    except USER_ERRORS as error:
        if os.environ.get(DEBUG_ENV):
            raise
        raise click.ClickException(str(error)) from error


def workspace_options(command: Callable) -> Callable:
    """Adds --data-dir and --chroma-url and passes a resolved `workspace`."""

    @click.option(
        "--data-dir", type=click.Path(file_okay=False), envvar=HOME_ENV,
        help=f"Where catalogs and the index live [env {HOME_ENV}; default: the platform's user data dir].",
    )
    @click.option(
        "--chroma-url", envvar=CHROMA_URL_ENV,
        help=f"Use a Chroma server (http://HOST:PORT) instead of the embedded store [env {CHROMA_URL_ENV}].",
    )
    @functools.wraps(command)
    def wrapper(*args, data_dir: str | None, chroma_url: str | None, **kwargs):
        return command(*args, workspace=Workspace.resolve(data_dir, chroma_url), **kwargs)

    return wrapper
