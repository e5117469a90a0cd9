"""What every command shares: workspace options, consoles and the error boundary.

The boundary is `AgentGroup.invoke`: every command runs inside it, so an exception
becomes a CLI error in this one place. A user's mistake (the types in agent.errors.USER_ERRORS)
is exit 1 with a one-line message; anything else is a bug: exit 2 with a short
report. AGENT_DEBUG=1 lets the traceback through instead.
"""

from __future__ import annotations

import difflib
import functools
import os
from collections.abc import Callable
from typing import NoReturn

import click
from click.core import ParameterSource
from rich.console import Console

from agent.errors import USER_ERRORS
from agent.os_errors import os_error_message
from agent.playlist.options import RequestError
from agent.safe_text import clean, safe_text
from agent.workspace import CHROMA_URL_ENV, HOME_ENV, Workspace

DEBUG_ENV = "AGENT_DEBUG"


class _Share(click.ParamType):
    """A share of the playlists (held out, or used for validation): strictly between 0 and 1.
    Checked here because the split refuses it later, when its error is no longer the user's."""

    name = "share"

    def convert(self, value, param, ctx) -> float:
        share = click.FLOAT.convert(value, param, ctx)
        if not 0 < share < 1:  # NaN fails too
            self.fail(f"{value!r} is not a share: give a number between 0 and 1, e.g. 0.1", param, ctx)
        return share


SHARE = _Share()


def stdout() -> Console:
    return Console(soft_wrap=True)


def stderr() -> Console:
    return Console(stderr=True)


def warn(message: str | None) -> None:
    """A warning line on stderr; the message (it may quote a file or a name) is shown as text."""
    if message:
        stderr().print(f"[yellow]Warning:[/yellow] {safe_text(message)}", highlight=False)


# The flag that sets each request field, for errors the playlist service raises.
FLAGS = {
    "title": "--title", "n": "-n", "k": "--k", "voting": "--voting", "max_per_artist": "--max-per-artist",
    "mode": "--mode", "shots": "--shots", "fuse": "--fuse", "candidates": "--candidates",
    "shuffles": "--rerank-shuffles", "steering": "--steer", "method": "--method",
}
INTERNAL_ERROR_EXIT = 2
INTERRUPTED_EXIT = 130  # the shell's code for a run ended by Ctrl-C (128 + SIGINT)


def stop_interrupted(message: str) -> NoReturn:
    """End a command stopped by Ctrl-C: one line saying what was kept, exit 130."""
    stderr().print(message, highlight=False)
    raise click.exceptions.Exit(INTERRUPTED_EXIT)


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

    def resolve_command(self, ctx: click.Context, args: list[str]):
        try:
            return super().resolve_command(ctx, args)
        except click.UsageError:
            near = difflib.get_close_matches(args[0], self.list_commands(ctx), n=1) if args else []
            if not near:
                raise
            raise click.UsageError(f"No such command {args[0]!r}. Did you mean {near[0]!r}?", ctx) from None

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
        except KeyboardInterrupt:
            if os.environ.get(DEBUG_ENV):
                raise
            # click's own handling says "Aborted!" and exits 1; a shell expects 130 for Ctrl-C.
            stderr().print("Interrupted.", highlight=False)
            raise click.exceptions.Exit(INTERRUPTED_EXIT) from None
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
