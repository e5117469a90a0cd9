"""The flags that pick a mode and an LLM, shared by `agent generate` and `agent compare`."""

from __future__ import annotations

import functools
from collections.abc import Callable
from pathlib import Path

import click

from agent.llm import backend_names
from agent.llm.choice import LLMChoice
from agent.playlist import DEFAULT_CANDIDATES, FUSES, MODES, SHOTS, ModeOptions

__all__ = ["LLMChoice", "backend_options", "llm_options"]


def _backend_options() -> list[Callable]:
    return [
        click.option("--llm", type=click.Choice(backend_names()),
                     help="LLM backend [default: llm.json's, else local]."),
        click.option("--model-path", type=click.Path(dir_okay=False, path_type=Path),
                     help="A GGUF file for --llm local (e.g. Llama-3.1-8B-Instruct) "
                          "[default: bundled SmolLM2-135M]."),
        click.option("--base-url", help="An OpenAI-compatible server for --llm openai (vLLM, Ollama, "
                                        "llama.cpp), e.g. http://localhost:8000/v1."),
        click.option("--model", help="The model name for --llm openai [default: gpt-4o]."),
    ]


def backend_options(command: Callable) -> Callable:
    """Only the backend flags; passes `llm: LLMChoice` (for commands that compare modes)."""

    @functools.wraps(command)
    def wrapper(*args, llm, model_path, base_url, model, **kwargs):
        return command(*args, llm=LLMChoice(llm, model_path, base_url, model), **kwargs)

    for option in reversed(_backend_options()):
        wrapper = option(wrapper)
    return wrapper


def llm_options(modes: bool = True) -> Callable[[Callable], Callable]:
    """Adds the LLM flags (and --mode with `modes`); passes `mode: ModeOptions` and `llm: LLMChoice`."""

    def decorate(command: Callable) -> Callable:
        @functools.wraps(command)
        def wrapper(*args, mode="retrieval", shots, fuse, candidates, rerank_shuffles, llm, model_path, base_url,
                    model, **kwargs):
            return command(
                *args,
                mode=ModeOptions(mode=mode, shots=shots, fuse=fuse, candidates=candidates, shuffles=rerank_shuffles),
                llm=LLMChoice(llm, model_path, base_url, model),
                **kwargs,
            )

        options = [
            click.option("--shots", type=click.Choice([str(s) for s in SHOTS]), default="0", show_default=True,
                         callback=lambda _ctx, _param, value: int(value),
                         help="--mode llm: example songs in the prompt, from the most similar playlists."),
            click.option("--fuse", type=click.Choice(FUSES), default="none", show_default=True,
                         help="--mode rerank: rrf blends the LLM's order with retrieval's (reciprocal rank fusion)."),
            click.option("--candidates", type=int, default=DEFAULT_CANDIDATES, show_default=True,
                         help="--mode rerank: retrieved tracks the LLM reorders."),
            click.option("--rerank-shuffles", type=int, default=1, show_default=True,
                         help="--mode rerank: show the candidates in S seeded orders and combine the S rankings "
                              "by Borda count, against position bias."),
            *_backend_options(),
        ]
        if modes:
            options.insert(0, click.option(
                "--mode", type=click.Choice(MODES), default="retrieval", show_default=True,
                help="retrieval: title voting; rerank: an LLM reorders the voted candidates; llm: an LLM names the songs.",
            ))
        for option in reversed(options):
            wrapper = option(wrapper)
        return wrapper

    return decorate
