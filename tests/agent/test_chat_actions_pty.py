"""Ordinary sentences in a real `agent chat`, one per action family, read by the MiniLM reader.

One chat on the demo catalog (started in a pseudo-terminal, as a person would): every
message is typed as words, never as a slash command, and the screen, the profile file
and the saved file are checked. A message the chat does not understand, and small talk,
must change nothing.
"""

from __future__ import annotations

import json
from dataclasses import dataclass
from pathlib import Path

import pytest

from tests.agent.test_chat_pty import Chat, rows

pytest.importorskip("pexpect")


def profile(home: Path) -> dict:
    path = home / "profiles" / "words.json"
    return json.loads(path.read_text(encoding="utf-8")) if path.exists() else {}


def flat(text: str) -> str:
    return " ".join(text.split())


@dataclass
class Said:
    shown: str
    tracks: list[tuple[int, str, str]]
    profile: dict


@pytest.fixture(scope="module")
def conversation(tmp_path_factory) -> dict[str, Said]:
    home = tmp_path_factory.mktemp("words-home")
    cwd = tmp_path_factory.mktemp("words-cwd")
    chat = Chat(home, cwd, "--profile", "words")
    said: dict[str, Said] = {}

    def say(key: str, line: str) -> Said:
        shown = chat.say(line)
        said[key] = Said(shown, rows(shown), profile(home))
        return said[key]

    say("new", "make me a playlist for a rainy sunday")
    say("length", "only 15 songs")
    say("remove", "remove the third song")
    say("steer", "more upbeat please")
    say("smalltalk", "thanks!")
    say("misread", "blorp the frobnicator quickly")
    say("show", "show me the playlist")
    say("explain", "why is the first song here?")
    first_artist = said["show"].tracks[0][2]
    say("no artist", f"no more {first_artist}")
    disliked = said["no artist"].tracks[0][2]
    say("never", f"never play {disliked} again")
    say("undo", "undo that")
    say("like", "I love the second song")
    say("similar", "more like the second song")
    say("add", "add Party Rock Anthem by LMFAO")
    say("save", "save it to mix.json")
    say("show again", "show")
    say("skip lower", f"skip {said['show again'].tracks[1][2].lower()}")
    say("markup", "/generate party [/]")
    say("help", "what can you do?")
    say("mode", "switch to retrieval mode")
    chat.child.sendline("bye")
    chat.end("eof")
    return said | {"_": Said(chat.text, [], {"first": first_artist, "disliked": disliked, "cwd": str(cwd)})}


def test_a_new_request_and_its_length_in_words(conversation):
    assert len(conversation["new"].tracks) == 10 and "“rainy sunday”" in conversation["new"].shown
    assert len(conversation["length"].tracks) == 15


def test_remove_by_position_keeps_the_length_and_drops_the_track(conversation):
    third = conversation["length"].tracks[2]
    after = conversation["remove"].tracks
    assert len(after) == 15 and third[1] not in {name for _, name, _ in after}
    assert f"removed “{third[1]}”" in conversation["remove"].shown


def test_steering_words_change_the_playlist_and_say_so(conversation):
    assert "more “upbeat”" in conversation["steer"].shown and len(conversation["steer"].tracks) == 15


def test_small_talk_and_a_misunderstood_message_change_nothing(conversation):
    for key in ("smalltalk", "misread"):
        assert conversation[key].tracks == [], f"{key} printed a playlist"
    assert "nothing changed" in flat(conversation["misread"].shown)
    assert "?" in conversation["misread"].shown  # it asks
    assert conversation["show"].tracks == conversation["steer"].tracks


def test_explain_in_words(conversation):
    first = conversation["show"].tracks[0]
    assert f"Why #1 “{first[1]}”" in conversation["explain"].shown


def test_no_artist_is_this_playlist_only_and_says_so(conversation):
    artist = conversation["_"].profile["first"]
    said = conversation["no artist"]
    assert artist not in {a for _, _, a in said.tracks}
    assert "this playlist only" in flat(said.shown)
    assert artist not in said.profile.get("unwanted_artists", [])


def test_a_catalog_artist_typed_in_lower_case_is_removed(conversation):
    artist = conversation["show again"].tracks[1][2]
    said = conversation["skip lower"]
    assert artist not in {a for _, _, a in said.tracks}
    assert "this playlist only" in flat(said.shown)


def test_never_again_is_remembered_and_undo_takes_it_back_from_the_profile(conversation):
    artist = conversation["_"].profile["disliked"]
    never, undone = conversation["never"], conversation["undo"]
    assert never.profile["unwanted_artists"] == [artist] and artist not in {a for _, _, a in never.tracks}
    assert "remembered for later playlists" in flat(never.shown)
    assert undone.profile["unwanted_artists"] == [] and artist in {a for _, _, a in undone.tracks}
    assert "restored" in flat(undone.shown)


def test_like_similar_and_add_in_words(conversation):
    assert len(conversation["like"].profile["liked_tracks"]) == 1
    second = conversation["undo"].tracks[1][1]
    assert f"more like “{second}”" in conversation["similar"].shown
    assert ("Party Rock Anthem", "LMFAO") in {(n, a) for _, n, a in conversation["add"].tracks}


def test_save_in_words_writes_the_playlist(conversation):
    saved = json.loads((Path(conversation["_"].profile["cwd"]) / "mix.json").read_text(encoding="utf-8"))
    assert [t["track_name"] for t in saved["tracks"]] == [n for _, n, _ in conversation["add"].tracks]


def test_markup_in_a_title_is_shown_as_typed_and_the_chat_goes_on(conversation):
    said = conversation["markup"]
    assert "“party [/]”" in said.shown and len(said.tracks) == 15


def test_help_mode_and_quit_in_words(conversation):
    assert "/generate" in conversation["help"].shown and conversation["help"].tracks == []
    assert "mode retrieval" in conversation["mode"].shown
    assert conversation["_"].shown.rstrip().endswith("Bye.") and "Traceback" not in conversation["_"].shown
