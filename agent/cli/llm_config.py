"""`agent llm-config`: show or change the LLM settings kept in the data dir (llm.json)."""

from __future__ import annotations

import os
from pathlib import Path

import click
from pydantic import SecretStr, ValidationError
from rich.table import Table

from agent.cli.common import stderr, stdout, workspace_options
from agent.llm import LLMConfigError, backend_names
from agent.llm.config import (
    OPENAI_KEY_ENV, LLMConfig, LLMConfigFileError, config_path, load_config, save_config, set_aside_config,
)
from agent.safe_text import safe_text
from agent.workspace import Workspace


@click.command("llm-config")
@click.option("--llm", type=click.Choice(backend_names()), help="The backend used when --llm is not given.")
@click.option("--model-path", type=click.Path(exists=True, dir_okay=False, path_type=Path),
              help="Default GGUF for --llm local.")
@click.option("--n-ctx", type=int, help="Context size of the local model, in tokens.")
@click.option("--threads", type=int, help="CPU threads of the local model.")
@click.option("--base-url", help="Default OpenAI-compatible server for --llm openai.")
@click.option("--model", help="Default model name for --llm openai.")
@click.option("--timeout", type=float, help="Seconds an OpenAI request may take.")
@click.option("--api-key", is_flag=True, help="Ask for an OpenAI API key (hidden) and store it (file mode 600).")
@click.option("--forget-key", is_flag=True, help="Remove a stored API key.")
@click.option("--reset", is_flag=True, help="Start from the defaults (a broken llm.json is set aside, kept).")
@workspace_options
def llm_config(llm, model_path, n_ctx, threads, base_url, model, timeout, api_key, forget_key, reset,
               workspace: Workspace) -> None:
    """Show the LLM settings; with options, change and save them.

    Flags of `agent generate` and `agent compare` still win over these for one run.
    A broken llm.json is set aside (renamed, kept) when --reset or any setting is given.
    """
    changing = reset or api_key or forget_key or any(
        value is not None for value in (llm, model_path, n_ctx, threads, base_url, model, timeout))
    on_disk, broken = _saved(workspace.home, changing)
    config = LLMConfig() if reset or on_disk is None else on_disk
    local = _set(config.local, model_path=model_path and model_path.resolve(), n_ctx=n_ctx, n_threads=threads)
    openai = _set(config.openai, base_url=base_url, model=model, timeout=timeout)
    if api_key:
        openai = openai.model_copy(update={"api_key": SecretStr(click.prompt("OpenAI API key", hide_input=True))})
    if forget_key:
        openai = openai.model_copy(update={"api_key": None})
    changed = _checked({"llm": llm or config.llm, "local": local.model_dump(),
                        "openai": {**openai.model_dump(), "api_key": openai.api_key}})
    if broken:  # only once the new settings are known to be good
        aside = set_aside_config(workspace.home)
        stderr().print(f"[yellow]Warning:[/yellow] {safe_text(broken.problem)}; set aside as {safe_text(aside)}, "
                       "starting from the defaults", highlight=False)
    if changed != on_disk:
        stdout().print(f"Saved {safe_text(save_config(workspace.home, changed))}")
    _show(changed, config_path(workspace.home))


def _saved(home: Path, changing: bool) -> tuple[LLMConfig | None, LLMConfigFileError | None]:
    """The settings on disk, or (None, why) for a broken file that new settings will replace;
    when the settings are only shown, a broken file's error stands."""
    try:
        return load_config(home), None
    except LLMConfigFileError as error:
        if not changing:
            raise
        return None, error


def _checked(data: dict) -> LLMConfig:
    try:
        return LLMConfig.model_validate(data)
    except ValidationError as error:
        problems = "; ".join(f"{'.'.join(map(str, e['loc']))}: {e['msg']}" for e in error.errors()[:3])
        raise LLMConfigError(f"these LLM settings cannot be used ({problems}); nothing was saved") from None


def _set(options, **values):
    return options.model_copy(update={k: v for k, v in values.items() if v is not None})


def _show(config: LLMConfig, path: Path) -> None:
    if config.openai.api_key is not None:
        key = "stored in llm.json"
    else:
        key = f"from ${OPENAI_KEY_ENV}" if os.environ.get(OPENAI_KEY_ENV) else "not set"
    table = Table(title=f"LLM settings ({safe_text(path)})", title_justify="left")
    table.add_column("setting")
    table.add_column("value")
    table.add_row("llm", config.llm)
    for name, value in config.local.model_dump().items():
        table.add_row(f"local.{name}", "bundled SmolLM2-135M" if name == "model_path" and value is None else safe_text(value))
    for name, value in config.openai.model_dump(exclude={"api_key"}).items():
        table.add_row(f"openai.{name}", "api.openai.com" if name == "base_url" and value is None else safe_text(value))
    table.add_row("openai.api_key", key)  # never the key itself
    stdout().print(table)
