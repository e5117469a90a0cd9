"""What every command shares: workspace options, consoles and the error boundary.

The boundary is `AgentGroup.invoke`: every command runs inside it, so an exception
becomes a CLI error in this one place. A user's mistake (the types in USER_ERRORS)
is exit 1 with a one-line message; anything else is a bug: exit 2 with a short
report. AGENT_DEBUG=1 lets the traceback through instead.
"""

from __future__ import annotations

import contextlib
import functools
import os
from collections.abc import Callable, Iterator

import click
from click.core import ParameterSource
from rich.console import Console

from agent.os_errors import os_error_message
from agent.cli.output import OutputError
from agent.llm.base import LLMError
from agent.playlist.options import RequestError
from agent.profile import ProfileError
from agent.safe_text import clean
from agent.workspace import CHROMA_URL_ENV, HOME_ENV, Workspace
from retrieval.encoder import EncoderError
from retrieval.generator import GenerationError
from retrieval.index import IndexUnavailableError
from retrieval.json_reader import InputFileError
from retrieval.mpd import MPDFormatError
from retrieval.resolve import AmbiguousName, NameNotFound
from training.options import TrainingError

# Mistakes a user can fix; anything else is a bug (exit 2).
USER_ERRORS: tuple[type[Exception], ...] = (
    MPDFormatError,
    GenerationError,
    IndexUnavailableError,
    EncoderError,
    FileNotFoundError,
    TrainingError,
    ProfileError,
    LLMError,
    OutputError,
    NameNotFound,
    AmbiguousName,
    InputFileError,
)
DEBUG_ENV = "AGENT_DEBUG"


def stdout() -> Console:
    return Console(soft_wrap=True)


def stderr() -> Console:
    return Console(stderr=True)


# The flag that sets each request field, for errors the playlist service raises.
FLAGS = {
    "title": "--title", "n": "-n", "k": "--k", "voting": "--voting", "max_per_artist": "--max-per-artist",
    "mode": "--mode", "shots": "--shots", "fuse": "--fuse", "candidates": "--candidates",
    "shuffles": "--rerank-shuffles", "steering": "--steer",
}
INTERNAL_ERROR_EXIT = 2


def _message(error: Exception) -> str:
    # Messages quote titles and file names: shown as one line, without control characters.
    if isinstance(error, RequestError):
        return clean(error.render(FLAGS.get(error.field, error.field)))
    return clean(error)


def as_cli_error(error: Exception) -> click.ClickException:
    """The CLI's form of an exception: a user error's own message, or a short bug report."""
    if isinstance(error, USER_ERRORS):
        return click.ClickException(_message(error))
    if said := os_error_message(error):
        return click.ClickException(clean(said))
    report = click.ClickException(
        f"internal error ({type(error).__name__}: {clean(error)}); set {DEBUG_ENV}=1 for the traceback"
    )
    report.exit_code = INTERNAL_ERROR_EXIT
    return report


def _is_click_flow(error: BaseException) -> bool:
    # click signals usage errors, --help/--version exits and Ctrl-C with exceptions of its own.
    return isinstance(error, (click.ClickException, click.exceptions.Exit, click.exceptions.Abort))


USAGE_EXIT = 1  # a mistyped command line is the user's to fix, like any user error (click's own is 2)


def _usage_exit(error: click.UsageError) -> int:
    # `agent` alone asks for the help it gets: not an error.
    return 0 if isinstance(error, getattr(click.exceptions, "NoArgsIsHelpError", ())) else USAGE_EXIT


class AgentGroup(click.Group):
    """The `agent` group: runs each command inside the error boundary."""

    def make_context(self, *args, **kwargs) -> click.Context:
        try:
            return super().make_context(*args, **kwargs)
        except click.UsageError as error:  # the group's own options
            error.exit_code = _usage_exit(error)
            raise

    def invoke(self, ctx: click.Context):
        try:
            return super().invoke(ctx)
        except click.UsageError as error:  # an unknown command, a command's options or arguments
            error.exit_code = _usage_exit(error)
            raise
        except Exception as error:
            if _is_click_flow(error) or os.environ.get(DEBUG_ENV):
                raise
            raise as_cli_error(error) from error


@contextlib.contextmanager
def user_errors() -> Iterator[None]:
    """The boundary for code run outside the `agent` group (and kept for older callers)."""
    try:
        yield
    except Exception as error:
        if _is_click_flow(error) or os.environ.get(DEBUG_ENV):
            raise
        raise as_cli_error(error) from error


SHARED = "agent.shared_options"  # where the group keeps --data-dir/--chroma-url given before the command


def _shared_options(from_env: bool) -> list[Callable]:
    return [
        click.option(
            "--data-dir", type=click.Path(file_okay=False), envvar=HOME_ENV if from_env else None,
            help=f"Where catalogs and the index live [env {HOME_ENV}; default: the platform's user data dir].",
        ),
        click.option(
            "--chroma-url", envvar=CHROMA_URL_ENV if from_env else None,
            help=f"Use a Chroma server (http://HOST:PORT) instead of the embedded store [env {CHROMA_URL_ENV}].",
        ),
    ]


def group_shared_options(group: Callable) -> Callable:
    """--data-dir and --chroma-url before the command (`agent --data-dir X generate`)."""

    @functools.wraps(group)
    def wrapper(*args, data_dir: str | None, chroma_url: str | None, **kwargs):
        click.get_current_context().meta[SHARED] = {"data_dir": data_dir, "chroma_url": chroma_url}
        return group(*args, **kwargs)

    for option in reversed(_shared_options(from_env=False)):
        wrapper = option(wrapper)
    return wrapper


def _shared_value(ctx: click.Context, name: str, value: str | None) -> str | None:
    """The command's own flag wins; else the one given before the command; else the environment's."""
    before = ctx.meta.get(SHARED, {}).get(name)
    if before is not None and ctx.get_parameter_source(name) is not ParameterSource.COMMANDLINE:
        return before
    return value


def workspace_options(command: Callable) -> Callable:
    """Adds --data-dir and --chroma-url and passes a resolved `workspace`."""

    @functools.wraps(command)
    def wrapper(*args, data_dir: str | None, chroma_url: str | None, **kwargs):
        ctx = click.get_current_context()
        workspace = Workspace.resolve(_shared_value(ctx, "data_dir", data_dir),
                                      _shared_value(ctx, "chroma_url", chroma_url))
        return command(*args, workspace=workspace, **kwargs)

    for option in reversed(_shared_options(from_env=True)):
        wrapper = option(wrapper)
    return wrapper
