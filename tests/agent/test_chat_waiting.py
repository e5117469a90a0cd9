"""Every wait of the chat shows a spinner with the elapsed time: loading the LLM, each call
to it (here the bundled SmolLM2-135M reranking), and a wait begun inside another."""

from __future__ import annotations

import contextlib
import io

from rich.console import Console

from agent.chat.actions import Playlister
from agent.chat.session import ChatSession
from agent.chat.waiting import Spinner
from agent.llm import open_backend
from agent.profile import Profile
from tests.agent.test_chat_tools import retriever  # noqa: F401  (the module's corpus fixture)


def test_llm_loading_and_every_llm_call_run_under_the_spinner(retriever, tmp_path):  # noqa: F811
    playlister = Playlister(retriever, ChatSession("wait", Profile()), tmp_path,
                            backend_factory=lambda: open_backend(tmp_path, llm="local"))
    waits: list[str] = []

    @contextlib.contextmanager
    def recording(what: str):
        waits.append(what)
        yield

    playlister.llm.spin = recording
    made = playlister.generate("christmas", n=5, mode="rerank")
    assert made.version.playlist.mode == "rerank"
    assert waits[0] == "loading the LLM…" and "asking the LLM…" in waits[1:]
    calls = len(waits)
    playlister.regenerate()  # loaded once: later builds only ask
    assert waits[calls:] and set(waits[calls:]) == {"asking the LLM…"}


def test_a_wait_inside_another_renames_the_spinner_and_shows_the_elapsed_time():
    screen = io.StringIO()
    spinner = Spinner(Console(file=screen, force_terminal=True, width=80))
    with spinner("working…"):
        with spinner("asking the LLM…"):
            spinner._progress.refresh()
        spinner._progress.refresh()
    shown = screen.getvalue()
    assert "asking the LLM…" in shown and "working…" in shown and "0:00:00" in shown
