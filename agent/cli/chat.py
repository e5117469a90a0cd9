"""`agent chat`: talk a playlist into shape in the terminal."""

from __future__ import annotations

import contextlib
import os
import sys
from pathlib import Path

import click

from agent.cli.progress import preparing_ranking_data
from agent.cli.common import stderr, stdout, warn, workspace_options
from agent.cli.active import open_active_catalog
from agent.cli.profile import profile_option
from agent.files import check_user_path
from agent.workspace import Workspace, open_retriever

AGENTS = ("tools", "actions")


@click.command()
@click.option("--llm", type=click.Choice(["local", "openai"]),
              help="LLM backend [default: the data dir's llm.json, else local: the bundled SmolLM2-135M].")
@click.option("--model-path", type=click.Path(dir_okay=False, path_type=Path),
              help="A GGUF file for --llm local, e.g. Llama-3.1-8B-Instruct Q4_K_M.")
@click.option("--base-url", help="An OpenAI-compatible server for --llm openai, e.g. http://localhost:8000/v1.")
@click.option("--model", help="The model name for --llm openai [default: llm.json's, else gpt-4o].")
@click.option("--agent", "agent_kind", type=click.Choice(AGENTS),
              help="tools: a LangChain agent plans tool calls (needs a capable model; default for openai); "
                   "actions: each message read into one action by rules and MiniLM, without an LLM (default for local).")
@click.option("--transcript", type=click.Path(dir_okay=False, path_type=Path),
              help="Save the conversation and the final playlist here as JSON (rewritten after every message).")
@click.option("--resume", is_flag=True,
              help="Continue the last chat (its playlist, versions and conversation), kept in the data dir.")
@click.option("--parse", "parse_only", is_flag=True,
              help="Only read: each line of stdin is printed as JSON {text, action, slots, confidence}; "
                   "with a catalog in the data dir, names are looked up in it and \"found\" says what one is. "
                   "No LLM, no playlist.")
@profile_option
@workspace_options
def chat(llm, model_path, base_url, model, agent_kind, transcript, resume, parse_only, profile_name,
         workspace: Workspace) -> None:
    """Make a playlist by talking: "/generate rainy sunday", "more upbeat", "no more Drake", "why is 3 here?",
    "/save mix.json". /help lists the commands; /quit or Ctrl-D ends.

    Likes and dislikes are saved to the --profile at once, and every playlist made with
    that profile (here or by `agent generate`) obeys them.
    """
    _replace_undecodable_input()
    if parse_only:
        return _print_parses(workspace)
    from agent.chat.actions import ChatError, Playlister
    from agent.chat.resume import restore, session_path
    from agent.chat.session import ChatSession
    from agent.chat.ui import ChatUI
    from agent.llm import LLMConfigError, load_config, open_backend
    from agent.profile import load_profile

    if transcript is not None:
        check_user_path(transcript)  # said now, not after the first message
    try:
        config = load_config(workspace.home).with_flags(llm, model_path, base_url, model)
    except LLMConfigError as error:
        raise click.ClickException(str(error)) from None
    kind = agent_kind or ("tools" if config.llm == "openai" else "actions")
    preferences, warning = load_profile(workspace.home, profile_name)
    warn(warning)
    catalog, is_demo = open_active_catalog(workspace)
    with catalog:
        retriever = _retriever(catalog, workspace)
        session = ChatSession(profile_name=profile_name, profile=preferences)
        kept = session_path(workspace.home)
        if resume:
            try:
                restore(kept, session)
            except ChatError as error:
                raise click.ClickException(str(error)) from None
        playlister = Playlister(retriever, session, workspace.home,
                                backend_factory=lambda: open_backend(workspace.home, llm, model_path, base_url, model),
                                tags=_tags_opener(catalog, retriever, workspace))
        try:
            agent = _agent(kind, config, playlister)
        except (LLMConfigError, ChatError) as error:
            raise click.ClickException(str(error)) from None
        label = f"LLM {config.llm} ({_model_name(config)}) · agent {kind}"
        ChatUI(stdout(), playlister, agent, transcript, "demo catalog" if is_demo else "", label,
               reader=lambda: retriever.models.understander, kept=kept).run()


