"""The conversation of issue 26, typed into a real `agent chat` turn by turn: a misreading never
costs the playlist, refinements refine it, questions about it are answered, leaving with unsaved
work asks first, and a closed terminal loses nothing (`agent chat --resume`).

One chat on the demo catalog in a pseudo-terminal; every message is typed as words.
"""

from __future__ import annotations

import re
from dataclasses import dataclass
from pathlib import Path

import pytest

from tests.agent.test_chat_pty import Chat, rows

pexpect = pytest.importorskip("pexpect")


def flat(text: str) -> str:
    return " ".join(text.split())


@dataclass
class Talk:
    shown: dict[str, str]
    lists: dict[str, list[tuple[int, str, str]]]
    cwd: Path
    resumed: str
    resumed_end: str


@pytest.fixture(scope="module")
def talk(tmp_path_factory) -> Talk:
    home, cwd = tmp_path_factory.mktemp("misread-home"), tmp_path_factory.mktemp("misread-cwd")
    chat = Chat(home, cwd, "--profile", "misread")
    shown: dict[str, str] = {}
    lists: dict[str, list[tuple[int, str, str]]] = {}

    def say(key: str, line: str) -> str:
        shown[key] = chat.say(line)
        lists[key] = rows(shown[key])
        return shown[key]

    say("new", "make a playlist for a dinner party on saturday")
    say("weather", "whats the weather like tomorrow?")
    say("cat", "my cat is sleeping on my keyboard")
    say("shown after small talk", "show me the playlist")
    say("complaint", "hmm thats a bit too much rap… more chill and jazzy?")
    current = lists["complaint"]
    say("who", "who sings number 4?")
    say("count", f"how many songs by {current[1][2]}")
    say("longest", "what's the longest song")
    say("take out", f"take out {current[0][1]}")
    say("90s", "now do it again but with 90s versions")
    say("typo", "mak it mroe relaxd")
    say("another", "make a playlist for a road trip")
    say("undo new", "undo that")
    say("bye", "bye")
    say("stay", "n")
    say("save", "save this as saturday dinner")
    chat.child.close(force=True)  # the terminal is closed, not the chat ended

    again = Chat(home, cwd, "--profile", "misread", "--resume")
    resumed = again.text
    lists["resumed"] = rows(resumed)
    end = again.end("quit")
    return Talk(shown, lists, cwd, resumed, end)


def test_off_topic_messages_change_nothing_and_never_end_the_chat(talk):
    for key in ("weather", "cat"):
        assert "Bye." not in talk.shown[key] and not talk.lists[key], talk.shown[key]
        assert "Your playlist is as it was" in flat(talk.shown[key])
    assert talk.lists["shown after small talk"] == talk.lists["new"]


def test_a_complaint_steers_the_playlist_it_does_not_replace_it(talk):
    shown = flat(talk.shown["complaint"])
    assert "“dinner party on saturday”" in shown and "generate" not in shown
    assert "steering +chill +jazzy −rap" in shown  # in the footer, not in the title
    changed = re.search(r"\((\d+) of 10 changed\)", shown)
    before = {(track, artist) for _, track, artist in talk.lists["new"]}
    assert changed and int(changed[1]) == sum((t, a) not in before for _, t, a in talk.lists["complaint"]) > 0
    for key in ("90s", "typo"):
        assert "“dinner party on saturday”" in flat(talk.shown[key]), talk.shown[key]
    assert "+90s" in flat(talk.shown["90s"]) and "+relax" in flat(talk.shown["typo"])
    assert "+relaxd" not in flat(talk.shown["typo"])  # mended to a word of the catalog's titles


def test_questions_about_the_playlist_are_answered_from_it(talk):
    rank, track, artist = talk.lists["complaint"][3]
    assert f"#4 “{track}” is by {artist}" in flat(talk.shown["who"])
    by = talk.lists["complaint"][1][2]
    count = sum(a == by for _, _, a in talk.lists["complaint"])
    assert f"{count} of the 10 songs {'is' if count == 1 else 'are'} by {by}" in flat(talk.shown["count"])
    assert "longest" in talk.shown["longest"] or "no track lengths" in talk.shown["longest"]
    for key in ("who", "count", "longest"):
        assert not talk.lists[key]  # a question changes nothing


def test_a_song_of_the_playlist_named_is_that_song(talk):
    first = talk.lists["complaint"][0]
    assert f"removed “{first[1]}”" in flat(talk.shown["take out"])
    assert first[1:] not in {row[1:] for row in talk.lists["take out"]} and len(talk.lists["take out"]) == 10


def test_a_new_playlist_can_be_undone_and_leaving_unsaved_work_asks(talk):
    assert "“road trip”" in talk.shown["another"]
    assert talk.lists["undo new"] == talk.lists["typo"]
    assert "is not saved. Leave anyway?" in flat(talk.shown["bye"]) and "Bye." not in talk.shown["bye"]
    assert "staying; nothing changed" in talk.shown["stay"]
    assert "saved 10 tracks to saturday-dinner.m3u" in flat(talk.shown["save"])
    saved = (talk.cwd / "saturday-dinner.m3u").read_text(encoding="utf-8")
    assert all(track in saved for _, track, _ in talk.lists["undo new"])


def test_a_closed_terminal_loses_nothing(talk):
    assert "resumed “dinner party on saturday”" in flat(talk.resumed)
    assert talk.lists["resumed"] == talk.lists["undo new"]
    # Saved before the terminal closed: leaving the resumed chat does not ask.
    assert "Leave anyway" not in talk.resumed_end and "Bye." in talk.resumed_end
