"""/undo is whole: a like or dislike undone leaves the stored profile as it was, and /redo
saves it again; an edit made meanwhile by someone else (another chat, `agent profile`)
is kept. On the hand-made corpus with the real MiniLM."""

from __future__ import annotations

from agent.chat.actions import Playlister
from agent.profile import Profile, load_profile, update_profile
from tests.agent.test_chat_tools import retriever  # noqa: F401  (the module's corpus fixture)


def stored(playlister: Playlister) -> Profile:
    return load_profile(playlister.home, playlister.session.profile_name)[0]


def test_undoing_a_dislike_restores_the_artist_as_liked_and_the_playlist(retriever, tmp_path):  # noqa: F811
    from agent.chat.session import ChatSession

    playlister = Playlister(retriever, ChatSession("undo", Profile()), tmp_path)
    playlister.generate("workout", n=7)
    before = [t.track_uri for t in playlister.session.tracks]
    playlister.like("Eminem")
    playlister.dislike("Eminem")
    assert stored(playlister).unwanted_artists == ["Eminem"] and stored(playlister).liked_artists == []
    assert "Eminem" not in {t.artist_name for t in playlister.session.tracks}

    # Someone else edits the profile meanwhile; undo must not erase that.
    update_profile(tmp_path, "undo", lambda p: p.dislike_artist("Survivor"))
    undone = playlister.undo()
    assert "restored" in undone.message
    assert stored(playlister).liked_artists == ["Eminem"]
    assert stored(playlister).unwanted_artists == ["Survivor"]
    assert playlister.session.profile == stored(playlister)

    playlister.undo()  # the like, too
    assert stored(playlister).liked_artists == [] and [t.track_uri for t in playlister.session.tracks] == before
    playlister.redo()
    playlister.redo()
    assert stored(playlister).unwanted_artists == ["Survivor", "Eminem"] and stored(playlister).liked_artists == []


def test_undoing_a_liked_track_takes_it_off_the_profile(retriever, tmp_path):  # noqa: F811
    from agent.chat.session import ChatSession

    playlister = Playlister(retriever, ChatSession("undo", Profile()), tmp_path)
    playlister.generate("christmas", n=5)
    uri = playlister.session.tracks[1].track_uri
    playlister.like("2")
    assert stored(playlister).liked_tracks == [uri]
    playlister.undo()
    assert stored(playlister).liked_tracks == []
    assert playlister.session.current.edit is None  # back at the generated version
