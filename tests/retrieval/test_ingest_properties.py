"""Property-based: whatever MPD-shaped JSON or bytes `agent ingest` is fed, it never
shows a traceback, exits 0 or 1, and a file it rejects leaves the catalog unchanged."""

from __future__ import annotations

import json
import uuid

import pytest
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from conftest import make_playlist, run_agent, write_slice_file
from retrieval.catalog import Catalog

SCALARS = st.one_of(
    st.none(), st.booleans(), st.integers(min_value=-(2**70), max_value=2**70), st.floats(),
    st.text(max_size=12), st.sampled_from(["", " ", "\x1b]0;pwned\x07", "[bold]x[/]", "n" * 1_200]),
)
ANY_JSON = st.recursive(
    SCALARS, lambda inner: st.lists(inner, max_size=3) | st.dictionaries(st.text(max_size=6), inner, max_size=3),
    max_leaves=6,
)


PLAYLIST_FIELDS = ("pid", "name", "tracks", "num_followers", "modified_at", "collaborative", "description")
TRACK_FIELDS = ("track_uri", "track_name", "artist_name", "duration_ms", "album_name", "artist_uri", "album_uri")


def valid_playlist(pid: int) -> dict:
    playlist = make_playlist(pid, f"title {pid}", ["gym01", "xmas01"], full=True)
    playlist["description"] = "a description"
    return playlist


@st.composite
def corrupted_document(draw) -> dict:
    """A valid slice with one field of one playlist, or of one of its tracks, replaced by any JSON."""
    playlists = [valid_playlist(pid) for pid in draw(st.lists(st.integers(0, 40), min_size=1, max_size=3, unique=True))]
    target = draw(st.sampled_from(playlists))
    value = draw(ANY_JSON)
    if draw(st.booleans()):
        target[draw(st.sampled_from(PLAYLIST_FIELDS))] = value
    else:
        target["tracks"][draw(st.integers(0, 1))][draw(st.sampled_from(TRACK_FIELDS))] = value
    return {"info": {"slice": "0-999"}, "playlists": playlists}


DOCUMENT = st.one_of(corrupted_document(), corrupted_document(), corrupted_document(), ANY_JSON)

pytestmark = pytest.mark.filterwarnings("ignore")


@pytest.fixture(scope="module")
def home(tmp_path_factory):
    """A data dir whose catalog already holds playlists, so 'unchanged' means something."""
    data = tmp_path_factory.mktemp("prop-home")
    slice_path = write_slice_file(tmp_path_factory.mktemp("prop-mpd"),
                                  [make_playlist(1, "kept", ["gym01", "gym02"]), make_playlist(2, "also kept", ["xmas01"])])
    result = run_agent("ingest", "--no-index", slice_path, "--data-dir", data)
    assert result.exit_code == 0, result.output
    return data


def snapshot(home) -> dict:
    with Catalog(home / "catalog.sqlite") as catalog:
        return {
            "version": catalog.content_version(),
            "playlists": {pid: catalog.playlist(pid).model_dump() for pid in catalog.pids()},
        }


def ingest_checked(home, content: bytes, *flags: str) -> None:
    folder = home.parent / f"in-{uuid.uuid4().hex[:8]}"
    folder.mkdir()
    path = folder / "mpd.slice.0-999.json"
    path.write_bytes(content)
    before = snapshot(home)
    result = run_agent("ingest", "--no-index", *flags, path, "--data-dir", home)
    assert result.exit_code in (0, 1), result.output
    assert result.exception is None or isinstance(result.exception, SystemExit), repr(result.exception)
    assert "Traceback" not in result.output
    if result.exit_code == 1:
        assert result.output.startswith("Error: ") or "\nError: " in result.output, result.output
        assert snapshot(home) == before  # a rejected file stored nothing


PROPERTY = settings(max_examples=30, deadline=None, suppress_health_check=list(HealthCheck))


@PROPERTY
@given(document=DOCUMENT)
def test_any_mpd_shaped_json_is_stored_or_rejected_cleanly(home, document):
    ingest_checked(home, json.dumps(document, ensure_ascii=False).encode("utf-8"))


@PROPERTY
@given(document=DOCUMENT)
def test_skip_bad_never_fails_on_mpd_shaped_json(home, document):
    ingest_checked(home, json.dumps(document, ensure_ascii=False).encode("utf-8"), "--skip-bad")


@PROPERTY
@given(content=st.binary(max_size=200))
def test_random_bytes_are_rejected_cleanly(home, content):
    ingest_checked(home, content)
