"""`agent chat` driven as a person would: in a pseudo-terminal, typing, reading the screen.

One data dir for the module: the first chat builds the demo catalog (20-60 s on a busy
machine), then a second command and a second chat reuse it, which is how the profile
is shown to outlive the chat that set it. No message here needs a working LLM: rules
read them, so the test stays fast and exact (the last chat points at an LLM server
that is not there, to show the failure is one line).
"""

from __future__ import annotations

import json
import os
import re
import subprocess
import sys
from dataclasses import dataclass
from pathlib import Path

import pytest

pexpect = pytest.importorskip("pexpect")

AGENT = str(Path(sys.executable).with_name("agent"))
PROMPT = "you ›"
TIMEOUT = 120  # seconds per step: the machine may be busy and the first start builds the demo catalog
_ANSI = re.compile(r"\x1b\[[0-9;?]*[ -/]*[@-~]|\x1b[()][A-Z0-9]|\r")
_ROW = re.compile(r"^│\s*(\d+)\s*│\s*(.+?)\s*│\s*(.+?)\s*│\s*([\d.]+)\s*│")


def screen(text: str) -> str:
    return _ANSI.sub("", text)


def rows(text: str) -> list[tuple[int, str, str]]:
    """(rank, track, artist) of the last playlist table on the screen."""
    found: list[tuple[int, str, str]] = []
    for line in screen(text).splitlines():
        if match := _ROW.match(line.strip()):
            rank = int(match[1])
            if rank == 1:
                found = []
            found.append((rank, match[2], match[3]))
    return found


class Chat:
    """A running `agent chat`; `say` types a line and returns the screen up to the next prompt."""

    def __init__(self, home: Path, cwd: Path, *args: str):
        env = {**os.environ, "AGENT_HOME": str(home), "TERM": "xterm", "PYTHONUNBUFFERED": "1",
               "OPENAI_API_KEY": "sk-test-not-a-key"}
        env.pop("AGENT_DEBUG", None)
        self.child = pexpect.spawn(AGENT, ["chat", *args], cwd=str(cwd), env=env, encoding="utf-8",
                                   timeout=TIMEOUT, dimensions=(60, 160))
        self.log: list[str] = []
        self.log.append(self._until_prompt())

    def _until_prompt(self) -> str:
        self.child.expect_exact(PROMPT)
        return screen(self.child.before)

    def say(self, line: str) -> str:
        self.child.sendline(line)
        shown = self._until_prompt()
        self.log.append(shown)
        return shown

    def end(self, how: str) -> str:
        """End by "quit", "ctrl-d" or "ctrl-c"; anything else: the chat was already told to end."""
        if how == "quit":
            self.child.sendline("/quit")
        elif how == "ctrl-d":
            self.child.sendeof()
        elif how == "ctrl-c":
            self.child.sendintr()
        if self.child.expect([pexpect.EOF, "Leave anyway\\?"]) == 1:  # an unsaved playlist: leaving asks first
            self.child.sendline("y")
            self.child.expect(pexpect.EOF)
        self.child.close()
        tail = screen(self.child.before)
        self.log.append(tail)
        return tail

    @property
    def text(self) -> str:
        return "\n".join(self.log)


@dataclass
class FirstChat:
    home: Path
    cwd: Path
    artist: str  # the artist the person said "no more" to
    first: list[tuple[int, str, str]]
    after: list[tuple[int, str, str]]
    replies: dict[str, str]
    text: str
    status: int


@pytest.fixture(scope="module")
def first_chat(tmp_path_factory) -> FirstChat:
    home = tmp_path_factory.mktemp("chat-home")
    cwd = tmp_path_factory.mktemp("chat-cwd")
    chat = Chat(home, cwd, "--profile", "pty", "--transcript", "talk.json")
    replies = {}
    shown = chat.say("/generate rainy sunday")
    first = rows(shown)
    artist = first[0][2]
    replies["no more"] = chat.say(f"never play {artist} again")
    after = rows(replies["no more"])
    replies["empty"] = chat.say("")
    replies["unknown"] = chat.say("/frobnicate now")
    replies["long"] = chat.say("x" * 10_000)
    replies["missing song"] = chat.say("add Zzyzx Road Serenade by The Nonexistent Quartet")
    replies["bad save"] = chat.say("/save no-such-folder/out.json")
    replies["explain"] = chat.say("why is 1 here?")
    replies["save"] = chat.say("/save out.json")
    tail = chat.end("quit")
    return FirstChat(home, cwd, artist, first, after, replies, chat.text + tail, chat.child.exitstatus)


