"""LLM settings: the config file in the data dir, overridden by command-line flags.

`<data dir>/llm.json` holds which backend `--llm` defaults to and each backend's
options. It is written atomically (a temporary file renamed over it) and readable by
its owner only when it holds an API key. The key itself is a `SecretStr`: printing
the config, a repr or a validation error never shows it.
"""

from __future__ import annotations

import json
from pathlib import Path
from typing import Literal

from pydantic import BaseModel, ConfigDict, Field, SecretStr, ValidationError

from agent.files import write_atomic
from agent.llm.base import LLMConfigError
from retrieval.json_reader import JSONInputError, read_json
from retrieval.set_aside import aside_path

CONFIG_FILE = "llm.json"
OPENAI_KEY_ENV = "OPENAI_API_KEY"


class LocalOptions(BaseModel):
    """llama.cpp through llama-cpp-python, on any GGUF file."""

    model_config = ConfigDict(extra="forbid")

    model_path: Path | None = Field(default=None, description="a GGUF file; None: the bundled SmolLM2-135M-Instruct")
    n_ctx: int = Field(default=4096, ge=256, description="context size in tokens (prompt + answer)")
    n_threads: int | None = Field(default=None, ge=1, description="CPU threads; None: half the usable cores")
    n_gpu_layers: int = Field(default=0, description="layers offloaded to a GPU build of llama.cpp; -1: all")
    temperature: float = Field(default=0.0, ge=0.0, description="0: greedy, reproducible")
    seed: int = 0
    max_tokens: int | None = Field(default=None, ge=1, description="None: up to the context's end (the grammar ends the JSON)")


class OpenAIOptions(BaseModel):
    """OpenAI, or any OpenAI-compatible server (vLLM, Ollama, llama.cpp's server) by `base_url`."""

    model_config = ConfigDict(extra="forbid")

    model: str = "gpt-4o"
    base_url: str | None = Field(default=None, description="e.g. http://localhost:8000/v1; None: api.openai.com")
    api_key: SecretStr | None = Field(default=None, description=f"None: ${OPENAI_KEY_ENV}")
    timeout: float = Field(default=60.0, gt=0, description="seconds per request")
    temperature: float = Field(default=0.0, ge=0.0)
    response_format: Literal["auto", "json_schema", "json_object"] = Field(
        default="auto",
        description="json_schema: strict structured outputs; json_object: JSON mode plus the schema, which "
        "llama-cpp-python's server and vLLM enforce; auto: json_schema, then json_object if the server refuses it",
    )


class LLMConfig(BaseModel):
    model_config = ConfigDict(extra="forbid")

    llm: str = Field(default="local", description="the backend used when --llm is not given")
    local: LocalOptions = Field(default_factory=LocalOptions)
    openai: OpenAIOptions = Field(default_factory=OpenAIOptions)

    def with_flags(
        self,
        llm: str | None = None,
        model_path: str | Path | None = None,
        base_url: str | None = None,
        model: str | None = None,
    ) -> LLMConfig:
        """This config with command-line flags applied. One flag switches backend:
        `--model-path` means local, `--base-url` means an OpenAI-compatible server."""
        chosen = llm or ("local" if model_path else "openai" if base_url or model else self.llm)
        if model_path and chosen != "local":
            raise LLMConfigError(f"--model-path is a GGUF file for --llm local, not for --llm {chosen}")
        if (base_url or model) and chosen != "openai":
            flag = "--base-url" if base_url else "--model"
            raise LLMConfigError(f"{flag} is for --llm openai; for a local GGUF give --model-path")
        local, openai = self.local, self.openai
        if model_path:
            local = local.model_copy(update={"model_path": Path(model_path).expanduser()})
        if base_url or model:
            updates = {"base_url": base_url} if base_url else {}
            updates |= {"model": model} if model else {}
            openai = openai.model_copy(update=updates)
        return self.model_copy(update={"llm": chosen, "local": local, "openai": openai})


def config_path(home: Path) -> Path:
    return Path(home) / CONFIG_FILE


class LLMConfigFileError(LLMConfigError):
    """llm.json exists but cannot be used (unreadable, not UTF-8, not JSON, wrong fields)."""

    def __init__(self, path: Path, problem: str):
        self.problem = f"the LLM settings file {path} {problem}"
        super().__init__(f"{self.problem}; run `agent llm-config --reset` (or with your settings) "
                         "to set it aside and write a new one")


def load_config(home: Path) -> LLMConfig:
    """The data dir's config, or the defaults when there is none."""
    path = config_path(home)
    if not path.exists():
        return LLMConfig()
    return _parse(path)


def _parse(path: Path) -> LLMConfig:
    """The file's settings, or LLMConfigFileError saying in one line what is wrong."""
    def broken(problem: str) -> LLMConfigFileError:
        return LLMConfigFileError(path, problem)

    try:
        data = read_json(path.read_bytes(), what="it")
    except JSONInputError as error:
        raise broken(error.problem) from None
    except OSError as error:
        raise broken(f"cannot be read ({error.strerror or error})") from None
    try:
        return LLMConfig.model_validate(data)
    except ValidationError as error:
        # Locations and messages only: the input values could include an API key.
        problems = "; ".join(f"{'.'.join(map(str, e['loc'])) or 'file'}: {e['msg']}" for e in error.errors()[:3])
        raise broken(f"holds settings that do not fit ({problems})") from None


def set_aside_config(home: Path) -> Path:
    """Rename a broken llm.json out of the way (kept for inspection); where it went."""
    path = config_path(home)
    aside = aside_path(path, "broken")
    path.rename(aside)
    return aside


def save_config(home: Path, config: LLMConfig) -> Path:
    """Write the config atomically; mode 600 when it holds an API key."""
    path = config_path(home)
    # Only what differs from the defaults, so later default changes reach the user; the
    # backend always, as it is what a reader of the file looks for first.
    data = {"llm": config.llm, **config.model_dump(mode="json", exclude_defaults=True)}
    secret = config.openai.api_key
    if secret is not None:
        data.setdefault("openai", {})["api_key"] = secret.get_secret_value()
    # Owner-only (600) from the start when it holds a key, so it is never readable by others, even briefly.
    write_atomic(path, json.dumps(data, indent=2) + "\n", mode=None if secret is not None else 0o644)
    return path
