"""The tool-calling agent (`--agent tools`): a LangChain agent over the chat's tools.

OpenAI and compatible servers get native tool calling (ChatOpenAI). A local GGUF gets
`GrammarToolModel`: every step is decoded under a JSON schema that allows exactly one
known tool with valid arguments, or a reply, so even a model without a tool-calling
chat template (or a tiny one) produces calls the agent can run. Whether the calls are
*sensible* depends on the model: an 8B instruct model plans well, the bundled 135M
one does not.
"""

from __future__ import annotations

import json
import uuid
from collections.abc import Sequence
from typing import Any

from langchain_core.language_models import BaseChatModel
from langchain_core.messages import AIMessage, BaseMessage, HumanMessage, SystemMessage, ToolMessage
from langchain_core.outputs import ChatGeneration, ChatResult
from langchain_core.utils.function_calling import convert_to_openai_tool
from pydantic import ConfigDict

from agent.chat.actions import ChatError, Playlister
from agent.chat.tools import describe, make_tools
from agent.llm import ChatBackend, LLMConfig, LLMError
from agent.llm.config import OPENAI_KEY_ENV
from agent.llm.prompts import load_prompt

MAX_MODEL_CALLS = 8  # per message: a model that keeps calling tools is stopped, the chat goes on
MEMORY = 6  # earlier messages (user and agent replies) given with each new one
REPLY_LIMIT = 600

PROMPT = "chat_agent"  # prompts/chat_agent.txt


class GrammarToolModel(BaseChatModel):
    """Tool calling for any `ChatBackend` that decodes under a JSON schema (llama.cpp grammars)."""

    model_config = ConfigDict(arbitrary_types_allowed=True)
    backend: Any

    @property
    def _llm_type(self) -> str:
        return "grammar-tool-calls"

    def bind_tools(self, tools: Sequence[Any], *, tool_choice: Any = None, **kwargs: Any):
        return self.bind(tools=[convert_to_openai_tool(tool) for tool in tools], **kwargs)

    def _generate(self, messages: list[BaseMessage], stop: list[str] | None = None, run_manager: Any = None,
                  tools: list[dict] | None = None, **kwargs: Any) -> ChatResult:
        tools = tools or []
        prompt = plain_messages(messages, tool_manual(tools))
        text = self.backend.complete(prompt, step_schema(tools))
        return ChatResult(generations=[ChatGeneration(message=step_message(text))])


def step_schema(tools: Sequence[dict]) -> dict[str, Any]:
    """One step: {"step": {"tool": NAME, "arguments": {...}}} for a known tool, or a reply."""
    choices = []
    for tool in tools:
        function = tool["function"]
        parameters = {**function.get("parameters", {"type": "object", "properties": {}}), "additionalProperties": False}
        parameters.pop("title", None)
        parameters.pop("description", None)
        choices.append({
            "type": "object",
            "properties": {"tool": {"const": function["name"]}, "arguments": parameters},
            "required": ["tool", "arguments"],
            "additionalProperties": False,
        })
    choices.append({
        "type": "object",
        "properties": {"tool": {"const": "reply"}, "text": {"type": "string", "maxLength": REPLY_LIMIT}},
        "required": ["tool", "text"],
        "additionalProperties": False,
    })
    return {"title": "agent_step", "type": "object", "properties": {"step": {"anyOf": choices}},
            "required": ["step"], "additionalProperties": False}


def tool_manual(tools: Sequence[dict]) -> str:
    """Short on purpose: the grammar already holds the argument names and types."""
    lines = ['Answer with JSON: {"step": {"tool": NAME, "arguments": {...}}} to call one tool, or '
             '{"step": {"tool": "reply", "text": "..."}} to answer the user. Tools:']
    for tool in tools:
        function = tool["function"]
        arguments = ", ".join(function.get("parameters", {}).get("properties", {}))
        description = function.get("description", "").split(". ")[0].rstrip(".")
        lines.append(f"- {function['name']}({arguments}): {description}")
    return "\n".join(lines)


