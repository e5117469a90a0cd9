"""“Fewer hits” in the chat: discovery moves one step per message, the playlist is made again
with it, the reply says so in words, a kept chat resumes with it, and a steer that is not
about hits leaves it alone. The real reader (MiniLM) and retriever on the hand-made corpus."""

from __future__ import annotations

import pytest

from agent.chat.actions import Playlister
from agent.chat.commands import Commands
from agent.chat.dispatch import Dispatcher
from agent.chat.resume import keep, restore
from agent.chat.session import ChatSession
from agent.chat.understand import Understander
from agent.profile import Profile
from retrieval.generator import GenerationOptions
from tests.agent.test_chat_tools import retriever  # noqa: F401  (the module's corpus fixture)


@pytest.fixture(scope="module")
def understander(encoder) -> Understander:
    return Understander(encoder)


@pytest.fixture
def chat(retriever, understander, tmp_path):  # noqa: F811
    playlister = Playlister(retriever, ChatSession("discovery", Profile()), tmp_path)
    dispatcher = Dispatcher(Commands(playlister))

    def say(message: str) -> str:
        return dispatcher.run(understander.parse(message)).message

    say("make me a playlist for a party")
    return say, playlister


def uris_at(retriever, title: str, discovery: float) -> list[str]:  # noqa: F811
    return [t.track_uri for t in retriever.generate(title, GenerationOptions(n=10, discovery=discovery)).tracks]


@pytest.mark.parametrize("message", ["fewer hits", "less mainstream please", "more obscure", "deep cuts"])
def test_fewer_hits_raises_discovery_and_remakes_the_playlist(chat, retriever, message):  # noqa: F811
    say, playlister = chat
    reply = say(message)
    assert playlister.session.current.recipe.discovery == 0.3
    assert reply.startswith("fewer hits: discovery 0.3")
    assert [t.track_uri for t in playlister.session.tracks] == uris_at(retriever, "party", 0.3)
    assert uris_at(retriever, "party", 0.3) != uris_at(retriever, "party", 0.0)  # the step is one a person sees


def test_more_popular_lowers_it_to_zero_and_no_further(chat):
    say, playlister = chat
    say("fewer hits")
    say("fewer hits")
    assert playlister.session.current.recipe.discovery == 0.6
    assert say("more popular").startswith("more hits: discovery 0.3")
    assert say("mainstream").startswith("more hits: discovery 0.0")
    versions = len(playlister.session.history.versions)
    assert say("more hits") == "discovery is already 0.0 (the least); nothing changed"
    assert len(playlister.session.history.versions) == versions


def test_discovery_stops_at_one(chat):
    say, playlister = chat
    for _ in range(4):
        say("more obscure")
    assert playlister.session.current.recipe.discovery == 1.0


def test_a_steer_about_something_else_keeps_discovery(chat):
    say, playlister = chat
    say("fewer hits")
    reply = say("more chill")
    assert "discovery" not in reply and playlister.session.current.recipe.discovery == 0.3
    assert playlister.session.current.recipe.moods == ("chill",)
    both = say("fewer hits and more upbeat")
    assert both.startswith("fewer hits: discovery 0.6; more “upbeat”")
    assert say("make me a playlist for christmas") and playlister.session.current.recipe.discovery == 0.6


def test_a_resumed_chat_keeps_its_discovery(chat, retriever, tmp_path):  # noqa: F811
    say, playlister = chat
    say("deep cuts")
    keep(tmp_path / "kept.json", playlister.session)
    resumed = ChatSession("discovery", Profile())
    restore(tmp_path / "kept.json", resumed)
    assert resumed.current.recipe.discovery == 0.3
    assert [t.track_uri for t in resumed.tracks] == [t.track_uri for t in playlister.session.tracks]
