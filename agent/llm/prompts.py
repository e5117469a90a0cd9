"""Prompt templates, read by name from the `prompts` package (prompts/<name>.txt).

A file holds a `[system]` section and a `[user]` section; each is a LangChain
f-string template (`{title}`; literal braces doubled, `{{`). Values are never
re-parsed, so a title holding braces or instructions stays plain text.
"""

from __future__ import annotations

import functools
import importlib.resources
import re

from langchain_core.prompts import ChatPromptTemplate

from agent.llm.base import LLMConfigError

_SECTION = re.compile(r"^\[(system|user)\]\s*$", re.MULTILINE)


@functools.cache
def load_prompt(name: str) -> ChatPromptTemplate:
    resource = importlib.resources.files("prompts").joinpath(f"{name}.txt")
    if not resource.is_file():
        raise LLMConfigError(f"no prompt template named {name!r} (looked for prompts/{name}.txt)")
    return parse_prompt(resource.read_text(encoding="utf-8"), name)


def parse_prompt(text: str, name: str = "prompt") -> ChatPromptTemplate:
    parts = _SECTION.split(text)
    # split gives [preamble, role, body, role, body, ...]; the preamble holds comments only.
    messages = [(role if role == "system" else "human", body.strip()) for role, body in zip(parts[1::2], parts[2::2])]
    if not any(role == "human" for role, _ in messages):
        raise LLMConfigError(f"prompt {name!r} has no [user] section")
    return ChatPromptTemplate.from_messages(messages)