def plain_messages(messages: Sequence[BaseMessage], manual: str) -> list[BaseMessage]:
    """Messages any chat template accepts: one system message first; tool calls and results as text."""
    system = [m.content for m in messages if isinstance(m, SystemMessage)]
    result: list[BaseMessage] = [SystemMessage("\n\n".join([*map(str, system), manual]))]
    for message in messages:
        if isinstance(message, SystemMessage):
            continue
        if isinstance(message, AIMessage) and message.tool_calls:
            call = message.tool_calls[0]
            result.append(AIMessage(json.dumps({"step": {"tool": call["name"], "arguments": call["args"]}})))
        elif isinstance(message, ToolMessage):
            result.append(HumanMessage(f"[{message.name or 'tool'} answered]\n{message.content}"))
        else:
            result.append(message)
    return result


def step_message(text: str) -> AIMessage:
    """The model's step as an AIMessage: a tool call, or a reply (also for an unreadable answer)."""
    try:
        step = json.loads(text, strict=False)["step"]
        name = step["tool"]
    except (ValueError, KeyError, TypeError):
        shown = text if len(text) < 80 else text[:77] + "..."
        return AIMessage(f"(the model's answer could not be read as a step: {shown!r})")
    if name == "reply":
        return AIMessage(str(step.get("text", "")))
    return AIMessage("", tool_calls=[{"name": name, "args": step.get("arguments") or {},
                                      "id": f"call_{uuid.uuid4().hex[:12]}", "type": "tool_call"}])


def openai_model(config: LLMConfig) -> BaseChatModel:
    """Native tool calling on OpenAI or a compatible server, configured (and keyed) as `--llm openai` is."""
    from agent.llm.openai_compat import chat_model

    return chat_model(config.openai, max_retries=1)


class ToolAgent:
    """A LangChain agent over the session's tools; remembers the last few exchanges."""

    def __init__(self, model: BaseChatModel, playlister: Playlister, max_model_calls: int = MAX_MODEL_CALLS):
        from langchain.agents import create_agent
        from langchain.agents.middleware import ModelCallLimitMiddleware

        self.playlister = playlister
        system, self._message = load_prompt(PROMPT).messages
        self.graph = create_agent(
            model, make_tools(playlister), system_prompt=system.prompt.template,
            middleware=[ModelCallLimitMiddleware(run_limit=max_model_calls, exit_behavior="end")],
        )
        self.memory: list[BaseMessage] = []

    def ask(self, text: str) -> str:
        """The agent's reply to one message; its tool calls are recorded in the session's turn."""
        current = self.playlister.session.current
        state = describe(current, limit=15) if current else "no playlist yet"
        message = self._message.format(message=text, state=state)
        try:
            result = self.graph.invoke({"messages": [*self.memory[-MEMORY:], message]})
        except LLMError as error:
            raise ChatError(str(error)) from None
        except Exception as error:
            explained = _server_error(error)
            if explained is None:
                raise
            raise ChatError(explained) from None
        last = result["messages"][-1]
        reply = str(last.content).strip() if isinstance(last, AIMessage) and not last.tool_calls else ""
        if not reply:
            reply = "(the agent stopped without a reply)"
        self.memory += [HumanMessage(text), AIMessage(reply)]
        return reply


def _server_error(error: Exception) -> str | None:
    """A line for an OpenAI client error; never the server's text for auth errors (it quotes the key)."""
    try:
        import openai
    except ImportError:
        return None
    if not isinstance(error, openai.APIError):
        return None
    if isinstance(error, openai.APIConnectionError):
        return "cannot reach the LLM server: is it running and the URL right? (slash commands still work)"
    if isinstance(error, openai.AuthenticationError | openai.PermissionDeniedError):
        return f"the LLM server refused the API key; check {OPENAI_KEY_ENV}"
    if isinstance(error, openai.APIStatusError):
        return f"the LLM server answered HTTP {error.status_code}"
    return f"the LLM server failed: {type(error).__name__}"
