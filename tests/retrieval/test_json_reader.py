"""The one reader of external JSON: whatever the text, a value or a JSONInputError that
names what was read, never RecursionError or MemoryError; and search words taken literally."""

from __future__ import annotations

import json
import os
import stat

import pytest
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from retrieval.catalog import Catalog
from retrieval.mpd.ingest import ingest_paths
from retrieval.json_reader import (
    InputFileError, JSONInputError, JSONNestingError, read_json, read_json_file, read_limited, within_depth,
)
from tests.conftest import write_slice_file

JSON_VALUES = st.recursive(
    st.none() | st.booleans() | st.integers(-(2**63), 2**63 - 1) | st.floats(allow_nan=False, allow_infinity=False)
    | st.text(max_size=20),
    lambda children: st.lists(children, max_size=4) | st.dictionaries(st.text(max_size=5), children, max_size=4),
    max_leaves=30,
)


def nested(depth: int, opener: str, closer: str, inner: str = "1") -> str:
    return opener * depth + inner + closer * depth


@given(value=JSON_VALUES)
def test_any_json_value_within_the_limits_reads_back_equal(value):
    text = json.dumps(value)
    assert read_json(text, what="x") == json.loads(text)
    assert read_json(text.encode(), what="x", lenient_strings=True) == json.loads(text)


@given(depth=st.integers(0, 20_000), kind=st.sampled_from(["[]", "{}"]), lenient=st.booleans(),
       as_bytes=st.booleans())
@settings(max_examples=60, deadline=None, suppress_health_check=[HealthCheck.too_slow])
def test_any_nesting_is_a_value_or_a_nesting_error_naming_the_input(depth, kind, lenient, as_bytes):
    opener, closer = ('{"a":', "}") if kind == "{}" else ("[", "]")
    text = nested(depth, opener, closer)
    data = text.encode() if as_bytes else text
    if depth <= 200:
        assert within_depth(read_json(data, what="the answer", lenient_strings=lenient), 200)
    else:
        with pytest.raises(JSONNestingError, match="^the answer is nested deeper than 200 levels$"):
            read_json(data, what="the answer", lenient_strings=lenient)


@given(data=st.binary(max_size=300) | st.text(max_size=300).map(str.encode), limit=st.integers(0, 400))
@settings(max_examples=200)
def test_any_bytes_are_a_value_or_one_input_error(data, limit):
    try:
        read_json(data, what="the file", max_bytes=limit)
    except JSONInputError as error:
        assert str(error).startswith("the file ") and "\n" not in str(error)


def test_a_size_over_the_limit_is_refused_before_parsing():
    with pytest.raises(JSONInputError, match="holds 11 bytes, over the limit of 10"):
        read_json(b'"123456789"', what="x", max_bytes=10)


def test_invalid_utf8_names_the_byte():
    with pytest.raises(JSONInputError, match=r"is not UTF-8 text \(byte 7\)"):
        read_json(b'{"a": "\xe9"}', what="x")


def test_a_device_a_folder_and_an_oversized_file_are_refused_without_reading_them(tmp_path):
    with pytest.raises(InputFileError, match="is a device, not a regular file"):
        read_limited("/dev/zero")
    with pytest.raises(InputFileError, match="is a folder"):
        read_json_file(tmp_path)
    (tmp_path / "big.json").write_text("[" + "1," * 100 + "1]")
    with pytest.raises(InputFileError, match="holds more than 100 bytes"):
        read_json_file(tmp_path / "big.json", max_bytes=100)


def test_a_named_pipe_is_refused_without_blocking(tmp_path):
    fifo = tmp_path / "pipe"
    os.mkfifo(fifo)
    assert stat.S_ISFIFO(os.stat(fifo).st_mode)
    with pytest.raises(InputFileError, match="named pipe"):
        read_json_file(fifo)


@pytest.fixture
def catalog(tmp_path):
    playlists = [{"pid": 1, "name": "odd names", "tracks": [
        {"track_uri": "spotify:track:pct", "track_name": "100% Pure Love", "artist_name": "Crystal Waters"},
        {"track_uri": "spotify:track:und", "track_name": "snake_case", "artist_name": "Coder"},
        {"track_uri": "spotify:track:abc", "track_name": "snakeXcase", "artist_name": "Coder"},
        {"track_uri": "spotify:track:bsl", "track_name": "back\\slash", "artist_name": "Coder"},
    ]}]
    with Catalog(tmp_path / "catalog.sqlite") as opened:
        ingest_paths(opened, [write_slice_file(tmp_path, playlists)])
        yield opened


@pytest.mark.parametrize(("word", "found"), [
    ("%", ["spotify:track:pct"]), ("_", ["spotify:track:und"]), ("snake_case", ["spotify:track:und"]),
    ("\\", ["spotify:track:bsl"]), ("snake", ["spotify:track:und", "spotify:track:abc"]),
])
def test_search_takes_percent_underscore_and_backslash_literally(catalog, word, found):
    assert [t.track_uri for t in catalog.tracks_with_words([word], 10)] == found
    assert catalog.artists_with_words(["%"], 10) == []