def test_generate_refine_and_save_in_a_terminal(first_chat):
    assert len(first_chat.first) == 10 and "“rainy sunday”" in first_chat.text
    artist = first_chat.artist
    assert f"no more {artist} (saved to profile 'pty')" in " ".join(first_chat.replies["no more"].split())
    assert len(first_chat.after) == 10 and artist not in {a for _, _, a in first_chat.after}
    saved = json.loads((first_chat.cwd / "out.json").read_text(encoding="utf-8"))
    assert [t["track_name"] for t in saved["tracks"]] == [name for _, name, _ in first_chat.after]
    assert artist not in {t["artist_name"] for t in saved["tracks"]}
    # The screen shows what ran and how long it took.
    assert re.search(r"↳ dislike \d+\.\d\ds", first_chat.replies["no more"])


def test_explain_shows_the_voting_playlists(first_chat):
    shown = first_chat.replies["explain"]
    assert f"Why #1 “{first_chat.after[0][1]}”" in shown
    assert re.search(r"│\s*\d+\s*│ .*rain.* │\s+0\.\d{3}\s*│", shown, re.IGNORECASE)


def test_bad_input_is_answered_and_the_chat_goes_on(first_chat):
    replies = first_chat.replies
    assert "error" not in replies["empty"] and "Traceback" not in first_chat.text
    # An empty line moves to a fresh prompt line (readline left "you › you ›" on one line).
    assert "\n" in replies["empty"]
    assert "unknown command /frobnicate; /help lists them" in replies["unknown"]
    assert "that message is 10,000 characters long" in " ".join(replies["long"].split())
    assert "is not in the catalog, so it was not added" in " ".join(replies["missing song"].split())
    assert "does not exist" in replies["bad save"] and "✗ save" in replies["bad save"]
    saved = json.loads((first_chat.cwd / "out.json").read_text(encoding="utf-8"))
    assert "Zzyzx Road Serenade" not in {t["track_name"] for t in saved["tracks"]}
    assert first_chat.status == 0 and "Bye." in first_chat.text


def test_the_transcript_holds_the_conversation_and_the_final_playlist(first_chat):
    transcript = json.loads((first_chat.cwd / "talk.json").read_text(encoding="utf-8"))
    said = [turn["user"] for turn in transcript["turns"]]
    assert said[:2] == ["/generate rainy sunday", f"never play {first_chat.artist} again"]
    assert transcript["profile"] == "pty"
    assert [t["track_name"] for t in transcript["playlist"]["tracks"]] == [n for _, n, _ in first_chat.after]
    dislike = transcript["turns"][1]
    assert dislike["understood"].startswith(f"dislike {{'artist': '{first_chat.artist}'}}") and dislike["calls"][0]["ok"]


def test_an_unwanted_artist_stays_out_of_generate_and_the_next_chat(first_chat):
    env = {**os.environ, "AGENT_HOME": str(first_chat.home)}
    made = subprocess.run([AGENT, "generate", "--profile", "pty", "--title", "rainy sunday", "--format", "json"],
                          env=env, capture_output=True, text=True, timeout=TIMEOUT, check=True)
    tracks = json.loads(made.stdout)["tracks"]
    assert len(tracks) == 10 and first_chat.artist not in {t["artist_name"] for t in tracks}

    chat = Chat(first_chat.home, first_chat.cwd, "--profile", "pty")
    shown = chat.say("/generate rainy sunday")
    again = rows(shown)
    assert len(again) == 10 and first_chat.artist not in {a for _, _, a in again}
    assert rows(chat.say("/more 2"))[-1][0] == 12
    tail = chat.end("ctrl-c")
    assert "Bye." in tail and "Traceback" not in chat.text and chat.child.exitstatus == 0


def test_an_unreachable_llm_server_is_one_line_and_slash_commands_still_work(first_chat):
    # Port 9 (discard) on the loopback refuses connections: the tool agent cannot reach its model.
    chat = Chat(first_chat.home, first_chat.cwd, "--llm", "openai", "--base-url", "http://127.0.0.1:9/v1",
                "--profile", "pty")
    assert "agent tools" in chat.text
    failed = " ".join(chat.say("make me something for a rainy sunday").split())
    assert "error: cannot reach the LLM server" in failed
    again = rows(chat.say("/generate rainy sunday"))
    assert len(again) == 10 and first_chat.artist not in {a for _, _, a in again}
    tail = chat.end("ctrl-d")
    assert "Bye." in tail and "Traceback" not in chat.text and chat.child.exitstatus == 0