def _replace_undecodable_input() -> None:
    # Bytes that are not UTF-8 (a binary paste, a Latin-1 file piped in) become U+FFFD as
    # they are read; kept as surrogates they fail much later, in any write of the text.
    if hasattr(sys.stdin, "reconfigure"):
        sys.stdin.reconfigure(errors="replace")


def _retriever(catalog, workspace: Workspace):
    """The retriever, its models loading in the background so the prompt shows at once."""
    from agent.chat.loading import LoadingRetriever
    from retrieval.index.titles import active_index_info, open_index

    info = active_index_info(catalog)
    if info is None:
        open_retriever(catalog, workspace, building=preparing_ranking_data)  # raises the error that says how to build the index
    return LoadingRetriever(catalog, info, lambda: open_index(catalog, workspace.chroma))


def _tags_opener(catalog, retriever, workspace: Workspace):
    """Opens the track tag vectors steering reads on the first steer; None when the index has none."""
    from retrieval.errors import IndexUnavailableError
    from retrieval.index.tags import open_tag_index

    opened: list = []

    def tags():
        if not opened:
            try:
                opened.append(open_tag_index(catalog, retriever.index, workspace.chroma))
            except IndexUnavailableError:
                opened.append(None)
        return opened[0]
    return tags


def _print_parses(workspace: Workspace) -> None:
    """--parse: how each message of stdin is understood, one JSON line each (blank lines skipped).

    With a catalog in the data dir (the user's, or a demo already built), names are looked up in it:
    a bare name becomes a song or an artist by what the catalog holds, and the line says so ("found")."""
    from rich.progress import Progress, SpinnerColumn, TextColumn, TimeElapsedColumn

    from agent.chat.context import ChatContext
    from agent.chat.search import CatalogSearch
    from agent.chat.understand import Understander
    from agent.chat.understand.lines import parsed_lines
    from retrieval.encoding.encoder import Encoder, limit_threads_for_queries

    with Progress(SpinnerColumn(), TextColumn("loading MiniLM…"), TimeElapsedColumn(),
                  console=stderr(), transient=True) as progress:
        progress.add_task("")
        understander = Understander(Encoder())
    limit_threads_for_queries()
    with _existing_catalog(workspace) as catalog:
        context = ChatContext(None, CatalogSearch(catalog)).parse_context() if catalog else None
        try:
            for line in parsed_lines(understander, sys.stdin, context):
                click.echo(line)
        except BrokenPipeError:  # the reader (`| head`) has had enough: stop quietly, like other filters
            os.dup2(os.open(os.devnull, os.O_WRONLY), sys.stdout.fileno())


@contextlib.contextmanager
def _existing_catalog(workspace: Workspace):
    """The data dir's active catalog when it holds playlists (never built here), else None."""
    if not (workspace.user_catalog_path.exists() or workspace.demo_catalog_path.exists()):
        yield None
        return
    catalog, _ = workspace.active_catalog()
    with catalog:
        yield None if catalog.is_empty() else catalog


def _agent(kind: str, config, playlister):
    """The tool-calling agent for --agent tools; None for the action parser."""
    if kind != "tools":
        return None
    from agent.chat.agent import GrammarToolModel, ToolAgent, openai_model

    if config.llm == "openai":
        return ToolAgent(openai_model(config), playlister)
    with stderr().status("loading the LLM…"):
        backend = playlister.backend()
    return ToolAgent(GrammarToolModel(backend=backend), playlister)


def _model_name(config) -> str:
    if config.llm == "local":
        return config.local.model_path.name if config.local.model_path else "bundled SmolLM2-135M"
    return f"{config.openai.model} at {config.openai.base_url or 'api.openai.com'}"
