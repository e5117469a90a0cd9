"""Reading free text as ONE chat action, for models too small to plan tool calls.

Obvious phrasings ("no more Drake", "I love this one", "save it to x.json") are read
by rules, instantly and reliably. Anything else goes to the LLM under a grammar (the
JSON schema of `ChatAction`), so even a 135M model answers with a well-formed action.
Its answer is used only when grounded: the argument must be words of the message.
Otherwise, or with no LLM, the text is taken as a new playlist title.
"""

from __future__ import annotations

import re
from collections.abc import Callable
from dataclasses import dataclass
from typing import Any, Literal

from pydantic import BaseModel, ConfigDict, Field

from agent.llm import ChatBackend
from agent.llm.prompts import load_prompt
from agent.llm.structured import ask
from retrieval.normalize import normalize_title

ACTIONS = ("generate", "more", "less", "exclude_artist", "like", "dislike", "explain", "save", "add", "none")
ARGUMENT_LIMIT = 80
MODEL_INPUT_LIMIT = 400  # characters of the message shown to the model; a title needs few

ActionName = Literal["generate", "more", "less", "exclude_artist", "like", "dislike", "explain", "save", "add",
                     "none", "more_like", "undo", "redo"]


class ChatAction(BaseModel):
    """What the model must answer: one action and its argument."""

    model_config = ConfigDict(extra="forbid")

    action: ActionName
    argument: str = Field(default="", max_length=ARGUMENT_LIMIT)


@dataclass(frozen=True)
class Understood:
    action: str
    argument: str
    source: str  # "rule", "model" or "title" (the fallback)

    def describe(self) -> str:
        shown = f" “{self.argument}”" if self.argument else ""
        return f"{self.action}{shown} ({self.source})"


def action_schema() -> dict[str, Any]:
    """The grammar for the model: the actions it may pick (not undo/redo: rules read those)."""
    return {
        "title": "chat_action",
        "type": "object",
        "properties": {
            "action": {"type": "string", "enum": list(ACTIONS)},
            "argument": {"type": "string", "maxLength": ARGUMENT_LIMIT},
        },
        "required": ["action", "argument"],
        "additionalProperties": False,
    }


_THIS = r"(?P<arg>this one|this song|this track|this|it|that one|that|#?\d{1,3}|number \d{1,3}|track \d{1,3})"
_RULES: list[tuple[str, re.Pattern]] = [
    (action, re.compile(pattern, re.IGNORECASE)) for action, pattern in [
        ("undo", r"^(?:undo|undo that|go back)$"),
        ("redo", r"^redo$"),
        ("more_like", r"^more (?:songs |tracks )?like " + _THIS + r"$"),
        ("dislike", r"^(?:no more|no|without|not|skip|drop|remove|ban|exclude)\s+(?P<arg>.+?)(?:\s+please)?$"),
        ("dislike", r"^i (?:hate|dislike|don'?t like|can'?t stand)\s+(?P<arg>.+)$"),
        ("like", r"^(?:i\s+)?(?:really\s+)?(?:love|like|adore)\s+" + _THIS + r"(?:\s+please)?$"),
        ("like", r"^(?:like|love)\s+(?P<arg>.+)$"),
        ("explain", r"^why\b.*?\b(?:#|number |track |song )?(?P<arg>\d{1,3})\b.*$"),
        ("explain", r"^why (?:is|did|was|does) (?:this|that|it)\b.*$"),
        ("explain", r"^explain\s+(?P<arg>.+)$"),
        ("save", r"^save(?: it| this| the playlist| playlist)?(?:\s+(?:to|as|in|into))?(?:\s+(?P<arg>\S+))?$"),
        ("add", r"^(?:please\s+)?(?:add|put in|include)\s+(?P<arg>.+?)(?:\s+(?:to|in) (?:it|the playlist|this))?$"),
        ("more", r"^(?:more|make it more|a bit more|even more)(?:\s+(?P<arg>.+))?$"),
        ("less", r"^(?:less|fewer|make it less|a bit less)(?:\s+(?P<arg>.+))?$"),
        ("generate", r"^(?:(?:please\s+)?(?:make|give|create|build|play|find)\s+(?:me\s+)?)?(?:a\s+|an\s+|some\s+)?"
                     r"(?:playlist|something|songs|music|mix|tracks)\s+(?:for|about|called|named|titled)\s+"
                     r"(?:a\s+|an\s+|my\s+|the\s+)?(?P<arg>.+)$"),
    ]
]


def read_by_rules(text: str) -> Understood | None:
    """The action an obvious phrasing asks for, or None."""
    cleaned = " ".join(text.split()).strip(" .!?")
    for action, pattern in _RULES:
        if match := pattern.match(cleaned):
            argument = (match.groupdict().get("arg") or "").strip(" \"'“”")
            return Understood(action, argument, "rule")
    return None


_PROMPT = "chat_action"  # prompts/chat_action.txt


def read_with_model(backend: ChatBackend, text: str, playlist: str = "none yet") -> Understood | None:
    """The model's reading of `text`, or None when it failed or is not grounded in the words."""
    message = text[:MODEL_INPUT_LIMIT]
    asked = ask(backend, load_prompt(_PROMPT).format_messages(message=message, playlist=playlist), action_schema(), ChatAction)
    if asked.failed or asked.answer.action == "none":
        return None
    answer = asked.answer
    argument = " ".join(answer.argument.split()).strip(" \"'")
    if argument and not grounded(argument, message):
        return None
    if not argument and answer.action in {"generate", "exclude_artist", "add", "save"}:
        return None
    return Understood(answer.action, argument, "model")


def grounded(argument: str, message: str) -> bool:
    """Every word of the argument occurs in the message: a small model must not invent one."""
    said = set(normalize_title(message).split())
    words = normalize_title(argument).split()
    return bool(words) and all(word in said for word in words)


def understand(text: str, backend: Callable[[], ChatBackend | None], playlist: str = "none yet") -> Understood:
    """Rules first, then the model (`backend()` loads it only when the rules had no answer), then a title."""
    found = read_by_rules(text)
    if found is None:
        model = backend()
        if model is not None:
            found = read_with_model(model, text, playlist)
    return found or Understood("generate", " ".join(text.split()), "title")
